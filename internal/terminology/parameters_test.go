package terminology

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/joinedup/joinedup/fhir"
)

func parseParameters(t *testing.T, js string) *fhir.Parameters {
	t.Helper()
	r, err := fhir.ParseResource([]byte(js))
	if err != nil {
		t.Fatalf("parse %s: %v", js, err)
	}
	p, ok := r.(*fhir.Parameters)
	if !ok {
		t.Fatalf("%T is not Parameters", r)
	}
	return p
}

func marshal(t *testing.T, r fhir.Resource) string {
	t.Helper()
	b, err := fhir.MarshalResource(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestValidateCodeParameters(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		in         string
		codeSystem bool
		want       string // the marshalled out-parameters
	}{
		{"code and system against a value set",
			`{"resourceType":"Parameters","parameter":[{"name":"url","valueUri":"` + genderVS + `"},{"name":"code","valueCode":"male"},{"name":"system","valueUri":"` + genderCS + `"}]}`, false,
			`{"resourceType":"Parameters","parameter":[{"name":"result","valueBoolean":true},{"name":"display","valueString":"Male"},{"name":"code","valueCode":"male"},{"name":"system","valueUri":"` + genderCS + `"}]}`},
		{"coding with a wrong display",
			`{"resourceType":"Parameters","parameter":[{"name":"url","valueUri":"` + genderVS + `"},{"name":"coding","valueCoding":{"system":"` + genderCS + `","code":"male","display":"Man"}}]}`, false,
			`{"resourceType":"Parameters","parameter":[{"name":"result","valueBoolean":true},{"name":"message","valueString":"The display \"Man\" is not a display of the code \"male\" in ` + genderCS + `: it should be \"Male\""},{"name":"display","valueString":"Male"},{"name":"code","valueCode":"male"},{"name":"system","valueUri":"` + genderCS + `"},{"name":"issues","resource":{"resourceType":"OperationOutcome","issue":[{"severity":"warning","code":"value","diagnostics":"The display \"Man\" is not a display of the code \"male\" in ` + genderCS + `: it should be \"Male\""}]}}]}`},
		{"CodeSystem/$validate-code",
			`{"resourceType":"Parameters","parameter":[{"name":"url","valueUri":"` + genderCS + `"},{"name":"code","valueCode":"nope"}]}`, true,
			`{"resourceType":"Parameters","parameter":[{"name":"result","valueBoolean":false},{"name":"message","valueString":"Unknown code \"nope\" in the code system ` + genderCS + ` version 4.0.1"},{"name":"code","valueCode":"nope"},{"name":"system","valueUri":"` + genderCS + `"},{"name":"issues","resource":{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"code-invalid","diagnostics":"Unknown code \"nope\" in the code system ` + genderCS + ` version 4.0.1"}]}}]}`},
		{"SNOMED CT not validated",
			`{"resourceType":"Parameters","parameter":[{"name":"url","valueUri":"` + conditionVS + `"},{"name":"codeableConcept","valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"22298006"}]}}]}`, false,
			`{"resourceType":"Parameters","parameter":[{"name":"result","valueBoolean":false},{"name":"message","valueString":"The SNOMED CT code \"22298006\" is well formed, but SNOMED CT content is not loaded, so it was not validated; The SNOMED CT constraint \"descendantOf 404684003 OR descendantOf 413350009 OR descendantOf 272379006\" could not be decided without SNOMED CT content"},{"name":"code","valueCode":"22298006"},{"name":"system","valueUri":"http://snomed.info/sct"},{"name":"x-caused-by-unknown-system","valueCanonical":"http://snomed.info/sct"},{"name":"issues","resource":{"resourceType":"OperationOutcome","issue":[{"severity":"information","code":"not-supported","diagnostics":"The SNOMED CT code \"22298006\" is well formed, but SNOMED CT content is not loaded, so it was not validated"},{"severity":"information","code":"not-supported","diagnostics":"The SNOMED CT constraint \"descendantOf 404684003 OR descendantOf 413350009 OR descendantOf 272379006\" could not be decided without SNOMED CT content"}]}}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := ValidateCodeRequest(parseParameters(t, tt.in), tt.codeSystem, "")
			if err != nil {
				t.Fatal(err)
			}
			r, err := server.ValidateCode(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if got := marshal(t, ValidateCodeParameters(r)); got != tt.want {
				t.Errorf("\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestBadParameters(t *testing.T) {
	tests := []struct {
		name string
		in   string
		call func(*fhir.Parameters) error
	}{
		{"validate-code without a code", `{"resourceType":"Parameters","parameter":[{"name":"url","valueUri":"x"}]}`,
			func(p *fhir.Parameters) error { _, err := ValidateCodeRequest(p, false, ""); return err }},
		{"validate-code without a value set", `{"resourceType":"Parameters","parameter":[{"name":"code","valueCode":"x"}]}`,
			func(p *fhir.Parameters) error { _, err := ValidateCodeRequest(p, false, ""); return err }},
		{"validate-code with a code twice", `{"resourceType":"Parameters","parameter":[{"name":"url","valueUri":"x"},{"name":"code","valueCode":"x"},{"name":"code","valueCode":"y"}]}`,
			func(p *fhir.Parameters) error { _, err := ValidateCodeRequest(p, false, ""); return err }},
		{"lookup without a system", `{"resourceType":"Parameters","parameter":[{"name":"code","valueCode":"x"}]}`,
			func(p *fhir.Parameters) error { _, _, err := LookupRequest(p); return err }},
		{"expand with a negative count", `{"resourceType":"Parameters","parameter":[{"name":"url","valueUri":"x"},{"name":"count","valueInteger":-1}]}`,
			func(p *fhir.Parameters) error { _, err := ExpandRequestFrom(p, ""); return err }},
		{"expand without a value set", `{"resourceType":"Parameters","parameter":[{"name":"filter","valueString":"x"}]}`,
			func(p *fhir.Parameters) error { _, err := ExpandRequestFrom(p, ""); return err }},
		{"subsumes with codings from two systems", `{"resourceType":"Parameters","parameter":[{"name":"codingA","valueCoding":{"system":"a","code":"1"}},{"name":"codingB","valueCoding":{"system":"b","code":"2"}}]}`,
			func(p *fhir.Parameters) error { _, _, _, _, err := SubsumesRequest(p, ""); return err }},
	}
	for _, tt := range tests {
		if err := tt.call(parseParameters(t, tt.in)); !errors.Is(err, ErrBadParameters) {
			t.Errorf("%s: error %v, want ErrBadParameters", tt.name, err)
		}
	}
}

func TestLookupParameters(t *testing.T) {
	p := parseParameters(t, `{"resourceType":"Parameters","parameter":[{"name":"coding","valueCoding":{"system":"`+actCode+`","code":"IMP"}},{"name":"property","valueCode":"parent"},{"name":"property","valueCode":"child"}]}`)
	c, props, err := LookupRequest(p)
	if err != nil {
		t.Fatal(err)
	}
	r, err := server.Lookup(context.Background(), c, props)
	if err != nil {
		t.Fatal(err)
	}
	got := marshal(t, LookupParameters(r))
	want := `{"resourceType":"Parameters","parameter":[{"name":"name","valueString":"v3 Code System ActCode"},{"name":"version","valueString":"2018-08-12"},{"name":"display","valueString":"inpatient encounter"},` +
		`{"name":"definition","valueString":"`
	if !strings.HasPrefix(got, want) {
		t.Errorf("got %s\nwant prefix %s", got, want)
	}
	wantEnd := `{"name":"property","part":[{"name":"code","valueCode":"parent"},{"name":"value","valueCode":"_ActEncounterCode"}]},` +
		`{"name":"property","part":[{"name":"code","valueCode":"child"},{"name":"value","valueCode":"ACUTE"}]},` +
		`{"name":"property","part":[{"name":"code","valueCode":"child"},{"name":"value","valueCode":"NONAC"}]}]}`
	if !strings.HasSuffix(got, wantEnd) {
		t.Errorf("got %s\nwant suffix %s", got, wantEnd)
	}
}

func TestExpandParametersMapping(t *testing.T) {
	p := parseParameters(t, `{"resourceType":"Parameters","parameter":[{"name":"url","valueUri":"`+genderVS+`"},{"name":"filter","valueString":"fem"},{"name":"count","valueInteger":10}]}`)
	req, err := ExpandRequestFrom(p, "")
	if err != nil {
		t.Fatal(err)
	}
	exp, err := server.Expand(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	got := marshal(t, ExpansionValueSet(exp))
	// Identifier and timestamp change with every call.
	got = regexp.MustCompile(`"identifier":"[^"]*","timestamp":"[^"]*"`).ReplaceAllString(got, `"identifier":"ID","timestamp":"T"`)
	want := `{"resourceType":"ValueSet","url":"` + genderVS + `","version":"4.0.1","name":"AdministrativeGender","title":"AdministrativeGender","status":"active",` +
		`"expansion":{"identifier":"ID","timestamp":"T","total":1,"offset":0,"parameter":[{"name":"filter","valueString":"fem"},{"name":"count","valueInteger":10},{"name":"used-codesystem","valueUri":"` + genderCS + `|4.0.1"}],` +
		`"contains":[{"system":"` + genderCS + `","version":"4.0.1","code":"female","display":"Female"}]}}`
	if got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}

	// An inline value set.
	p = parseParameters(t, `{"resourceType":"Parameters","parameter":[{"name":"valueSet","resource":{"resourceType":"ValueSet","status":"draft","compose":{"include":[{"system":"`+actCode+`","filter":[{"property":"concept","op":"is-a","value":"IMP"}]}]}}}]}`)
	if req, err = ExpandRequestFrom(p, ""); err != nil {
		t.Fatal(err)
	}
	if exp, err = server.Expand(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(codes(exp.Contains), " "); got != "IMP ACUTE NONAC" {
		t.Errorf("inline expansion %s", got)
	}
}

func TestSubsumesParametersMapping(t *testing.T) {
	p := parseParameters(t, `{"resourceType":"Parameters","parameter":[{"name":"codingA","valueCoding":{"system":"`+obsStatusCS+`","code":"amended"}},{"name":"codingB","valueCoding":{"system":"`+obsStatusCS+`","code":"corrected"}}]}`)
	system, version, a, b, err := SubsumesRequest(p, "")
	if err != nil {
		t.Fatal(err)
	}
	outcome, err := server.Subsumes(context.Background(), system, version, a, b)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := marshal(t, SubsumesParameters(outcome)), `{"resourceType":"Parameters","parameter":[{"name":"outcome","valueCode":"subsumes"}]}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestCodingsOf(t *testing.T) {
	r, err := fhir.ParseResource([]byte(`{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"},{"system":"http://snomed.info/sct","version":"http://snomed.info/sct/83821000000107","code":"364075005"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	obs := r.(*fhir.Observation)
	got := CodingsOf(obs.Code)
	want := []Coding{{System: SystemLOINC, Code: "8867-4", Display: "Heart rate"}, {System: SystemSNOMED, Version: "http://snomed.info/sct/83821000000107", Code: "364075005"}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("CodingsOf = %+v, want %+v", got, want)
	}
	if CodingOf(nil) != (Coding{}) || CodingsOf(nil) != nil {
		t.Error("nil inputs")
	}
	if c := CodingOf(obs.Code.Coding[0]); c != want[0] {
		t.Errorf("CodingOf = %+v", c)
	}
}
