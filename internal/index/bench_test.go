package index

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/joinedup/joinedup/fhir"
)

// BenchmarkFoundationExtract extracts every resource of one Synthea bundle (the per-
// resource cost of indexing on the write path).
func BenchmarkFoundationExtract(b *testing.B) {
	files, _ := filepath.Glob("../../../shared/data/synthea/A*.json")
	if len(files) == 0 {
		b.Skip("../shared/data/synthea is absent: shared test data not available")
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		b.Fatal(err)
	}
	r, err := fhir.ParseResource(data)
	if err != nil {
		b.Fatal(err)
	}
	var resources []fhir.Resource
	for _, e := range r.(*fhir.Bundle).Entry {
		resources = append(resources, e.Resource)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, res := range resources {
			if _, err := (Foundation{}).Extract(res, "http://x/fhir"); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(resources)), "ns/resource")
}
