package terminology

import (
	"context"
	"errors"
	"testing"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/fhirpath"
)

func TestFHIRPathMemberOf(t *testing.T) {
	ctx := context.Background()
	cc := &fhir.CodeableConcept{Coding: []*fhir.Coding{
		{System: fhir.NewURI(genderCS), Code: fhir.NewCode("woman")},
		{System: fhir.NewURI(genderCS), Code: fhir.NewCode("female")},
	}}
	tests := []struct {
		name    string
		v       fhirpath.Value
		vs      string
		want    bool
		wantErr error
	}{
		{"code element", fhir.NewCode("female"), genderVS, true, nil},
		{"code element not in the value set", fhir.NewCode("woman"), genderVS, false, nil},
		{"System string", fhirpath.String("other"), genderVS, true, nil},
		{"Coding", &fhir.Coding{System: fhir.NewURI(actCode), Code: fhir.NewCode("ACUTE")}, actEncVS, true, nil},
		{"CodeableConcept, second coding", cc, genderVS, true, nil},
		{"SNOMED CT not loaded", &fhir.Coding{System: fhir.NewURI(SystemSNOMED), Code: fhir.NewCode("22298006")}, conditionVS, false, ErrUndecided},
		{"SNOMED CT malformed", &fhir.Coding{System: fhir.NewURI(SystemSNOMED), Code: fhir.NewCode("22298007")}, conditionVS, false, nil},
		{"unknown value set", fhir.NewCode("female"), "http://example.org/ValueSet/none", false, ErrUndecided},
	}
	for _, tt := range tests {
		got, err := server.FHIRPathMemberOf(ctx, tt.v, tt.vs)
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: %v, %v; want %v, %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}

// The adapter plugs into the FHIRPath engine.
func TestFHIRPathMemberOfInEngine(t *testing.T) {
	r, err := fhir.ParseResource([]byte(`{"resourceType":"Patient","gender":"female"}`))
	if err != nil {
		t.Fatal(err)
	}
	expr, err := fhirpath.Compile("gender.memberOf('" + genderVS + "')")
	if err != nil {
		t.Fatal(err)
	}
	got, err := expr.EvaluateContext(context.Background(), &fhirpath.Env{MemberOf: server.FHIRPathMemberOf}, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != fhirpath.Boolean(true) {
		t.Errorf("memberOf = %v", got)
	}
}
