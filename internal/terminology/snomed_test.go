package terminology

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/joinedup/joinedup/internal/terminology/snomed"
)

// withSnomed returns a server answering SNOMED CT from the RF2 fixture of package snomed.
func withSnomed(t *testing.T) *Server {
	t.Helper()
	path := filepath.Join(t.TempDir(), snomed.FileName)
	if err := snomed.Load(context.Background(), "snomed/testdata/uk_sct2cl_39.0.0_20240925000001Z", path, snomed.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	st, err := snomed.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := New()
	s.UseSnomed(st)
	return s
}

// refsetVS is a value set of the fixture's (made-up) simple reference set.
const refsetVS = "urn:test:refset"

func TestSnomedValidateCode(t *testing.T) {
	s := withSnomed(t)
	if err := s.AddResource([]byte(`{"resourceType":"ValueSet","url":"` + refsetVS + `","status":"draft",
		"compose":{"include":[{"system":"http://snomed.info/sct","filter":[{"property":"constraint","op":"=","value":"memberOf 1000061000000104"}]}]}}`)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct {
		name     string
		valueSet string
		c        Coding
		want     Verdict
		display  string
		issue    string
	}{
		{"in the hierarchy of the value set", conditionVS, coding(SystemSNOMED, "22298006", ""), Valid, "Myocardial infarction", ""},
		{"synonym as display", conditionVS, coding(SystemSNOMED, "22298006", "heart attack"), Valid, "Myocardial infarction", ""},
		{"wrong display", conditionVS, coding(SystemSNOMED, "22298006", "Heart failure"), Valid, "Myocardial infarction", `should be "Myocardial infarction"`},
		{"UK preferred term", "", coding(SystemSNOMED, "38341003", ""), Valid, "Hypertension", ""},
		{"outside the value set", conditionVS, coding(SystemSNOMED, "71388002", ""), Invalid, "", "is not in the value set"},
		{"root excluded by descendantOf", conditionVS, coding(SystemSNOMED, "404684003", ""), Invalid, "", "is not in the value set"},
		{"not in the release", conditionVS, coding(SystemSNOMED, "195967001", ""), Invalid, "", "Unknown code"},
		{"inactive concept", "", coding(SystemSNOMED, "190388001", ""), Valid, "Multiple complications of type 1 diabetes mellitus", "inactive"},
		{"ECL << with a term", "https://fhir.hl7.org.uk/ValueSet/UKCore-FindingCode", coding(SystemSNOMED, "44054006", ""), Valid, "Diabetes mellitus type 2", ""},
		{"bad check digit", "", coding(SystemSNOMED, "44054007", ""), Invalid, "", "check digit"},
		{"ECL memberOf: member", refsetVS, coding(SystemSNOMED, "38341003", ""), Valid, "Hypertension", ""},
		{"ECL memberOf: inactive membership", refsetVS, coding(SystemSNOMED, "73211009", ""), Invalid, "", "is not in the value set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := s.ValidateCode(ctx, ValidateRequest{ValueSet: tt.valueSet, Codings: []Coding{tt.c}})
			if err != nil {
				t.Fatal(err)
			}
			if r.Verdict != tt.want || tt.display != "" && r.Display != tt.display {
				t.Errorf("verdict %v display %q, want %v %q (%s)", r.Verdict, r.Display, tt.want, tt.display, r.Message())
			}
			if tt.issue != "" && !strings.Contains(r.Message(), tt.issue) {
				t.Errorf("message %q does not mention %q", r.Message(), tt.issue)
			}
		})
	}
	if member, known := s.MemberOf(ctx, coding(SystemSNOMED, "46635009", ""), conditionVS); !member || !known {
		t.Errorf("MemberOf(46635009, condition codes) = %v, %v", member, known)
	}
}

func TestSnomedLookupSubsumes(t *testing.T) {
	s := withSnomed(t)
	ctx := context.Background()
	r, err := s.Lookup(ctx, coding(SystemSNOMED, "38341003", ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	var designations []string
	for _, d := range r.Designations {
		designations = append(designations, d.Value)
	}
	if r.Display != "Hypertension" || !slices.Equal(designations, []string{"Hypertensive disorder, systemic arterial (disorder)", "Hypertensive disorder", "High blood pressure"}) {
		t.Errorf("lookup: display %q designations %v", r.Display, designations)
	}
	if len(r.Properties) != 2 || r.Properties[1].Code != "parent" || r.Properties[1].Value != "49601007" {
		t.Errorf("lookup properties %+v", r.Properties)
	}
	if _, err := s.Lookup(ctx, coding(SystemSNOMED, "195967001", ""), nil); !errors.Is(err, ErrUnknownCode) {
		t.Errorf("lookup of a concept not in the release: %v", err)
	}
	tests := []struct{ a, b, want string }{
		{"73211009", "44054006", Subsumes},
		{"22298006", "404684003", SubsumedBy},
		{"22298006", "38341003", NotSubsumed},
		{"22298006", "22298006", Equivalent},
	}
	for _, tt := range tests {
		got, err := s.Subsumes(ctx, SystemSNOMED, "", tt.a, tt.b)
		if err != nil || got != tt.want {
			t.Errorf("Subsumes(%s, %s) = %q, %v; want %q", tt.a, tt.b, got, err, tt.want)
		}
	}
	if _, err := s.Subsumes(ctx, SystemSNOMED, "", "22298006", "195967001"); !errors.Is(err, ErrUnknownCode) {
		t.Errorf("subsumes with an unknown concept: %v", err)
	}
}

func TestSnomedExpand(t *testing.T) {
	s := withSnomed(t)
	ctx := context.Background()
	isA := func(op, id string) *ValueSet {
		return &ValueSet{URL: "urn:test", Include: []ConceptSet{{System: SystemSNOMED, Filters: []Filter{{"concept", op, id}}}}}
	}
	tests := []struct {
		name string
		req  ExpandRequest
		want []string
	}{
		{"is-a", ExpandRequest{Inline: isA("is-a", "73211009")}, []string{"73211009", "44054006", "46635009", "190388001"}},
		{"is-a, active only", ExpandRequest{Inline: isA("is-a", "73211009"), ActiveOnly: true}, []string{"73211009", "44054006", "46635009"}},
		{"descendent-of with a text filter", ExpandRequest{Inline: isA("descendent-of", "64572001"), Filter: "diab"}, []string{"73211009", "44054006", "46635009", "190388001"}},
		{"UK Core ECL <<", ExpandRequest{ValueSet: "https://fhir.hl7.org.uk/ValueSet/UKCore-FindingCode", Filter: "type 2"}, []string{"44054006"}},
		{"ECL ^ reference set", ExpandRequest{Inline: &ValueSet{URL: "urn:test", Include: []ConceptSet{{System: SystemSNOMED,
			Filters: []Filter{{"constraint", "=", "^ 1000061000000104"}}}}}}, []string{"22298006", "38341003"}},
		{"ECL enumeration gets displays", ExpandRequest{Inline: &ValueSet{URL: "urn:test", Include: []ConceptSet{{System: SystemSNOMED,
			Filters: []Filter{{"constraint", "=", "22298006 |MI| OR 38341003"}}}}}}, []string{"22298006", "38341003"}},
	}
	for _, tt := range tests {
		exp, err := s.Expand(ctx, tt.req)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		got := codes(exp.Contains)
		slices.Sort(got)
		want := slices.Clone(tt.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", tt.name, got, want)
		}
	}
	exp, err := s.Expand(ctx, ExpandRequest{Inline: &ValueSet{URL: "urn:test", Include: []ConceptSet{{System: SystemSNOMED,
		Filters: []Filter{{"constraint", "=", "22298006 |MI| OR 38341003"}}}}}})
	if err != nil || exp.Contains[0].Display != "Myocardial infarction" || exp.Contains[1].Display != "Hypertension" {
		t.Errorf("displays from the release: %+v, %v", exp, err)
	}
	if _, err := s.Expand(ctx, ExpandRequest{Inline: isA("is-a", "138875005"), Limit: 5}); !errors.Is(err, ErrTooCostly) {
		t.Errorf("expanding the whole release with a limit of 5: %v", err)
	}
}
