package fhirpath

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/joinedup/joinedup/fhir"
)

// TestSpecificationExpressions compiles every FHIRPath expression of the R4
// specification that the meta-model carries: the 1375 SearchParameter expressions (in
// the lenient mode they are written for) and every invariant of every type.
func TestSpecificationExpressions(t *testing.T) {
	params := fhir.SearchParameters()
	if len(params) == 0 {
		t.Fatal("the meta-model has no search parameters")
	}
	compiled, failed := 0, 0
	for _, sp := range params {
		if sp.Expression == "" {
			continue
		}
		compiled++
		if _, err := Compile(sp.Expression, Lenient()); err != nil {
			failed++
			t.Errorf("SearchParameter %s: %q: %v", sp.Code, sp.Expression, err)
		}
	}
	seen := map[string]bool{}
	for _, rt := range append(fhir.ResourceTypes(), "Element", "Extension", "Quantity", "Reference", "Narrative", "Timing", "Dosage", "ElementDefinition") {
		compiled += compileConstraints(t, rt, seen, &failed)
	}
	t.Logf("compiled %d expressions, %d failed", compiled, failed)
}

// compileConstraints compiles the invariants of a type and of its backbone elements.
func compileConstraints(t *testing.T, name string, seen map[string]bool, failed *int) int {
	if seen[name] {
		return 0
	}
	seen[name] = true
	td := fhir.LookupType(name)
	if td == nil {
		return 0
	}
	n := 0
	for _, ed := range td.Elements {
		for _, con := range ed.Constraints {
			if con.Expression == "" {
				continue
			}
			n++
			if _, err := Compile(con.Expression); err != nil {
				*failed++
				t.Errorf("%s %s: %q: %v", ed.Path, con.Key, con.Expression, err)
			}
		}
		if ed.Backbone != "" {
			n += compileConstraints(t, ed.Backbone, seen, failed)
		}
	}
	return n
}

// TestInvariantsOnInstances evaluates every element-level invariant of the
// specification on every element of the core examples and the Synthea bundles: none may
// fail to evaluate, and the examples, which are valid, must satisfy them.
func TestInvariantsOnInstances(t *testing.T) {
	var resources []fhir.Resource
	for _, pattern := range []string{"../../shared/tests/examples/*.json", syntheaDir + "/*.json"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			r, err := fhir.ParseResourceOptions(data, fhir.ParseOptions{Lenient: true})
			if err != nil {
				continue // not every example file is a resource the model reads
			}
			resources = append(resources, r)
		}
	}
	if len(resources) == 0 {
		t.Skip("no examples in ../shared (absent)")
	}
	w := &invariantWalker{t: t, compiled: map[string]*Expression{}, failed: map[string]int{}}
	for _, r := range resources {
		w.walk(r, r, r, fhir.LookupType(r.ResourceType()), 0)
	}
	t.Logf("%d resources, %d invariant evaluations, %d violations", len(resources), w.evaluations, len(w.failed))
	for key, n := range w.failed {
		t.Errorf("%s: false on %d elements", key, n)
	}
}

type invariantWalker struct {
	t           *testing.T
	compiled    map[string]*Expression
	failed      map[string]int
	evaluations int
}

func (w *invariantWalker) walk(root, res fhir.Resource, e fhir.Element, td *fhir.TypeDef, depth int) {
	if td == nil || depth > 64 {
		return
	}
	e.EachChild(func(name string, ch fhir.Element) bool {
		if r, ok := ch.(fhir.Resource); ok {
			w.walk(root, r, r, fhir.LookupType(r.ResourceType()), depth+1)
			return true
		}
		ed := td.Element(name)
		if ed == nil {
			return true
		}
		for _, con := range ed.Constraints {
			if con.Expression == "" || con.Severity != "error" {
				continue
			}
			expr, ok := w.compiled[con.Expression]
			if !ok {
				expr = MustCompile(con.Expression)
				w.compiled[con.Expression] = expr
			}
			w.evaluations++
			okv, err := expr.EvaluateBool(&Env{Resource: res, RootResource: root}, ch)
			if err != nil {
				w.t.Errorf("%s %s on %s/%s: %v", ed.Path, con.Key, res.ResourceType(), res.ResourceID(), err)
				continue
			}
			if !okv {
				w.failed[ed.Path+" "+con.Key+" ("+res.ResourceType()+"/"+res.ResourceID()+")"]++
			}
		}
		next := ed.Backbone
		if ed.ContentReference != "" {
			next = strings.TrimPrefix(ed.ContentReference, "#")
		}
		if next == "" {
			next = ch.FHIRType()
		}
		w.walk(root, res, ch, fhir.LookupType(next), depth+1)
		return true
	})
}

// TestInvariantViolation makes sure the instance walk above can fail: pat-1 is false on
// a contact with no details.
func TestInvariantViolation(t *testing.T) {
	p := mustParse(t, `{"resourceType":"Patient","contact":[{"gender":"female"},{"name":{"family":"X"}}]}`)
	w := &invariantWalker{t: t, compiled: map[string]*Expression{}, failed: map[string]int{}}
	w.walk(p, p, p, fhir.LookupType("Patient"), 0)
	if len(w.failed) != 1 {
		t.Errorf("violations = %v, want pat-1 once", w.failed)
	}
	for key, n := range w.failed {
		if !strings.Contains(key, "pat-1") || n != 1 {
			t.Errorf("violation %s on %d elements, want pat-1 on 1", key, n)
		}
	}
}

// TestSearchParametersOnSynthea evaluates every R4 SearchParameter expression, in the
// lenient mode, on the Synthea resources of its base types: none may fail, and the
// common parameters must find values.
func TestSearchParametersOnSynthea(t *testing.T) {
	res := syntheaResources(t)
	evaluations, withValues := 0, map[string]bool{}
	for _, sp := range fhir.SearchParameters() {
		if sp.Expression == "" {
			continue
		}
		expr := MustCompile(sp.Expression, Lenient())
		for _, base := range sp.Base {
			for _, r := range res[base] {
				evaluations++
				out, err := expr.Evaluate(&Env{Resource: r}, r)
				if err != nil {
					t.Errorf("%s (%s) on %s: %v", sp.Code, sp.Expression, base, err)
					break
				}
				if len(out) > 0 {
					withValues[base+"."+sp.Code] = true
				}
			}
		}
	}
	t.Logf("%d evaluations; %d parameters found values", evaluations, len(withValues))
	for _, want := range []string{"Patient.birthdate", "Patient.family", "Patient.identifier", "Observation.code",
		"Observation.value-quantity", "Observation.date", "Observation.subject", "Observation.component-value-quantity",
		"Condition.onset-date", "Encounter.date", "MedicationRequest.authoredon"} {
		if !withValues[want] {
			t.Errorf("%s found no value on any Synthea resource", want)
		}
	}
}
