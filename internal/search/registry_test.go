package search

import (
	"slices"
	"testing"

	"github.com/joinedup/joinedup/fhir"
)

// customGender is a custom Patient parameter that takes the code of the
// specification's gender, version v of its SearchParameter.
func customGender(t *testing.T, v string) *fhir.SearchParameter {
	t.Helper()
	r, err := fhir.ParseResource([]byte(`{"resourceType":"SearchParameter","id":"g","meta":{"versionId":"` + v + `"},
		"url":"http://example.org/sp/g","name":"g","status":"active","description":"d","code":"gender",
		"base":["Patient"],"type":"token","expression":"Patient.extension('http://example.org/g').value"}`))
	if err != nil {
		t.Fatal(err)
	}
	return r.(*fhir.SearchParameter)
}

// TestRegistryAddAgainAndRemove: registering the same version again changes nothing
// (an indexed parameter stays searchable); a new version is pending; Remove brings the
// specification's parameter of the same code back.
func TestRegistryAddAgainAndRemove(t *testing.T) {
	const url = "http://example.org/sp/g"
	r := NewRegistry()
	spec := r.Lookup("Patient", "gender").URL
	d, err := r.Add(customGender(t, "1"))
	if err != nil {
		t.Fatal(err)
	}
	if !r.MarkIndexed(url, d.State) {
		t.Fatal("MarkIndexed refused the registered state")
	}
	steps := []struct {
		name       string
		do         func() error
		wantURL    string // of Patient gender as searched, "" while the custom one is pending
		wantCustom []string
		newGen     bool
	}{
		{"same version again", func() error { _, err := r.Add(customGender(t, "1")); return err }, url, []string{url}, false},
		{"new version", func() error { _, err := r.Add(customGender(t, "2")); return err }, "", []string{url}, true},
		{"removed", func() error { r.Remove(url); return nil }, spec, nil, true},
		{"removed again", func() error { r.Remove(url); return nil }, spec, nil, false},
	}
	for _, s := range steps {
		gen := r.Generation()
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		got := ""
		if p := r.Lookup("Patient", "gender"); p != nil {
			got = p.URL
		}
		if got != s.wantURL {
			t.Errorf("%s: gender searches %s, want %s", s.name, got, s.wantURL)
		}
		if got := r.Custom(); !slices.Equal(got, s.wantCustom) {
			t.Errorf("%s: custom %v, want %v", s.name, got, s.wantCustom)
		}
		if got := r.Generation() != gen; got != s.newGen {
			t.Errorf("%s: generation changed %v, want %v", s.name, got, s.newGen)
		}
	}
}
