package search

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/store"
)

var registry = NewRegistry()

func parse(t *testing.T, typ, query string) *Request {
	t.Helper()
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	r, err := registry.Parse(typ, q, Options{Base: "https://example.org/fhir"})
	if err != nil {
		t.Fatalf("%s?%s: %v", typ, query, err)
	}
	return r
}

func TestParseClauses(t *testing.T) {
	day := func(s string) (time.Time, time.Time) {
		lo, hi, err := DateRange(s)
		if err != nil {
			t.Fatal(err)
		}
		return lo, hi
	}
	lo1960, hi1960 := day("1960")
	tests := []struct {
		typ, query string
		want       []store.Clause
	}{
		{"Patient", "identifier=https://fhir.nhs.uk/Id/nhs-number|9434765919",
			[]store.Clause{{Param: "identifier", Kind: store.KindToken, Values: []store.Value{{System: "https://fhir.nhs.uk/Id/nhs-number", HasSystem: true, Code: "9434765919"}}}}},
		{"Patient", "family=Smí", []store.Clause{{Param: "family", Kind: store.KindString, Values: []store.Value{{Text: "smi"}}}}},
		{"Patient", "family:exact=Smí", []store.Clause{{Param: "family", Kind: store.KindString, Modifier: "exact", Values: []store.Value{{Text: "Smí"}}}}},
		{"Patient", "birthdate=ge1960", []store.Clause{{Param: "birthdate", Kind: store.KindDate, Values: []store.Value{{Prefix: "ge", Low: lo1960, High: hi1960}}}}},
		{"Patient", "gender=male,female", []store.Clause{{Param: "gender", Kind: store.KindToken, Values: []store.Value{{Code: "male"}, {Code: "female"}}}}},
		{"Patient", "gender:missing=true", []store.Clause{{Param: "gender", Kind: store.KindToken, Modifier: "missing", Values: []store.Value{{Missing: true}}}}},
		{"Patient", "identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|123",
			[]store.Clause{{Param: "identifier:of-type", Kind: store.KindToken, Values: []store.Value{{System: "http://terminology.hl7.org/CodeSystem/v2-0203", HasSystem: true, Code: "MR|123"}}}}},
		{"Observation", "subject=Patient/p1", []store.Clause{{Param: "subject", Kind: store.KindReference, Values: []store.Value{{TargetType: "Patient", TargetID: "p1"}}}}},
		{"Observation", "subject:Patient=p1", []store.Clause{{Param: "subject", Kind: store.KindReference, Modifier: "Patient", Values: []store.Value{{TargetType: "Patient", TargetID: "p1"}}}}},
		{"Observation", "subject=https://example.org/fhir/Patient/p1", []store.Clause{{Param: "subject", Kind: store.KindReference, Values: []store.Value{{TargetType: "Patient", TargetID: "p1"}}}}},
		{"Observation", "subject=http://other.org/fhir/Patient/p1", []store.Clause{{Param: "subject", Kind: store.KindReference, Values: []store.Value{{Text: "http://other.org/fhir/Patient/p1"}}}}},
		{"Observation", "value-quantity=gt5.4|http://unitsofmeasure.org|mg",
			[]store.Clause{{Param: "value-quantity", Kind: store.KindQuantity, Values: []store.Value{{Prefix: "gt", NumLow: 5.4, NumHigh: 5.4,
				System: "http://unitsofmeasure.org", HasSystem: true, Code: "mg", Canonical: "g", CanonicalLow: 0.0054, CanonicalHigh: 0.0054}}}}},
		{"Observation", "subject:Patient.name=smith", []store.Clause{{Param: "subject", Kind: store.KindReference,
			Chain: &store.Query{Type: "Patient", Clauses: []store.Clause{{Param: "name", Kind: store.KindString, Values: []store.Value{{Text: "smith"}}}}}}}},
		{"Patient", "_has:Observation:patient:code=1234", []store.Clause{{Param: "patient", Kind: store.KindHas,
			Has: &store.Query{Type: "Observation", Clauses: []store.Clause{{Param: "code", Kind: store.KindToken, Values: []store.Value{{Code: "1234"}}}}}}}},
		{"Observation", "code-value-quantity=http://loinc.org|8480-6$gt100",
			[]store.Clause{{Param: "code-value-quantity", Kind: store.KindComposite, Components: []store.ParamKind{store.KindToken, store.KindQuantity},
				Values: []store.Value{{Components: []store.Value{{System: "http://loinc.org", HasSystem: true, Code: "8480-6"}, {Prefix: "gt", NumLow: 100, NumHigh: 100}}}}}}},
		{"Location", "near=53.8|-1.55|10|km", []store.Clause{{Param: "near", Kind: store.KindSpecial, Values: []store.Value{{Lat: 53.8, Long: -1.55, Distance: 10}}}}},
		{"Patient", `name=a\,b`, []store.Clause{{Param: "name", Kind: store.KindString, Values: []store.Value{{Text: "a,b"}}}}},
		{"", "_content=chest pain", []store.Clause{{Param: "_content", Kind: store.KindText, Values: []store.Value{{Text: "chest pain"}}}}},
	}
	for _, tt := range tests {
		r := parse(t, tt.typ, tt.query)
		if len(r.Unknown) > 0 {
			t.Errorf("%s?%s: unknown %v", tt.typ, tt.query, r.Unknown)
		}
		if diff := cmp.Diff(tt.want, r.Query.Clauses); diff != "" {
			t.Errorf("%s?%s (-want +got):\n%s", tt.typ, tt.query, diff)
		}
	}
}

func TestParseResultParameters(t *testing.T) {
	r := parse(t, "Condition", "code=x&_include=Condition:subject&_revinclude:iterate=Provenance:target&_sort=-onset-date,_id&_count=5000&_total=accurate&_summary=data&_elements=code,subject&_format=json")
	q := r.Query
	want := store.Query{Type: "Condition", Count: 1000, CountTotal: true,
		Clauses: []store.Clause{{Param: "code", Kind: store.KindToken, Values: []store.Value{{Code: "x"}}}},
		Include: []store.Include{{Type: "Condition", Param: "subject"}, {Reverse: true, Type: "Provenance", Param: "target", Iterate: true}},
		Sort:    []store.SortKey{{Param: "onset-date", Kind: store.KindDate, Desc: true}, {Param: "_id"}},
	}
	if diff := cmp.Diff(want, q); diff != "" {
		t.Errorf("query (-want +got):\n%s", diff)
	}
	if r.Summary != "data" || !cmp.Equal(r.Elements, []string{"code", "subject"}) || r.Total != "accurate" {
		t.Errorf("summary %q elements %v total %q", r.Summary, r.Elements, r.Total)
	}
	if _, ok := r.Applied["_format"]; ok {
		t.Errorf("_format in the self link: %v", r.Applied)
	}
	if got := r.Applied.Get("_count"); got != "1000" {
		t.Errorf("applied _count %q, want the bound 1000", got)
	}
}

func TestParseTotal(t *testing.T) {
	tests := []struct {
		query                  string
		count, cheap, estimate bool // CountTotal, CheapTotal, EstimateTotal
	}{
		{"_total=none", false, false, false},
		{"_total=estimate", false, true, true},
		{"_total=accurate", true, false, false},
	}
	for _, tt := range tests {
		q := parse(t, "Patient", tt.query).Query
		if q.CountTotal != tt.count || q.CheapTotal != tt.cheap || q.EstimateTotal != tt.estimate {
			t.Errorf("%s: CountTotal %v CheapTotal %v EstimateTotal %v", tt.query, q.CountTotal, q.CheapTotal, q.EstimateTotal)
		}
	}
}

func TestParseUnknown(t *testing.T) {
	for _, q := range []string{"nonsense=1", "family:below=x", "subject:Device.name=x", "_has:Observation:code:code=1", "_sort=nonsense", "_include=Patient:nonsense"} {
		r := parse(t, "Patient", q)
		if len(r.Unknown) != 1 {
			t.Errorf("%s: unknown %v, want one", q, r.Unknown)
		}
		if len(r.Query.Clauses) != 0 || len(r.Applied) != 0 {
			t.Errorf("%s: applied %v", q, r.Applied)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	for _, q := range []string{"birthdate=1960-13", "_count=-1", "_total=some", "gender:missing=maybe",
		"_summary=all", "general-practitioner=a/b/c", "_has:Nope:x:y=1", "identifier=|", "_include=bad"} {
		v, _ := url.ParseQuery(q)
		if _, err := registry.Parse("Patient", v, Options{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: error %v, want ErrInvalid", q, err)
		}
	}
}

func TestCustomParameterIsSearchableOnceIndexed(t *testing.T) {
	r := NewRegistry()
	const url = "http://example.org/sp/eye"
	add := func(version, expression string) *Def {
		t.Helper()
		sp := mustParse(t, `{"resourceType":"SearchParameter","id":"eye","meta":{"versionId":"`+version+`",
			"lastUpdated":"2024-01-01T00:00:00.000Z"},"url":"`+url+`","status":"active",
			"code":"eye-colour","base":["Patient"],"type":"token","expression":"`+expression+`"}`)
		d, err := r.Add(sp.(*fhir.SearchParameter))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	v1 := add("1", "Patient.extension('http://example.org/eye').value")
	if r.Lookup("Patient", "eye-colour") != nil {
		t.Error("a parameter not yet indexed is offered")
	}
	x := &Extractor{Registry: r}
	p := mustParse(t, `{"resourceType":"Patient","extension":[{"url":"http://example.org/eye","valueCode":"blue"}]}`)
	if idx := x.Index(p, ""); !hasToken(idx, "eye-colour", "", "blue") {
		t.Errorf("custom parameter not extracted: %+v", idx.Tokens)
	}
	if !r.MarkIndexed(url, v1.State) || r.Lookup("Patient", "eye-colour") == nil {
		t.Error("an indexed custom parameter is not offered")
	}

	// A new version is pending again, whatever it changed, and an index of an earlier
	// version does not make it searchable.
	same := add("2", "Patient.extension('http://example.org/eye').value")
	changed := add("3", "Patient.extension('http://example.org/eyes').value")
	if same.State == v1.State || changed.State == same.State {
		t.Fatalf("versions share a state: %q %q %q", v1.State, same.State, changed.State)
	}
	if r.Lookup("Patient", "eye-colour") != nil {
		t.Error("a changed parameter is offered before it is reindexed")
	}
	for _, stale := range []string{v1.State, same.State, ""} {
		if r.MarkIndexed(url, stale) {
			t.Errorf("MarkIndexed with the stale state %q succeeded", stale)
		}
	}
	if got := r.Pending(); len(got) != 1 || got[0] != url {
		t.Errorf("pending = %v", got)
	}
	if r.MarkIndexed("http://hl7.org/fhir/SearchParameter/individual-gender", "") {
		t.Error("a specification parameter was marked as a custom one")
	}
	if !r.MarkIndexed(url, changed.State) || len(r.Pending()) != 0 {
		t.Errorf("the current state did not mark the parameter indexed: pending %v", r.Pending())
	}
}

func TestDateRange(t *testing.T) {
	tests := []struct{ in, lo, hi string }{
		{"2020", "2020-01-01T00:00:00Z", "2020-12-31T23:59:59.999999Z"},
		{"2020-02", "2020-02-01T00:00:00Z", "2020-02-29T23:59:59.999999Z"},
		{"2020-02-03", "2020-02-03T00:00:00Z", "2020-02-03T23:59:59.999999Z"},
		{"2020-02-03T10:00:00+01:00", "2020-02-03T09:00:00Z", "2020-02-03T09:00:00.999999Z"},
		{"2020-02-03T10:00:00.5Z", "2020-02-03T10:00:00.5Z", "2020-02-03T10:00:00.599999Z"},
		{"2020-02-03T10:00", "2020-02-03T10:00:00Z", "2020-02-03T10:00:59.999999Z"},
	}
	for _, tt := range tests {
		lo, hi, err := DateRange(tt.in)
		f := "2006-01-02T15:04:05.999999Z07:00"
		if err != nil || lo.Format(f) != tt.lo || hi.Format(f) != tt.hi {
			t.Errorf("DateRange(%q) = %s, %s, %v; want %s, %s", tt.in, lo.Format(f), hi.Format(f), err, tt.lo, tt.hi)
		}
	}
	for _, bad := range []string{"", "20", "2020-1", "2020-02-30", "2020-02-03T25:00:00Z", "2020-02-03T10:00:00.abcZ"} {
		if _, _, err := DateRange(bad); err == nil {
			t.Errorf("DateRange(%q) accepted", bad)
		}
	}
}

func TestNormalizeAndNumbers(t *testing.T) {
	for in, want := range map[string]string{"Émile": "emile", "ZOË": "zoe", "Smith": "smith", "Ångström": "angstrom"} {
		if got := NormalizeString(in); got != want {
			t.Errorf("NormalizeString(%q) = %q, want %q", in, got, want)
		}
	}
	tests := []struct {
		in        string
		v, lo, hi float64
	}{
		{"100", 100, 99.5, 100.5},
		{"100.0", 100, 99.95, 100.05},
		{"1e2", 100, 50, 150},
		{"0.25", 0.25, 0.245, 0.255},
	}
	for _, tt := range tests {
		v, lo, hi, err := NumberRange(tt.in)
		const eps = 1e-9
		if err != nil || v != tt.v || lo < tt.lo-eps || lo > tt.lo+eps || hi < tt.hi-eps || hi > tt.hi+eps {
			t.Errorf("NumberRange(%q) = %v %v %v %v", tt.in, v, lo, hi, err)
		}
	}
}

// FuzzParse checks that no parameter string makes the parser panic, and that what it
// accepts is either applied or reported.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"name=smith", "subject:Patient.name=x", "_has:Observation:patient:code=1", "code-value-quantity=a|b$gt1",
		"date=ap2020-01", "near=1|2|3|mi", "has-member:below=Observation/1,o2", "_include:iterate=Observation:subject:Patient", "_sort=-date,_id", `identifier=a\|b|c`, "value-quantity=1e400"} {
		f.Add("Observation", s)
	}
	f.Fuzz(func(t *testing.T, typ, query string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		r, err := registry.Parse(typ, q, Options{})
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		for k := range q {
			_, applied := r.Applied[k]
			reported := false
			for _, u := range r.Unknown {
				reported = reported || u.Param == k
			}
			if !applied && !reported && !ignored[k] && k != "_cursor" && k != "_type" {
				t.Fatalf("%s neither applied nor reported", k)
			}
		}
	})
}
