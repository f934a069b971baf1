package fhirpathpatch

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/joinedup/joinedup/fhir"
)

// Patches on large resources: the last entry of a 1 MB Synthea Bundle and the last item
// of a 1.2 MB Questionnaire (the worst places: the whole resource is walked to reach
// them). go test ./internal/patch/fhirpathpatch -run '^$' -bench .

func loadShared(b *testing.B, rel string) fhir.Resource {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "shared", rel))
	if err != nil {
		b.Skipf("shared data not found (clone with ../shared beside the repository): %v", err)
	}
	r, err := fhir.ParseResource(data)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

func replaceOp(path string, v fhir.Element) *fhir.Parameters {
	str := func(s string) *fhir.String { return fhir.NewString(s) }
	p := &fhir.ParametersParameter{Name: str("value")}
	switch v := v.(type) {
	case *fhir.String:
		p.ValueString = v
	case *fhir.URI:
		p.ValueURI = v
	}
	return &fhir.Parameters{Parameter: []*fhir.ParametersParameter{{
		Name: str("operation"),
		Part: []*fhir.ParametersParameter{
			{Name: str("type"), ValueCode: fhir.NewCode("replace")},
			{Name: str("path"), ValueString: str(path)},
			p,
		},
	}}}
}

func benchPatch(b *testing.B, r fhir.Resource, p *fhir.Parameters) {
	if err := Apply(r, p); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Apply(r, p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBundle1MB(b *testing.B) {
	r := loadShared(b, "data/synthea/Barrett_Cummings_512a3be0-5653-496b-bf4a-20c6a0e71d88.json")
	benchPatch(b, r, replaceOp("Bundle.entry.last().request.url", fhir.NewURI("Observation")))
}

func BenchmarkQuestionnaire(b *testing.B) {
	r := loadShared(b, "tests/fhirpath/input/Minimum-Data-Set---version-3.0.R4.json")
	benchPatch(b, r, replaceOp("Questionnaire.item.last().text", fhir.NewString("Last section")))
}
