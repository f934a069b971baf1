package jsonpatch

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/joinedup/joinedup/fhir"
)

// pdsRefused are the PDS examples that must not produce a valid Patient from the sandbox
// Patient, and why.
var pdsRefused = map[string]string{
	// Its test operation expects a name period of 2020-2021; the sandbox has 2024-2025.
	"delete-name-alternative.json": "test",
	// Removing the only name leaves "name": [], which FHIR does not allow.
	"delete-name.json": "invalid",
}

// TestPDSPatches applies the NHS Personal Demographics Service's published JSON Patch
// examples to its sandbox Patient: each applies and leaves valid FHIR, except the two
// that must be refused.
func TestPDSPatches(t *testing.T) {
	root := filepath.Join("..", "..", "..", "..", "shared", "data", "pds")
	patient, err := os.ReadFile(filepath.Join(root, "sandbox", "mocks", "Patient.json"))
	if err != nil {
		t.Skipf("shared PDS data not found (clone with ../shared beside the repository): %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(root, "specification", "components", "examples", "requests", "PatientPatch", "*.json"))
	if len(files) == 0 {
		t.Skip("no PDS patch examples")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			// PDS wraps the JSON Patch array in {"patches": [...]}.
			var wrapper struct {
				Patches json.RawMessage `json:"patches"`
			}
			if err := json.Unmarshal(data, &wrapper); err != nil {
				t.Fatal(err)
			}
			out, err := ApplyJSON(patient, wrapper.Patches)
			refused := pdsRefused[filepath.Base(f)]
			if refused == "test" {
				if err == nil {
					t.Fatal("the failing test operation was not reported")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_, err = fhir.ParseResource(out)
			if refused == "invalid" {
				if err == nil {
					t.Fatal("an invalid result read as valid FHIR")
				}
				return
			}
			if err != nil {
				t.Errorf("patched Patient is not valid FHIR: %v", err)
			}
			if string(out) == string(patient) {
				t.Error("nothing changed")
			}
		})
	}
}
