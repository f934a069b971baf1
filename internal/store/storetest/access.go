package storetest

import (
	"context"
	"testing"

	"github.com/joinedup/joinedup/internal/store"
)

// testAccessFilter: every read honours the filter's types and patient compartment.
func testAccessFilter(t *testing.T, s store.Store) {
	searchFixture(t, s)
	ctx := context.Background()
	p1 := &store.Ref{Type: "Patient", ID: "p1"}
	tests := []struct {
		name    string
		f       *store.AccessFilter
		visible []string // of p1, p2, o1, o2, o3 and the deleted gone
	}{
		{"nil", nil, []string{"Observation/gone", "Observation/o1", "Observation/o2", "Observation/o3", "Patient/p1", "Patient/p2", "Patient/p3"}},
		{"empty", &store.AccessFilter{}, []string{"Observation/gone", "Observation/o1", "Observation/o2", "Observation/o3", "Patient/p1", "Patient/p2", "Patient/p3"}},
		{"types", &store.AccessFilter{Types: []string{"Patient"}}, []string{"Patient/p1", "Patient/p2", "Patient/p3"}},
		{"compartment", &store.AccessFilter{Compartment: p1}, []string{"Observation/gone", "Observation/o1", "Patient/p1"}},
		{"compartment and types", &store.AccessFilter{Compartment: p1, Types: []string{"Observation"}}, []string{"Observation/gone", "Observation/o1"}},
		{"other compartment", &store.AccessFilter{Compartment: &store.Ref{Type: "Patient", ID: "p3"}}, []string{"Patient/p3"}},
	}
	all := []store.Ref{{Type: "Observation", ID: "gone"}, {Type: "Observation", ID: "o1"}, {Type: "Observation", ID: "o2"},
		{Type: "Observation", ID: "o3"}, {Type: "Patient", ID: "p1"}, {Type: "Patient", ID: "p2"}, {Type: "Patient", ID: "p3"}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var readable, vreadable []string
			for _, r := range all {
				if _, err := s.Read(ctx, tc.f, r.Type, r.ID); err == nil {
					readable = append(readable, r.Type+"/"+r.ID)
				} else {
					notFound(t, "read "+r.Type+"/"+r.ID, err)
				}
				if _, err := s.VRead(ctx, tc.f, r.Type, r.ID, 1); err == nil {
					vreadable = append(vreadable, r.Type+"/"+r.ID)
				} else {
					notFound(t, "vread "+r.Type+"/"+r.ID, err)
				}
			}
			if !equal(readable, tc.visible) || !equal(vreadable, tc.visible) {
				t.Errorf("read %v, vread %v, want %v", readable, vreadable, tc.visible)
			}
			var live []string
			for _, v := range tc.visible {
				if v != "Observation/gone" {
					live = append(live, v)
				}
			}
			page, err := s.Search(ctx, tc.f, store.Query{CountTotal: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(page.Resources); !equal(got, live) || page.Total != len(live) {
				t.Errorf("search all types: %v (total %d), want %v", got, page.Total, live)
			}
			h, err := s.History(ctx, tc.f, store.HistoryQuery{Count: 100})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, v := range h.Versions {
				seen[v.Type+"/"+v.ID] = true
			}
			if len(seen) != len(tc.visible) {
				t.Errorf("history shows %v, want %v", seen, tc.visible)
			}
			for _, v := range tc.visible {
				if !seen[v] {
					t.Errorf("history hides %s", v)
				}
			}
		})
	}
}
