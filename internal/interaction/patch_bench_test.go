package interaction

import (
	"os"
	"testing"

	"github.com/joinedup/joinedup/fhir"
)

// Patch against update of a 1.2 MB Questionnaire through the one write path: the
// difference is what applying the patch costs on top of parse, validate, index and store.
// go test ./internal/interaction -run '^$' -bench 'Questionnaire'

func questionnaire(b *testing.B) (*Service, []byte) {
	data, err := os.ReadFile("../../../shared/tests/fhirpath/input/Minimum-Data-Set---version-3.0.R4.json")
	if err != nil {
		b.Skipf("../shared is absent (%v): shared test data not available", err)
	}
	r, err := fhir.ParseResource(data)
	if err != nil {
		b.Fatal(err)
	}
	r.SetResourceID("mds")
	if data, err = fhir.MarshalResource(r); err != nil {
		b.Fatal(err)
	}
	svc := newTestService(b)
	if _, err := svc.Update(bg, anyone, "Questionnaire", "mds", data, UpdateOptions{}); err != nil {
		b.Fatal(err)
	}
	return svc, data
}

func BenchmarkUpdateQuestionnaire(b *testing.B) {
	svc, data := questionnaire(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.Update(bg, anyone, "Questionnaire", "mds", data, UpdateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPatchQuestionnaireFHIRPath(b *testing.B) {
	svc, _ := questionnaire(b)
	patch := []byte(`{"resourceType":"Parameters","parameter":[{"name":"operation","part":[{"name":"type","valueCode":"replace"},` +
		`{"name":"path","valueString":"Questionnaire.item.last().text"},{"name":"value","valueString":"Last section"}]}]}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.Patch(bg, anyone, "Questionnaire", "mds", PatchFHIRPathJSON, patch, PatchOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPatchQuestionnaireJSON(b *testing.B) {
	svc, _ := questionnaire(b)
	patch := []byte(`[{"op":"replace","path":"/item/0/text","value":"First section"}]`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.Patch(bg, anyone, "Questionnaire", "mds", PatchJSON, patch, PatchOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
