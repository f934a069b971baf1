package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// historyFixture writes, one second apart from base:
//
//	0 Patient/a v1, 1 Patient/b v1, 2 Patient/a v2, 3 Observation/o v1,
//	4 Patient/a v3 (delete), 5 Patient/b v2
func historyFixture(t *testing.T, s store.Store) {
	at := func(i int) time.Time { return base.Add(time.Duration(i) * time.Second) }
	put(t, s, store.Write{Resource: store.Resource{Type: "Patient", ID: "a", LastUpdated: at(0)},
		Compartments: []store.Ref{{Type: "Patient", ID: "a"}}})
	put(t, s, store.Write{Resource: store.Resource{Type: "Patient", ID: "b", LastUpdated: at(1)},
		Compartments: []store.Ref{{Type: "Patient", ID: "b"}}})
	put(t, s, store.Write{Resource: store.Resource{Type: "Patient", ID: "a", LastUpdated: at(2)},
		Compartments: []store.Ref{{Type: "Patient", ID: "a"}}})
	put(t, s, store.Write{Resource: store.Resource{Type: "Observation", ID: "o", LastUpdated: at(3)},
		Compartments: []store.Ref{{Type: "Patient", ID: "b"}}})
	del(t, s, "Patient", "a", at(4))
	put(t, s, store.Write{Resource: store.Resource{Type: "Patient", ID: "b", LastUpdated: at(5)},
		Compartments: []store.Ref{{Type: "Patient", ID: "b"}}})
}

func testHistory(t *testing.T, s store.Store) {
	historyFixture(t, s)
	at := func(i int) time.Time { return base.Add(time.Duration(i) * time.Second) }
	tests := []struct {
		name  string
		f     *store.AccessFilter
		q     store.HistoryQuery
		want  []string
		total int
	}{
		{"instance", nil, store.HistoryQuery{Type: "Patient", ID: "a"}, []string{"Patient/a/3", "Patient/a/2", "Patient/a/1"}, 3},
		{"instance never written", nil, store.HistoryQuery{Type: "Patient", ID: "zz"}, nil, 0},
		{"type", nil, store.HistoryQuery{Type: "Patient"},
			[]string{"Patient/b/2", "Patient/a/3", "Patient/a/2", "Patient/b/1", "Patient/a/1"}, -1},
		{"system", nil, store.HistoryQuery{},
			[]string{"Patient/b/2", "Patient/a/3", "Observation/o/1", "Patient/a/2", "Patient/b/1", "Patient/a/1"}, -1},
		{"since", nil, store.HistoryQuery{Since: at(3)}, []string{"Patient/b/2", "Patient/a/3", "Observation/o/1"}, -1},
		{"instance since", nil, store.HistoryQuery{Type: "Patient", ID: "a", Since: at(2)}, []string{"Patient/a/3", "Patient/a/2"}, 2},
		// _at: each resource's version current at that instant (a's delete comes later).
		{"at", nil, store.HistoryQuery{At: at(3)}, []string{"Observation/o/1", "Patient/a/2", "Patient/b/1"}, -1},
		{"at before everything", nil, store.HistoryQuery{At: base.Add(-time.Hour)}, nil, -1},
		{"type at", nil, store.HistoryQuery{Type: "Patient", At: at(2).Add(500 * time.Millisecond)}, []string{"Patient/a/2", "Patient/b/1"}, -1},
		{"at after delete", nil, store.HistoryQuery{Type: "Patient", At: at(10)}, []string{"Patient/b/2", "Patient/a/3"}, -1},
		{"filter types", &store.AccessFilter{Types: []string{"Observation"}}, store.HistoryQuery{}, []string{"Observation/o/1"}, -1},
		{"filter compartment", &store.AccessFilter{Compartment: &store.Ref{Type: "Patient", ID: "b"}}, store.HistoryQuery{},
			[]string{"Patient/b/2", "Observation/o/1", "Patient/b/1"}, -1},
		{"filter hides instance", &store.AccessFilter{Types: []string{"Observation"}}, store.HistoryQuery{Type: "Patient", ID: "a"}, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.History(context.Background(), tc.f, tc.q)
			if err != nil {
				t.Fatalf("history: %v", err)
			}
			if got := versions(p.Versions); !equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if p.NextSeq != 0 {
				t.Errorf("NextSeq %d on the only page", p.NextSeq)
			}
			// Total is optional for type and system history; when given it must be right.
			if p.Total != tc.total && (tc.total != -1 || p.Total != len(tc.want)) {
				t.Errorf("total %d, want %d", p.Total, tc.total)
			}
			for _, v := range p.Versions {
				if v.Deleted() != (v.Body == nil) {
					t.Errorf("%s/%s/%d: deleted %v with body %q", v.Type, v.ID, v.VersionID, v.Deleted(), v.Body)
				}
			}
		})
	}
}

// testHistoryPaging pages through system history with BeforeSeq while new writes arrive:
// the pages must still list exactly the versions that existed at the start, newest first.
func testHistoryPaging(t *testing.T, s store.Store) {
	historyFixture(t, s)
	ctx := context.Background()
	all, err := s.History(ctx, nil, store.HistoryQuery{Count: 100})
	if err != nil {
		t.Fatal(err)
	}
	want := versions(all.Versions)
	for _, count := range []int{1, 2, 4, 6} {
		var got []string
		q := store.HistoryQuery{Count: count}
		for page := 0; ; page++ {
			if page > 10 {
				t.Fatalf("count %d: paging does not end", count)
			}
			p, err := s.History(ctx, nil, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Versions) > count {
				t.Fatalf("count %d: page of %d", count, len(p.Versions))
			}
			got = append(got, versions(p.Versions)...)
			// A write between pages must not disturb the pages that follow.
			put(t, s, store.Write{Resource: store.Resource{Type: "Basic", ID: "noise"}})
			if p.NextSeq == 0 {
				break
			}
			q.BeforeSeq = p.NextSeq
		}
		if !equal(got, want) {
			t.Errorf("count %d: pages %v, want %v", count, got, want)
		}
		// The next round starts from the new head, noise included.
		all, err = s.History(ctx, nil, store.HistoryQuery{Count: 1000})
		if err != nil {
			t.Fatal(err)
		}
		want = versions(all.Versions)
	}
}
