package validate

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/joinedup/joinedup/internal/profile"
)

const ukcorePatient = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"

// narrative is a valid narrative, so that dom-6 does not warn in the cases below.
const narrative = `"text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"}`

func TestValidate(t *testing.T) {
	v := newTestValidator(t)
	tests := []struct {
		name     string
		json     string
		profiles []string
		// want lists the issues expected, as "severity expression text-fragment"; an
		// empty list means no error or warning at all.
		want []string
	}{
		{"valid patient", `{"resourceType":"Patient",` + narrative + `,"active":true}`, nil, nil},
		{"missing required element", `{"resourceType":"Observation",` + narrative + `,"code":{"text":"x"}}`, nil,
			[]string{"error Observation.status minimum required = 1"}},
		{"bad required code", `{"resourceType":"Observation",` + narrative + `,"status":"done","code":{"text":"x"}}`, nil,
			[]string{"error Observation.status Unknown code \"done\""}},
		{"invariant", `{"resourceType":"Patient",` + narrative + `,"contact":[{"gender":"male"}]}`, nil,
			[]string{"error Patient.contact[0] pat-1"}},
		{"datatype invariant", `{"resourceType":"Encounter",` + narrative + `,"status":"finished","class":{"code":"AMB","system":"http://terminology.hl7.org/CodeSystem/v3-ActCode"},"period":{"start":"2020-02-01","end":"2020-01-01"}}`, nil,
			[]string{"error Encounter.period per-1"}},
		{"NHS number", `{"resourceType":"Patient",` + narrative + `,"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765918"}]}`, nil,
			[]string{"error Patient.identifier[0].value NHS number 943 476 5918 is not valid"}},
		{"NHS number valid", `{"resourceType":"Patient",` + narrative + `,"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}]}`, nil, nil},
		{"unknown claimed profile", `{"resourceType":"Patient",` + narrative + `,"meta":{"profile":["http://example.org/p"]}}`, nil,
			[]string{"warning Patient Profile reference 'http://example.org/p'"}},
		{"unknown required profile", `{"resourceType":"Patient",` + narrative + `}`, []string{"http://example.org/p"},
			[]string{"error Patient Profile reference 'http://example.org/p'"}},
		{"script in narrative", `{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><script>x</script>y</div>"}}`, nil,
			[]string{"error Patient.text.div Illegal element name in the XHTML ('script')"}},
		{"event handler in narrative", `{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p onclick=\"x()\">y</p></div>"}}`, nil,
			[]string{"error Patient.text.div Illegal attribute name in the XHTML ('onclick'"}},
		{"unresolved contained reference", `{"resourceType":"Observation",` + narrative + `,"status":"final","code":{"text":"x"},"subject":{"reference":"#p1"}}`, nil,
			[]string{"error Observation.subject.reference contained resource '#p1'"}},
		{"conditional reference", `{"resourceType":"Observation",` + narrative + `,"status":"final","code":{"text":"x"},"subject":{"reference":"Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9434765919"}}`, nil, nil},
		{"wrong conditional reference target", `{"resourceType":"Observation",` + narrative + `,"status":"final","code":{"text":"x"},"subject":{"reference":"Medication?code=1"}}`, nil,
			[]string{"error Observation.subject.reference is not a valid target"}},
		{"wrong reference target", `{"resourceType":"Observation",` + narrative + `,"status":"final","code":{"text":"x"},"subject":{"reference":"Medication/1"}}`, nil,
			[]string{"error Observation.subject.reference is not a valid target"}},
		{"choice type not allowed by profile", `{"resourceType":"Observation",` + narrative + `,"meta":{"profile":["http://hl7.org/fhir/StructureDefinition/bodyweight"]},"status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},"subject":{"reference":"Patient/1"},"effectiveDateTime":"2020-01-01","valueString":"heavy"}`, nil,
			[]string{"error Observation.valueString The type 'string' is not allowed"}},
		{"vital signs slice missing", `{"resourceType":"Observation",` + narrative + `,"meta":{"profile":["http://hl7.org/fhir/StructureDefinition/bodyweight"]},"status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"1234-5"}]},"subject":{"reference":"Patient/1"},"effectiveDateTime":"2020-01-01","valueQuantity":{"value":70,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"}}`, nil,
			[]string{"error Observation.code.coding Slice 'BodyWeightCode': minimum required = 1"}},
		{"UK Core extension in the wrong place", `{"resourceType":"Observation",` + narrative + `,"status":"final","code":{"text":"x"},"extension":[{"url":"https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory","valueCodeableConcept":{"text":"x"}}]}`, nil,
			[]string{"error Observation.extension[0] is not allowed to be used at this point"}},
		{"extension value of the wrong type", `{"resourceType":"Patient",` + narrative + `,"extension":[{"url":"https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory","valueString":"x"}]}`, nil,
			[]string{"error Patient.extension[0].valueString The type 'string' is not allowed"}},
		{"unknown extension", `{"resourceType":"Patient",` + narrative + `,"extension":[{"url":"http://other.org/ext","valueString":"x"}]}`, nil,
			[]string{"warning Patient.extension[0] is unknown"}},
		{"UK Core Patient with NHS number slice", `{"resourceType":"Patient",` + narrative + `,"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}]}`, []string{ukcorePatient}, nil},
		{"bundle fullUrl mismatch", `{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"http://x.org/fhir/Patient/2","resource":{"resourceType":"Patient","id":"1",` + narrative + `}}]}`, nil,
			[]string{"error Bundle.entry[0].fullUrl does not match the resource's id"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			issues := v.ValidateBytes(context.Background(), []byte(tc.json), tc.profiles...)
			var got []Issue
			for _, is := range issues {
				if is.Severity == Error || is.Severity == Warning {
					got = append(got, is)
				}
			}
			if len(tc.want) == 0 && len(got) > 0 {
				t.Fatalf("unexpected issues: %+v", got)
			}
			for _, w := range tc.want {
				parts := strings.SplitN(w, " ", 3)
				found := false
				for _, is := range got {
					if is.Severity == parts[0] && is.Expression == parts[1] && strings.Contains(is.Text, parts[2]) {
						found = true
					}
				}
				if !found {
					t.Errorf("no %q among %+v", w, got)
				}
			}
		})
	}
}

func TestPolicy(t *testing.T) {
	v := newTestValidator(t)
	p, err := NewPolicy(v, []string{UKCore}, nil, []string{"Observation"})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Required["Patient"]; len(got) != 1 || got[0] != ukcorePatient {
		t.Fatalf("uk-core requires %v of Patient", got)
	}
	if got := p.Required["Observation"]; len(got) != 1 || !strings.HasSuffix(got[0], "/UKCore-Observation") {
		t.Fatalf("uk-core requires %v of Observation, not the general profile", got)
	}
	bad := []byte(`{"resourceType":"Observation",` + narrative + `,"code":{"text":"x"}}`)
	r, err := Parse(bad)
	if err != nil {
		t.Fatal(err)
	}
	issues := p.Check(context.Background(), r)
	if HasErrors(issues) || Count(issues, Warning) == 0 {
		t.Fatalf("warn-only Observation: %+v", issues)
	}
	for _, bad := range [][]string{{"nope"}, nil} {
		if _, err := NewPolicy(v, bad, []string{"Patient=http://example.org/missing"}, nil); err == nil {
			t.Errorf("NewPolicy(%v, unknown required profile) did not fail", bad)
		}
	}
	if _, err := NewPolicy(v, nil, nil, []string{"NotAType"}); err == nil {
		t.Error("a warn-only type that is not a resource type was accepted")
	}
}

func TestOperation(t *testing.T) {
	v := newTestValidator(t)
	p, err := NewPolicy(v, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	patient := `{"resourceType":"Patient","id":"a",` + narrative + `}`
	params := `{"resourceType":"Parameters","parameter":[{"name":"resource","resource":` + patient + `},{"name":"mode","valueCode":"update"},{"name":"profile","valueUri":"` + ukcorePatient + `"}]}`
	tests := []struct {
		name      string
		req       OperationRequest
		wantErr   bool
		wantError string // a fragment of an error issue expected, "" for none
	}{
		{"type level", OperationRequest{Type: "Patient", Body: []byte(patient)}, false, ""},
		{"parameters with mode and profile", OperationRequest{Type: "Patient", ID: "a", Body: []byte(params)}, false, ""},
		{"update with another id", OperationRequest{Type: "Patient", ID: "b", Body: []byte(params)}, false, "is not the id"},
		{"wrong type", OperationRequest{Type: "Observation", Body: []byte(patient)}, false, "was called on Observation"},
		{"bad mode", OperationRequest{Type: "Patient", Body: []byte(patient), Mode: "merge"}, true, ""},
		{"delete", OperationRequest{Type: "Patient", ID: "a", Mode: "delete"}, false, ""},
		{"nothing to validate", OperationRequest{Type: "Patient"}, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			issues, err := p.Operation(ctx, tc.req)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if tc.wantError == "" {
				if HasErrors(issues) {
					t.Fatalf("unexpected errors: %+v", issues)
				}
				return
			}
			for _, is := range issues {
				if is.Severity == Error && strings.Contains(is.Text, tc.wantError) {
					return
				}
			}
			t.Errorf("no error with %q in %+v", tc.wantError, issues)
		})
	}
}

// A StructureDefinition the server stores becomes a profile resources can claim.
func TestPolicyLearn(t *testing.T) {
	base, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	v, err := New(Options{Profiles: profile.NewRegistry(base)})
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPolicy(v, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	const url = "http://example.org/fhir/StructureDefinition/active-patient"
	sd := `{"resourceType":"StructureDefinition","url":"` + url + `","name":"ActivePatient","status":"active","kind":"resource","abstract":false,"type":"Patient",` +
		`"baseDefinition":"http://hl7.org/fhir/StructureDefinition/Patient","derivation":"constraint",` +
		`"differential":{"element":[{"id":"Patient.active","path":"Patient.active","min":1}]}}`
	patient, err := Parse([]byte(`{"resourceType":"Patient",` + narrative + `,"meta":{"profile":["` + url + `"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if issues := p.Check(ctx, patient); HasErrors(issues) || Count(issues, Warning) != 1 {
		t.Fatalf("before: want one warning (unknown profile), got %+v", issues)
	}
	if err := p.Learn("StructureDefinition", "active-patient", 1, []byte(sd)); err != nil {
		t.Fatal(err)
	}
	issues := p.Check(ctx, patient)
	if !HasErrors(issues) || !strings.Contains(issues[0].Text, "Patient.active: minimum required = 1") {
		t.Fatalf("after: want Patient.active required, got %+v", issues)
	}
	if base.Known(url) {
		t.Error("the shared default registry learned a server's profile")
	}
}

// A stored StructureDefinition deleted (Forget) or updated to another url (Learn again)
// stops being enforced under the url it had, and what it hid comes back: another stored
// definition of the same url, or an implementation guide's. Hooks heard late, for an
// older version, change nothing.
func TestPolicyForget(t *testing.T) {
	const (
		a = "http://example.org/fhir/StructureDefinition/a"
		b = "http://example.org/fhir/StructureDefinition/b"
	)
	// require returns a profile on Patient that requires element.
	require := func(url, element string) []byte {
		return []byte(`{"resourceType":"StructureDefinition","url":"` + url + `","name":"P","status":"active","kind":"resource","abstract":false,"type":"Patient",` +
			`"baseDefinition":"http://hl7.org/fhir/StructureDefinition/Patient","derivation":"constraint",` +
			`"differential":{"element":[{"id":"Patient.` + element + `","path":"Patient.` + element + `","min":1}]}}`)
	}
	base, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	ig := profile.NewRegistry(base) // an implementation guide defining a as requiring gender
	if err := ig.AddJSON(require(a, "gender")); err != nil {
		t.Fatal(err)
	}
	v, err := New(Options{Profiles: profile.NewRegistry(ig)})
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPolicy(v, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// check returns what validating a Patient that claims url and has none of the
	// elements says: the element reported missing, or "unknown" for a warning only.
	check := func(url string) string {
		r, err := Parse([]byte(`{"resourceType":"Patient",` + narrative + `,"meta":{"profile":["` + url + `"]}}`))
		if err != nil {
			t.Fatal(err)
		}
		issues := p.Check(context.Background(), r)
		if !HasErrors(issues) {
			if Count(issues, Warning) == 1 {
				return "unknown"
			}
			return fmt.Sprintf("%+v", issues)
		}
		for _, el := range []string{"active", "birthDate", "gender"} {
			if strings.Contains(issues[0].Text, "Patient."+el+": minimum required = 1") {
				return el
			}
		}
		return issues[0].Text
	}
	type step struct {
		name         string
		do           func() error
		wantA, wantB string
	}
	learn := func(id string, version int64, url, element string) func() error {
		return func() error { return p.Learn("StructureDefinition", id, version, require(url, element)) }
	}
	forget := func(id string, version int64) func() error {
		return func() error { p.Forget("StructureDefinition", id, version); return nil }
	}
	steps := []step{
		{"the guide's a", func() error { return nil }, "gender", "unknown"},
		{"stored 1 as a", learn("1", 1, a, "active"), "active", "unknown"},
		{"stored 2 as a too", learn("2", 1, a, "birthDate"), "birthDate", "unknown"},
		{"2 deleted: 1 again", forget("2", 2), "active", "unknown"},
		{"1 updated to b", learn("1", 2, b, "active"), "gender", "active"},
		{"1's first version heard late", learn("1", 1, a, "birthDate"), "gender", "active"},
		{"1 deleted", forget("1", 3), "gender", "unknown"},
		{"1's update heard late", learn("1", 2, b, "active"), "gender", "unknown"},
		{"forgetting twice is harmless", forget("1", 3), "gender", "unknown"},
		{"1 expunged and created again", func() error {
			p.Forget("StructureDefinition", "1", 0)
			return p.Learn("StructureDefinition", "1", 1, require(b, "birthDate"))
		}, "gender", "birthDate"},
		{"a ValueSet id does not touch profiles", func() error { p.Forget("ValueSet", "1", 0); return nil }, "gender", "birthDate"},
		{"an unusable update of 1 leaves nothing", func() error {
			if p.Learn("StructureDefinition", "1", 2, []byte(`{"resourceType":"Patient"}`)) == nil {
				t.Error("a Patient learned as a StructureDefinition")
			}
			return nil
		}, "gender", "unknown"},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := check(a); got != st.wantA {
			t.Errorf("%s: claiming a gives %s, want %s", st.name, got, st.wantA)
		}
		if got := check(b); got != st.wantB {
			t.Errorf("%s: claiming b gives %s, want %s", st.name, got, st.wantB)
		}
	}
}
