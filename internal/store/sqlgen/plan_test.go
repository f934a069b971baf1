package sqlgen

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/joinedup/joinedup/internal/store"
)

func TestDriver(t *testing.T) {
	day := func(param, prefix string) store.Clause {
		lo := time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
		return store.Clause{Param: param, Kind: store.KindDate, Values: []store.Value{{Prefix: prefix, Low: lo, High: lo.AddDate(0, 0, 1).Add(-time.Microsecond)}}}
	}
	code := store.Clause{Param: "code", Kind: store.KindToken, Values: []store.Value{{Code: "x"}}}
	name := store.Clause{Param: "name", Kind: store.KindString, Values: []store.Value{{Text: "smi"}}}
	number := store.Clause{Param: "n", Kind: store.KindNumber, Values: []store.Value{{Prefix: "lt", NumLow: 1, NumHigh: 1}}}
	grams := store.Clause{Param: "q", Kind: store.KindQuantity, Values: []store.Value{{Prefix: "eq", NumLow: 1, NumHigh: 1,
		System: "http://unitsofmeasure.org", Code: "kg", Canonical: "g", CanonicalLow: 1000, CanonicalHigh: 1000}}}
	updated := store.Clause{Param: "_lastUpdated", Kind: store.KindLastUpdated, Values: []store.Value{{Prefix: "gt", Low: fixedNow, High: fixedNow}}}
	twoDays := day("date", "eq")
	twoDays.Values = append(twoDays.Values, twoDays.Values[0])
	tests := []struct {
		name    string
		typ     string
		clauses []store.Clause
		counts  map[string]int // a probe's count by parameter; the cap when absent
		want    int
		probed  []string
	}{
		{"an equality drives unprobed", "Observation", []store.Clause{day("date", "eq"), code}, nil, 1, nil},
		{"a rare range drives", "Observation", []store.Clause{day("date", "eq")}, map[string]int{"date": 12}, 0, []string{"date"}},
		{"a dense range does not", "Observation", []store.Clause{day("date", "eq")}, nil, -1, []string{"date"}},
		{"the fewest rows drive", "Observation", []store.Clause{day("date", "le"), number, day("issued", "sa")},
			map[string]int{"date": 900, "n": 40, "issued": 300}, 1, []string{"date", "n", "issued"}},
		{"no range is fewer than none", "Observation", []store.Clause{day("date", "lt"), day("issued", "eq")},
			map[string]int{"date": 0, "issued": 0}, 0, []string{"date"}},
		{"ne has no bound", "Observation", []store.Clause{day("date", "ne")}, nil, -1, nil},
		{"gt and ge bound high", "Observation", []store.Clause{day("date", "gt"), day("issued", "ge")},
			map[string]int{"date": 50, "issued": 5}, 1, []string{"date", "issued"}},
		{"_lastUpdated", "Patient", []store.Clause{updated}, map[string]int{"_lastUpdated": 3}, 0, []string{"_lastUpdated"}},
		{"a unit that converts has no bound", "Observation", []store.Clause{grams}, nil, -1, nil},
		{"several values have no bound", "Observation", []store.Clause{twoDays}, nil, -1, nil},
		{"a modifier has no bound", "Observation", []store.Clause{{Param: "date", Kind: store.KindDate, Modifier: "missing",
			Values: []store.Value{{Missing: true}}}}, nil, -1, nil},
		{"no type, no probe", "", []store.Clause{day("date", "eq")}, nil, -1, nil},
		{"a range with fewer rows beats a prefix", "Patient", []store.Clause{name, day("birthdate", "eq")},
			map[string]int{"name": 800, "birthdate": 2}, 1, []string{"name", "birthdate"}},
		{"a prefix wins a tie", "Patient", []store.Clause{day("birthdate", "eq"), name},
			map[string]int{"name": 7, "birthdate": 7}, 1, []string{"name", "birthdate"}},
		{"a prefix over the cap still drives", "Patient", []store.Clause{name, day("birthdate", "eq")}, nil, 0, []string{"name", "birthdate"}},
		{"a prefix without a bounded range is not probed", "Patient", []store.Clause{name, day("birthdate", "ne")}, nil, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var probed []string
			probe := func(st Stmt) (int, error) {
				param := "_lastUpdated"
				if !strings.Contains(st.SQL, " FROM current d ") {
					param = st.Args[1].(string)
				}
				probed = append(probed, param)
				limit := st.Args[len(st.Args)-1].(int) // a probe counts up to its LIMIT
				if n, ok := tc.counts[param]; ok {
					return min(n, limit), nil
				}
				return limit, nil
			}
			got, err := Driver(SQLite, store.Query{Type: tc.typ, Clauses: tc.clauses}, fixedNow, probe)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want || !slices.Equal(probed, tc.probed) {
				t.Errorf("driver %d after probing %v, want %d after %v", got, probed, tc.want, tc.probed)
			}
		})
	}
	t.Run("a probe counts no further than the fewest so far", func(t *testing.T) {
		var limits []int
		probe := func(st Stmt) (int, error) {
			limit := st.Args[len(st.Args)-1].(int)
			limits = append(limits, limit)
			return min(map[string]int{"name": 70, "birthdate": 5000, "date": 30}[st.Args[1].(string)], limit), nil
		}
		q := store.Query{Type: "Patient", Clauses: []store.Clause{name, day("birthdate", "ge"), day("date", "eq")}}
		got, err := Driver(SQLite, q, fixedNow, probe)
		if err != nil {
			t.Fatal(err)
		}
		if want := []int{SQLite.RangeCap, 70, 70}; got != 2 || !slices.Equal(limits, want) {
			t.Errorf("driver %d after probes limited to %v, want 2 after %v", got, limits, want)
		}
	})
	t.Run("a failed probe fails", func(t *testing.T) {
		boom := errors.New("boom")
		_, err := Driver(SQLite, store.Query{Type: "Observation", Clauses: []store.Clause{day("date", "eq")}}, fixedNow,
			func(Stmt) (int, error) { return 0, boom })
		if !errors.Is(err, boom) {
			t.Errorf("error %v, want %v", err, boom)
		}
	})
	t.Run("no cap, no probe", func(t *testing.T) {
		d := SQLite
		d.RangeCap = 0
		got, err := Driver(d, store.Query{Type: "Observation", Clauses: []store.Clause{day("date", "eq")}}, fixedNow,
			func(Stmt) (int, error) { t.Fatal("probed"); return 0, nil })
		if err != nil || got != -1 {
			t.Errorf("driver %d (%v), want -1", got, err)
		}
	})
}

// TestSeek: the index bound of each prefix, as SQL.
func TestSeek(t *testing.T) {
	date := func(prefix string) store.Clause {
		return store.Clause{Param: "date", Kind: store.KindDate, Values: []store.Value{{Prefix: prefix, Low: fixedNow, High: fixedNow}}}
	}
	tests := []struct {
		c    store.Clause
		want string
	}{
		{date(""), "d.low >= $1 AND d.low <= $2"},
		{date("eq"), "d.low >= $1 AND d.low <= $2"},
		{date("lt"), "d.low < $1"},
		{date("eb"), "d.low < $1"},
		{date("le"), "d.low <= $1"},
		{date("ap"), "d.low <= $1"},
		{date("sa"), "d.low > $1"},
		{date("gt"), "d.high > $1"},
		{date("ge"), "d.high >= $1"},
		{store.Clause{Param: "_lastUpdated", Kind: store.KindLastUpdated, Values: []store.Value{{Prefix: "ge", Low: fixedNow, High: fixedNow}}},
			"d.last_updated >= $1"},
		{store.Clause{Param: "name", Kind: store.KindString, Values: []store.Value{{Text: "smi"}}}, "d.value >= $1 AND d.value < $2"},
	}
	for _, tc := range tests {
		b := &builder{d: Postgres}
		b.seek(tc.c, fixedNow)
		if got := b.sb.String(); got != tc.want {
			t.Errorf("%s %q: %s, want %s", tc.c.Param, tc.c.Values[0].Prefix, got, tc.want)
		}
	}
}

// TestBoundHoldsForEveryMatch: a range's index bound must hold for every stored range
// [low, high] (low <= high) that its prefix matches, or driving by the bound would lose
// matches.
func TestBoundHoldsForEveryMatch(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		prefix := rapid.SampledFrom([]string{"", "eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"}).Draw(t, "prefix")
		col, withLow, withHigh, ok := boundOf(prefix)
		if !ok {
			return
		}
		lo := rapid.IntRange(-20, 20).Draw(t, "low")
		hi := lo + rapid.IntRange(0, 10).Draw(t, "width")
		vl := rapid.IntRange(-20, 20).Draw(t, "vl")
		vh := vl + rapid.IntRange(0, 10).Draw(t, "search width")
		if !rangeMatches(prefix, lo, hi, vl, vh) {
			return
		}
		x := lo
		if col == "high" {
			x = hi
		}
		if !compare(x, withLow, vl) || !compare(x, withHigh, vh) {
			t.Fatalf("%s matches [%d, %d] against [%d, %d], but %s %s %d %s %d fails", prefix, lo, hi, vl, vh, col, withLow, vl, withHigh, vh)
		}
	})
}

// rangeMatches is rangePred's test in Go (ap: the ranges overlap).
func rangeMatches(prefix string, lo, hi, vl, vh int) bool {
	switch prefix {
	case "", "eq":
		return lo >= vl && hi <= vh
	case "ne":
		return lo < vl || hi > vh
	case "gt":
		return hi > vh
	case "lt":
		return lo < vl
	case "ge":
		return hi > vh || lo >= vl && hi <= vh
	case "le":
		return lo < vl || lo >= vl && hi <= vh
	case "sa":
		return lo > vh
	case "eb":
		return hi < vl
	case "ap":
		return lo <= vh && hi >= vl
	}
	panic(prefix)
}

// compare evaluates "x op v"; an empty op holds.
func compare(x int, op string, v int) bool {
	switch op {
	case "":
		return true
	case "<":
		return x < v
	case "<=":
		return x <= v
	case ">":
		return x > v
	case ">=":
		return x >= v
	}
	panic(op)
}

// TestCursorOnDriver: a page after a cursor seeks the cursor in a driving index that
// yields rids in order; for one that does not (a range, _lastUpdated), the cursor only
// filters, and must keep SQLite from scanning an index on rid from the cursor on (the
// order is then by an expression, +d.rid, that no index yields).
func TestCursorOnDriver(t *testing.T) {
	tests := []struct {
		c          store.Clause
		cursor     string
		orderByRid string
	}{
		{store.Clause{Param: "code", Kind: store.KindToken, Values: []store.Value{{HasSystem: true, System: "s", Code: "c"}}}, " AND d.rid > ?", "ORDER BY d.rid"},
		{store.Clause{Param: "date", Kind: store.KindDate, Values: []store.Value{{Prefix: "eq", Low: fixedNow, High: fixedNow}}}, " AND +d.rid > ?", "ORDER BY +d.rid"},
		{store.Clause{Param: "_lastUpdated", Kind: store.KindLastUpdated, Values: []store.Value{{Prefix: "gt", Low: fixedNow, High: fixedNow}}}, " AND +d.rid > ?", "ORDER BY +d.rid"},
	}
	for _, tc := range tests {
		q := store.Query{Type: "Observation", Clauses: []store.Clause{tc.c}, AfterKey: Key(7, nil)}
		plan, err := Search(SQLite, nil, q, fixedNow, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan.Page.SQL, tc.cursor) || !strings.Contains(plan.Page.SQL, tc.orderByRid) {
			t.Errorf("%s: want %q and %q in %s", tc.c.Param, tc.cursor, tc.orderByRid, plan.Page.SQL)
		}
	}
	// A criterion on a column of current (_id) joins the driver to it: then c.rid orders.
	byID := store.Clause{Param: "_id", Kind: store.KindID, Values: []store.Value{{Text: "x"}}}
	q := store.Query{Type: "Observation", Clauses: []store.Clause{tests[1].c, byID}, AfterKey: Key(7, nil)}
	plan, err := Search(SQLite, nil, q, fixedNow, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan.Page.SQL, " AND +d.rid > ?") || !strings.Contains(plan.Page.SQL, "ORDER BY c.rid") {
		t.Errorf("date and _id: want the cursor on +d.rid and ORDER BY c.rid in %s", plan.Page.SQL)
	}
}

// TestSortDriven: a search that no clause drives, sorted first by a key of an index
// parameter, reads that key's index in order, and its page continues with the resources
// without a value; a cursor seeks in its part, and backwards the parts come in reverse.
// Later keys are computed per candidate and sorted within ties on the first, and in the
// missing part. Sorted first by _id or _lastUpdated, it reads current in that order, in
// one part. Other searches keep the sort over every candidate.
func TestSortDriven(t *testing.T) {
	date := store.SortKey{Param: "date", Kind: store.KindDate}
	desc := store.SortKey{Param: "date", Kind: store.KindDate, Desc: true}
	code := store.Clause{Param: "code", Kind: store.KindToken, Values: []store.Value{{Code: "c"}}}
	notCode := store.Clause{Param: "code", Kind: store.KindToken, Modifier: "not", Values: []store.Value{{Code: "c"}}}
	byCode := store.SortKey{Param: "code", Kind: store.KindToken}
	updated, newest := store.SortKey{Param: "_lastUpdated"}, store.SortKey{Param: "_lastUpdated", Desc: true}
	id, lastID := store.SortKey{Param: "_id"}, store.SortKey{Param: "_id", Desc: true}
	const (
		ordered  = "(SELECT d.rid AS rid, d."
		missing  = "(SELECT c.rid AS rid, CAST(? AS "
		current  = "(SELECT c.rid AS rid, c."
		wholeSet = "COALESCE((SELECT"
	)
	tests := []struct {
		name          string
		q             store.Query
		drv           int
		parts         []string // each statement's mark, in order
		want, wantNot []string // in the first statement
	}{
		{"ascending", store.Query{Type: "Observation", Sort: []store.SortKey{date}}, -1,
			[]string{ordered, missing}, []string{"d.low < ?", "(e.low < d.low OR e.low = d.low AND e.rowid < d.rowid)", "ORDER BY d.low, d.rid LIMIT ?"},
			[]string{"DISTINCT"}},
		{"descending, a criterion per candidate", store.Query{Type: "Observation", Sort: []store.SortKey{desc}, Clauses: []store.Clause{notCode}}, -1,
			[]string{ordered, missing}, []string{"d.high > ?", "(e.high > d.high OR e.high = d.high AND e.rowid < d.rowid)", "NOT EXISTS (SELECT 1 FROM idx_token", "ORDER BY d.high DESC, d.rid LIMIT ?"}, nil},
		{"after a value", store.Query{Type: "Observation", Sort: []store.SortKey{desc}, AfterKey: Key(9, []any{int64(7)})}, -1,
			[]string{ordered, missing}, []string{"d.high <= ? AND (d.high < ? OR d.rid > ?)"}, nil},
		{"before a value", store.Query{Type: "Observation", Sort: []store.SortKey{desc}, BeforeKey: Key(9, []any{int64(7)})}, -1,
			[]string{ordered}, []string{"d.high >= ? AND (d.high > ? OR d.rid < ?)", "ORDER BY d.high, d.rid DESC"}, nil},
		{"after a resource without a value", store.Query{Type: "Observation", Sort: []store.SortKey{date}, AfterKey: Key(9, []any{int64(math.MaxInt64)})}, -1,
			[]string{missing}, []string{"c.rid > ?", "m.low < ?", "ORDER BY c.rid LIMIT ?"}, nil},
		{"before a resource without a value", store.Query{Type: "Observation", Sort: []store.SortKey{date}, BeforeKey: Key(9, []any{int64(math.MaxInt64)})}, -1,
			[]string{missing, ordered}, []string{"c.rid < ?", "ORDER BY c.rid DESC LIMIT ?"}, nil},
		{"a text key", store.Query{Type: "Patient", Sort: []store.SortKey{{Param: "family", Kind: store.KindString}}}, -1,
			[]string{ordered, missing}, []string{"d.value AS s0 FROM idx_string d", "ORDER BY d.value, d.rid"}, nil},
		{"an equality drives", store.Query{Type: "Observation", Sort: []store.SortKey{date}, Clauses: []store.Clause{code}}, 0,
			[]string{wholeSet}, nil, []string{ordered}},
		{"several types", store.Query{Types: []string{"Observation", "Condition"}, Sort: []store.SortKey{date}}, -1,
			[]string{wholeSet}, nil, []string{ordered}},
		{"two keys", store.Query{Type: "Observation", Sort: []store.SortKey{desc, byCode}}, -1,
			[]string{ordered, missing}, []string{"d.high AS s0, COALESCE((SELECT min(s1.code) FROM idx_token s1 WHERE s1.rid = c.rid",
				"ORDER BY d.high DESC, s1, d.rid LIMIT ?", "ORDER BY q.s0 DESC, q.s1, q.rid LIMIT ?"}, nil},
		{"two keys after a value", store.Query{Type: "Observation", Sort: []store.SortKey{desc, byCode}, AfterKey: Key(9, []any{int64(7), "x"})}, -1,
			[]string{ordered, missing}, []string{"d.high <= ? AND (d.high < ? OR (COALESCE((SELECT min(s", ") > ? OR (COALESCE((SELECT min(s",
				") = ? AND d.rid > ?)))"}, nil},
		{"two keys before a value", store.Query{Type: "Observation", Sort: []store.SortKey{desc, byCode}, BeforeKey: Key(9, []any{int64(7), "x"})}, -1,
			[]string{ordered}, []string{"d.high >= ? AND (d.high > ? OR (COALESCE((SELECT min(s", ") < ? OR (", ") = ? AND d.rid < ?)))",
				"ORDER BY d.high, s1 DESC, d.rid DESC LIMIT ?"}, nil},
		{"two keys after a resource without the first", store.Query{Type: "Observation", Sort: []store.SortKey{desc, byCode}, AfterKey: Key(9, []any{int64(math.MinInt64), "x"})}, -1,
			[]string{missing}, []string{"m.high > ?", ") > ? OR (COALESCE((SELECT min(s", ") = ? AND c.rid > ?))", "ORDER BY s1, c.rid LIMIT ?"}, []string{"OFFSET 0"}},
		{"two keys before a resource without the first", store.Query{Type: "Observation", Sort: []store.SortKey{desc, byCode}, BeforeKey: Key(9, []any{int64(math.MinInt64), "x"})}, -1,
			[]string{missing, ordered}, []string{") < ? OR (", ") = ? AND c.rid < ?))", "ORDER BY s1 DESC, c.rid DESC LIMIT ?"}, nil},
		{"newest first", store.Query{Type: "Observation", Sort: []store.SortKey{newest}, Clauses: []store.Clause{notCode}}, -1,
			[]string{current}, []string{"c.last_updated AS s0", "NOT EXISTS (SELECT 1 FROM idx_token", "ORDER BY c.last_updated DESC, c.rid LIMIT ?"}, []string{wholeSet}},
		{"after the newest", store.Query{Type: "Observation", Sort: []store.SortKey{newest}, AfterKey: Key(9, []any{int64(7)})}, -1,
			[]string{current}, []string{"c.last_updated <= ? AND (c.last_updated < ? OR c.rid > ?)"}, nil},
		{"oldest first", store.Query{Type: "Observation", Sort: []store.SortKey{updated}, BeforeKey: Key(9, []any{int64(7)})}, -1,
			[]string{current}, []string{"c.last_updated <= ? AND (c.last_updated < ? OR c.rid < ?)", "ORDER BY c.last_updated DESC, c.rid DESC LIMIT ?"}, nil},
		{"by id", store.Query{Type: "Patient", Sort: []store.SortKey{id}, AfterKey: Key(9, []any{"x"})}, -1,
			[]string{current}, []string{"c.id AS s0", "c.id >= ? AND (c.id > ? OR c.rid > ?)", "ORDER BY c.id, c.rid LIMIT ?"}, nil},
		{"by id descending, then a date", store.Query{Type: "Patient", Sort: []store.SortKey{lastID, date}, BeforeKey: Key(9, []any{"x", int64(7)})}, -1,
			[]string{current}, []string{"c.id >= ? AND (c.id > ? OR (COALESCE((SELECT min(s", ") < ? OR (", ") = ? AND c.rid < ?)))",
				"ORDER BY c.id, s1 DESC, c.rid DESC LIMIT ?"}, nil},
		{"newest first, then by id", store.Query{Type: "Observation", Sort: []store.SortKey{newest, id}, AfterKey: Key(9, []any{int64(7), "x"})}, -1,
			[]string{current}, []string{"c.last_updated AS s0, (SELECT x1.id FROM current x1 WHERE x1.rid = c.rid) AS s1",
				"c.last_updated <= ? AND (c.last_updated < ? OR ((SELECT x2.id FROM current x2 WHERE x2.rid = c.rid) > ? OR (",
				"ORDER BY c.last_updated DESC, s1, c.rid LIMIT ?"}, nil},
		{"newest first, driven", store.Query{Type: "Observation", Sort: []store.SortKey{newest}, Clauses: []store.Clause{code}}, 0,
			[]string{"c.last_updated AS s0"}, nil, []string{current}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := Search(SQLite, nil, tc.q, fixedNow, tc.drv)
			if err != nil {
				t.Fatal(err)
			}
			stmts := append([]Stmt{plan.Page}, plan.Then...)
			if len(stmts) != len(tc.parts) {
				t.Fatalf("%d statements, want %d: %v", len(stmts), len(tc.parts), stmts)
			}
			for i, mark := range tc.parts {
				if !strings.Contains(stmts[i].SQL, mark) {
					t.Errorf("statement %d: want %q in %s", i, mark, stmts[i].SQL)
				}
			}
			for _, s := range tc.want {
				if !strings.Contains(plan.Page.SQL, s) {
					t.Errorf("want %q in %s", s, plan.Page.SQL)
				}
			}
			for _, s := range tc.wantNot {
				if strings.Contains(plan.Page.SQL, s) {
					t.Errorf("want no %q in %s", s, plan.Page.SQL)
				}
			}
		})
	}
}
