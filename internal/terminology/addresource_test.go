package terminology

import (
	"context"
	"testing"
)

// Resources added at run time (an implementation guide, a POSTed ValueSet) are used, and a
// newer copy of a code system replaces the embedded one.
func TestAddResource(t *testing.T) {
	s := New()
	ctx := context.Background()
	for _, js := range []string{
		`{"resourceType":"CodeSystem","url":"http://example.org/CodeSystem/colours","version":"1","status":"active","content":"complete","caseSensitive":false,
		  "concept":[{"code":"red","display":"Red","concept":[{"code":"crimson","display":"Crimson"}]},{"code":"blue","display":"Blue"}]}`,
		`{"resourceType":"ValueSet","url":"http://example.org/ValueSet/reds","status":"active",
		  "compose":{"include":[{"system":"http://example.org/CodeSystem/colours","filter":[{"property":"concept","op":"is-a","value":"red"}]}]}}`,
		`{"resourceType":"CodeSystem","url":"http://hl7.org/fhir/administrative-gender","version":"9","status":"active","content":"complete","caseSensitive":true,
		  "concept":[{"code":"x","display":"X"}]}`,
	} {
		if err := s.AddResource([]byte(js)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		vs   string
		c    Coding
		want Verdict
	}{
		{"http://example.org/ValueSet/reds", coding("http://example.org/CodeSystem/colours", "crimson", ""), Valid},
		{"http://example.org/ValueSet/reds", coding("http://example.org/CodeSystem/colours", "CRIMSON", ""), Valid}, // not case sensitive
		{"http://example.org/ValueSet/reds", coding("http://example.org/CodeSystem/colours", "blue", ""), Invalid},
		{"", coding("http://hl7.org/fhir/administrative-gender", "x", ""), Valid},
		{"", coding("http://hl7.org/fhir/administrative-gender", "male", ""), Invalid},
		{"", Coding{System: "http://hl7.org/fhir/administrative-gender", Version: "4.0.1", Code: "male"}, Valid},
		{"", Coding{System: "http://hl7.org/fhir/administrative-gender", Version: "2", Code: "male"}, NotValidated},
	}
	for _, tt := range tests {
		r, err := s.ValidateCode(ctx, ValidateRequest{ValueSet: tt.vs, Codings: []Coding{tt.c}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Verdict != tt.want {
			t.Errorf("%s %v: %v, want %v (%s)", tt.vs, tt.c, r.Verdict, tt.want, r.Message())
		}
	}
	for _, bad := range []string{
		`{"resourceType":"Patient"}`,
		`{"resourceType":"ValueSet","status":"active"}`,
		`{"resourceType":"CodeSystem","url":"x","status":"active","content":"complete","bogus":1}`,
	} {
		if err := s.AddResource([]byte(bad)); err == nil {
			t.Errorf("AddResource(%s) accepted", bad)
		}
	}
}
