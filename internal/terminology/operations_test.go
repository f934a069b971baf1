package terminology

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// server is shared by the tests: loading is the same for all, and they only read.
var server = New()

const (
	genderVS    = "http://hl7.org/fhir/ValueSet/administrative-gender"
	genderCS    = "http://hl7.org/fhir/administrative-gender"
	obsStatusVS = "http://hl7.org/fhir/ValueSet/observation-status"
	obsStatusCS = "http://hl7.org/fhir/observation-status"
	ethnicVS    = "https://fhir.hl7.org.uk/ValueSet/UKCore-EthnicCategory"
	ethnicEngCS = "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland"
	ethnicCS    = "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategory"
	actCode     = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	actEncVS    = "http://terminology.hl7.org/ValueSet/v3-ActEncounterCode"
	conditionVS = "https://fhir.hl7.org.uk/ValueSet/UKCore-ConditionCode"
	acvpuVS     = "https://fhir.hl7.org.uk/ValueSet/UKCore-ACVPU"
)

func coding(system, code, display string) Coding {
	return Coding{System: system, Code: code, Display: display}
}

func TestValidateCode(t *testing.T) {
	tests := []struct {
		name     string
		valueSet string
		codings  []Coding
		want     Verdict
		display  string // the code system's display, when expected
		issue    string // a fragment of the message, when expected
		severity string // the severity of the issue holding it
	}{
		{"gender male", genderVS, []Coding{coding(genderCS, "male", "")}, Valid, "Male", "", ""},
		{"gender display matches ignoring case", genderVS, []Coding{coding(genderCS, "female", "FEMALE")}, Valid, "Female", "", ""},
		{"gender wrong display is a warning", genderVS, []Coding{coding(genderCS, "female", "Woman")}, Valid, "Female", `should be "Female"`, SeverityWarning},
		{"gender is case sensitive", genderVS, []Coding{coding(genderCS, "Male", "")}, Invalid, "", `Unknown code "Male"`, SeverityError},
		{"gender unknown code", genderVS, []Coding{coding(genderCS, "m", "")}, Invalid, "", `Unknown code "m"`, SeverityError},
		{"gender wrong system", genderVS, []Coding{coding(obsStatusCS, "final", "")}, Invalid, "", "is not in the value set", SeverityError},
		{"gender no system", genderVS, []Coding{coding("", "male", "")}, Invalid, "", "has no system", SeverityError},
		{"observation status final", obsStatusVS, []Coding{coding(obsStatusCS, "final", "Final")}, Valid, "Final", "", ""},
		{"observation status nested code", obsStatusVS, []Coding{coding(obsStatusCS, "corrected", "")}, Valid, "Corrected", "", ""},
		{"code system only", "", []Coding{coding(obsStatusCS, "amended", "")}, Valid, "Amended", "", ""},
		{"code system only unknown code", "", []Coding{coding(obsStatusCS, "done", "")}, Invalid, "", "Unknown code", SeverityError},
		{"UK Core ethnic category England", ethnicVS, []Coding{coding(ethnicEngCS, "A", "White - British")}, Valid, "White - British", "", ""},
		{"UK Core ethnic category from another code system", ethnicVS, []Coding{coding(ethnicCS, "C2", "")}, Invalid, "", "is not in the value set", SeverityError},
		{"v3 is-a filter: direct child", actEncVS, []Coding{coding(actCode, "AMB", "")}, Valid, "ambulatory", "", ""},
		{"v3 is-a filter: grandchild", actEncVS, []Coding{coding(actCode, "ACUTE", "")}, Valid, "inpatient acute", "", ""},
		{"v3 is-a filter: excluded root", actEncVS, []Coding{coding(actCode, "_ActEncounterCode", "")}, Invalid, "", "is not in the value set", SeverityError},
		{"v3 is-a filter: outside the subtree", actEncVS, []Coding{coding(actCode, "_ActCareProvisionCode", "")}, Invalid, "", "is not in the value set", SeverityError},
		{"CodeableConcept: one valid coding suffices", genderVS, []Coding{coding(genderCS, "man", ""), coding(genderCS, "male", "")}, Valid, "Male", "", ""},
		{"CodeableConcept: none valid", genderVS, []Coding{coding(genderCS, "man", ""), coding(genderCS, "woman", "")}, Invalid, "", "None of the codings", SeverityError},
		// Content we do not hold: never valid.
		{"SNOMED CT well formed, not loaded", conditionVS, []Coding{coding(SystemSNOMED, "22298006", "Myocardial infarction")}, NotValidated, "", "not loaded", SeverityInformation},
		{"SNOMED CT bad check digit", conditionVS, []Coding{coding(SystemSNOMED, "22298007", "")}, Invalid, "", "check digit", SeverityError},
		{"SNOMED CT bad check digit, no value set", "", []Coding{coding(SystemSNOMED, "73211008", "")}, Invalid, "", "check digit", SeverityError},
		{"SNOMED CT listed in an ECL enumeration", acvpuVS, []Coding{coding(SystemSNOMED, "248234008", "")}, NotValidated, "", "not loaded", SeverityInformation},
		{"SNOMED CT not in an ECL enumeration", acvpuVS, []Coding{coding(SystemSNOMED, "22298006", "")}, Invalid, "", "is not in the value set", SeverityError},
		{"dm+d well formed", "", []Coding{coding(SystemDMD, "39720311000001101", "")}, NotValidated, "", "dm+d", SeverityInformation},
		{"LOINC well formed", "", []Coding{coding(SystemLOINC, "8867-4", "Heart rate")}, NotValidated, "", "LOINC content is not loaded", SeverityInformation},
		{"LOINC bad check digit", "", []Coding{coding(SystemLOINC, "8867-5", "")}, Invalid, "", "check digit should be 4", SeverityError},
		{"LOINC malformed", "", []Coding{coding(SystemLOINC, "heart-rate", "")}, Invalid, "", "not a LOINC code", SeverityError},
		{"BCP 47 language tag", "", []Coding{coding(SystemBCP47, "en-GB", "")}, NotValidated, "", "not loaded", SeverityInformation},
		{"BCP 47 tag with script and region", "", []Coding{coding(SystemBCP47, "zh-Hant-HK", "")}, NotValidated, "", "not loaded", SeverityInformation},
		{"BCP 47 malformed", "", []Coding{coding(SystemBCP47, "en_GB", "")}, Invalid, "", "not a BCP 47 language tag", SeverityError},
		{"BCP 47 in the R4 common languages", "http://hl7.org/fhir/ValueSet/languages", []Coding{coding(SystemBCP47, "en-GB", "English (Great Britain)")}, NotValidated, "", "not loaded", SeverityInformation},
		{"BCP 47 not in the R4 common languages", "http://hl7.org/fhir/ValueSet/languages", []Coding{coding(SystemBCP47, "cy", "")}, Invalid, "", "is not in the value set", SeverityError},
		{"CTV3", "", []Coding{coding(SystemCTV3, "X78Uv", "")}, NotValidated, "", "not loaded", SeverityInformation},
		{"CTV3 malformed", "", []Coding{coding(SystemCTV3, "X78U", "")}, Invalid, "", "not a Read Code", SeverityError},
		{"URI", "", []Coding{coding(SystemURI, "urn:oid:1.2.840.10008.5.1.4.1.1.2", "")}, Valid, "", "", ""},
		{"URI with a space", "", []Coding{coding(SystemURI, "urn:oid:1.2 3", "")}, Invalid, "", "not a URI", SeverityError},
		{"unknown code system", "", []Coding{coding("http://example.org/codes", "x", "")}, NotValidated, "", "not known to joinedup", SeverityWarning},
		{"UCUM unit", "", []Coding{coding(SystemUCUM, "mm[Hg]", "")}, Valid, "mm[Hg]", "", ""},
		{"UCUM unit not recognised", "", []Coding{coding(SystemUCUM, "furlongs", "")}, NotValidated, "", "UCUM", SeverityWarning},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := server.ValidateCode(ctx, ValidateRequest{ValueSet: tt.valueSet, Codings: tt.codings})
			if err != nil {
				t.Fatal(err)
			}
			if r.Verdict != tt.want {
				t.Errorf("verdict %v, want %v (%s)", r.Verdict, tt.want, r.Message())
			}
			if tt.display != "" && r.Display != tt.display {
				t.Errorf("display %q, want %q", r.Display, tt.display)
			}
			if tt.issue == "" {
				for _, is := range r.Issues {
					if is.Severity != SeverityInformation {
						t.Errorf("unexpected issue %+v", is)
					}
				}
				return
			}
			found := false
			for _, is := range r.Issues {
				found = found || strings.Contains(is.Message, tt.issue) && is.Severity == tt.severity
			}
			if !found {
				t.Errorf("no %s issue containing %q in %+v", tt.severity, tt.issue, r.Issues)
			}
		})
	}
}

func TestValidateCodeErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := server.ValidateCode(ctx, ValidateRequest{ValueSet: "http://example.org/ValueSet/none", Codings: []Coding{coding(genderCS, "male", "")}}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown value set: %v, want ErrNotFound", err)
	}
	if _, err := server.ValidateCode(ctx, ValidateRequest{ValueSet: genderVS}); err == nil {
		t.Error("no codes: no error")
	}
	// A version that does not exist is not found; the one that does is used.
	if _, err := server.ValidateCode(ctx, ValidateRequest{ValueSet: genderVS + "|9.9.9", Codings: []Coding{coding(genderCS, "male", "")}}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown version: %v, want ErrNotFound", err)
	}
	r, err := server.ValidateCode(ctx, ValidateRequest{ValueSet: genderVS + "|4.0.1", Codings: []Coding{coding(genderCS, "other", "")}})
	if err != nil || r.Verdict != Valid {
		t.Errorf("versioned value set: %v, %v", r, err)
	}
}

func TestMemberOf(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		c            Coding
		vs           string
		member, know bool
	}{
		{coding(genderCS, "unknown", ""), genderVS, true, true},
		{coding(genderCS, "nope", ""), genderVS, false, true},
		{coding(actCode, "NONAC", ""), actEncVS, true, true},
		{coding(SystemSNOMED, "22298006", ""), conditionVS, false, false},
		{coding(SystemSNOMED, "22298007", ""), conditionVS, false, true},
		{coding(genderCS, "male", ""), "http://example.org/ValueSet/none", false, false},
	}
	for _, tt := range tests {
		member, known := server.MemberOf(ctx, tt.c, tt.vs)
		if member != tt.member || known != tt.know {
			t.Errorf("MemberOf(%v, %s) = %v, %v; want %v, %v", tt.c, tt.vs, member, known, tt.member, tt.know)
		}
	}
}

func codes(cs []Contains) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Code
	}
	return out
}

func TestExpand(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		req     ExpandRequest
		total   int
		codes   []string // the page returned, in order; nil to check only some
		has     []string
		hasNot  []string
		wantErr error
	}{
		{name: "gender", req: ExpandRequest{ValueSet: genderVS}, total: 4, codes: []string{"male", "female", "other", "unknown"}},
		{name: "gender filter", req: ExpandRequest{ValueSet: genderVS, Filter: "fem"}, total: 1, codes: []string{"female"}},
		{name: "gender paging", req: ExpandRequest{ValueSet: genderVS, Offset: 1, Count: 2}, total: 4, codes: []string{"female", "other"}},
		{name: "gender offset past the end", req: ExpandRequest{ValueSet: genderVS, Offset: 10}, total: 4, codes: []string{}},
		{name: "observation status has nested codes", req: ExpandRequest{ValueSet: obsStatusVS}, total: 8, has: []string{"amended", "corrected"}},
		{name: "v3 is-a with exclude", req: ExpandRequest{ValueSet: actEncVS}, has: []string{"AMB", "IMP", "ACUTE", "NONAC", "EMER"}, hasNot: []string{"_ActEncounterCode", "_ActCareProvisionCode"}},
		{name: "v3 filter words", req: ExpandRequest{ValueSet: actEncVS, Filter: "inpatient ac"}, total: 2, codes: []string{"ACUTE", "NONAC"}},
		{name: "v3 filter words narrower", req: ExpandRequest{ValueSet: actEncVS, Filter: "Inpatient NON"}, total: 1, codes: []string{"NONAC"}},
		{name: "UK Core ethnic category", req: ExpandRequest{ValueSet: ethnicVS}, has: []string{"A", "Z", "99"}},
		{name: "UK Core ECL enumeration without SNOMED CT", req: ExpandRequest{ValueSet: acvpuVS}, total: 5, codes: []string{"248234008", "300202002", "450847001", "422768004", "130987000"}},
		{name: "SNOMED CT hierarchy without SNOMED CT", req: ExpandRequest{ValueSet: conditionVS}, wantErr: ErrNoContent},
		{name: "unknown value set", req: ExpandRequest{ValueSet: "http://example.org/ValueSet/none"}, wantErr: ErrNotFound},
		{name: "limit", req: ExpandRequest{ValueSet: actEncVS, Limit: 3}, wantErr: ErrTooCostly},
		{name: "inline value set importing another, minus a code", req: ExpandRequest{Inline: &ValueSet{
			URL:     "urn:test",
			Include: []ConceptSet{{ValueSets: []string{genderVS}}},
			Exclude: []ConceptSet{{System: genderCS, Concepts: []ConceptRef{{Code: "unknown"}}}},
		}}, total: 3, codes: []string{"male", "female", "other"}},
		{name: "inline value set: include intersected with an import", req: ExpandRequest{Inline: &ValueSet{
			URL:     "urn:test",
			Include: []ConceptSet{{System: actCode, Filters: []Filter{{"concept", "is-a", "IMP"}}, ValueSets: []string{actEncVS}}},
		}}, total: 3, codes: []string{"IMP", "ACUTE", "NONAC"}},
		{name: "inline value set: descendent-of and generalizes", req: ExpandRequest{Inline: &ValueSet{
			URL:     "urn:test",
			Include: []ConceptSet{{System: actCode, Filters: []Filter{{"concept", "descendent-of", "IMP"}}}, {System: actCode, Filters: []Filter{{"concept", "generalizes", "ACUTE"}}}},
		}}, has: []string{"ACUTE", "NONAC", "IMP", "_ActEncounterCode", "_ActCareProvisionCode"}, hasNot: []string{"AMB"}},
		{name: "inline value set: property = and exists", req: ExpandRequest{Inline: &ValueSet{
			URL: "urn:test",
			Include: []ConceptSet{
				{System: actCode, Filters: []Filter{{"concept", "is-a", "_ActEncounterCode"}, {"notSelectable", "=", "true"}}},
				{System: actCode, Filters: []Filter{{"concept", "is-a", "IMP"}, {"notSelectable", "exists", "false"}}},
			},
		}}, total: 4, codes: []string{"_ActEncounterCode", "IMP", "ACUTE", "NONAC"}},
		{name: "inline value set: not-in and is-not-a", req: ExpandRequest{Inline: &ValueSet{
			URL:     "urn:test",
			Include: []ConceptSet{{System: obsStatusCS, Filters: []Filter{{"concept", "not-in", "final,amended,registered"}, {"concept", "is-not-a", "amended"}}}},
		}}, total: 4, codes: []string{"preliminary", "cancelled", "entered-in-error", "unknown"}},
		{name: "inline value set: regex and in", req: ExpandRequest{Inline: &ValueSet{
			URL:     "urn:test",
			Include: []ConceptSet{{System: genderCS, Filters: []Filter{{"code", "regex", "(fe)?male"}}}, {System: obsStatusCS, Filters: []Filter{{"concept", "in", "final, amended"}}}},
		}}, total: 4, codes: []string{"male", "female", "final", "amended"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp, err := server.Expand(ctx, tt.req)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := codes(exp.Contains)
			if tt.total != 0 && exp.Total != tt.total {
				t.Errorf("total %d, want %d (%v)", exp.Total, tt.total, got)
			}
			if tt.codes != nil && !slices.Equal(got, tt.codes) {
				t.Errorf("codes %v, want %v", got, tt.codes)
			}
			for _, c := range tt.has {
				if !slices.Contains(got, c) {
					t.Errorf("%s missing from %v", c, got)
				}
			}
			for _, c := range tt.hasNot {
				if slices.Contains(got, c) {
					t.Errorf("%s should not be in %v", c, got)
				}
			}
		})
	}
}

func TestExpandParameters(t *testing.T) {
	// "male" begins a word of Male only: filters match word starts, so Female is left out.
	exp, err := server.Expand(context.Background(), ExpandRequest{ValueSet: obsStatusVS, Filter: "e", Count: 1, Offset: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := []ExpansionParameter{{"filter", "string", "e"}, {"offset", "integer", "1"}, {"count", "integer", "1"}, {"used-codesystem", "uri", obsStatusCS + "|4.0.1"}}
	if !slices.Equal(exp.Parameters, want) {
		t.Errorf("parameters %v, want %v", exp.Parameters, want)
	}
	// "Entered in Error" is the only display with a word starting with e.
	if exp.Total != 1 || len(exp.Contains) != 0 {
		t.Errorf("expansion %+v", exp)
	}
	exp, err = server.Expand(context.Background(), ExpandRequest{ValueSet: genderVS, Filter: "male"})
	if err != nil {
		t.Fatal(err)
	}
	if exp.Total != 1 || len(exp.Contains) != 1 || exp.Contains[0].Code != "male" || exp.Contains[0].Display != "Male" {
		t.Errorf("expansion %+v", exp)
	}
	if !regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(exp.Identifier) || exp.Timestamp.IsZero() {
		t.Errorf("identifier %q, timestamp %v", exp.Identifier, exp.Timestamp)
	}
}

func TestLookup(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		c        Coding
		display  string
		abstract bool
		parents  []string
		children []string
		wantErr  error
	}{
		{c: coding(genderCS, "male", ""), display: "Male"},
		{c: coding(actCode, "IMP", ""), display: "inpatient encounter", parents: []string{"_ActEncounterCode"}, children: []string{"ACUTE", "NONAC"}},
		{c: coding(actCode, "_ActEncounterCode", ""), display: "ActEncounterCode", abstract: true, parents: []string{"_ActCareProvisionCode"},
			children: []string{"AMB", "EMER", "FLD", "HH", "IMP", "OBSENC", "PRENC", "SS", "VR"}},
		{c: coding(obsStatusCS, "corrected", ""), display: "Corrected", parents: []string{"amended"}},
		{c: coding(genderCS, "nope", ""), wantErr: ErrUnknownCode},
		{c: coding(SystemSNOMED, "22298006", ""), wantErr: ErrNoContent},
		{c: coding(SystemSNOMED, "22298007", ""), wantErr: ErrUnknownCode},
		{c: coding("http://example.org/codes", "x", ""), wantErr: ErrNotFound},
	}
	for _, tt := range tests {
		r, err := server.Lookup(ctx, tt.c, nil)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Lookup(%v) error %v, want %v", tt.c, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Lookup(%v): %v", tt.c, err)
			continue
		}
		var parents, children []string
		for _, p := range r.Properties {
			switch p.Code {
			case "parent":
				parents = append(parents, p.Value)
			case "child":
				children = append(children, p.Value)
			}
		}
		if r.Display != tt.display || r.Abstract != tt.abstract || !slices.Equal(parents, tt.parents) || !slices.Equal(children, tt.children) {
			t.Errorf("Lookup(%v) = display %q abstract %v parents %v children %v; want %q %v %v %v",
				tt.c, r.Display, r.Abstract, parents, children, tt.display, tt.abstract, tt.parents, tt.children)
		}
	}
	// Asking for some properties returns only those.
	r, err := server.Lookup(ctx, coding(actCode, "IMP", ""), []string{"child"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Properties {
		if p.Code != "child" {
			t.Errorf("property %s returned when only child was asked for", p.Code)
		}
	}
}

func TestSubsumes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		system, a, b string
		want         string
		wantErr      error
	}{
		{obsStatusCS, "amended", "corrected", Subsumes, nil},
		{obsStatusCS, "corrected", "amended", SubsumedBy, nil},
		{obsStatusCS, "final", "final", Equivalent, nil},
		{obsStatusCS, "final", "amended", NotSubsumed, nil},
		{actCode, "_ActEncounterCode", "ACUTE", Subsumes, nil},
		{actCode, "ACUTE", "_ActCareProvisionCode", SubsumedBy, nil},
		{actCode, "AMB", "IMP", NotSubsumed, nil},
		{actCode, "AMB", "nope", "", ErrUnknownCode},
		{SystemSNOMED, "22298006", "404684003", "", ErrNoContent},
		{"http://example.org/codes", "a", "b", "", ErrNotFound},
	}
	for _, tt := range tests {
		got, err := server.Subsumes(ctx, tt.system, "", tt.a, tt.b)
		if !errors.Is(err, tt.wantErr) || got != tt.want {
			t.Errorf("Subsumes(%s, %s, %s) = %q, %v; want %q, %v", tt.system, tt.a, tt.b, got, err, tt.want, tt.wantErr)
		}
	}
}
