package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

func day(y int, m time.Month, d int) (time.Time, time.Time) {
	lo := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return lo, lo.AddDate(0, 0, 1).Add(-time.Microsecond)
}

func month(y int, m time.Month) (time.Time, time.Time) {
	lo := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	return lo, lo.AddDate(0, 1, 0).Add(-time.Microsecond)
}

func year(y int) (time.Time, time.Time) {
	lo := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	return lo, lo.AddDate(1, 0, 0).Add(-time.Microsecond)
}

func dateEntry(param string, lo, hi time.Time) store.DateEntry {
	return store.DateEntry{Param: param, Low: lo, High: hi}
}

const (
	loinc  = "http://loinc.org"
	snomed = "http://snomed.info/sct"
	ucum   = "http://unitsofmeasure.org"
)

// searchFixture writes three patients and three observations whose index rows cover
// every kind, plus a deleted observation that no search may return.
func searchFixture(t *testing.T, s store.Store) {
	lu := func(i int) time.Time { return base.Add(time.Duration(i) * time.Hour) }
	p1lo, p1hi := day(1980, 5, 1)
	p2lo, p2hi := year(1990)
	p3 := time.Date(2000, 1, 1, 10, 0, 0, 0, time.UTC)
	patient := func(id string, i int, x store.Index) {
		put(t, s, store.Write{Resource: store.Resource{Type: "Patient", ID: id, LastUpdated: lu(i)}, Index: x,
			Compartments: []store.Ref{{Type: "Patient", ID: id}}})
	}
	patient("p1", 0, store.Index{
		Strings: []store.StringEntry{{Param: "name", Value: "smith", Exact: "Smith"}, {Param: "name", Value: "john", Exact: "John"}},
		Tokens:  []store.TokenEntry{{Param: "identifier", System: "sys1", Code: "111"}, {Param: "active", Code: "true"}},
		Dates:   []store.DateEntry{dateEntry("birthdate", p1lo, p1hi)},
	})
	patient("p2", 1, store.Index{
		Strings: []store.StringEntry{{Param: "name", Value: "smithson", Exact: "Smithson"}},
		Tokens:  []store.TokenEntry{{Param: "identifier", System: "sys2", Code: "222"}, {Param: "active", Code: "false"}},
		Dates:   []store.DateEntry{dateEntry("birthdate", p2lo, p2hi)},
	})
	patient("p3", 2, store.Index{
		Strings: []store.StringEntry{{Param: "name", Value: "jones", Exact: "Jones"}},
		Dates:   []store.DateEntry{dateEntry("birthdate", p3, p3)},
	})
	o1lo, _ := day(2020, 1, 1)
	_, o1hi := day(2020, 1, 31)
	o2lo, o2hi := day(2021, 6, 1)
	o3lo, _ := day(2022, 1, 1)
	obs := func(id string, i int, subject *store.Ref, x store.Index) {
		w := store.Write{Resource: store.Resource{Type: "Observation", ID: id, LastUpdated: lu(i)}, Index: x}
		if subject != nil {
			w.Links = []store.Ref{*subject}
			w.Compartments = []store.Ref{*subject}
		}
		put(t, s, w)
	}
	obs("o1", 3, &store.Ref{Type: "Patient", ID: "p1"}, store.Index{
		Tokens:     []store.TokenEntry{{Param: "code", System: loinc, Code: "1234", Text: "Glucose"}},
		Quantities: []store.QuantityEntry{{Param: "value-quantity", System: ucum, Code: "mg", Unit: "mg", Low: 5.35, High: 5.45}},
		References: []store.ReferenceEntry{{Param: "subject", TargetType: "Patient", TargetID: "p1"}},
		Dates:      []store.DateEntry{dateEntry("date", o1lo, o1hi)},
		URIs:       []store.URIEntry{{Param: "_profile", Value: "http://x/a"}},
		Numbers:    []store.NumberEntry{{Param: "n", Low: 99.5, High: 100.5, Literal: "100"}},
	})
	obs("o2", 4, &store.Ref{Type: "Patient", ID: "p2"}, store.Index{
		Tokens:     []store.TokenEntry{{Param: "code", System: loinc, Code: "5678"}, {Param: "code", System: snomed, Code: "999"}},
		Quantities: []store.QuantityEntry{{Param: "value-quantity", System: ucum, Code: "mg", Unit: "milligram", Low: 9.95, High: 10.05}},
		References: []store.ReferenceEntry{{Param: "subject", TargetType: "Patient", TargetID: "p2"},
			{Param: "performer", IdentifierSystem: "https://fhir.nhs.uk/Id/ods-organization-code", IdentifierValue: "RR8"}},
		Dates:   []store.DateEntry{dateEntry("date", o2lo, o2hi)},
		URIs:    []store.URIEntry{{Param: "_profile", Value: "http://x/b"}},
		Numbers: []store.NumberEntry{{Param: "n", Low: 199.5, High: 200.5, Literal: "200"}},
	})
	obs("o3", 5, nil, store.Index{
		Tokens:     []store.TokenEntry{{Param: "code", Code: "1234"}},
		References: []store.ReferenceEntry{{Param: "subject", URL: "http://other.example/fhir/Patient/9"}},
		Dates:      []store.DateEntry{dateEntry("date", o3lo, time.Time{})},
	})
	obs("gone", 6, &store.Ref{Type: "Patient", ID: "p1"}, store.Index{
		Tokens: []store.TokenEntry{{Param: "code", System: loinc, Code: "1234"}},
	})
	del(t, s, "Observation", "gone", lu(7))
}

func clause(param string, kind store.ParamKind, mod string, vals ...store.Value) store.Clause {
	return store.Clause{Param: param, Kind: kind, Modifier: mod, Values: vals}
}

func tok(system, code string) store.Value {
	return store.Value{System: system, HasSystem: true, Code: code}
}
func code(c string) store.Value  { return store.Value{Code: c} }
func text(s string) store.Value  { return store.Value{Text: s} }
func missing(m bool) store.Value { return store.Value{Missing: m} }
func dates(prefix string, lo, hi time.Time) store.Value {
	return store.Value{Prefix: prefix, Low: lo, High: hi}
}
func num(prefix string, lo, hi float64) store.Value {
	return store.Value{Prefix: prefix, NumLow: lo, NumHigh: hi}
}

type searchCase struct {
	name    string
	typ     string
	clauses []store.Clause
	want    []string
}

func searchCases() []searchCase {
	y1985lo, y1985hi := year(1985)
	y1989lo, y1989hi := year(1989)
	p3 := time.Date(2000, 1, 1, 10, 0, 0, 0, time.UTC)
	y1980lo, y1980hi := year(1980)
	y1990lo, y1990hi := year(1990)
	d1980lo, d1980hi := day(1980, 5, 1)
	y2000lo, y2000hi := year(2000)
	m2020lo, m2020hi := month(2020, 1)
	y2021lo, y2021hi := year(2021)
	d2021lo, d2021hi := day(2021, 12, 31)
	luAll := base.Add(-time.Hour)
	lu3lo, lu3hi := base.Add(3*time.Hour), base.Add(3*time.Hour+time.Second-time.Nanosecond)
	const P, O = "Patient", "Observation"
	return []searchCase{
		{"type only", P, nil, []string{"Patient/p1", "Patient/p2", "Patient/p3"}},
		{"deleted excluded", O, nil, []string{"Observation/o1", "Observation/o2", "Observation/o3"}},
		{"_id", P, []store.Clause{clause("_id", store.KindID, "", text("p1"), text("p3"))}, []string{"Patient/p1", "Patient/p3"}},
		{"_id all types", "", []store.Clause{clause("_id", store.KindID, "", text("o2"), text("p2"))}, []string{"Observation/o2", "Patient/p2"}},
		{"_id of deleted", O, []store.Clause{clause("_id", store.KindID, "", text("gone"))}, nil},

		{"token system|code", P, []store.Clause{clause("identifier", store.KindToken, "", tok("sys1", "111"))}, []string{"Patient/p1"}},
		{"token system|code wrong system", P, []store.Clause{clause("identifier", store.KindToken, "", tok("sys2", "111"))}, nil},
		{"token code", O, []store.Clause{clause("code", store.KindToken, "", code("1234"))}, []string{"Observation/o1", "Observation/o3"}},
		{"token |code", O, []store.Clause{clause("code", store.KindToken, "", tok("", "1234"))}, []string{"Observation/o3"}},
		{"token system|", O, []store.Clause{clause("code", store.KindToken, "", tok(loinc, ""))}, []string{"Observation/o1", "Observation/o2"}},
		{"token OR", O, []store.Clause{clause("code", store.KindToken, "", tok(snomed, "999"), tok(loinc, "1234"))}, []string{"Observation/o1", "Observation/o2"}},
		{"token :not", O, []store.Clause{clause("code", store.KindToken, "not", tok(loinc, "1234"))}, []string{"Observation/o2", "Observation/o3"}},
		{"token :not absent value", P, []store.Clause{clause("active", store.KindToken, "not", code("true"))}, []string{"Patient/p2", "Patient/p3"}},
		{"token :missing true", P, []store.Clause{clause("identifier", store.KindToken, "missing", missing(true))}, []string{"Patient/p3"}},
		{"token :missing false", P, []store.Clause{clause("identifier", store.KindToken, "missing", missing(false))}, []string{"Patient/p1", "Patient/p2"}},

		{"string starts with", P, []store.Clause{clause("name", store.KindString, "", text("smi"))}, []string{"Patient/p1", "Patient/p2"}},
		{"string whole value", P, []store.Clause{clause("name", store.KindString, "", text("smithson"))}, []string{"Patient/p2"}},
		{"string not a prefix", P, []store.Clause{clause("name", store.KindString, "", text("mith"))}, nil},
		{"string :exact", P, []store.Clause{clause("name", store.KindString, "exact", text("Smith"))}, []string{"Patient/p1"}},
		{"string :exact is case sensitive", P, []store.Clause{clause("name", store.KindString, "exact", text("smith"))}, nil},
		{"string :contains", P, []store.Clause{clause("name", store.KindString, "contains", text("ith"))}, []string{"Patient/p1", "Patient/p2"}},
		{"string :contains OR", P, []store.Clause{clause("name", store.KindString, "contains", text("one"), text("ohn"))}, []string{"Patient/p1", "Patient/p3"}},
		{"string :missing", O, []store.Clause{clause("name", store.KindString, "missing", missing(true))}, []string{"Observation/o1", "Observation/o2", "Observation/o3"}},

		{"date eq day", P, []store.Clause{clause("birthdate", store.KindDate, "", dates("", d1980lo, d1980hi))}, []string{"Patient/p1"}},
		{"date eq year contains instant", P, []store.Clause{clause("birthdate", store.KindDate, "", dates("eq", y2000lo, y2000hi))}, []string{"Patient/p3"}},
		{"date ne", P, []store.Clause{clause("birthdate", store.KindDate, "", dates("ne", d1980lo, d1980hi))}, []string{"Patient/p2", "Patient/p3"}},
		{"date gt", P, []store.Clause{clause("birthdate", store.KindDate, "", dates("gt", y1985lo, y1985hi))}, []string{"Patient/p2", "Patient/p3"}},
		{"date gt excludes the same year", P, []store.Clause{clause("birthdate", store.KindDate, "", dates("gt", y1980lo, y1980hi))}, []string{"Patient/p2", "Patient/p3"}},
		{"date lt excludes the same year", P, []store.Clause{clause("birthdate", store.KindDate, "", dates("lt", y1990lo, y1990hi))}, []string{"Patient/p1"}},
		// Boundaries: p3 is the instant 2000-01-01T10:00:00; ranges are inclusive.
		{"date gt at the boundary", P, []store.Clause{clause("birthdate", store.KindDate, "", dates("gt", p3.Add(-time.Hour), p3))}, nil},
		{"date sa at the boundary", P, []store.Clause{clause("birthdate", store.KindDate, "", dates("sa", p3.Add(-time.Hour), p3))}, nil},
		{"date eb at the boundary", P, []store.Clause{clause("birthdate", store.KindDate, "", dates("eb", p3, p3.Add(time.Hour)))}, []string{"Patient/p1", "Patient/p2"}},
		{"date ap at the boundary", P, []store.Clause{clause("birthdate", store.KindDate, "", dates("ap", p3, p3))}, []string{"Patient/p3"}},
		{"date lt", P, []store.Clause{clause("birthdate", store.KindDate, "", dates("lt", y1985lo, y1985hi))}, []string{"Patient/p1"}},
		{"date ge includes eq", P, []store.Clause{clause("birthdate", store.KindDate, "", dates("ge", d1980lo, d1980hi))}, []string{"Patient/p1", "Patient/p2", "Patient/p3"}},
		{"date le includes eq", P, []store.Clause{clause("birthdate", store.KindDate, "", dates("le", y2000lo, y2000hi))}, []string{"Patient/p1", "Patient/p2", "Patient/p3"}},
		{"date le", P, []store.Clause{clause("birthdate", store.KindDate, "", dates("le", y1985lo, y1985hi))}, []string{"Patient/p1"}},
		{"date sa", P, []store.Clause{clause("birthdate", store.KindDate, "", dates("sa", d1980lo, d1980hi))}, []string{"Patient/p2", "Patient/p3"}},
		{"date eb", P, []store.Clause{clause("birthdate", store.KindDate, "", dates("eb", y2000lo, y2000hi))}, []string{"Patient/p1", "Patient/p2"}},
		// ap widens 1989 by a tenth of its distance from now (3 to 9 years while this code
		// lives), so it reaches the 1990 birth date but neither 1980 nor 2000.
		{"date ap", P, []store.Clause{clause("birthdate", store.KindDate, "", dates("ap", y1989lo, y1989hi))}, []string{"Patient/p2"}},
		{"date eq is not ap", P, []store.Clause{clause("birthdate", store.KindDate, "", dates("eq", y1989lo, y1989hi))}, nil},
		{"date period within month", O, []store.Clause{clause("date", store.KindDate, "", dates("eq", m2020lo, m2020hi))}, []string{"Observation/o1"}},
		{"date open-ended period gt", O, []store.Clause{clause("date", store.KindDate, "", dates("gt", d2021lo, d2021hi))}, []string{"Observation/o3"}},
		{"date open-ended period not eq", O, []store.Clause{clause("date", store.KindDate, "", dates("eq", y2021lo, y2021hi))}, []string{"Observation/o2"}},
		{"date open search range", O, []store.Clause{clause("date", store.KindDate, "", dates("ge", y2021lo, time.Time{}))}, []string{"Observation/o2", "Observation/o3"}},
		{"date AND", O, []store.Clause{clause("date", store.KindDate, "", dates("ge", m2020lo, m2020hi)),
			clause("date", store.KindDate, "", dates("lt", y2021lo, y2021hi))}, []string{"Observation/o1"}},

		{"number eq", O, []store.Clause{clause("n", store.KindNumber, "", num("", 99.5, 100.5))}, []string{"Observation/o1"}},
		{"number eq other precision", O, []store.Clause{clause("n", store.KindNumber, "", num("eq", 99.95, 100.05))}, nil},
		{"number gt", O, []store.Clause{clause("n", store.KindNumber, "", num("gt", 149.5, 150.5))}, []string{"Observation/o2"}},
		{"number le", O, []store.Clause{clause("n", store.KindNumber, "", num("le", 199.5, 200.5))}, []string{"Observation/o1", "Observation/o2"}},
		{"number ap", O, []store.Clause{clause("n", store.KindNumber, "", num("ap", 104.5, 105.5))}, []string{"Observation/o1"}},
		{"number :missing", O, []store.Clause{clause("n", store.KindNumber, "missing", missing(true))}, []string{"Observation/o3"}},

		{"quantity value and unit", O, []store.Clause{clause("value-quantity", store.KindQuantity, "",
			store.Value{NumLow: 5.35, NumHigh: 5.45, System: ucum, Code: "mg"})}, []string{"Observation/o1"}},
		{"quantity unit as written", O, []store.Clause{clause("value-quantity", store.KindQuantity, "",
			store.Value{Prefix: "gt", NumLow: 5.5, NumHigh: 6.5, Code: "milligram"})}, []string{"Observation/o2"}},
		{"quantity other unit", O, []store.Clause{clause("value-quantity", store.KindQuantity, "",
			store.Value{NumLow: 5.35, NumHigh: 5.45, Code: "kg"})}, nil},
		{"quantity lt without unit", O, []store.Clause{clause("value-quantity", store.KindQuantity, "", num("lt", 9.5, 10.5))}, []string{"Observation/o1"}},

		{"reference Type/id", O, []store.Clause{clause("subject", store.KindReference, "",
			store.Value{TargetType: "Patient", TargetID: "p1"})}, []string{"Observation/o1"}},
		{"reference id only", O, []store.Clause{clause("subject", store.KindReference, "",
			store.Value{TargetID: "p2"})}, []string{"Observation/o2"}},
		{"reference :Type", O, []store.Clause{clause("subject", store.KindReference, "Patient",
			store.Value{TargetID: "p1"}, store.Value{TargetID: "p2"})}, []string{"Observation/o1", "Observation/o2"}},
		{"reference wrong type", O, []store.Clause{clause("subject", store.KindReference, "Group",
			store.Value{TargetID: "p1"})}, nil},
		{"reference absolute URL", O, []store.Clause{clause("subject", store.KindReference, "",
			text("http://other.example/fhir/Patient/9"))}, []string{"Observation/o3"}},
		{"reference :identifier", O, []store.Clause{clause("performer", store.KindReference, "identifier",
			tok("https://fhir.nhs.uk/Id/ods-organization-code", "RR8"))}, []string{"Observation/o2"}},
		{"reference :missing false", O, []store.Clause{clause("performer", store.KindReference, "missing", missing(false))}, []string{"Observation/o2"}},

		{"uri exact", O, []store.Clause{clause("_profile", store.KindURI, "", text("http://x/a"))}, []string{"Observation/o1"}},
		{"uri is not a prefix", O, []store.Clause{clause("_profile", store.KindURI, "", text("http://x/"))}, nil},
		{"uri :below", O, []store.Clause{clause("_profile", store.KindURI, "below", text("http://x/"))}, []string{"Observation/o1", "Observation/o2"}},

		{"_lastUpdated ge", "", []store.Clause{clause("_lastUpdated", store.KindLastUpdated, "", dates("ge", lu3lo, lu3hi))},
			[]string{"Observation/o1", "Observation/o2", "Observation/o3"}},
		{"_lastUpdated eq", "", []store.Clause{clause("_lastUpdated", store.KindLastUpdated, "", dates("", lu3lo, lu3hi))}, []string{"Observation/o1"}},
		{"_lastUpdated lt", P, []store.Clause{clause("_lastUpdated", store.KindLastUpdated, "", dates("lt", lu3lo, lu3hi))},
			[]string{"Patient/p1", "Patient/p2", "Patient/p3"}},
		{"_lastUpdated gt everything", "", []store.Clause{clause("_lastUpdated", store.KindLastUpdated, "", dates("gt", luAll.Add(1000*time.Hour), time.Time{}))}, nil},

		{"AND across kinds", O, []store.Clause{clause("code", store.KindToken, "", code("1234")),
			clause("subject", store.KindReference, "", store.Value{TargetType: "Patient", TargetID: "p1"})}, []string{"Observation/o1"}},
		{"param of another type does not match", P, []store.Clause{clause("code", store.KindToken, "", code("1234"))}, nil},
	}
}

func testSearch(t *testing.T, s store.Store) {
	searchFixture(t, s)
	for _, tc := range searchCases() {
		t.Run(tc.name, func(t *testing.T) {
			q := store.Query{Type: tc.typ, Clauses: tc.clauses, CountTotal: true}
			page, err := s.Search(context.Background(), nil, q)
			if err != nil {
				t.Fatalf("search: %v", err)
			}
			if got := ids(page.Resources); !equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if page.Total != len(tc.want) || page.NextKey != "" {
				t.Errorf("total %d next %q, want %d and no next page", page.Total, page.NextKey, len(tc.want))
			}
			// The same query inside a write transaction sees the same.
			if err := s.Write(context.Background(), func(tx store.Tx) error {
				page, err := tx.Search(context.Background(), q)
				if err == nil && !equal(ids(page.Resources), tc.want) {
					err = fmt.Errorf("in a write: got %v", ids(page.Resources))
				}
				return err
			}); err != nil {
				t.Error(err)
			}
		})
	}
}

func testSearchPaging(t *testing.T, s store.Store) {
	ctx := context.Background()
	const n = 7
	var want []string
	for i := range n {
		id := fmt.Sprintf("b%d", i)
		put(t, s, store.Write{Resource: store.Resource{Type: "Basic", ID: id}})
		want = append(want, "Basic/"+id)
	}
	for _, count := range []int{1, 3, 7, 10} {
		var got []string
		q := store.Query{Type: "Basic", Count: count, CountTotal: true}
		for page := 0; ; page++ {
			if page > n {
				t.Fatalf("count %d: paging does not end", count)
			}
			p, err := s.Search(ctx, nil, q)
			if err != nil {
				t.Fatal(err)
			}
			if p.Total != n || len(p.Resources) > count {
				t.Fatalf("count %d: total %d, page of %d", count, p.Total, len(p.Resources))
			}
			got = append(got, ids(p.Resources)...)
			if page == 0 {
				// Updating a resource already seen must not move it into a later page.
				put(t, s, store.Write{Resource: store.Resource{Type: "Basic", ID: "b0"}})
			}
			if p.NextKey == "" {
				break
			}
			q.AfterKey = p.NextKey
		}
		if !equalSorted(got, want) {
			t.Errorf("count %d: pages %v, want %v", count, got, want)
		}
	}
	p, err := s.Search(ctx, nil, store.Query{Type: "Basic", Count: -1, CountTotal: true})
	if err != nil || p.Total != n || len(p.Resources) != 0 {
		t.Fatalf("count only: %v, total %d, %d resources", err, p.Total, len(p.Resources))
	}
	p, err = s.Search(ctx, nil, store.Query{Type: "Basic"})
	if err != nil || p.Total != -1 || len(p.Resources) != n {
		t.Fatalf("without CountTotal: %v, total %d, %d resources", err, p.Total, len(p.Resources))
	}
}

func equalSorted(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		if seen[x] != 1 {
			return false
		}
	}
	return true
}

func testSearchInvalid(t *testing.T, s store.Store) {
	tests := []struct {
		name string
		q    store.Query
	}{
		{"bad paging key", store.Query{Type: "Patient", AfterKey: "not a key!"}},
		{"token :contains", store.Query{Type: "Patient", Clauses: []store.Clause{clause("identifier", store.KindToken, "contains", code("1"))}}},
		{"string :not", store.Query{Type: "Patient", Clauses: []store.Clause{clause("name", store.KindString, "not", text("a"))}}},
		{"prefix on a token", store.Query{Type: "Patient", Clauses: []store.Clause{clause("identifier", store.KindToken, "", store.Value{Prefix: "gt", Code: "1"})}}},
		{"unknown prefix", store.Query{Type: "Patient", Clauses: []store.Clause{clause("birthdate", store.KindDate, "", dates("xx", base, base))}}},
		{"clause without values", store.Query{Type: "Patient", Clauses: []store.Clause{clause("name", store.KindString, "")}}},
		{"unknown kind", store.Query{Type: "Patient", Clauses: []store.Clause{clause("x", 99, "", text("a"))}}},
		{"reference without target", store.Query{Type: "Observation", Clauses: []store.Clause{clause("subject", store.KindReference, "", store.Value{})}}},
		{"reference :below without a hierarchy", store.Query{Type: "Encounter", Clauses: []store.Clause{clause("location", store.KindReference, "below",
			store.Value{TargetType: "Location", TargetID: "l1"})}}},
		{"reference :above without a type", store.Query{Type: "Encounter", Clauses: []store.Clause{clause("location", store.KindReference, "above",
			store.Value{TargetID: "l1", Hierarchy: "partof"})}}},
		{"near without a distance", store.Query{Type: "Location", Clauses: []store.Clause{clause("near", store.KindSpecial, "", store.Value{Lat: 1, Long: 2})}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Search(context.Background(), nil, tc.q)
			if !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
		})
	}
}

// testIndexReplacement: each version's rows replace the previous version's; a delete
// removes them.
func testIndexReplacement(t *testing.T, s store.Store) {
	ctx := context.Background()
	tokens := func(c string) store.Index {
		return store.Index{Tokens: []store.TokenEntry{{Param: "code", System: loinc, Code: c}},
			Strings: []store.StringEntry{{Param: "text", Value: c, Exact: c}}}
	}
	find := func(c string) []string {
		t.Helper()
		p, err := s.Search(ctx, nil, store.Query{Type: "Observation", Clauses: []store.Clause{
			clause("code", store.KindToken, "", tok(loinc, c))}})
		if err != nil {
			t.Fatal(err)
		}
		q, err := s.Search(ctx, nil, store.Query{Type: "Observation", Clauses: []store.Clause{
			clause("text", store.KindString, "exact", text(c))}})
		if err != nil {
			t.Fatal(err)
		}
		if !equal(ids(p.Resources), ids(q.Resources)) {
			t.Fatalf("token and string index disagree: %v, %v", ids(p.Resources), ids(q.Resources))
		}
		return ids(p.Resources)
	}
	put(t, s, store.Write{Resource: store.Resource{Type: "Observation", ID: "o"}, Index: tokens("a")})
	put(t, s, store.Write{Resource: store.Resource{Type: "Observation", ID: "other"}, Index: tokens("a")})
	put(t, s, store.Write{Resource: store.Resource{Type: "Observation", ID: "o"}, Index: tokens("b")})
	if got := find("a"); !equal(got, []string{"Observation/other"}) {
		t.Fatalf("old value after update: %v", got)
	}
	if got := find("b"); !equal(got, []string{"Observation/o"}) {
		t.Fatalf("new value after update: %v", got)
	}
	del(t, s, "Observation", "o", time.Time{})
	if got := find("b"); len(got) != 0 {
		t.Fatalf("value after delete: %v", got)
	}
	put(t, s, store.Write{Resource: store.Resource{Type: "Observation", ID: "o"}, Index: tokens("c")})
	if got := find("c"); !equal(got, []string{"Observation/o"}) {
		t.Fatalf("value after re-create: %v", got)
	}
}
