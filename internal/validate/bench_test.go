package validate

import (
	"context"
	"os"
	"testing"

	"github.com/joinedup/joinedup/fhir"
)

const ukcoreObservation = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Observation"

// syntheaBundle reads the first Synthea patient bundle.
func syntheaBundle(b *testing.B) *fhir.Bundle {
	for _, f := range syntheaBundles(b) {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		res, err := fhir.ParseResource(data)
		if err != nil {
			b.Fatal(err)
		}
		if bd, ok := res.(*fhir.Bundle); ok && len(bd.Entry) > 50 {
			return bd
		}
	}
	b.Skip("no Synthea patient bundle")
	return nil
}

// BenchmarkObservationUKCore validates one Synthea Observation against the base
// specification and UKCore-Observation.
func BenchmarkObservationUKCore(b *testing.B) {
	bd := syntheaBundle(b)
	var obs fhir.Resource
	for _, e := range bd.Entry {
		if e.Resource != nil && e.Resource.ResourceType() == "Observation" {
			obs = e.Resource
			break
		}
	}
	v := newTestValidator(b)
	ctx := context.Background()
	if issues := v.Validate(ctx, obs, ukcoreObservation); HasErrors(issues) {
		b.Fatalf("the Observation fails: %v", issues)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		v.Validate(ctx, obs, ukcoreObservation)
	}
}

// BenchmarkSyntheaBundle validates a whole Synthea patient bundle against the base
// specification.
func BenchmarkSyntheaBundle(b *testing.B) {
	bd := syntheaBundle(b)
	v := newTestValidator(b)
	ctx := context.Background()
	v.Validate(ctx, bd)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		v.Validate(ctx, bd)
	}
	b.ReportMetric(float64(len(bd.Entry)), "resources/op")
}
