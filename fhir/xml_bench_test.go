package fhir

import (
	"os"
	"path/filepath"
	"testing"
)

// The XML path against the JSON path on the same Synthea patient bundle, read and write,
// in one run: go test ./fhir -run '^$' -bench 'Bundle(JSON|XML)$'

func benchBundle(b *testing.B) (js, x []byte) {
	dir := xmlSharedDir(b, "data/synthea")
	js, err := os.ReadFile(filepath.Join(dir, "Angelic_Mueller_29d755a6-32fa-482e-8fdd-081300209df8.json"))
	if err != nil {
		b.Skipf("Synthea bundle not found: %v", err)
	}
	r, err := ParseResource(js)
	if err != nil {
		b.Fatal(err)
	}
	if x, err = MarshalResourceXML(r); err != nil {
		b.Fatal(err)
	}
	return js, x
}

func BenchmarkBundleJSON(b *testing.B) {
	js, _ := benchBundle(b)
	b.SetBytes(int64(len(js)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := ParseResource(js)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := MarshalResource(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBundleXML(b *testing.B) {
	_, x := benchBundle(b)
	b.SetBytes(int64(len(x)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := ParseResourceXML(x)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := MarshalResourceXML(r); err != nil {
			b.Fatal(err)
		}
	}
}
