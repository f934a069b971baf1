package search

import (
	"errors"
	"math"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/joinedup/joinedup/internal/store"
)

// TestHierarchyParameter pins every hierarchy the specification's parameters make, and
// which way each runs.
func TestHierarchyParameter(t *testing.T) {
	partToWhole := func(code string) hierarchyDef { return hierarchyDef{code: code} }
	wholeToParts := func(code string) hierarchyDef { return hierarchyDef{code: code, toParts: true} }
	want := map[string]hierarchyDef{
		"CarePlan": partToWhole("part-of"), "Encounter": partToWhole("part-of"), "MedicationStatement": partToWhole("part-of"),
		"Procedure": partToWhole("part-of"), "Task": partToWhole("part-of"), "Location": partToWhole("partof"),
		"Organization": partToWhole("partof"), "ResearchStudy": partToWhole("partof"), "Specimen": partToWhole("parent"),
		"DeviceDefinition": partToWhole("parent"),
		// To what a resource follows, replaces, relates to or comes from.
		"ClinicalImpression": partToWhole("previous"), "CommunicationRequest": partToWhole("replaces"),
		"ServiceRequest": partToWhole("replaces"), "Composition": partToWhole("related-ref"),
		"DocumentReference": partToWhole("relatesto"), "Patient": partToWhole("link"), "Person": partToWhole("link"),
		"Consent":     partToWhole("source-reference"),
		"Observation": wholeToParts("has-member"), "Group": wholeToParts("member"), "CareTeam": wholeToParts("participant"),
		"Medication": wholeToParts("ingredient"), "Substance": wholeToParts("substance-reference"),
	}
	got := hierarchies()
	for typ, w := range want {
		if got[typ] != w {
			t.Errorf("hierarchy(%s) = %+v, want %+v", typ, got[typ], w)
		}
	}
	for typ, h := range got {
		if _, ok := want[typ]; !ok {
			t.Errorf("unexpected hierarchy of %s: %+v", typ, h)
		}
	}
	for _, typ := range []string{
		// No reference parameter that may point at the type itself.
		"Practitioner",
		// Only links that may point at any type.
		"Communication", "Provenance", "List",
		// Only canonical references, indexed as URLs.
		"StructureDefinition", "PlanDefinition", "CodeSystem",
	} {
		if h := hierarchy(typ); h.code != "" {
			t.Errorf("hierarchy(%s) = %+v, want none", typ, h)
		}
	}
}

func TestHierarchyModifiersListed(t *testing.T) {
	tests := []struct {
		typ, code string
		want      bool
	}{
		{"Location", "partof", true},
		{"Encounter", "location", true},
		{"Observation", "has-member", true},
		{"Procedure", "part-of", true},
		{"Encounter", "practitioner", false},
		{"Observation", "device", false},
	}
	for _, tt := range tests {
		p := registry.Lookup(tt.typ, tt.code)
		got := slices.Contains(p.Modifiers, "above") && slices.Contains(p.Modifiers, "below")
		if got != tt.want || slices.Contains(p.Modifiers, "above") != slices.Contains(p.Modifiers, "below") {
			t.Errorf("%s %s modifiers %v: :above and :below listed %v, want %v", tt.typ, tt.code, p.Modifiers, got, tt.want)
		}
	}
}

func TestParseHierarchy(t *testing.T) {
	loc := func(id string) store.Value {
		return store.Value{TargetType: "Location", TargetID: id, Hierarchy: "partof"}
	}
	tests := []struct {
		typ, query string
		want       store.Clause
	}{
		{"Location", "partof:below=l1", store.Clause{Param: "partof", Kind: store.KindReference, Modifier: "below", Values: []store.Value{loc("l1")}}},
		{"Location", "partof:above=Location/l1", store.Clause{Param: "partof", Kind: store.KindReference, Modifier: "above", Values: []store.Value{loc("l1")}}},
		{"Encounter", "location:below=https://example.org/fhir/Location/l1,l2",
			store.Clause{Param: "location", Kind: store.KindReference, Modifier: "below", Values: []store.Value{loc("l1"), loc("l2")}}},
		{"Observation", "has-member:below=Observation/o1", store.Clause{Param: "has-member", Kind: store.KindReference, Modifier: "below",
			Values: []store.Value{{TargetType: "Observation", TargetID: "o1", Hierarchy: "has-member", HierarchyToParts: true}}}},
		// Of the targets only Observation has a hierarchy: an id alone is an Observation.
		{"Observation", "has-member:above=o1", store.Clause{Param: "has-member", Kind: store.KindReference, Modifier: "above",
			Values: []store.Value{{TargetType: "Observation", TargetID: "o1", Hierarchy: "has-member", HierarchyToParts: true}}}},
		{"DiagnosticReport", "result:below=o1", store.Clause{Param: "result", Kind: store.KindReference, Modifier: "below",
			Values: []store.Value{{TargetType: "Observation", TargetID: "o1", Hierarchy: "has-member", HierarchyToParts: true}}}},
		{"Patient", "general-practitioner:below=Organization/g1", store.Clause{Param: "general-practitioner", Kind: store.KindReference,
			Modifier: "below", Values: []store.Value{{TargetType: "Organization", TargetID: "g1", Hierarchy: "partof"}}}},
	}
	for _, tt := range tests {
		r := parse(t, tt.typ, tt.query)
		if len(r.Unknown) > 0 {
			t.Errorf("%s?%s: unknown %v", tt.typ, tt.query, r.Unknown)
		}
		if diff := cmp.Diff([]store.Clause{tt.want}, r.Query.Clauses); diff != "" {
			t.Errorf("%s?%s (-want +got):\n%s", tt.typ, tt.query, diff)
		}
	}
}

func TestParseHierarchyInvalid(t *testing.T) {
	tests := []struct{ typ, query, says string }{
		{"Encounter", "practitioner:below=p1", "practitioner has no hierarchy"},
		{"Patient", "general-practitioner:below=Practitioner/p1", "Practitioner has no hierarchy"},
		{"Observation", "performer:above=x1", "give Type/id"},
		{"Location", "partof:below=Organization/o1", "Organization is not a target type of partof"},
		{"Location", "partof:below=http://elsewhere.org/fhir/Location/l1", "not a resource on this server"},
		{"Location", "partof:below=a/b/c", "not a reference"},
		{"Location", "partof:above=", "not a reference"},
	}
	for _, tt := range tests {
		v, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		// Refused even when unknown parameters would only be reported.
		_, err = registry.Parse(tt.typ, v, Options{Base: "https://example.org/fhir"})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s?%s: error %v, want ErrInvalid saying %q", tt.typ, tt.query, err, tt.says)
		}
	}
}

func TestParseNearUnits(t *testing.T) {
	tests := []struct {
		value string
		km    float64
	}{
		{"53.8|-1.55", 1},
		{"53.8|-1.55|10", 10},
		{"53.8|-1.55|10|km", 10},
		{"53.8|-1.55|2500|m", 2.5},
		{"53.8|-1.55|10|[mi_i]", 16.09344},
		{"53.8|-1.55|10|mi", 16.09344},
	}
	for _, tt := range tests {
		r := parse(t, "Location", "near="+url.QueryEscape(tt.value))
		if len(r.Query.Clauses) != 1 {
			t.Fatalf("near=%s: clauses %v, unknown %v", tt.value, r.Query.Clauses, r.Unknown)
		}
		v := r.Query.Clauses[0].Values[0]
		if v.Lat != 53.8 || v.Long != -1.55 || math.Abs(v.Distance-tt.km) > 1e-9 {
			t.Errorf("near=%s: %v|%v|%v km, want 53.8|-1.55|%v", tt.value, v.Lat, v.Long, v.Distance, tt.km)
		}
	}
	for _, bad := range []string{"53.8|-1.55|10|kg", "53.8|-1.55|10|parsec", "53.8|-1.55|-1|km", "91|0|1", "0|181|1"} {
		v, _ := url.ParseQuery("near=" + url.QueryEscape(bad))
		if _, err := registry.Parse("Location", v, Options{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("near=%s: error %v, want ErrInvalid", bad, err)
		}
	}
}
