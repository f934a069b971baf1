package validate

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzValidate: no input makes the validator panic. Seeds are the suite's JSON
// instances and a few hand-made resources.
func FuzzValidate(f *testing.F) {
	f.Add([]byte(`{"resourceType":"Patient","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}]}`))
	f.Add([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:1","resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"urn:uuid:2"}}}]}`))
	f.Add([]byte(`<Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><p>x</p></div></text></Patient>`))
	if files, err := filepath.Glob("../../../shared/tests/validator/*.json"); err == nil {
		for i, file := range files {
			if i%4 != 0 { // a sample keeps the seed corpus quick to run
				continue
			}
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	v, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	p, err := NewPolicy(v, []string{UKCore}, nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data)
		if err != nil {
			return
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			p.Check(context.Background(), r)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("validation of %q did not finish in 10s", data)
		}
	})
}
