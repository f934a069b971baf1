package sqlgen

import (
	"math"
	"testing"
	"testing/fstest"

	"github.com/joinedup/joinedup/internal/store"
)

func TestMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name     string
		fs       fstest.MapFS
		versions []int
		wantErr  bool
	}{
		{"ordered by number, not name", fstest.MapFS{
			"m/0010_later.sql": file("B"), "m/0002_second.sql": file("A"), "m/README": file("x")}, []int{2, 10}, false},
		{"duplicate version", fstest.MapFS{"m/0001_a.sql": file(""), "m/1_b.sql": file("")}, nil, true},
		{"no number", fstest.MapFS{"m/init.sql": file("")}, nil, true},
		{"zero version", fstest.MapFS{"m/0000_x.sql": file("")}, nil, true},
		{"missing directory", fstest.MapFS{}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := Migrations(tc.fs, "m")
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want error %v", err, tc.wantErr)
			}
			if len(ms) != len(tc.versions) {
				t.Fatalf("%d migrations, want %d", len(ms), len(tc.versions))
			}
			for i, m := range ms {
				if m.Version != tc.versions[i] {
					t.Errorf("migration %d: version %d, want %d", i, m.Version, tc.versions[i])
				}
			}
		})
	}
}

func TestPlaceholdersInTextOrder(t *testing.T) {
	// SQLite binds "?" by position, so every generated statement must bind its arguments
	// in the order their placeholders appear; Postgres numbers them, which shows the order.
	f := &store.AccessFilter{Types: []string{"Observation", "Patient"}, Compartment: &store.Ref{Type: "Patient", ID: "p"}}
	all := searchAllKinds()
	plan, err := Search(Postgres, f, all, fixedNow, driver(all))
	if err != nil {
		t.Fatal(err)
	}
	checkPlaceholders(t, plan.Page)
	sorted := searchAllKinds()
	sorted.Sort = []store.SortKey{{Param: "d", Kind: store.KindDate, Desc: true}, {Param: "s", Kind: store.KindString}}
	sorted.AfterKey = Key(5, []any{int64(7), "x"})
	sorted.CountTotal = true
	if plan, err = Search(Postgres, f, sorted, fixedNow, driver(sorted)); err != nil {
		t.Fatal(err)
	}
	checkPlaceholders(t, plan.Page)
	checkPlaceholders(t, *plan.Count)
	// Every range criterion with an index bound, driving; and its probe.
	for i, c := range all.Clauses {
		if !bounded(c) {
			continue
		}
		if plan, err = Search(Postgres, f, all, fixedNow, i); err != nil {
			t.Fatal(err)
		}
		checkPlaceholders(t, plan.Page)
		checkPlaceholders(t, probeStmt(Postgres, all.Type, c, fixedNow, RangeCap))
		one := store.Query{Type: all.Type, Clauses: []store.Clause{c}, CountTotal: true}
		if plan, err = Search(Postgres, nil, one, fixedNow, 0); err != nil {
			t.Fatal(err)
		}
		checkPlaceholders(t, *plan.Count)
	}
	// A sort-driven page, every criterion tested per candidate: its parts, with cursors
	// in either, both ways; by one key, by several (later values in the cursor), and
	// by columns of current.
	date := store.SortKey{Param: "d", Kind: store.KindDate, Desc: true}
	name := store.SortKey{Param: "s", Kind: store.KindString}
	updated, id := store.SortKey{Param: "_lastUpdated", Desc: true}, store.SortKey{Param: "_id"}
	sorts := []struct {
		keys    []store.SortKey
		cursors [][]any
	}{
		{[]store.SortKey{date}, [][]any{{int64(7)}, {int64(math.MinInt64)}}},
		{[]store.SortKey{date, name, updated}, [][]any{{int64(7), "x", int64(3)}, {int64(math.MinInt64), "x", int64(3)}}},
		{[]store.SortKey{updated}, [][]any{{int64(7)}}},
		{[]store.SortKey{id, date}, [][]any{{"x", int64(7)}}},
	}
	for _, s := range sorts {
		byKeys := searchAllKinds()
		byKeys.Sort = s.keys
		for _, cursor := range s.cursors {
			key := Key(5, cursor)
			for _, backward := range []bool{false, true} {
				byKeys.AfterKey, byKeys.BeforeKey = key, ""
				if backward {
					byKeys.AfterKey, byKeys.BeforeKey = "", key
				}
				if plan, err = Search(Postgres, f, byKeys, fixedNow, -1); err != nil {
					t.Fatal(err)
				}
				for _, st := range append([]Stmt{plan.Page}, plan.Then...) {
					checkPlaceholders(t, st)
				}
			}
		}
	}
	checkPlaceholders(t, Include(Postgres, f, store.Include{Reverse: true, Type: "Observation", Param: "subject", TargetType: "Patient"}, []int64{1, 2}))
}

func checkPlaceholders(t *testing.T, st Stmt) {
	t.Helper()
	next := 1
	for i := 0; i < len(st.SQL); i++ {
		if st.SQL[i] != '$' {
			continue
		}
		j := i + 1
		n := 0
		for j < len(st.SQL) && st.SQL[j] >= '0' && st.SQL[j] <= '9' {
			n = n*10 + int(st.SQL[j]-'0')
			j++
		}
		if n != next {
			t.Fatalf("placeholder $%d where $%d was expected in %s", n, next, st.SQL)
		}
		next++
	}
	if next-1 != len(st.Args) {
		t.Fatalf("%d placeholders for %d arguments", next-1, len(st.Args))
	}
}
