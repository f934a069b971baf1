package terminology

import (
	"context"
	"testing"
)

// BenchmarkValidateCodeRequired checks an Observation.status against its required binding,
// as the validator does for every Observation.
func BenchmarkValidateCodeRequired(b *testing.B) {
	ctx := context.Background()
	req := ValidateRequest{ValueSet: obsStatusVS + "|4.0.1", Codings: []Coding{{System: obsStatusCS, Code: "final"}}}
	if r, err := server.ValidateCode(ctx, req); err != nil || r.Verdict != Valid {
		b.Fatal(r, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		server.ValidateCode(ctx, req)
	}
}

// BenchmarkValidateCodeIsA checks a code against a v3 value set defined by an is-a filter.
func BenchmarkValidateCodeIsA(b *testing.B) {
	ctx := context.Background()
	req := ValidateRequest{ValueSet: actEncVS, Codings: []Coding{{System: actCode, Code: "ACUTE", Display: "inpatient acute"}}}
	if r, err := server.ValidateCode(ctx, req); err != nil || r.Verdict != Valid {
		b.Fatal(r, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		server.ValidateCode(ctx, req)
	}
}

// BenchmarkValidateCodeSNOMEDForm is the not-validated path for SNOMED CT: a form check.
func BenchmarkValidateCodeSNOMEDForm(b *testing.B) {
	ctx := context.Background()
	req := ValidateRequest{ValueSet: conditionVS, Codings: []Coding{{System: SystemSNOMED, Code: "22298006"}}}
	b.ReportAllocs()
	for b.Loop() {
		server.ValidateCode(ctx, req)
	}
}

// BenchmarkStartup is the cost of a new server's first answer: indexing the embedded R4
// and UK Core content, then parsing the one value set and code system it needs.
func BenchmarkStartup(b *testing.B) {
	ctx := context.Background()
	req := ValidateRequest{ValueSet: genderVS, Codings: []Coding{{System: genderCS, Code: "male"}}}
	for b.Loop() {
		s := New()
		if r, err := s.ValidateCode(ctx, req); err != nil || r.Verdict != Valid {
			b.Fatal(r, err)
		}
	}
}
