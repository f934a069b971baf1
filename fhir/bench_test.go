package fhir

import (
	"path/filepath"
	"testing"
)

// syntheaBundle returns the bytes of one Synthea transaction bundle.
func syntheaBundle(b *testing.B) []byte {
	dir := sharedDir(b, "data/synthea")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		b.Skipf("no Synthea bundles in %s", dir)
	}
	return readMaybeGzip(b, files[0])
}

// syntheaObservation returns the JSON of the first Observation of a Synthea bundle.
func syntheaObservation(b *testing.B) []byte {
	bundle, err := Parse[*Bundle](syntheaBundle(b))
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range bundle.Entry {
		if o, ok := e.Resource.(*Observation); ok {
			data, err := MarshalResource(o)
			if err != nil {
				b.Fatal(err)
			}
			return data
		}
	}
	b.Fatal("no Observation in the bundle")
	return nil
}

// BenchmarkObservationRoundTrip parses and re-serialises one Synthea Observation.
func BenchmarkObservationRoundTrip(b *testing.B) {
	data := syntheaObservation(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := ParseResource(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := MarshalResource(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBundleParse parses a whole Synthea patient bundle.
func BenchmarkBundleParse(b *testing.B) {
	data := syntheaBundle(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseResource(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBundleMarshal writes a whole Synthea patient bundle.
func BenchmarkBundleMarshal(b *testing.B) {
	r, err := ParseResource(syntheaBundle(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MarshalResource(r); err != nil {
			b.Fatal(err)
		}
	}
}
