package validate

import (
	"context"
	"strings"
	"testing"

	"github.com/joinedup/joinedup/internal/profile"
)

// A profile with ordered, closed slicing by value and a closed re-slice.
const slicedProfile = `{"resourceType":"StructureDefinition","url":"http://example.org/sd/sliced","name":"Sliced","status":"active",
"kind":"resource","abstract":false,"type":"Patient","baseDefinition":"http://hl7.org/fhir/StructureDefinition/Patient","derivation":"constraint",
"differential":{"element":[
 {"id":"Patient.identifier","path":"Patient.identifier","slicing":{"discriminator":[{"type":"value","path":"system"}],"ordered":true,"rules":"closed"}},
 {"id":"Patient.identifier:nhs","path":"Patient.identifier","sliceName":"nhs","min":1,"max":"1"},
 {"id":"Patient.identifier:nhs.system","path":"Patient.identifier.system","fixedUri":"https://fhir.nhs.uk/Id/nhs-number"},
 {"id":"Patient.identifier:local","path":"Patient.identifier","sliceName":"local","slicing":{"discriminator":[{"type":"value","path":"use"}],"rules":"closed"}},
 {"id":"Patient.identifier:local.system","path":"Patient.identifier.system","fixedUri":"http://example.org/local"},
 {"id":"Patient.identifier:local/official","path":"Patient.identifier","sliceName":"local/official","min":1},
 {"id":"Patient.identifier:local/official.use","path":"Patient.identifier.use","fixedCode":"official"}
]}}`

func TestSlicing(t *testing.T) {
	base, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	reg := profile.NewRegistry(base)
	if err := reg.AddJSON([]byte(slicedProfile)); err != nil {
		t.Fatal(err)
	}
	v, err := New(Options{Profiles: reg})
	if err != nil {
		t.Fatal(err)
	}
	const (
		nhs      = `{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}`
		official = `{"use":"official","system":"http://example.org/local","value":"1"}`
		usual    = `{"use":"usual","system":"http://example.org/local","value":"2"}`
		other    = `{"system":"http://example.org/other","value":"3"}`
	)
	tests := []struct {
		name        string
		identifiers string
		want        []string // fragments of the error texts expected; none for a valid one
	}{
		{"in order", nhs + "," + official, nil},
		{"out of order", official + "," + nhs, []string{"out of order"}},
		{"closed", nhs + "," + official + "," + other, []string{"does not match any known slice"}},
		{"closed re-slice", nhs + "," + usual, []string{"does not match any known slice", "Slice 'local/official': minimum required = 1"}},
		{"missing slice", official, []string{"Slice 'nhs': minimum required = 1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := `{"resourceType":"Patient",` + narrative + `,"identifier":[` + tc.identifiers + `]}`
			issues := v.ValidateBytes(context.Background(), []byte(data), "http://example.org/sd/sliced")
			var errs []string
			for _, is := range issues {
				if is.Severity == Error {
					errs = append(errs, is.Text)
				}
			}
			if len(tc.want) == 0 && len(errs) > 0 {
				t.Fatalf("unexpected errors: %q", errs)
			}
			for _, w := range tc.want {
				found := false
				for _, e := range errs {
					found = found || strings.Contains(e, w)
				}
				if !found {
					t.Errorf("no error with %q in %q", w, errs)
				}
			}
		})
	}
}
