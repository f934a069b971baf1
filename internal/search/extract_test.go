package search

import (
	"context"
	"testing"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/synth"
)

// synthResources returns the resources of n synthetic patients.
func synthResources(t testing.TB, n int) []fhir.Resource {
	t.Helper()
	var out []fhir.Resource
	err := synth.Generate(context.Background(), synth.Options{Patients: n, Seed: 1}, func(pb synth.PatientBundle) error {
		r, err := fhir.ParseResource(pb.JSON)
		if err != nil {
			return err
		}
		for _, e := range r.(*fhir.Bundle).Entry {
			out = append(out, e.Resource)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestExtractPatient(t *testing.T) {
	x := &Extractor{Registry: NewRegistry()}
	p, err := fhir.ParseResource([]byte(`{"resourceType":"Patient","id":"p1",
		"meta":{"tag":[{"system":"urn:t","code":"x"}],"profile":["http://p"]},
		"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],
		"name":[{"family":"Éclair","given":["Zoë"]}],"birthDate":"1970-05",
		"gender":"female","generalPractitioner":[{"reference":"Practitioner/g1"}],
		"telecom":[{"system":"phone","value":"0123"}],"active":true,
		"address":[{"postalCode":"LS1 4AP","city":"Leeds"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	e, err := x.Extract(p, "")
	if err != nil {
		t.Fatal(err)
	}
	idx := e.Index
	tests := []struct {
		name string
		ok   bool
	}{
		{"family folded", hasString(idx, "family", "eclair", "Éclair")},
		{"given folded", hasString(idx, "given", "zoe", "Zoë")},
		{"name has given", hasString(idx, "name", "zoe", "Zoë")},
		{"address-city", hasString(idx, "address-city", "leeds", "Leeds")},
		{"identifier", hasToken(idx, "identifier", "https://fhir.nhs.uk/Id/nhs-number", "9434765919")},
		{"gender", hasToken(idx, "gender", "", "female")},
		{"active", hasToken(idx, "active", "", "true")},
		{"phone", hasToken(idx, "phone", "phone", "0123")},
		{"_tag", hasToken(idx, "_tag", "urn:t", "x")},
		{"_profile", len(idx.URIs) == 1 && idx.URIs[0] == store.URIEntry{Param: "_profile", Value: "http://p"}},
		{"general-practitioner", hasRef(idx, "general-practitioner", "Practitioner", "g1")},
		{"birthdate month", hasDate(idx, "birthdate", "1970-05-01T00:00:00Z", "1970-05-31T23:59:59.999999Z")},
	}
	for _, tt := range tests {
		if !tt.ok {
			t.Errorf("%s: not indexed as expected; index %+v", tt.name, idx)
		}
	}
	if len(e.Compartments) != 1 || e.Compartments[0] != (store.Ref{Type: "Patient", ID: "p1"}) {
		t.Errorf("compartments = %v", e.Compartments)
	}
}

func TestExtractObservation(t *testing.T) {
	x := &Extractor{Registry: NewRegistry()}
	o, err := fhir.ParseResource([]byte(`{"resourceType":"Observation","id":"o1","status":"final",
		"code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},
		"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2021-02-03T04:05:06Z",
		"valueQuantity":{"value":1.5,"unit":"g","system":"http://unitsofmeasure.org","code":"g"},
		"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},
		  "valueQuantity":{"value":120,"system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	e, err := x.Extract(o, "")
	if err != nil {
		t.Fatal(err)
	}
	idx := e.Index
	if !hasToken(idx, "code", "http://loinc.org", "8867-4") {
		t.Errorf("code missing: %+v", idx.Tokens)
	}
	if !hasRef(idx, "patient", "Patient", "p1") || !hasRef(idx, "subject", "Patient", "p1") {
		t.Errorf("patient/subject missing: %+v", idx.References)
	}
	var q *store.QuantityEntry
	for i := range idx.Quantities {
		if idx.Quantities[i].Param == "value-quantity" {
			q = &idx.Quantities[i]
		}
	}
	if q == nil || q.Low != 1.5 || q.CanonicalCode != "g" || q.CanonicalLow != 1.5 {
		t.Errorf("value-quantity = %+v", q)
	}
	found := false
	for _, c := range idx.Composites {
		if c.Param == "component-code-value-quantity" && len(c.Parts) == 2 && c.Parts[0].Code == "8480-6" && c.Parts[1].Low > 1.5998e7 && c.Parts[1].Low < 1.6e7 {
			found = true // 120 mm[Hg] is 1.59986e7 g.m-1.s-2
		}
	}
	if !found {
		t.Errorf("component-code-value-quantity missing: %+v", idx.Composites)
	}
}

// TestExtractPeriod: a period's range runs from its start's first instant to its end's
// last; one that ends before it starts spans both ends, never a reversed range.
func TestExtractPeriod(t *testing.T) {
	x := &Extractor{Registry: NewRegistry()}
	tests := []struct {
		period    string
		low, high string
	}{
		{`{"start":"2024-03-05","end":"2024-04"}`, "2024-03-05T00:00:00Z", "2024-04-30T23:59:59.999999Z"},
		{`{"start":"2024-03-05T10:00:00Z"}`, "2024-03-05T10:00:00Z", "0001-01-01T00:00:00Z"},
		{`{"end":"2024-03-05"}`, "0001-01-01T00:00:00Z", "2024-03-05T23:59:59.999999Z"},
		{`{"start":"2024-04","end":"2024-03-05"}`, "2024-03-05T00:00:00Z", "2024-04-30T23:59:59.999999Z"},
	}
	for _, tc := range tests {
		e, err := x.Extract(mustParse(t, `{"resourceType":"Encounter","id":"e1","status":"finished",
			"class":{"code":"AMB"},"period":`+tc.period+`}`), "")
		if err != nil {
			t.Fatal(err)
		}
		if !hasDate(e.Index, "date", tc.low, tc.high) {
			t.Errorf("period %s: dates %+v, want [%s, %s]", tc.period, e.Index.Dates, tc.low, tc.high)
		}
	}
}

func hasString(idx store.Index, param, value, exact string) bool {
	for _, s := range idx.Strings {
		if s.Param == param && s.Value == value && s.Exact == exact {
			return true
		}
	}
	return false
}

func hasToken(idx store.Index, param, system, code string) bool {
	for _, s := range idx.Tokens {
		if s.Param == param && s.System == system && s.Code == code {
			return true
		}
	}
	return false
}

func hasRef(idx store.Index, param, typ, id string) bool {
	for _, s := range idx.References {
		if s.Param == param && s.TargetType == typ && s.TargetID == id {
			return true
		}
	}
	return false
}

func hasDate(idx store.Index, param, low, high string) bool {
	for _, d := range idx.Dates {
		if d.Param == param && d.Low.Format("2006-01-02T15:04:05.999999Z07:00") == low && d.High.Format("2006-01-02T15:04:05.999999Z07:00") == high {
			return true
		}
	}
	return false
}

// BenchmarkExtract measures full extraction over synthetic UK records (resources/s is
// the figure the ingest target of 4,000 resources/s depends on).
func BenchmarkExtract(b *testing.B) {
	rs := synthResources(b, 20)
	x := &Extractor{Registry: NewRegistry()}
	for _, r := range rs { // compile the plans outside the timing
		_, _ = x.Extract(r, "")
	}
	b.ResetTimer()
	n := 0
	for b.Loop() {
		for _, r := range rs {
			if _, err := x.Extract(r, ""); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "resources/s")
}

func mustParse(t *testing.T, s string) fhir.Resource {
	t.Helper()
	r, err := fhir.ParseResource([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return r
}
