package synth

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/joinedup/joinedup/fhir"
)

// These tests check the output against the UK Core definitions in ../shared without a
// validator: claimed profiles exist and fit the resource type, extensions exist and are
// used where their context allows, coded values from UK Core code systems exist there
// with the same display, and the differentials' cardinalities, fixed values and value
// sliced elements hold.

func ukCoreDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "fhir", "uk-core", "json")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("../shared/fhir/uk-core not found beside the repository: UK Core checks skipped")
		}
		dir = parent
	}
}

type jsonObj = map[string]any

func loadJSONDir(t *testing.T, dir string) []jsonObj {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no JSON in %s: %v", dir, err)
	}
	var out []jsonObj
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var o jsonObj
		if err := json.Unmarshal(data, &o); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, o)
	}
	return out
}

type ukCore struct {
	sds   map[string]jsonObj           // StructureDefinitions by url
	codes map[string]map[string]string // CodeSystem url → code → display
}

func loadUKCore(t *testing.T) *ukCore {
	dir := ukCoreDir(t)
	u := &ukCore{sds: make(map[string]jsonObj), codes: make(map[string]map[string]string)}
	for _, sd := range loadJSONDir(t, filepath.Join(dir, "structuredefinitions")) {
		u.sds[sd["url"].(string)] = sd
	}
	for _, cs := range loadJSONDir(t, filepath.Join(dir, "codesystems")) {
		m := make(map[string]string)
		var add func(list []any)
		add = func(list []any) {
			for _, c := range list {
				c := c.(jsonObj)
				d, _ := c["display"].(string)
				m[c["code"].(string)] = d
				if sub, ok := c["concept"].([]any); ok {
					add(sub)
				}
			}
		}
		if list, ok := cs["concept"].([]any); ok {
			add(list)
		}
		u.codes[cs["url"].(string)] = m
	}
	return u
}

// chain is a profile and the UK Core profiles it derives from, most general first.
func (u *ukCore) chain(url string) []jsonObj {
	var out []jsonObj
	for sd := u.sds[url]; sd != nil; sd = u.sds[sd["baseDefinition"].(string)] {
		out = append([]jsonObj{sd}, out...)
	}
	return out
}

func differential(sd jsonObj) []jsonObj {
	var out []jsonObj
	for _, e := range sd["differential"].(jsonObj)["element"].([]any) {
		out = append(out, e.(jsonObj))
	}
	return out
}

// children returns the values of member name (a choice "value[x]" matches valueQuantity
// and the like) of every node, with arrays flattened.
func children(nodes []any, name string) []any {
	var out []any
	for _, n := range nodes {
		o, ok := n.(jsonObj)
		if !ok {
			continue
		}
		for k, v := range o {
			if k == name || (strings.HasSuffix(name, "[x]") && strings.HasPrefix(k, strings.TrimSuffix(name, "[x]")) &&
				len(k) > len(name)-3 && k[len(name)-3] >= 'A' && k[len(name)-3] <= 'Z') {
				if arr, ok := v.([]any); ok {
					out = append(out, arr...)
				} else {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

func evalPath(nodes []any, path string) []any {
	for _, seg := range strings.Split(path, ".") {
		nodes = children(nodes, seg)
	}
	return nodes
}

// profileChecker applies one profile chain's differentials to a resource.
type profileChecker struct {
	elems []jsonObj
	// discriminators: element path (no type prefix) → value discriminator path.
	discriminators map[string]string
	// fixed: element id → its fixed or pattern primitive value.
	fixed map[string]any
}

func newProfileChecker(chain []jsonObj) *profileChecker {
	pc := &profileChecker{discriminators: make(map[string]string), fixed: make(map[string]any)}
	for _, sd := range chain {
		for _, e := range differential(sd) {
			pc.elems = append(pc.elems, e)
			id := e["id"].(string)
			if s, ok := e["slicing"].(jsonObj); ok {
				for _, d := range s["discriminator"].([]any) {
					if d := d.(jsonObj); d["type"] == "value" {
						pc.discriminators[plainPath(id)] = d["path"].(string)
					}
				}
			}
			for k, v := range e {
				if strings.HasPrefix(k, "fixed") || strings.HasPrefix(k, "pattern") {
					if _, complex := v.(jsonObj); !complex {
						pc.fixed[id] = v
					}
				}
			}
		}
	}
	return pc
}

// plainPath is an element id without its type and slice names:
// "Observation.component:SystolicBP.code.coding" → "component.code.coding".
func plainPath(id string) string {
	_, rest, _ := strings.Cut(id, ".")
	parts := strings.Split(rest, ".")
	for i, p := range parts {
		parts[i], _, _ = strings.Cut(p, ":")
	}
	return strings.Join(parts, ".")
}

// resolve evaluates an element id (with slices) on a resource; ok is false when a slice
// cannot be told apart by a value discriminator.
func (pc *profileChecker) resolve(res jsonObj, id string) (nodes []any, ok bool) {
	typ, rest, _ := strings.Cut(id, ".")
	nodes = []any{res}
	prefix := typ
	for _, seg := range strings.Split(rest, ".") {
		name, _, sliced := strings.Cut(seg, ":")
		nodes = children(nodes, name)
		prefix += "." + seg
		if !sliced {
			continue
		}
		disc, known := pc.discriminators[plainPath(prefix)]
		if !known {
			return nil, false
		}
		want, known := pc.fixed[prefix+"."+disc]
		if !known {
			return nil, false
		}
		nodes = slices.DeleteFunc(slices.Clone(nodes), func(n any) bool {
			return !slices.ContainsFunc(evalPath([]any{n}, disc), func(v any) bool { return reflect.DeepEqual(v, want) })
		})
	}
	return nodes, true
}

func (pc *profileChecker) check(t *testing.T, where string, res jsonObj) {
	t.Helper()
	for _, e := range pc.elems {
		id := e["id"].(string)
		if strings.Contains(id, "extension:") || !strings.Contains(id, ".") {
			continue // extension slices are checked by URL elsewhere
		}
		nodes, ok := pc.resolve(res, id)
		if !ok {
			continue
		}
		parentID := id[:strings.LastIndex(id, ".")]
		var parents []any
		if strings.Contains(parentID, ".") {
			if parents, ok = pc.resolve(res, parentID); !ok {
				continue
			}
		} else {
			parents = []any{res}
		}
		last := id[strings.LastIndex(id, ".")+1:]
		if min, _ := e["min"].(float64); min >= 1 {
			if strings.Contains(last, ":") {
				if len(parents) > 0 && len(nodes) == 0 {
					t.Errorf("%s: required slice %s missing", where, id)
				}
			} else {
				name, _, _ := strings.Cut(last, ":")
				for _, p := range parents {
					if len(children([]any{p}, name)) == 0 {
						t.Errorf("%s: required element %s missing", where, id)
					}
				}
			}
		}
		if e["max"] == "0" && len(nodes) > 0 {
			t.Errorf("%s: %s must be absent", where, id)
		}
		if want, ok := pc.fixed[id]; ok {
			for _, v := range nodes {
				if !reflect.DeepEqual(v, want) {
					t.Errorf("%s: %s is %v, profile fixes %v", where, id, v, want)
				}
			}
		}
	}
}

func TestUKCoreConformance(t *testing.T) {
	u := loadUKCore(t)
	p := samplePopulation(t)
	checkers := make(map[string]*profileChecker)
	profilesSeen := make(map[string]int)
	for i, b := range p.parsed {
		for _, e := range b.Entry {
			data, err := fhir.MarshalResource(e.Resource)
			if err != nil {
				t.Fatal(err)
			}
			var res jsonObj
			if err := json.Unmarshal(data, &res); err != nil {
				t.Fatal(err)
			}
			rt := e.Resource.ResourceType()
			where := rt + " in patient " + p.bundles[i].ID
			m, _ := res["meta"].(jsonObj)
			profiles, _ := m["profile"].([]any)
			if len(profiles) == 0 {
				t.Errorf("%s: no profile claimed", where)
			}
			for _, pr := range profiles {
				url := pr.(string)
				sd := u.sds[url]
				if sd == nil {
					t.Errorf("%s: claims unknown profile %s", where, url)
					continue
				}
				if sd["type"] != rt {
					t.Errorf("%s: claims %s, a profile of %s", where, url, sd["type"])
				}
				pc := checkers[url]
				if pc == nil {
					pc = newProfileChecker(u.chain(url))
					checkers[url] = pc
				}
				pc.check(t, where, res)
				profilesSeen[url]++
			}
			u.checkExtensions(t, where, rt, res)
			u.checkCodes(t, where, res)
		}
	}
	for _, want := range []string{"Patient", "Organization", "Practitioner", "Encounter", "Condition", "Procedure",
		"MedicationRequest", "MedicationStatement", "AllergyIntolerance", "Immunization", "Provenance",
		"Observation-Lab", "Observation-VitalSigns-BloodPressure", "Observation-VitalSigns-HeartRate",
		"Observation-VitalSigns-BodyWeight", "Observation-VitalSigns-BodyHeight", "Observation-VitalSigns-BMI",
		"Observation-VitalSigns-BodyTemperature", "Observation-VitalSigns-RespirationRate",
		"Observation-VitalSigns-OxygenSaturation"} {
		if profilesSeen[ukCoreProfile+"UKCore-"+want] == 0 {
			t.Errorf("no resource in the sample claims UKCore-%s", want)
		}
	}
}

// checkExtensions: every extension URL is a UK Core extension whose context allows the
// place it is used.
func (u *ukCore) checkExtensions(t *testing.T, where, rt string, res jsonObj) {
	t.Helper()
	var visit func(path string, v any)
	visit = func(path string, v any) {
		switch v := v.(type) {
		case []any:
			for _, x := range v {
				visit(path, x)
			}
		case jsonObj:
			for k, x := range v {
				if k != "extension" {
					visit(path+"."+k, x)
					continue
				}
				for _, ext := range x.([]any) {
					url := ext.(jsonObj)["url"].(string)
					sd := u.sds[url]
					if sd == nil || sd["type"] != "Extension" {
						t.Errorf("%s: extension %s is not defined in UK Core", where, url)
						continue
					}
					var contexts []string
					for _, c := range sd["context"].([]any) {
						contexts = append(contexts, c.(jsonObj)["expression"].(string))
					}
					if !slices.Contains(contexts, path) {
						t.Errorf("%s: extension %s used on %s, context %v", where, url, path, contexts)
					}
				}
			}
		}
	}
	visit(rt, res)
}

// checkCodes: codings in UK Core code systems exist there, with the same display.
func (u *ukCore) checkCodes(t *testing.T, where string, res jsonObj) {
	t.Helper()
	var visit func(v any)
	visit = func(v any) {
		switch v := v.(type) {
		case []any:
			for _, x := range v {
				visit(x)
			}
		case jsonObj:
			if sys, ok := v["system"].(string); ok {
				if codes, known := u.codes[sys]; known {
					code, _ := v["code"].(string)
					display, defined := codes[code]
					if !defined {
						t.Errorf("%s: %s|%s is not in the UK Core code system", where, sys, code)
					} else if d, _ := v["display"].(string); d != display {
						t.Errorf("%s: %s|%s display %q, code system says %q", where, sys, code, d, display)
					}
				}
			}
			for _, x := range v {
				visit(x)
			}
		}
	}
	visit(res)
}
