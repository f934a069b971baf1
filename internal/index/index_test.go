package index

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/store"
)

func mustParse(t *testing.T, s string) fhir.Resource {
	t.Helper()
	r, err := fhir.ParseResource([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestLocalRef(t *testing.T) {
	const base = "https://ehr.example/fhir"
	cases := []struct {
		ref  string
		want store.Ref
		ok   bool
	}{
		{"Patient/123", store.Ref{Type: "Patient", ID: "123"}, true},
		{"Patient/123/_history/2", store.Ref{Type: "Patient", ID: "123"}, true},
		{base + "/Observation/a.b-c", store.Ref{Type: "Observation", ID: "a.b-c"}, true},
		{base + "/Observation/a/extra", store.Ref{}, false},
		{"https://other.example/fhir/Patient/1", store.Ref{}, false},
		{"#contained", store.Ref{}, false},
		{"urn:uuid:0b0b0b0b-0000-4000-8000-000000000001", store.Ref{}, false},
		{"Patient?identifier=x", store.Ref{}, false},
		{"Unknown/1", store.Ref{}, false},
		{"Patient/", store.Ref{}, false},
		{"Patient/bad id", store.Ref{}, false},
		{"", store.Ref{}, false},
	}
	for _, c := range cases {
		got, ok := LocalRef(c.ref, base)
		if got != c.want || ok != c.ok {
			t.Errorf("LocalRef(%q) = %v, %v; want %v, %v", c.ref, got, ok, c.want, c.ok)
		}
	}
}

func TestFoundationExtract(t *testing.T) {
	cases := []struct {
		name         string
		resource     string
		tokens       string
		uris         string
		links        string
		compartments string
	}{
		{
			name: "patient",
			resource: `{"resourceType":"Patient","id":"p1","meta":{"tag":[{"system":"http://t","code":"demo","display":"Demo"}],"security":[{"system":"http://s","code":"R"}],"profile":["http://p"],"source":"urn:src"},
				"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"},{"value":"local"}],
				"generalPractitioner":[{"reference":"Practitioner/gp"},{"reference":"Organization/o1"}],
				"link":[{"other":{"reference":"Patient/p2"},"type":"seealso"}],
				"contained":[{"resourceType":"Organization","id":"c","partOf":{"reference":"Organization/parent"}}],
				"managingOrganization":{"reference":"#c"}}`,
			tokens:       `[{identifier https://fhir.nhs.uk/Id/nhs-number 9434765919 } {identifier  local } {_tag http://t demo Demo} {_security http://s R }]`,
			uris:         `[{_profile http://p} {_source urn:src}]`,
			links:        `[Organization/parent@Patient.contained[0].partOf Practitioner/gp@Patient.generalPractitioner[0] Organization/o1@Patient.generalPractitioner[1] Patient/p2@Patient.link[0].other]`,
			compartments: `[{Patient p1} {Patient p2}]`,
		},
		{
			name: "observation",
			resource: `{"resourceType":"Observation","status":"final","code":{"text":"x"},
				"subject":{"reference":"https://ehr.example/fhir/Patient/p1"},
				"performer":[{"reference":"Practitioner/gp"},{"reference":"Patient/p3"}],
				"component":[{"code":{"text":"c"},"valueQuantity":{"value":1},"extension":[{"url":"http://e","valueReference":{"reference":"Device/d"}}]}]}`,
			tokens:       `[]`,
			uris:         `[]`,
			links:        `[Patient/p1@Observation.subject Practitioner/gp@Observation.performer[0] Patient/p3@Observation.performer[1] Device/d@Observation.component[0].extension[0].valueReference]`,
			compartments: `[{Patient p1} {Patient p3}]`,
		},
		{
			name:         "not in the patient compartment",
			resource:     `{"resourceType":"Organization","partOf":{"reference":"Organization/x"}}`,
			tokens:       `[]`,
			uris:         `[]`,
			links:        `[Organization/x@Organization.partOf]`,
			compartments: `[]`,
		},
	}
	for _, c := range cases {
		r := mustParse(t, c.resource)
		e, err := Foundation{}.Extract(r, "https://ehr.example/fhir")
		if err != nil {
			t.Fatal(err)
		}
		var links []string
		for _, l := range e.Links {
			links = append(links, l.Target.Type+"/"+l.Target.ID+"@"+PathOf(r, l.Element))
		}
		got := []struct{ name, got, want string }{
			{"tokens", fmt.Sprint(nonNil(e.Index.Tokens)), c.tokens},
			{"uris", fmt.Sprint(nonNil(e.Index.URIs)), c.uris},
			{"links", fmt.Sprint(nonNil(links)), c.links},
			{"compartments", fmt.Sprint(nonNil(e.Compartments)), c.compartments},
		}
		for _, g := range got {
			if g.got != g.want {
				t.Errorf("%s %s:\n got %s\nwant %s", c.name, g.name, g.got, g.want)
			}
		}
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func TestRefsDistinct(t *testing.T) {
	e := &Entry{Links: []Link{{Target: store.Ref{Type: "Patient", ID: "a"}}, {Target: store.Ref{Type: "Patient", ID: "a"}}, {Target: store.Ref{Type: "Patient", ID: "b"}}}}
	if got := fmt.Sprint(e.Refs()); got != "[{Patient a} {Patient b}]" {
		t.Errorf("Refs = %s", got)
	}
}

// TestCompartmentTableCurrent regenerates the compartment table from the shared R4
// definitions and compares it with the committed one.
func TestCompartmentTableCurrent(t *testing.T) {
	r4 := "../../../shared/fhir/r4"
	if _, err := os.Stat(r4); err != nil {
		t.Skipf("../shared is absent (%v): cannot check the generated table", err)
	}
	out := filepath.Join(t.TempDir(), "gen.go")
	if err := runGenerator(t, r4, out); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("compartments_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Error("compartments_gen.go is stale: run go generate ./internal/index")
	}
}

func runGenerator(t *testing.T, r4, out string) error {
	t.Helper()
	cmd := exec.Command("go", "run", "./internal/gencompartments", "-r4", r4, "-out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Logf("%s", b)
		return err
	}
	return nil
}
