package sqlgen

import "github.com/joinedup/joinedup/internal/store"

// History returns the statement for one page of q (at most limit+1 rows, newest first),
// the page size limit, and for an instance the statement counting all its matching
// versions (nil for type and system history, where a count would scan the table).
func History(d Dialect, f *store.AccessFilter, q store.HistoryQuery) (page Stmt, limit int, count *Stmt) {
	limit = q.Count
	if limit <= 0 {
		limit = DefaultCount
	}
	if q.ID != "" {
		b := &builder{d: d}
		b.w("SELECT count(*) FROM resources r WHERE 1 = 1")
		b.historyWhere(f, q)
		s := b.stmt()
		count = &s
	}
	b := &builder{d: d}
	b.w("SELECT ", Columns, " FROM resources r WHERE 1 = 1")
	b.historyWhere(f, q)
	if q.BeforeSeq > 0 {
		b.w(" AND r.seq < ", b.arg(q.BeforeSeq))
	}
	b.w(" ORDER BY r.seq DESC LIMIT ", b.arg(limit+1))
	return b.stmt(), limit, count
}

func (b *builder) historyWhere(f *store.AccessFilter, q store.HistoryQuery) {
	switch {
	case q.ID != "":
		b.w(" AND r.rid = (SELECT rid FROM current WHERE type = ", b.arg(q.Type), " AND id = ", b.arg(q.ID), ")")
	case q.Type != "":
		b.w(" AND r.type = ", b.arg(q.Type))
	}
	if !q.Since.IsZero() {
		b.w(" AND r.last_updated >= ", b.arg(Nanos(q.Since, false)))
	}
	if !q.At.IsZero() {
		// The version current at At is the resource's newest one written by then.
		b.w(" AND r.seq = (SELECT max(h.seq) FROM resources h WHERE h.rid = r.rid AND h.last_updated <= ",
			b.arg(Nanos(q.At, true)), ")")
	}
	b.filter("r", f)
}
