package search

import (
	"slices"
	"testing"

	"github.com/joinedup/joinedup/fhir"
)

// TestModifiersFollowElementTypes checks that a parameter offers only the modifiers
// that apply to the types of the elements it selects.
func TestModifiersFollowElementTypes(t *testing.T) {
	tests := []struct {
		typ, code string // typ "" for a system search
		want      []string
	}{
		{"Patient", "gender", []string{"missing", "not", "in", "not-in", "above", "below"}},
		{"Patient", "identifier", []string{"missing", "not", "text", "of-type"}},
		{"Patient", "telecom", []string{"missing", "not"}},
		{"Patient", "active", []string{"missing", "not"}},
		// A Boolean expression, which the compiler cannot type.
		{"Patient", "deceased", []string{"missing", "not"}},
		// The branches of the other types, (MedicationRequest.medication as
		// CodeableConcept) among them, are left out.
		{"Observation", "code", []string{"missing", "not", "text", "in", "not-in", "above", "below"}},
		{"MessageHeader", "event", []string{"missing", "not", "text", "in", "not-in", "above", "below"}},
		{"ImagingStudy", "series", []string{"missing", "not"}},
		{"", "_tag", []string{"missing", "not", "text", "in", "not-in", "above", "below"}},
		{"", "_id", []string{"not"}},
		{"", "_lastUpdated", nil},
		{"Patient", "family", []string{"missing", "exact", "contains"}},
		{"Observation", "subject", []string{"missing", "identifier", "above", "below", "Group", "Device", "Patient", "Location"}},
		// A canonical has no identifier.
		{"CarePlan", "instantiates-canonical", []string{"missing", "Questionnaire", "Measure", "PlanDefinition", "OperationDefinition", "ActivityDefinition"}},
		{"Consent", "source-reference", []string{"missing", "identifier", "above", "below", "Consent", "Contract", "QuestionnaireResponse", "DocumentReference"}},
	}
	for _, tt := range tests {
		p := registry.Lookup(tt.typ, tt.code)
		if p == nil {
			t.Errorf("%s %s: unknown", tt.typ, tt.code)
			continue
		}
		if !slices.Equal(p.Modifiers, tt.want) {
			t.Errorf("%s %s: modifiers %v, want %v", tt.typ, tt.code, p.Modifiers, tt.want)
		}
	}
}

// TestCustomParameterModifiers checks that a custom token parameter is offered the
// modifiers of the type its expression selects.
func TestCustomParameterModifiers(t *testing.T) {
	r := NewRegistry()
	for _, tt := range []struct {
		code, expression string
		want             []string
	}{
		{"eye-colour", "(Patient.extension('http://example.org/eye').value as CodeableConcept)", []string{"missing", "not", "text", "in", "not-in", "above", "below"}},
		{"photo-title", "Patient.photo.title", []string{"missing", "not"}},
	} {
		sp := mustParse(t, `{"resourceType":"SearchParameter","url":"http://example.org/sp/`+tt.code+`","status":"active",
			"code":"`+tt.code+`","base":["Patient"],"type":"token","expression":"`+tt.expression+`"}`)
		d, err := r.Add(sp.(*fhir.SearchParameter))
		if err != nil {
			t.Fatal(err)
		}
		r.MarkIndexed(d.URL, d.State)
		if got := r.Lookup("Patient", tt.code).Modifiers; !slices.Equal(got, tt.want) {
			t.Errorf("%s: modifiers %v, want %v", tt.expression, got, tt.want)
		}
	}
}

// TestParseRefusesModifiersThatCannotApply checks that a modifier left out for the
// element types is not applied.
func TestParseRefusesModifiersThatCannotApply(t *testing.T) {
	for _, q := range []string{"gender:text=female", "gender:of-type=a|b|c", "identifier:in=http://hl7.org/fhir/ValueSet/administrative-gender",
		"telecom:below=http://example.org|x", "deceased:text=true", "_id:missing=true"} {
		r := parse(t, "Patient", q)
		if len(r.Unknown) != 1 || len(r.Query.Clauses) != 0 {
			t.Errorf("%s: unknown %v, clauses %v", q, r.Unknown, r.Query.Clauses)
		}
	}
}
