package sqlgen

import (
	"fmt"
	"strconv"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// sortDriven reports whether q, which no clause drives (drv < 0: it would scan its
// type), is paged by reading its first sort key's values in order (see sorted): a search
// of one type whose first key is _id, _lastUpdated (columns of current, with an index
// each) or a parameter of an index kind (see sortIndex).
func sortDriven(q store.Query, drv int) bool {
	if drv >= 0 || q.Type == "" || len(q.Sort) == 0 {
		return false
	}
	_, _, _, ok := sortIndex(q.Sort[0])
	return ok || ofCurrent(q.Sort[0]) != ""
}

// ofCurrent is the column of current that holds sort key k's value, "" if none.
func ofCurrent(k store.SortKey) string {
	switch k.Param {
	case "_id":
		return "id"
	case "_lastUpdated":
		return "last_updated"
	}
	return ""
}

// sorted writes the page statements of a sort-driven search (see sortDriven), in the
// order they continue the page. Where the first key is a column of current, every
// resource has a value: current's index on (type, [deleted,] column) is read in order,
// each row tested, until a page is full (currentPart). Otherwise a resource's first-key
// value is its first index row in the key's order (its lowest value ascending, its
// highest descending), so
//
//   - the ordered part reads the index of the key's parameter in that order (reversed
//     when backward), keeps each row that no row of the same resource comes before,
//     nor an equal one earlier in the table (a probe of the index on rid), tests the
//     criteria and the access filter on the resource, and stops after a page;
//   - the missing part, the resources without a value (whose sentinel sorts them after
//     every value), follows in rid order (or that of the later keys), again testing
//     each and stopping after a page.
//
// Later keys order the resources tied on the first: each candidate's values of them are
// computed (sortExpr) and the ORDER BY names every key, which the engines sort only
// within runs of one first-key value as the index yields them (SQLite's temporary
// B-tree for the right part of the ORDER BY, PostgreSQL's incremental sort). In the
// missing part, where every resource is tied on the sentinel, they sort all its
// candidates.
//
// A cursor seeks in its part: in the ordered part to its first value (then compares the
// later values and rid), in the missing part (its first value is the sentinel) to its
// rid, or to its later values and rid. Backwards the parts come in reverse. The ordered
// part skips rows holding the sentinel itself, which the missing part then takes, so
// that a resource's part and sort values are those sortExpr gives it.
func sorted(d Dialect, f *store.AccessFilter, q store.Query, now time.Time, limit int, after []any, backward bool) ([]Stmt, error) {
	if col := ofCurrent(q.Sort[0]); col != "" {
		b := &builder{d: d, backward: backward}
		if err := b.currentPart(f, q, col, now, limit, after); err != nil {
			return nil, err
		}
		return []Stmt{b.stmt()}, nil
	}
	k := q.Sort[0]
	inMissing := after != nil && after[1] == sentinelOf(k)
	var parts []func(b *builder, after []any) error
	ordered := func(b *builder, after []any) error { return b.sortedPart(f, q, now, limit, after) }
	missing := func(b *builder, after []any) error { return b.missingPart(f, q, now, limit, after) }
	var cursors [][]any
	switch {
	case backward && inMissing:
		parts, cursors = append(parts, missing, ordered), [][]any{after, nil}
	case backward:
		parts, cursors = append(parts, ordered), [][]any{after}
	case inMissing:
		parts, cursors = append(parts, missing), [][]any{after}
	default:
		parts, cursors = append(parts, ordered, missing), [][]any{after, nil}
	}
	var out []Stmt
	for i, part := range parts {
		b := &builder{d: d, backward: backward}
		if err := part(b, cursors[i]); err != nil {
			return nil, err
		}
		out = append(out, b.stmt())
	}
	return out, nil
}

// sentinelOf is the sort value of the resources without a value of key k.
func sentinelOf(k store.SortKey) any {
	_, _, s, _ := sortIndex(k)
	return s
}

// currentPart writes the page of a search sorted first by col, a column of current (see
// sorted): the type's resources in the order of col, then of the later keys and rid,
// after the cursor's, each tested, until a page is full.
func (b *builder) currentPart(f *store.AccessFilter, q store.Query, col string, now time.Time, limit int, after []any) error {
	b.w("SELECT ", b.selected(len(q.Sort)), ", ", Columns, " FROM (SELECT c.rid AS rid, c.", col, " AS s0")
	if err := b.laterColumns(q.Sort); err != nil {
		return err
	}
	b.w(" FROM current c WHERE c.type = ", b.arg(q.Type), " AND c.deleted = 0")
	if after != nil {
		if err := b.seekAfter(q.Sort, "c."+col, "c.rid", after); err != nil {
			return err
		}
	}
	if err := b.criteria(f, q, now); err != nil {
		return err
	}
	b.w(" ORDER BY c.", col, b.dir(q.Sort[0]), ", ", b.laterOrder(q.Sort), "c.rid", b.ridDir(), " LIMIT ", b.arg(limit+1), ")")
	b.page(q.Sort, limit)
	return nil
}

// sortedPart writes the ordered part of a sort-driven page (see sorted).
func (b *builder) sortedPart(f *store.AccessFilter, q store.Query, now time.Time, limit int, after []any) error {
	k := q.Sort[0]
	table, col, sentinel, _ := sortIndex(k)
	better := "<" // a resource's first row in the key's order holds its sort value
	if k.Desc {
		better = ">"
	}
	b.w("SELECT ", b.selected(len(q.Sort)), ", ", Columns, " FROM (SELECT d.rid AS rid, d.", col, " AS s0")
	if err := b.laterColumns(q.Sort); err != nil {
		return err
	}
	b.w(" FROM ", table, " d ", b.d.Join, " current c ON c.rid = d.rid WHERE d.type = ", b.arg(q.Type), " AND d.param = ", b.arg(k.Param),
		" AND d.", col, " ", better, " ", b.arg(sentinel))
	if after != nil {
		if err := b.seekAfter(q.Sort, "d."+col, "d.rid", after); err != nil {
			return err
		}
	}
	// A resource's best value may be on several of its rows: the first of them in
	// the table is kept. DISTINCT would do as well, but PostgreSQL (15) then sorts
	// every candidate by all the keys, where the index order leaves it only ties to sort.
	id := b.d.RowID
	b.w(" AND NOT EXISTS (SELECT 1 FROM ", table, " e WHERE e.rid = d.rid AND e.param = d.param AND (e.", col, " ", better, " d.", col,
		" OR e.", col, " = d.", col, " AND e.", id, " < d.", id, "))")
	b.w(" AND c.deleted = 0")
	if err := b.criteria(f, q, now); err != nil {
		return err
	}
	// Ties on the value are sorted by the later keys and rid as they come: SQLite sorts
	// the right part of the ORDER BY, PostgreSQL sorts incrementally, neither the whole
	// index.
	b.w(" ORDER BY d.", col, b.dir(q.Sort[0]), ", ", b.laterOrder(q.Sort), "d.rid", b.ridDir(), " LIMIT ", b.arg(limit+1), ")")
	b.page(q.Sort, limit)
	return nil
}

// missingPart writes the missing part of a sort-driven page (see sorted): the type's
// resources without a value other than the sentinel, in rid order after the cursor's,
// or, with later keys, in their order: those are computed for every such resource and
// sorted.
func (b *builder) missingPart(f *store.AccessFilter, q store.Query, now time.Time, limit int, after []any) error {
	k := q.Sort[0]
	table, col, sentinel, _ := sortIndex(k)
	better := "<"
	if k.Desc {
		better = ">"
	}
	// The sentinel's type, which PostgreSQL cannot infer from a bare parameter.
	typ := "TEXT"
	switch sentinel.(type) {
	case int64:
		typ = "BIGINT"
	case float64:
		typ = "DOUBLE PRECISION"
	}
	b.w("SELECT ", b.selected(len(q.Sort)), ", ", Columns, " FROM (SELECT c.rid AS rid, CAST(", b.arg(sentinel), " AS ", typ, ") AS s0")
	if err := b.laterColumns(q.Sort); err != nil {
		return err
	}
	switch {
	case len(q.Sort) > 1:
		b.w(" FROM current c WHERE c.type = ", b.arg(q.Type))
		if after != nil {
			b.w(" AND ")
			if err := b.laterKeyset(q.Sort, after, "c.rid"); err != nil {
				return err
			}
		}
	case b.d.Fence:
		var from []any
		if after != nil {
			from = after[:1]
		}
		b.typeScan(q.Type, from)
	default:
		b.w(" FROM current c WHERE c.type = ", b.arg(q.Type))
		if after != nil {
			b.w(" AND c.rid ", b.cmp(), " ", b.arg(after[0]))
		}
	}
	b.w(" AND c.deleted = 0 AND NOT EXISTS (SELECT 1 FROM ", table, " m WHERE m.rid = c.rid AND m.param = ", b.arg(k.Param),
		" AND m.", col, " ", better, " ", b.arg(sentinel), ")")
	if err := b.criteria(f, q, now); err != nil {
		return err
	}
	// Every resource here is tied on the sentinel: the later keys order them.
	b.w(" ORDER BY ", b.laterOrder(q.Sort), "c.rid", b.ridDir(), " LIMIT ", b.arg(limit+1), ")")
	b.page(q.Sort, limit)
	return nil
}

// selected is the outer select list of a sort-driven part before Columns: q.rid and the
// n sort values.
func (b *builder) selected(n int) string {
	s := "q.rid"
	for i := range n {
		s += ", q.s" + strconv.Itoa(i)
	}
	return s
}

// laterColumns writes ", <sort value> AS sN" for the sort keys after the first, of the
// resource alias c.
func (b *builder) laterColumns(sorts []store.SortKey) error {
	for i := 1; i < len(sorts); i++ {
		b.w(", ")
		if err := b.laterValue(sorts[i]); err != nil {
			return err
		}
		b.w(" AS s", strconv.Itoa(i))
	}
	return nil
}

// laterValue writes the value of a sort key after the first of the resource alias c
// (sortExpr). An _id is read by its own probe of current: SQLite (3.54) would rather
// read and sort the whole type than read current's index on (type, deleted,
// last_updated), which lacks id, in order.
func (b *builder) laterValue(k store.SortKey) error {
	if k.Param != "_id" {
		return b.sortExpr("c", k)
	}
	x := b.alias("x")
	b.w("(SELECT ", x, ".id FROM current ", x, " WHERE ", x, ".rid = c.rid)")
	return nil
}

// dir is " DESC" where sort key k is read descending: its own direction, reversed
// when backward.
func (b *builder) dir(k store.SortKey) string {
	if k.Desc != b.backward {
		return " DESC"
	}
	return ""
}

// ridDir is " DESC" where rids, which break ties ascending, are read backward.
func (b *builder) ridDir() string {
	if b.backward {
		return " DESC"
	}
	return ""
}

// laterOrder is "sN[ DESC], " for each sort key after the first, in the reading order.
func (b *builder) laterOrder(sorts []store.SortKey) string {
	s := ""
	for i := 1; i < len(sorts); i++ {
		s += "s" + strconv.Itoa(i) + b.dir(sorts[i]) + ", "
	}
	return s
}

// seekAfter writes " AND ..." that a row of an ordered part comes after the cursor:
// its first-key value col after the cursor's, or equal and the later keys' values and
// its rid after (see laterKeyset), written so that an index on col seeks the value.
func (b *builder) seekAfter(sorts []store.SortKey, col, rid string, after []any) error {
	op := ">"
	if b.dir(sorts[0]) != "" {
		op = "<"
	}
	b.w(" AND ", col, " ", op, "= ", b.arg(after[1]), " AND (", col, " ", op, " ", b.arg(after[1]), " OR ")
	err := b.laterKeyset(sorts, after, rid)
	b.w(")")
	return err
}

// laterKeyset writes the condition that the resource c, tied with the cursor on the
// first key, comes after it: its values of the later keys (sortExpr), then its rid
// (column rid), after the cursor's in the reading order (see keysetOf).
func (b *builder) laterKeyset(sorts []store.SortKey, after []any, rid string) error {
	return b.keysetOf(readingOrder(sorts, b.backward), 1, after, b.backward, func(i int) error { return b.laterValue(sorts[i]) }, rid)
}

// page closes a sort-driven part's subquery q: joins its rows to their resources and
// orders them as it read them.
func (b *builder) page(sorts []store.SortKey, limit int) {
	b.w(" q ", b.d.Join, " current cc ON cc.rid = q.rid ", b.d.Join, " resources r ON r.seq = cc.seq ORDER BY ")
	for i, k := range sorts {
		b.w("q.s", strconv.Itoa(i), b.dir(k), ", ")
	}
	b.w("q.rid", b.ridDir(), " LIMIT ", b.arg(limit+1))
}

// criteria writes " AND cond" for every clause of q on the resource alias c, and the
// access filter.
func (b *builder) criteria(f *store.AccessFilter, q store.Query, now time.Time) error {
	for _, c := range q.Clauses {
		b.w(" AND ")
		if err := b.cond("c", q.Type, c, f, now); err != nil {
			return fmt.Errorf("%w: parameter %s: %w", store.ErrInvalid, c.Param, err)
		}
	}
	b.filter("c", f)
	return nil
}
