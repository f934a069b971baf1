package fhir

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseResource: reading never panics, and whatever strict reading accepts is written
// and read back to identical bytes (nothing is accepted and then altered).
func FuzzParseResource(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "..", "shared", "tests", "examples", "*.json"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	for _, s := range []string{
		`{"resourceType":"Patient","name":[{"given":["a",null],"_given":[null,{"id":"x"}]}]}`,
		`{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1.50e3}}`,
		`{"id":"a","resourceType":"Bundle","type":"collection","entry":[{"resource":{"active":true,"resourceType":"Patient"}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opts := range []ParseOptions{{}, {Lenient: true}} {
			r, err := ParseResourceOptions(data, opts)
			if err != nil {
				continue
			}
			out, err := MarshalResource(r)
			if err != nil {
				t.Fatalf("accepted but cannot marshal (lenient %v): %v", opts.Lenient, err)
			}
			r2, err := ParseResourceOptions(out, opts)
			if err != nil {
				t.Fatalf("output does not read back (lenient %v): %v\n%s", opts.Lenient, err, out)
			}
			out2, err := MarshalResource(r2)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, out2) {
				t.Fatalf("altered on the second round (lenient %v):\n%s\n%s", opts.Lenient, out, out2)
			}
			if !opts.Lenient {
				if d := diffJSON(data, out); d != "" {
					t.Fatalf("strict reading altered the resource: %s", d)
				}
			}
		}
	})
}
