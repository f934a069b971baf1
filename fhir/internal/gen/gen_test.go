package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedUpToDate regenerates the model and compares it with the committed files.
func TestGeneratedUpToDate(t *testing.T) {
	defs := filepath.Join("..", "..", "..", "..", "shared", "fhir", "r4")
	if _, err := os.Stat(defs); err != nil {
		t.Skipf("FHIR definitions not found at %s (clone with ../shared beside the repository): %v", defs, err)
	}
	out := t.TempDir()
	if err := run(defs, out); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(out, "*_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 150 {
		t.Fatalf("generated only %d files", len(files))
	}
	for _, f := range files {
		got, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(filepath.Join("..", "..", filepath.Base(f)))
		if err != nil {
			t.Errorf("%s is not committed: %v", filepath.Base(f), err)
			continue
		}
		if !bytes.Equal(got, committed) {
			t.Errorf("%s is out of date: run go generate ./fhir", filepath.Base(f))
		}
	}
}

func TestGoFieldName(t *testing.T) {
	for in, want := range map[string]string{
		"birthDate": "BirthDate", "id": "ID", "versionId": "VersionID", "url": "URL",
		"uri": "URI", "class": "Class", "identifier": "Identifier", "redirectUri": "RedirectURI",
	} {
		if got := goFieldName(in); got != want {
			t.Errorf("goFieldName(%q) = %q, want %q", in, got, want)
		}
	}
}
