package jsonpatch

import (
	"os"
	"path/filepath"
	"testing"
)

// A JSON Patch on a 1 MB Synthea Bundle, from bytes to bytes.
// go test ./internal/patch/jsonpatch -run '^$' -bench .

func bundle(b *testing.B) []byte {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "shared", "data", "synthea", "Barrett_Cummings_512a3be0-5653-496b-bf4a-20c6a0e71d88.json"))
	if err != nil {
		b.Skipf("shared data not found (clone with ../shared beside the repository): %v", err)
	}
	return data
}

func BenchmarkApplyTo1MB(b *testing.B) {
	data := bundle(b)
	p, err := Parse([]byte(`[{"op":"replace","path":"/entry/300/request/url","value":"Observation"},{"op":"add","path":"/entry/0/request/ifNoneExist","value":"identifier=x"}]`))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.ApplyTo(data); err != nil {
			b.Fatal(err)
		}
	}
}
