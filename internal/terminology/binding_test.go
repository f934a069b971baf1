package terminology

import (
	"context"
	"testing"
)

func TestCheckBinding(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		strength string
		vs       string
		codings  []Coding
		want     string // the highest severity among the issues, "" for none
	}{
		{"required, valid", Required, genderVS, []Coding{coding(genderCS, "male", "")}, ""},
		{"required, wrong display", Required, genderVS, []Coding{coding(genderCS, "male", "Man")}, SeverityWarning},
		{"required, outside the value set", Required, genderVS, []Coding{coding(obsStatusCS, "final", "")}, SeverityError},
		{"extensible, outside the value set", Extensible, genderVS, []Coding{coding(obsStatusCS, "final", "")}, SeverityWarning},
		{"preferred, outside the value set", Preferred, genderVS, []Coding{coding(obsStatusCS, "final", "")}, SeverityInformation},
		{"example, unknown code in a known code system", Example, genderVS, []Coding{coding(obsStatusCS, "done", "")}, SeverityError},
		{"extensible, unknown code in a known code system", Extensible, genderVS, []Coding{coding(genderCS, "m", "")}, SeverityError},
		{"required, SNOMED CT not loaded", Required, conditionVS, []Coding{coding(SystemSNOMED, "22298006", "")}, SeverityInformation},
		{"required, SNOMED CT bad check digit", Required, conditionVS, []Coding{coding(SystemSNOMED, "22298007", "")}, SeverityError},
		{"required, code from a system the value set does not use", Required, genderVS, []Coding{coding("http://example.org/sex", "m", "")}, SeverityError},
		{"required, no coding", Required, genderVS, nil, SeverityError},
		{"extensible, text only", Extensible, genderVS, nil, ""},
		{"required, unknown value set", Required, "http://example.org/ValueSet/none", []Coding{coding(genderCS, "male", "")}, SeverityWarning},
		{"example, unknown value set", Example, "http://example.org/ValueSet/none", []Coding{coding(genderCS, "male", "")}, ""},
	}
	rank := map[string]int{"": 0, SeverityInformation: 1, SeverityWarning: 2, SeverityError: 3}
	for _, tt := range tests {
		issues, err := server.CheckBinding(ctx, tt.strength, tt.vs, tt.codings)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		worst := ""
		for _, is := range issues {
			if rank[is.Severity] > rank[worst] {
				worst = is.Severity
			}
		}
		if worst != tt.want {
			t.Errorf("%s: worst severity %q, want %q (%+v)", tt.name, worst, tt.want, issues)
		}
	}
}
