package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// graphFixture writes an organisation, two practitioners in it, three patients (two
// with a GP), observations about them and a provenance, for chains, _has and includes.
func graphFixture(t *testing.T, s store.Store) {
	ref := func(param, typ, id string) store.ReferenceEntry {
		return store.ReferenceEntry{Param: param, TargetType: typ, TargetID: id}
	}
	w := func(typ, id string, x store.Index, comps ...string) {
		var cs []store.Ref
		for _, c := range comps {
			cs = append(cs, store.Ref{Type: "Patient", ID: c})
		}
		put(t, s, store.Write{Resource: store.Resource{Type: typ, ID: id}, Index: x, Compartments: cs})
	}
	w("Organization", "org1", store.Index{Strings: []store.StringEntry{{Param: "name", Value: "leeds gp", Exact: "Leeds GP"}}})
	w("Practitioner", "dr1", store.Index{Strings: []store.StringEntry{{Param: "name", Value: "who", Exact: "Who"}},
		References: []store.ReferenceEntry{ref("organization", "Organization", "org1")}})
	w("Practitioner", "dr2", store.Index{Strings: []store.StringEntry{{Param: "name", Value: "house", Exact: "House"}}})
	w("Patient", "p1", store.Index{Strings: []store.StringEntry{{Param: "family", Value: "smith", Exact: "Smith"}},
		References: []store.ReferenceEntry{ref("general-practitioner", "Practitioner", "dr1")},
		Dates:      []store.DateEntry{{Param: "birthdate", Low: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC), High: time.Date(1960, 1, 1, 23, 59, 59, 999999000, time.UTC)}}}, "p1")
	w("Patient", "p2", store.Index{Strings: []store.StringEntry{{Param: "family", Value: "jones", Exact: "Jones"}},
		References: []store.ReferenceEntry{ref("general-practitioner", "Practitioner", "dr2")},
		Dates:      []store.DateEntry{{Param: "birthdate", Low: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), High: time.Date(1970, 1, 1, 23, 59, 59, 999999000, time.UTC)}}}, "p2")
	w("Patient", "p3", store.Index{Strings: []store.StringEntry{{Param: "family", Value: "smithson", Exact: "Smithson"}}}, "p3")
	obs := func(id, patient, code string, day int, value float64) {
		w("Observation", id, store.Index{
			Tokens:     []store.TokenEntry{{Param: "code", System: loinc, Code: code}},
			References: []store.ReferenceEntry{ref("subject", "Patient", patient), ref("patient", "Patient", patient), ref("performer", "Practitioner", "dr1")},
			Dates:      []store.DateEntry{{Param: "date", Low: time.Date(2020, 1, day, 0, 0, 0, 0, time.UTC), High: time.Date(2020, 1, day, 0, 0, 0, 0, time.UTC)}},
			Quantities: []store.QuantityEntry{{Param: "value-quantity", System: ucum, Code: "g", Low: value, High: value, CanonicalCode: "g", CanonicalLow: value, CanonicalHigh: value}},
			Composites: []store.CompositeEntry{{Param: "code-value-quantity", Parts: []store.CompositePart{{System: loinc, Code: code}, {System: ucum, Code: "g", Low: value, High: value}}}},
		}, patient)
	}
	obs("o1", "p1", "8867-4", 1, 60)
	obs("o2", "p1", "8867-4", 2, 80)
	obs("o3", "p2", "8480-6", 3, 120)
	obs("o4", "p3", "8867-4", 4, 100)
	w("Provenance", "prov1", store.Index{References: []store.ReferenceEntry{ref("target", "Observation", "o3"), ref("agent", "Practitioner", "dr2")}})
	w("Location", "loc1", store.Index{Composites: []store.CompositeEntry{{Param: "near", Parts: []store.CompositePart{{Low: 53.8, High: 53.8}, {Low: -1.55, High: -1.55}}}}})
	w("Location", "loc2", store.Index{Composites: []store.CompositeEntry{{Param: "near", Parts: []store.CompositePart{{Low: 51.5, High: 51.5}, {Low: -0.12, High: -0.12}}}}})
	w("DocumentReference", "doc1", store.Index{Texts: []store.TextEntry{{Param: "_content", Value: "Discharge summary: chest pain resolved"}}})
	w("DocumentReference", "doc2", store.Index{Texts: []store.TextEntry{{Param: "_content", Value: "Asthma review"}}})
}

func chain(param, typ string, clauses ...store.Clause) store.Clause {
	return store.Clause{Param: param, Kind: store.KindReference, Chain: &store.Query{Type: typ, Clauses: clauses}}
}

func has(typ, param string, clauses ...store.Clause) store.Clause {
	return store.Clause{Param: param, Kind: store.KindHas, Has: &store.Query{Type: typ, Clauses: clauses}}
}

func testSearchGraph(t *testing.T, s store.Store) {
	graphFixture(t, s)
	g := func(v float64) store.Value { return store.Value{Prefix: "gt", NumLow: v, NumHigh: v} }
	cases := []struct {
		name    string
		q       store.Query
		want    []string
		include []string
	}{
		{"chain", store.Query{Type: "Observation", Clauses: []store.Clause{chain("subject", "Patient", clause("family", store.KindString, "", text("smith")))}},
			[]string{"Observation/o1", "Observation/o2", "Observation/o4"}, nil},
		{"chain of two", store.Query{Type: "Observation", Clauses: []store.Clause{chain("subject", "Patient",
			chain("general-practitioner", "Practitioner", clause("name", store.KindString, "", text("who"))))}},
			[]string{"Observation/o1", "Observation/o2"}, nil},
		{"chain of three, untyped", store.Query{Type: "Observation", Clauses: []store.Clause{chain("subject", "",
			chain("general-practitioner", "", chain("organization", "", clause("name", store.KindString, "", text("leeds")))))}},
			[]string{"Observation/o1", "Observation/o2"}, nil},
		{"_has", store.Query{Type: "Patient", Clauses: []store.Clause{has("Observation", "subject", clause("code", store.KindToken, "", tok(loinc, "8480-6")))}},
			[]string{"Patient/p2"}, nil},
		{"_has nested", store.Query{Type: "Patient", Clauses: []store.Clause{has("Observation", "subject",
			has("Provenance", "target", clause("agent", store.KindReference, "", store.Value{TargetType: "Practitioner", TargetID: "dr2"})))}},
			[]string{"Patient/p2"}, nil},
		{"composite", store.Query{Type: "Observation", Clauses: []store.Clause{{Param: "code-value-quantity", Kind: store.KindComposite,
			Components: []store.ParamKind{store.KindToken, store.KindQuantity},
			Values:     []store.Value{{Components: []store.Value{tok(loinc, "8867-4"), g(70)}}}}}},
			[]string{"Observation/o2", "Observation/o4"}, nil},
		{"quantity canonical", store.Query{Type: "Observation", Clauses: []store.Clause{clause("value-quantity", store.KindQuantity, "",
			store.Value{Prefix: "ge", NumLow: 0.1, NumHigh: 0.1, Code: "kg", Canonical: "g", CanonicalLow: 100, CanonicalHigh: 100})}},
			[]string{"Observation/o3", "Observation/o4"}, nil},
		{"near", store.Query{Type: "Location", Clauses: []store.Clause{clause("near", store.KindSpecial, "", store.Value{Lat: 53.79, Long: -1.54, Distance: 10})}},
			[]string{"Location/loc1"}, nil},
		{"text", store.Query{Type: "DocumentReference", Clauses: []store.Clause{clause("_content", store.KindText, "", text("chest pain"))}},
			[]string{"DocumentReference/doc1"}, nil},
		{"compartment", store.Query{Type: "Observation", Clauses: []store.Clause{clause("", store.KindCompartment, "", store.Value{TargetType: "Patient", TargetID: "p1"})}},
			[]string{"Observation/o1", "Observation/o2"}, nil},
		{"include", store.Query{Type: "Observation", Clauses: []store.Clause{clause("code", store.KindToken, "", tok(loinc, "8480-6"))},
			Include: []store.Include{{Type: "Observation", Param: "subject"}}},
			[]string{"Observation/o3"}, []string{"Patient/p2"}},
		{"include iterate", store.Query{Type: "Observation", Clauses: []store.Clause{clause("code", store.KindToken, "", tok(loinc, "8480-6"))},
			Include: []store.Include{{Type: "Observation", Param: "subject"}, {Type: "Patient", Param: "general-practitioner", Iterate: true}}},
			[]string{"Observation/o3"}, []string{"Patient/p2", "Practitioner/dr2"}},
		{"include *", store.Query{Type: "Practitioner", Clauses: []store.Clause{clause("_id", store.KindID, "", text("dr1"))},
			Include: []store.Include{{Type: "Practitioner", Param: "*"}}},
			[]string{"Practitioner/dr1"}, []string{"Organization/org1"}},
		{"revinclude", store.Query{Type: "Patient", Clauses: []store.Clause{clause("_id", store.KindID, "", text("p2"))},
			Include: []store.Include{{Reverse: true, Type: "Observation", Param: "subject"}, {Reverse: true, Type: "Provenance", Param: "target", Iterate: true}}},
			[]string{"Patient/p2"}, []string{"Observation/o3", "Provenance/prov1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.Search(context.Background(), nil, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(p.Resources); !equal(got, tc.want) {
				t.Errorf("matches %v, want %v", got, tc.want)
			}
			if got := ids(p.Included); !equal(got, tc.include) {
				t.Errorf("included %v, want %v", got, tc.include)
			}
		})
	}
	// The access filter applies inside chains and to includes: a caller limited to
	// Observation cannot learn about patients through them.
	f := &store.AccessFilter{Types: []string{"Observation"}}
	p, err := s.Search(context.Background(), f, cases[0].q)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Resources) != 0 {
		t.Errorf("chain through a hidden type matched %v", ids(p.Resources))
	}
	p, err = s.Search(context.Background(), f, cases[10].q)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Included) != 0 {
		t.Errorf("include of a hidden type returned %v", ids(p.Included))
	}
}

// testSearchSort pages through a multi-key sort and checks order, and that totals are
// given when cheap.
func testSearchSort(t *testing.T, s store.Store) {
	for i := range 25 {
		put(t, s, store.Write{Resource: store.Resource{Type: "Encounter", ID: fmt.Sprintf("e%02d", i)}, Index: store.Index{
			Tokens: []store.TokenEntry{{Param: "status", Code: []string{"finished", "planned", "cancelled"}[i%3]}},
			Dates:  []store.DateEntry{{Param: "date", Low: time.Date(2020, 1, 1+i%5, 0, 0, 0, 0, time.UTC), High: time.Date(2020, 1, 1+i%5, 23, 0, 0, 0, time.UTC)}},
		}})
	}
	q := store.Query{Type: "Encounter", Count: 4, CheapTotal: true,
		Sort: []store.SortKey{{Param: "status", Kind: store.KindToken}, {Param: "date", Kind: store.KindDate, Desc: true}}}
	var got []*store.Resource
	for {
		p, err := s.Search(context.Background(), nil, q)
		if err != nil {
			t.Fatal(err)
		}
		// A cheap total is the count, or absent when counting took too long.
		if q.AfterKey == "" && p.Total != 25 && p.Total != -1 {
			t.Errorf("cheap total %d, want 25", p.Total)
		}
		got = append(got, p.Resources...)
		if p.NextKey == "" {
			break
		}
		q.AfterKey = p.NextKey
	}
	if len(got) != 25 {
		t.Fatalf("%d resources over the pages, want 25", len(got))
	}
	key := func(id string) (string, int) {
		var i int
		fmt.Sscanf(id, "e%d", &i)
		return []string{"finished", "planned", "cancelled"}[i%3], i % 5
	}
	for i := 1; i < len(got); i++ {
		s0, d0 := key(got[i-1].ID)
		s1, d1 := key(got[i].ID)
		if s0 > s1 || s0 == s1 && d0 < d1 {
			t.Fatalf("%s before %s breaks status asc, date desc", got[i-1].ID, got[i].ID)
		}
	}
}

// testSearchPagingConcurrent pages through a type while writers add and update
// resources: every resource that existed before paging began is returned exactly once.
func testSearchPagingConcurrent(t *testing.T, s store.Store) {
	for i := range 60 {
		put(t, s, store.Write{Resource: store.Resource{Type: "Basic", ID: fmt.Sprintf("b%02d", i)},
			Index: store.Index{Tokens: []store.TokenEntry{{Param: "code", Code: "x"}}}})
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			put(t, s, store.Write{Resource: store.Resource{Type: "Basic", ID: fmt.Sprintf("n%03d", i)},
				Index: store.Index{Tokens: []store.TokenEntry{{Param: "code", Code: "x"}}}})
			put(t, s, store.Write{Resource: store.Resource{Type: "Basic", ID: fmt.Sprintf("b%02d", i%60)},
				Index: store.Index{Tokens: []store.TokenEntry{{Param: "code", Code: "x"}}}})
		}
	}()
	seen := map[string]int{}
	q := store.Query{Type: "Basic", Count: 7, Clauses: []store.Clause{clause("code", store.KindToken, "", code("x"))}}
	for {
		p, err := s.Search(context.Background(), nil, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Resources {
			seen[r.ID]++
		}
		if p.NextKey == "" {
			break
		}
		q.AfterKey = p.NextKey
	}
	close(stop)
	wg.Wait()
	for id, n := range seen {
		if n > 1 {
			t.Errorf("%s returned %d times", id, n)
		}
	}
	for i := range 60 {
		if id := fmt.Sprintf("b%02d", i); seen[id] != 1 {
			t.Errorf("%s returned %d times, want once", id, seen[id])
		}
	}
}

// testReindex replaces the rows of the version a reindex read, without a new version,
// and refuses to when another version has been committed since.
func testReindex(t *testing.T, s store.Store) {
	ctx := context.Background()
	reindex := func(v *store.Resource, codes ...string) error {
		w := &store.Write{Resource: store.Resource{Type: v.Type, ID: v.ID, Seq: v.Seq}}
		for _, c := range codes {
			w.Index.Tokens = append(w.Index.Tokens, store.TokenEntry{Param: "code", Code: c})
		}
		return s.Write(ctx, func(tx store.Tx) error { return tx.Reindex(ctx, w) })
	}
	expect := func(step string, version int64, codes map[string]bool) {
		t.Helper()
		for _, c := range []string{"v1", "v1-reindexed", "v2", "stale"} {
			p, err := s.Search(ctx, nil, store.Query{Type: "Basic", Clauses: []store.Clause{clause("code", store.KindToken, "", code(c))}})
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			if codes[c] {
				want = 1
			}
			if len(p.Resources) != want || want == 1 && p.Resources[0].VersionID != version {
				t.Errorf("%s: code %s: %v, want %d match(es) at version %d", step, c, versions(p.Resources), want, version)
			}
		}
	}
	v1 := put(t, s, store.Write{Resource: store.Resource{Type: "Basic", ID: "r1"}, Index: store.Index{Tokens: []store.TokenEntry{{Param: "code", Code: "v1"}}}})
	if err := reindex(v1, "v1-reindexed"); err != nil {
		t.Fatal(err)
	}
	expect("reindexed", 1, map[string]bool{"v1-reindexed": true})

	v2 := put(t, s, store.Write{Resource: store.Resource{Type: "Basic", ID: "r1"}, Index: store.Index{Tokens: []store.TokenEntry{{Param: "code", Code: "v2"}}}})
	if err := reindex(v1, "stale"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("reindex of version 1 over version 2: %v, want ErrConflict", err)
	}
	expect("a reindex of an earlier version", 2, map[string]bool{"v2": true})

	// In one transaction: the version a Put just stored is the current one.
	err := s.Write(ctx, func(tx store.Tx) error {
		w := &store.Write{Resource: store.Resource{Type: "Basic", ID: "r1", VersionID: 3, Op: store.OpUpdate, LastUpdated: base,
			Body: body("Basic", "r1", 3, "")}}
		if err := tx.Put(ctx, w); err != nil {
			return err
		}
		if err := tx.Reindex(ctx, &store.Write{Resource: store.Resource{Type: "Basic", ID: "r1", Seq: v2.Seq}}); !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("reindex of version 2 over version 3 in its transaction: %v, want ErrConflict", err)
		}
		return tx.Reindex(ctx, &store.Write{Resource: store.Resource{Type: "Basic", ID: "r1", Seq: w.Seq},
			Index: store.Index{Tokens: []store.TokenEntry{{Param: "code", Code: "v1-reindexed"}}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	expect("reindexed after a Put in one transaction", 3, map[string]bool{"v1-reindexed": true})

	v3 := read(t, s, nil, "Basic", "r1")
	del(t, s, "Basic", "r1", base)
	if err := reindex(v3, "stale"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("reindex of a version since deleted: %v, want ErrConflict", err)
	}
	notFound(t, "reindex of a missing resource", reindex(&store.Resource{Type: "Basic", ID: "absent"}))
}
