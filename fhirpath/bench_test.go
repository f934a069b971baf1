package fhirpath

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/joinedup/joinedup/fhir"
)

// The benchmark expressions, evaluated on the Synthea bundles of ../shared/data/synthea;
// bench/fhirpath-js times the same expressions on the same resources with HL7's
// fhirpath.js for comparison. Each expression names the resources it runs on. The
// issue's example code 8867-4 (heart rate) does not occur in this Synthea set, so the
// bundle query looks for 29463-7 (body weight), which does.
var benchExpressions = []struct {
	name, on, expr string
}{
	{"PatientOfficialGiven", "Patient", "Patient.name.where(use = 'official').given.first()"},
	{"ObservationQuantity", "Observation", "Observation.value.ofType(Quantity).value > 100"},
	{"BundleBodyWeight", "Bundle", "Bundle.entry.resource.ofType(Observation).where(code.coding.code = '29463-7').value"},
	{"Ele1AllElements", "Bundle", "Bundle.descendants().all(hasValue() or (children().count() > id.count()))"},
}

const syntheaDir = "../../shared/data/synthea"

// syntheaResources returns the bundles and, by type, the resources in them.
func syntheaResources(tb testing.TB) map[string][]fhir.Element {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(syntheaDir, "*.json"))
	if err != nil || len(files) == 0 {
		tb.Skipf("no Synthea data at %s (../shared is absent)", syntheaDir)
	}
	out := map[string][]fhir.Element{}
	for _, f := range files {
		if strings.Contains(filepath.Base(f), "Information") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		r, err := fhir.ParseResource(data)
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		out["Bundle"] = append(out["Bundle"], r)
		for _, e := range r.Children("entry", nil) {
			for _, res := range e.Children("resource", nil) {
				if rr, ok := res.(fhir.Resource); ok {
					out[rr.ResourceType()] = append(out[rr.ResourceType()], rr)
				}
			}
		}
	}
	return out
}

func BenchmarkExpressions(b *testing.B) {
	res := syntheaResources(b)
	for _, be := range benchExpressions {
		expr := MustCompile(be.expr)
		inputs := res[be.on]
		b.Run(be.name, func(b *testing.B) {
			b.ReportAllocs()
			evals := 0
			for b.Loop() {
				for _, in := range inputs {
					if _, err := expr.Evaluate(nil, in); err != nil {
						b.Fatal(err)
					}
				}
				evals += len(inputs)
			}
			b.ReportMetric(float64(evals)/b.Elapsed().Seconds(), "evals/s")
		})
	}
}

// TestBenchExpressions checks that the benchmark expressions give answers on the data,
// so that the benchmark measures real work.
func TestBenchExpressions(t *testing.T) {
	res := syntheaResources(t)
	for _, be := range benchExpressions {
		expr := MustCompile(be.expr)
		nonEmpty := 0
		for _, in := range res[be.on] {
			out, err := expr.Evaluate(nil, in)
			if err != nil {
				t.Fatalf("%s: %v", be.name, err)
			}
			if len(out) > 0 {
				nonEmpty++
			}
		}
		t.Logf("%s: %d inputs, %d non-empty results", be.name, len(res[be.on]), nonEmpty)
		if nonEmpty == 0 {
			t.Errorf("%s: every result is empty", be.name)
		}
	}
}

// BenchmarkCompile measures compilation (parse, bind, model checks) of the benchmark
// expressions; evaluation is what the compiled form saves from repeating.
func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, be := range benchExpressions {
			if _, err := Compile(be.expr); err != nil {
				b.Fatal(err)
			}
		}
	}
}
