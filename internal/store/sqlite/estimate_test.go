package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// TestEstimateExactOnSmallResults: SQLite estimates from samples, and where the
// candidates are few the samples hold them all, so an estimated total must equal the
// accurate one, for every way the estimator picks its candidates.
func TestEstimateExactOnSmallResults(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t, Options{})
	at := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	err := s.Write(ctx, func(tx store.Tx) error {
		put := func(w store.Write) error {
			w.VersionID, w.Op, w.LastUpdated = 1, store.OpCreate, at
			w.Body = fmt.Appendf(nil, `{"resourceType":%q,"id":%q}`, w.Type, w.ID)
			return tx.Put(ctx, &w)
		}
		names := []string{"smith", "smithson", "jones"}
		for i := range 20 {
			p := store.Ref{Type: "Patient", ID: fmt.Sprintf("p%d", i)}
			if err := put(store.Write{Resource: store.Resource{Type: p.Type, ID: p.ID}, Compartments: []store.Ref{p},
				Index: store.Index{Strings: []store.StringEntry{{Param: "name", Value: names[i%3], Exact: names[i%3]}}}}); err != nil {
				return err
			}
		}
		for i := range 90 {
			p := store.Ref{Type: "Patient", ID: fmt.Sprintf("p%d", i%20)}
			idx := store.Index{
				Tokens: []store.TokenEntry{{Param: "code", System: []string{"http://s1", "http://s2"}[i%2], Code: []string{"a", "b", "c"}[i%3]},
					{Param: "status", System: "http://st", Code: []string{"final", "amended"}[i%5/4]}},
				References: []store.ReferenceEntry{{Param: "subject", TargetType: p.Type, TargetID: p.ID}},
				Numbers:    []store.NumberEntry{{Param: "value", Low: float64(i), High: float64(i), Literal: fmt.Sprint(i)}},
				URIs:       []store.URIEntry{{Param: "instantiates", Value: []string{"http://x.org/a", "http://x.org/b"}[i%7/6]}},
			}
			if err := put(store.Write{Resource: store.Resource{Type: "Observation", ID: fmt.Sprintf("o%d", i)}, Index: idx,
				Links: []store.Ref{p}, Compartments: []store.Ref{p}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Deleted resources keep their compartment rows: the estimate must not count them.
	err = s.Write(ctx, func(tx store.Tx) error {
		for _, id := range []string{"o0", "o20", "o40"} {
			if err := tx.Put(ctx, &store.Write{Resource: store.Resource{Type: "Observation", ID: id, VersionID: 2,
				Op: store.OpDelete, LastUpdated: at}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	token := func(param, system, code string) store.Clause {
		return store.Clause{Param: param, Kind: store.KindToken, Values: []store.Value{{System: system, HasSystem: system != "", Code: code}}}
	}
	below := func(n float64) store.Clause {
		return store.Clause{Param: "value", Kind: store.KindNumber, Values: []store.Value{{Prefix: "lt", NumLow: n, NumHigh: n}}}
	}
	p3 := store.Ref{Type: "Patient", ID: "p3"}
	tests := []struct {
		name string
		f    *store.AccessFilter
		q    store.Query
	}{
		{"driving range in rid order", nil, store.Query{Type: "Observation", Clauses: []store.Clause{token("code", "http://s1", "a"), below(60)}}},
		{"driving range out of rid order", nil, store.Query{Type: "Observation", Clauses: []store.Clause{token("code", "", "b"), token("status", "http://st", "final")}}},
		{"string prefix", nil, store.Query{Type: "Patient", Clauses: []store.Clause{
			{Param: "name", Kind: store.KindString, Values: []store.Value{{Text: "smith"}}},
			{Param: "_id", Kind: store.KindID, Modifier: "not", Values: []store.Value{{Text: "p1"}}}}}},
		{"reference", nil, store.Query{Type: "Observation", Clauses: []store.Clause{
			{Param: "subject", Kind: store.KindReference, Values: []store.Value{{TargetType: "Patient", TargetID: "p1"}}}, below(70)}}},
		{"uri", nil, store.Query{Type: "Observation", Clauses: []store.Clause{
			{Param: "instantiates", Kind: store.KindURI, Values: []store.Value{{Text: "http://x.org/a"}}}, token("status", "", "amended")}}},
		{"compartment, every type", nil, store.Query{Types: []string{"Observation", "Patient"}, Clauses: []store.Clause{
			{Kind: store.KindCompartment, Values: []store.Value{{TargetType: "Patient", TargetID: "p0"}}},
			{Param: "_lastUpdated", Kind: store.KindLastUpdated, Values: []store.Value{{Prefix: "ge", Low: at, High: at}}}}}},
		{"no driving clause", nil, store.Query{Type: "Observation", Clauses: []store.Clause{
			{Param: "status", Kind: store.KindToken, Modifier: "not", Values: []store.Value{{Code: "final"}}}, below(80)}}},
		{"chain", nil, store.Query{Type: "Observation", Clauses: []store.Clause{token("code", "", "c"),
			{Param: "subject", Kind: store.KindReference, Chain: &store.Query{Type: "Patient", Clauses: []store.Clause{
				{Param: "name", Kind: store.KindString, Values: []store.Value{{Text: "jones"}}}}}}}}},
		{"_has", nil, store.Query{Type: "Patient", Clauses: []store.Clause{
			{Param: "name", Kind: store.KindString, Values: []store.Value{{Text: "smith"}}},
			{Param: "subject", Kind: store.KindHas, Has: &store.Query{Type: "Observation", Clauses: []store.Clause{token("code", "http://s2", "c")}}}}}},
		{"access filter", &store.AccessFilter{Compartment: &p3}, store.Query{Type: "Observation", Clauses: []store.Clause{token("code", "", "a"), below(90)}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.Count, q.CountTotal = 1, true
			accurate, err := s.Search(ctx, tc.f, q)
			if err != nil {
				t.Fatal(err)
			}
			if accurate.Total < 2 {
				t.Fatalf("the query matches %d: it must need an estimate", accurate.Total)
			}
			q.CountTotal, q.EstimateTotal = false, true
			var est *store.SearchPage
			for try := 0; try < 3 && (est == nil || est.Total == -1); try++ { // see testSearchEstimate
				if est, err = s.Search(ctx, tc.f, q); err != nil {
					t.Fatal(err)
				}
			}
			if est.Total != accurate.Total {
				t.Errorf("estimate %d, accurate %d", est.Total, accurate.Total)
			}
		})
	}
}
