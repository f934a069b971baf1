package server

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// ukCoreTypes are the types UK Core profiles. Every modifier of their parameters is
// tried, each target type of a reference among them; other types try the first and
// the last target type of a reference, so that the test stays fast.
var ukCoreTypes = []string{"Patient", "Observation", "Condition", "Encounter", "MedicationRequest",
	"AllergyIntolerance", "Immunization", "Procedure", "Practitioner", "Organization", "Location"}

// kindModifiers are the modifiers search.html defines for each type of parameter
// (besides a reference's target types). Those a parameter does not list are all tried:
// they must be refused.
var kindModifiers = map[string][]string{
	"token":     {"missing", "not", "text", "of-type", "in", "not-in", "above", "below"},
	"reference": {"missing", "identifier", "above", "below"},
	"string":    {"missing", "exact", "contains"},
	"uri":       {"missing", "above", "below"},
	"date":      {"missing"}, "number": {"missing"}, "quantity": {"missing"},
	"composite": {"missing"}, "special": {"missing"},
}

// probeModifiers are the modifiers tried, in turn, where search.html defines them for
// another type of parameter only: they must be refused too. Parameters is no
// reference's target type.
var probeModifiers = []string{"missing", "exact", "contains", "text", "not", "of-type", "in", "not-in",
	"above", "below", "identifier", "Parameters"}

// computedParams have a value on a resource without elements: the expression of
// Patient deceased gives false for a patient not known to be deceased.
var computedParams = map[string]bool{"Patient deceased": true}

// TestCapabilityModifiersAreTrue checks the modifiers the CapabilityStatement lists in
// each searchParam's documentation ("Modifiers: missing, not"): each answers under
// handling=strict, and :missing, :not and :not-in find a resource without elements, on
// which the other modifiers match nothing. A modifier a parameter does not list is
// refused.
func TestCapabilityModifiersAreTrue(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		rest := ts.do("GET", "/metadata", "").json()["rest"].([]any)[0].(map[string]any)
		mc := &modifierCheck{t: t, ts: ts, ids: map[string]string{}, hierarchy: map[string]bool{}}
		for _, res := range rest["resource"].([]any) {
			typ := res.(map[string]any)["type"].(string)
			mc.ids[typ] = ts.create(typ, `{"resourceType":"`+typ+`"}`)
		}
		mc.params("", rest["searchParam"].([]any))
		listed := map[string]bool{} // "Patient gender in"
		for _, res := range rest["resource"].([]any) {
			res := res.(map[string]any)
			typ := res["type"].(string)
			mc.params(typ, res["searchParam"].([]any))
			for _, sp := range res["searchParam"].([]any) {
				sp := sp.(map[string]any)
				doc, _ := sp["documentation"].(string)
				for _, m := range strings.Split(strings.TrimPrefix(doc, "Modifiers: "), ", ") {
					listed[typ+" "+sp["name"].(string)+" "+m] = true
				}
			}
		}
		// Modifiers that cannot apply to what the parameter selects are not listed:
		// :text but to a CodeableConcept, Coding or Identifier, :of-type but to an
		// Identifier, :in and :below but to codes, :identifier but to a Reference.
		for _, c := range []string{"Patient gender text", "Patient gender of-type", "Patient identifier in",
			"Patient telecom below", "Patient deceased text", "Observation code of-type",
			"CarePlan instantiates-canonical identifier"} {
			if listed[c] {
				t.Errorf("%s: listed", c)
			}
		}
		for _, c := range []string{"Patient gender in", "Patient identifier of-type", "Observation code text",
			"Observation subject identifier"} {
			if !listed[c] {
				t.Errorf("%s: not listed", c)
			}
		}
		// Every kind of modifier was tried, and a hierarchy found for reference
		// :above and :below.
		for _, mod := range probeModifiers[:len(probeModifiers)-1] {
			if mc.tried[mod] == 0 {
				t.Errorf("no parameter lists :%s", mod)
			}
		}
		t.Logf("%d listed modifiers tried (%d target types), %d unlisted refused", mc.n, mc.tried["type"], mc.refused)
	})
}

// modifierCheck holds what TestCapabilityModifiersAreTrue learns as it goes.
type modifierCheck struct {
	t  *testing.T
	ts *testServer
	// ids holds the id of a resource without elements of every type.
	ids map[string]string
	// hierarchy records, per target type tried, whether reference :below follows it.
	hierarchy map[string]bool
	tried     map[string]int // by modifier; "type" for a reference's target types
	n         int
	refused   int
	probe     int // the next of probeModifiers to try
}

// params checks the searchParams of typ ("" for those of a system search).
func (mc *modifierCheck) params(typ string, params []any) {
	if mc.tried == nil {
		mc.tried = map[string]int{}
	}
	for _, sp := range params {
		sp := sp.(map[string]any)
		name, kind := sp["name"].(string), sp["type"].(string)
		doc, _ := sp["documentation"].(string)
		var mods, targets []string
		if list, ok := strings.CutPrefix(doc, "Modifiers: "); ok {
			for _, m := range strings.Split(list, ", ") {
				if mc.ids[m] != "" {
					targets = append(targets, m)
				} else {
					mods = append(mods, m)
				}
			}
		}
		for _, mod := range mods {
			mc.modifier(typ, name, kind, mod, targets)
		}
		for i, target := range targets {
			if slices.Contains(ukCoreTypes, typ) || i == 0 || i == len(targets)-1 {
				mc.target(typ, name, target)
			}
		}
		mc.unlisted(typ, name, kind, append(mods, targets...))
	}
}

// search runs typ?name:mod=value under strict handling; a system search asks for
// every resource without elements at once.
func (mc *modifierCheck) search(typ, name, mod, value string) *response {
	q := "/" + typ + "?" + name + ":" + mod + "=" + url.QueryEscape(value)
	if typ == "" {
		q += "&_count=1000"
	}
	return mc.ts.do("GET", q, "", "Prefer", "handling=strict")
}

// found reports whether a search result holds typ's resource without elements (a
// Basic one for a system search).
func (mc *modifierCheck) found(typ string, r *response) bool {
	if typ == "" {
		typ = "Basic"
	}
	return strings.Contains(string(r.body), `"id":"`+mc.ids[typ]+`"`)
}

// modifier checks name:mod, listed for typ's parameter name of kind (its
// SearchParameter type), a reference to targets.
func (mc *modifierCheck) modifier(typ, name, kind, mod string, targets []string) {
	t := mc.t
	mc.n++
	mc.tried[mod]++
	if kind == "reference" && (mod == "above" || mod == "below") {
		mc.hierarchyModifier(typ, name, mod, targets)
		return
	}
	value := modifierValue(kind, mod)
	r := mc.search(typ, name, mod, value)
	if r.StatusCode != 200 {
		t.Errorf("%s?%s:%s=%s: %d %s", typ, name, mod, value, r.StatusCode, r.body)
		return
	}
	// Every parameter but a computed one is missing on a resource without elements,
	// which :not and :not-in therefore match (search.html#modifiers); no other value
	// of these can.
	computed := computedParams[typ+" "+name]
	want := mod == "missing" && !computed || mod == "not" || mod == "not-in"
	if got := mc.found(typ, r); got != want {
		t.Errorf("%s?%s:%s=%s: the resource without elements found %v, want %v", typ, name, mod, value, got, want)
	}
	if mod == "missing" {
		r := mc.search(typ, name, mod, "false")
		if r.StatusCode != 200 || mc.found(typ, r) != computed {
			t.Errorf("%s?%s:missing=false: %d, the resource without elements found %v, want %v", typ, name, r.StatusCode, mc.found(typ, r), computed)
		}
	}
}

// hierarchyModifier checks reference name:mod (above or below) on the hierarchy of
// one of its targets at least: a resource of that type is a valid value.
func (mc *modifierCheck) hierarchyModifier(typ, name, mod string, targets []string) {
	for _, target := range targets {
		known, ok := mc.hierarchy[target]
		if ok && !known {
			continue
		}
		r := mc.search(typ, name, mod, target+"/"+mc.ids[target])
		mc.hierarchy[target] = r.StatusCode == 200
		switch {
		case r.StatusCode == 200:
			return
		case ok:
			mc.t.Errorf("%s?%s:%s=%s/%s: %d %s", typ, name, mod, target, mc.ids[target], r.StatusCode, r.body)
			return
		case r.StatusCode != 400 || !strings.Contains(string(r.body), "has no hierarchy"):
			mc.t.Errorf("%s?%s:%s=%s/%s: %d %s", typ, name, mod, target, mc.ids[target], r.StatusCode, r.body)
		}
	}
	mc.t.Errorf("%s?%s:%s: no target type %v has a hierarchy", typ, name, mod, targets)
}

// target checks reference name:target, a target type listed as a modifier.
func (mc *modifierCheck) target(typ, name, target string) {
	mc.n++
	mc.tried["type"]++
	r := mc.search(typ, name, target, mc.ids[target])
	if r.StatusCode != 200 {
		mc.t.Errorf("%s?%s:%s: %d %s", typ, name, target, r.StatusCode, r.body)
	}
}

// unlisted checks that the modifiers of kindModifiers that listed lacks are refused,
// and the next of probeModifiers that kindModifiers does not give the kind.
func (mc *modifierCheck) unlisted(typ, name, kind string, listed []string) {
	for _, mod := range kindModifiers[kind] {
		if !slices.Contains(listed, mod) {
			mc.refuse(typ, name, kind, mod)
		}
	}
	for range probeModifiers {
		mod := probeModifiers[mc.probe%len(probeModifiers)]
		mc.probe++
		if !slices.Contains(kindModifiers[kind], mod) && !slices.Contains(listed, mod) {
			mc.refuse(typ, name, kind, mod)
			return
		}
	}
}

// refuse checks that name:mod, which the statement does not list, is refused.
func (mc *modifierCheck) refuse(typ, name, kind, mod string) {
	mc.refused++
	r := mc.search(typ, name, mod, modifierValue(kind, mod))
	body := string(r.body)
	if r.StatusCode != 400 || !strings.Contains(body, "is not supported for "+name) && !strings.Contains(body, "has no hierarchy") {
		mc.t.Errorf("%s?%s:%s, not listed: %d %s", typ, name, mod, r.StatusCode, r.body)
	}
}

// modifierValue is a value of a parameter of kind (its SearchParameter type) for mod,
// that no resource without elements matches.
func modifierValue(kind, mod string) string {
	switch mod {
	case "missing":
		return "true"
	case "of-type":
		return "http://terminology.hl7.org/CodeSystem/v2-0203|MR|x"
	case "in", "not-in":
		return "http://hl7.org/fhir/ValueSet/administrative-gender"
	case "identifier":
		return "http://example.org/ids|x"
	case "above", "below":
		switch kind {
		case "uri":
			return "http://example.org/fhir/ValueSet/x"
		case "reference":
			return "Location/x"
		}
		return "http://terminology.hl7.org/CodeSystem/v3-RoleCode|FAMMEMB"
	}
	return "x"
}
