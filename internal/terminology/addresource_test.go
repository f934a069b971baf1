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

// A stored code system replaces what its owner added before, whatever the url, and
// removing it uncovers the earlier resource of the same url.
func TestAddStored(t *testing.T) {
	s := New()
	ctx := context.Background()
	const gender = "http://hl7.org/fhir/administrative-gender"
	cs := func(url, code string) []byte {
		return []byte(`{"resourceType":"CodeSystem","url":"` + url + `","status":"active","content":"complete","concept":[{"code":"` + code + `"}]}`)
	}
	// verdicts reports whether male and x are valid in gender, and whether the colours
	// code system exists.
	verdicts := func() string {
		out := ""
		for _, c := range []Coding{coding(gender, "male", ""), coding(gender, "x", ""), coding("http://example.org/colours", "red", "")} {
			r, err := s.ValidateCode(ctx, ValidateRequest{Codings: []Coding{c}})
			if err != nil {
				t.Fatal(err)
			}
			out += r.Verdict.String() + " "
		}
		return out
	}
	tests := []struct {
		name string
		do   func() error
		want string
	}{
		{"embedded", func() error { return nil }, "valid invalid not validated "},
		{"stored over the embedded", func() error { return s.AddStored("CodeSystem/1", cs(gender, "x")) }, "invalid valid not validated "},
		{"updated to another url", func() error { return s.AddStored("CodeSystem/1", cs("http://example.org/colours", "red")) }, "valid invalid valid "},
		{"stored over the embedded again", func() error { return s.AddStored("CodeSystem/1", cs(gender, "x")) }, "invalid valid not validated "},
		{"updated to something unusable", func() error {
			if s.AddStored("CodeSystem/1", []byte(`{"resourceType":"CodeSystem","status":"active","content":"complete"}`)) == nil {
				t.Error("a CodeSystem without url accepted")
			}
			return nil
		}, "valid invalid not validated "},
		{"stored again", func() error { return s.AddStored("CodeSystem/1", cs(gender, "x")) }, "invalid valid not validated "},
		{"removed", func() error { s.RemoveStored("CodeSystem/1"); return nil }, "valid invalid not validated "},
		{"removed again", func() error { s.RemoveStored("CodeSystem/1"); return nil }, "valid invalid not validated "},
		{"no owner", func() error {
			if s.AddStored("", cs(gender, "x")) == nil {
				t.Error("AddStored without an owner accepted")
			}
			return nil
		}, "valid invalid not validated "},
	}
	for _, tt := range tests {
		if err := tt.do(); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := verdicts(); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
