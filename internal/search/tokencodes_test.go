package search

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/terminology"
)

func TestParseTerminologyModifiers(t *testing.T) {
	const (
		obsStatus = "http://hl7.org/fhir/observation-status"
		roleCode  = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
	)
	term := terminology.New()
	tests := []struct {
		name, typ, query string
		mod              string
		want             []store.TokenCode // nil: check wantLen and wantHas only; each code comes with and without its system
		wantLen          int
		wantHas          []string
		wantErr          string // part of the ErrInvalid message; "" for success
	}{
		{name: "in", typ: "Observation", query: "status:in=http://hl7.org/fhir/ValueSet/observation-status", mod: "in", wantLen: 16,
			wantHas: []string{obsStatus + "|final", obsStatus + "|amended", "|final"}},
		{name: "not-in", typ: "Observation", query: "status:not-in=http://hl7.org/fhir/ValueSet/observation-status", mod: "not-in", wantLen: 16},
		{name: "above", typ: "RelatedPerson", query: "relationship:above=" + roleCode + "|MTH", mod: "above",
			want: []store.TokenCode{{System: roleCode, Code: "_PersonalRelationshipRoleType"}, {System: roleCode, Code: "FAMMEMB"},
				{System: roleCode, Code: "PRN"}, {System: roleCode, Code: "MTH"},
				{Code: "_PersonalRelationshipRoleType"}, {Code: "FAMMEMB"}, {Code: "PRN"}, {Code: "MTH"}}},
		{name: "below", typ: "RelatedPerson", query: "relationship:below=" + roleCode + "|FAMMEMB", mod: "below", wantLen: 210,
			wantHas: []string{roleCode + "|FAMMEMB", roleCode + "|MTH", roleCode + "|SON"}},
		{name: "below unknown code", typ: "RelatedPerson", query: "relationship:below=" + roleCode + "|NOPE", mod: "below", want: []store.TokenCode{}},
		{name: "unknown value set", typ: "Observation", query: "status:in=http://example.org/ValueSet/none", wantErr: "is unknown to this server"},
		{name: "value set without content", typ: "Observation", query: "code:in=http://hl7.org/fhir/ValueSet/ucum-units", wantErr: "is unknown to this server"},
		{name: "unknown hierarchy", typ: "Observation", query: "code:below=http://example.org/cs|a", wantErr: "the hierarchy of http://example.org/cs is unknown"},
		{name: "SNOMED CT not loaded", typ: "Observation", query: "code:below=http://snomed.info/sct|404684003", wantErr: "the hierarchy of http://snomed.info/sct is unknown"},
		{name: "below without system", typ: "Observation", query: "code:below=404684003", wantErr: "takes system|code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			r, err := registry.Parse(tt.typ, q, Options{Terminology: term})
			if tt.wantErr != "" {
				if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want ErrInvalid with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Query.Clauses) != 1 || len(r.Query.Clauses[0].Values) != 1 {
				t.Fatalf("clauses %+v (unknown %v)", r.Query.Clauses, r.Unknown)
			}
			c := r.Query.Clauses[0]
			if c.Modifier != tt.mod || c.Kind != store.KindToken {
				t.Errorf("modifier %q kind %v", c.Modifier, c.Kind)
			}
			got := c.Values[0].Codes
			if tt.want != nil {
				if !slices.Equal(got, tt.want) {
					t.Errorf("codes %v, want %v", got, tt.want)
				}
				return
			}
			if len(got) != tt.wantLen {
				t.Errorf("%d codes, want %d", len(got), tt.wantLen)
			}
			for _, h := range tt.wantHas {
				sys, code, _ := strings.Cut(h, "|")
				if !slices.Contains(got, store.TokenCode{System: sys, Code: code}) {
					t.Errorf("codes lack %s", h)
				}
			}
		})
	}
}

// TestParseTerminologyModifiersNeedServer checks that without a terminology server the
// modifiers are reported as not applied rather than matching nothing.
func TestParseTerminologyModifiersNeedServer(t *testing.T) {
	r := parse(t, "Observation", "status:in=http://hl7.org/fhir/ValueSet/observation-status")
	if len(r.Query.Clauses) != 0 || len(r.Unknown) != 1 || !strings.Contains(r.Unknown[0].Reason, "terminology server") {
		t.Errorf("clauses %v, unknown %v", r.Query.Clauses, r.Unknown)
	}
}
