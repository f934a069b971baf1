package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The committed bundles are what the generator makes from ../shared today.
func TestCommittedDataIsUpToDate(t *testing.T) {
	shared := "../../../../../shared"
	if _, err := os.Stat(filepath.Join(shared, "fhir", "r4", "valuesets.json.gz")); err != nil {
		t.Skip("../shared is not beside the repository: cannot regenerate the terminology bundles")
	}
	out := t.TempDir()
	if err := run(shared, out); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"r4.tsv.gz", "ukcore.tsv.gz"} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(filepath.Join("..", "..", "data", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, committed) {
			t.Errorf("data/%s is stale: run go generate ./internal/terminology", name)
		}
		if len(committed) > 4<<20 {
			t.Errorf("data/%s is %d bytes: keep each committed file well under 5 MiB", name, len(committed))
		}
	}
}
