package interaction

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func syntheaBundles(t testing.TB) [][]byte {
	t.Helper()
	dir := "../../../shared/data/synthea"
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Skipf("../shared/data/synthea is absent: shared test data not available")
	}
	var out [][]byte
	for _, f := range files {
		base := filepath.Base(f)
		if strings.HasPrefix(base, "hospital") || strings.HasPrefix(base, "practitioner") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// TestSyntheaTwice loads every Synthea patient bundle twice: POST ids are ignored, so the
// second pass creates a second copy and nothing fails.
func TestSyntheaTwice(t *testing.T) {
	svc := newTestService(t)
	bundles := syntheaBundles(t)
	want := 0
	for pass := range 2 {
		for _, b := range bundles {
			res, err := svc.Bundle(bg, anyone, b)
			if err != nil {
				t.Fatalf("pass %d: %v", pass, err)
			}
			for i, e := range res.Entries {
				if e.Status != http.StatusCreated {
					t.Fatalf("pass %d entry %d: status %d", pass, i, e.Status)
				}
			}
			want += len(res.Entries)
		}
	}
	page, err := svc.Store().History(bg, nil, storeHistory(want+1))
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Versions) != want {
		t.Fatalf("stored %d versions, want %d", len(page.Versions), want)
	}
	// References were rewritten from urn:uuid to the new ids.
	for _, v := range page.Versions[:50] {
		if strings.Contains(string(v.Body), "urn:uuid:") {
			var m map[string]any
			_ = json.Unmarshal(v.Body, &m)
			t.Fatalf("%s/%s still has a urn:uuid reference", v.Type, v.ID)
		}
	}
}
