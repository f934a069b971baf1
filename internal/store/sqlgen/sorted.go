package sqlgen

import (
	"fmt"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// sortDriven reports whether q, which no clause drives (drv < 0: it would scan its
// type), is paged by reading the index of its sort key in order (see sorted): one key,
// of an index parameter, in a search of one type. With further keys the index order
// would only be that of the first, and ties on it could span the whole type.
func sortDriven(q store.Query, drv int) bool {
	if drv >= 0 || q.Type == "" || len(q.Sort) != 1 {
		return false
	}
	_, _, _, ok := sortIndex(q.Sort[0])
	return ok
}

// sorted writes the page statements of a sort-driven search (see sortDriven), in the
// order they continue the page: a resource's sort value is its first index row in the
// key's order (its lowest value ascending, its highest descending), so
//
//   - the ordered part reads the index of the key's parameter in that order (reversed
//     when backward), keeps each row that no row of the same resource comes before (a
//     probe of the index on rid), tests the criteria and the access filter on the
//     resource, and stops after a page;
//   - the missing part, the resources without a value (whose sentinel sorts them after
//     every value), follows in rid order, again testing each and stopping after a page.
//
// A cursor seeks in its part: in the ordered part to its value and rid, in the missing
// part (its value is the sentinel) to its rid. Backwards the parts come in reverse. The
// ordered part skips rows holding the sentinel itself, which the missing part then
// takes, so that a resource's part and sort value are those sortExpr gives it.
func sorted(d Dialect, f *store.AccessFilter, q store.Query, now time.Time, limit int, after []any, backward bool) ([]Stmt, error) {
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
		b := &builder{d: d, backward: backward, fence: true}
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

// sortedPart writes the ordered part of a sort-driven page (see sorted).
func (b *builder) sortedPart(f *store.AccessFilter, q store.Query, now time.Time, limit int, after []any) error {
	k := q.Sort[0]
	table, col, sentinel, _ := sortIndex(k)
	better := "<" // a resource's first row in the key's order holds its sort value
	if k.Desc {
		better = ">"
	}
	desc := k.Desc != b.backward // the reading order
	// DISTINCT: a resource's best value may be on several of its rows.
	b.w("SELECT q.rid, q.s0, ", Columns, " FROM (SELECT DISTINCT d.rid AS rid, d.", col, " AS s0 FROM ", table, " d ", b.d.Join,
		" current c ON c.rid = d.rid WHERE d.type = ", b.arg(q.Type), " AND d.param = ", b.arg(k.Param),
		" AND d.", col, " ", better, " ", b.arg(sentinel))
	if after != nil {
		// (value, rid) after the cursor's, written so that the index seeks the value.
		op := ">"
		if desc {
			op = "<"
		}
		b.w(" AND d.", col, " ", op, "= ", b.arg(after[1]), " AND (d.", col, " ", op, " ", b.arg(after[1]),
			" OR d.rid ", b.cmp(), " ", b.arg(after[0]), ")")
	}
	b.w(" AND NOT EXISTS (SELECT 1 FROM ", table, " e WHERE e.rid = d.rid AND e.param = d.param AND e.", col, " ", better, " d.", col, ")")
	b.w(" AND c.deleted = 0")
	if err := b.criteria(f, q, now); err != nil {
		return err
	}
	dir, ridDir := "", ""
	if desc {
		dir = " DESC"
	}
	if b.backward {
		ridDir = " DESC"
	}
	// Ties on the value are sorted by rid as they come: SQLite sorts the right part of
	// the ORDER BY, PostgreSQL sorts incrementally, neither the whole index.
	b.w(" ORDER BY d.", col, dir, ", d.rid", ridDir, " LIMIT ", b.arg(limit+1), ") q ", b.d.Join, " current cc ON cc.rid = q.rid ",
		b.d.Join, " resources r ON r.seq = cc.seq ORDER BY q.s0", dir, ", q.rid", ridDir, " LIMIT ", b.arg(limit+1))
	return nil
}

// missingPart writes the missing part of a sort-driven page (see sorted): the type's
// resources without a value other than the sentinel, in rid order after the cursor's.
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
	b.w("SELECT q.rid, q.s0, ", Columns, " FROM (SELECT c.rid AS rid, CAST(", b.arg(sentinel), " AS ", typ, ") AS s0")
	var from []any
	if after != nil {
		from = after[:1]
	}
	if b.d.Fence {
		b.typeScan(q.Type, from)
	} else {
		b.w(" FROM current c WHERE c.type = ", b.arg(q.Type))
		if from != nil {
			b.w(" AND c.rid ", b.cmp(), " ", b.arg(from[0]))
		}
	}
	b.w(" AND c.deleted = 0 AND NOT EXISTS (SELECT 1 FROM ", table, " m WHERE m.rid = c.rid AND m.param = ", b.arg(k.Param),
		" AND m.", col, " ", better, " ", b.arg(sentinel), ")")
	if err := b.criteria(f, q, now); err != nil {
		return err
	}
	ridDir := ""
	if b.backward {
		ridDir = " DESC"
	}
	b.w(" ORDER BY c.rid", ridDir, " LIMIT ", b.arg(limit+1), ") q ", b.d.Join, " current cc ON cc.rid = q.rid ",
		b.d.Join, " resources r ON r.seq = cc.seq ORDER BY q.rid", ridDir, " LIMIT ", b.arg(limit+1))
	return nil
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
