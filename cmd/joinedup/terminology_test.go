package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func runTerminologyCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newTerminologyCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

func TestTerminologyCmd(t *testing.T) {
	data := t.TempDir()
	const fixture = "../../internal/terminology/snomed/testdata/uk_sct2cl_39.0.0_20240925000001Z"
	tests := []struct {
		name    string
		args    []string
		want    []string // fragments of the output, in order
		wantErr error    // nil: success; errAny: any error
	}{
		{"lookup", []string{"lookup", "http://hl7.org/fhir/administrative-gender", "female"},
			[]string{`"valueString": "AdministrativeGender"`, `"valueString": "Female"`}, nil},
		{"lookup unknown code", []string{"lookup", "http://hl7.org/fhir/administrative-gender", "f"}, nil, errAny},
		{"expand with filter", []string{"expand", "http://hl7.org/fhir/ValueSet/administrative-gender", "--filter", "unk"},
			[]string{`"total": 1`, `"code": "unknown"`}, nil},
		{"validate-code valid", []string{"validate-code", "--valueset", "http://hl7.org/fhir/ValueSet/observation-status", "http://hl7.org/fhir/observation-status", "final"},
			[]string{`"valueBoolean": true`}, nil},
		{"validate-code invalid exits 1", []string{"validate-code", "http://snomed.info/sct", "22298007"},
			[]string{`"valueBoolean": false`, "check digit"}, errInvalidCode},
		{"validate-code not validated", []string{"validate-code", "http://snomed.info/sct", "22298006"},
			[]string{`"valueBoolean": false`, `"name": "x-caused-by-unknown-system"`}, nil},
		{"subsumes", []string{"subsumes", "http://hl7.org/fhir/observation-status", "amended", "corrected"},
			[]string{`"valueCode": "subsumes"`}, nil},
		{"nhs-number", []string{"nhs-number", "9434765919", "9434765918"},
			[]string{"NHS number 943 476 5919 is valid", "NHS number 943 476 5918 is not valid: its check digit does not match (expected 9)"}, errAny},
		{"load-snomed", []string{"load-snomed", "-q", "--data", data, fixture}, nil, nil},
		{"lookup SNOMED CT after loading", []string{"lookup", "--data", data, "http://snomed.info/sct", "38341003"},
			[]string{`"valueString": "Hypertension"`, `"valueCode": "49601007"`}, nil},
		{"validate-code SNOMED CT after loading", []string{"validate-code", "--data", data, "--valueset", "https://fhir.hl7.org.uk/ValueSet/UKCore-ConditionCode", "http://snomed.info/sct", "44054006"},
			[]string{`"valueBoolean": true`, `"valueString": "Diabetes mellitus type 2"`}, nil},
		{"subsumes SNOMED CT after loading", []string{"subsumes", "--data", data, "http://snomed.info/sct", "22298006", "404684003"},
			[]string{`"valueCode": "subsumed-by"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runTerminologyCmd(t, tt.args...)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("error %v\n%s", err, out)
			case tt.wantErr == errAny && err == nil:
				t.Fatalf("no error\n%s", out)
			case tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			rest := out
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order)\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

// errAny stands for "some error" in the table above.
var errAny = errors.New("any error")
