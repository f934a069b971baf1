package validate

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/joinedup/joinedup/fhir"
)

// syntheaBundles returns the Synthea patient and directory bundles of ../shared.
func syntheaBundles(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join(sharedDir(t), "data", "synthea", "*.json"))
	if err != nil || len(files) == 0 {
		t.Skip("no Synthea bundles in ../shared/data/synthea")
	}
	return files
}

// Every Synthea resource is valid against the base specification (US Core profiles they
// claim are unknown here: warnings, not errors).
func TestSyntheaValidAgainstBase(t *testing.T) {
	v := newTestValidator(t)
	resources := 0
	for _, f := range syntheaBundles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := fhir.ParseResource(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if b, ok := res.(*fhir.Bundle); ok {
			resources += len(b.Entry)
		}
		issues := v.Validate(context.Background(), res)
		for _, is := range issues {
			if is.Severity == Error || is.Severity == Fatal {
				t.Errorf("%s: %s: %s", filepath.Base(f), is.Expression, is.Text)
			}
		}
	}
	t.Logf("%d resources validated", resources)
}

func newTestValidator(t testing.TB) *Validator {
	t.Helper()
	v, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	return v
}
