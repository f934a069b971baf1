package sqlgen

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// Querier runs st and calls row for each result row, on whatever connection or
// transaction the backend chose; all statements of one Run see the same snapshot when
// the backend runs them in one read transaction.
type Querier func(ctx context.Context, st Stmt, row func(Scanner) error) error

// Run executes a search: the count, the page, and the page's includes. Both backends
// call it, so that they cannot differ in what a query means.
func Run(ctx context.Context, d Dialect, qr Querier, f *store.AccessFilter, q store.Query, now time.Time) (*store.SearchPage, error) {
	q.CheapTotal = q.CheapTotal || q.EstimateTotal
	drv, err := Driver(d, q, now, func(st Stmt) (int, error) {
		var n int64
		err := qr(ctx, st, func(s Scanner) error { return s.Scan(&n) })
		return int(n), err
	})
	if err != nil {
		return nil, fmt.Errorf("probe: %w", err)
	}
	plan, err := Search(d, f, q, now, drv)
	if err != nil {
		return nil, err
	}
	p := &store.SearchPage{Total: -1}
	count := func() error {
		var n int64
		cctx := ctx
		if !q.CountTotal && d.CheapBudget > 0 {
			// A cheap total is given only when counting is quick.
			var cancel context.CancelFunc
			cctx, cancel = context.WithTimeout(ctx, d.CheapBudget)
			defer cancel()
		}
		err := qr(cctx, *plan.Count, func(s Scanner) error { return s.Scan(&n) })
		if err != nil && !q.CountTotal && cctx.Err() != nil && ctx.Err() == nil {
			return nil // over budget: no total
		}
		if err != nil {
			return err
		}
		if plan.Cap == 0 || n < int64(plan.Cap) {
			p.Total = int(n)
		}
		return nil
	}
	if plan.Limit < 0 {
		if plan.Count != nil {
			if err := count(); err != nil {
				return nil, err
			}
		}
		return p, nil
	}
	type row struct {
		rid   int64
		sorts []any
	}
	var rows []row
	for _, st := range append([]Stmt{plan.Page}, plan.Then...) {
		if len(rows) > plan.Limit {
			break
		}
		err = qr(ctx, st, func(s Scanner) error {
			var rw row
			extra := []any{&rw.rid}
			vals := make([]any, len(plan.Sorts))
			for i := range vals {
				extra = append(extra, &vals[i])
			}
			r, err := ScanWith(s, extra...)
			if err != nil {
				return err
			}
			rw.sorts = vals
			rows = append(rows, rw)
			p.Resources = append(p.Resources, r)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	more := len(p.Resources) > plan.Limit
	if more {
		p.Resources, rows = p.Resources[:plan.Limit], rows[:plan.Limit]
	}
	if plan.Backward {
		slices.Reverse(p.Resources)
		slices.Reverse(rows)
	}
	if len(rows) > 0 {
		first, last := rows[0], rows[len(rows)-1]
		switch {
		case plan.Backward:
			// The cursor's own row follows this page.
			p.NextKey = Key(last.rid, normalise(last.sorts))
			if more {
				p.PrevKey = Key(first.rid, normalise(first.sorts))
			}
		default:
			if more {
				p.NextKey = Key(last.rid, normalise(last.sorts))
			}
			if q.AfterKey != "" {
				p.PrevKey = Key(first.rid, normalise(first.sorts))
			}
		}
	}
	if len(q.Include) > 0 && len(rows) > 0 {
		rids := make([]int64, 0, len(p.Resources))
		for _, rw := range rows {
			rids = append(rids, rw.rid)
		}
		if p.Included, err = includes(ctx, d, qr, f, q.Include, rids); err != nil {
			return nil, err
		}
	}
	// The count comes last: a cheap count cut short by its budget may leave a
	// PostgreSQL transaction unusable.
	switch {
	case q.AfterKey == "" && q.BeforeKey == "" && p.NextKey == "" && (q.CountTotal || q.CheapTotal):
		// The whole result fits in the first page: its size is the total.
		p.Total = len(p.Resources)
	case plan.Count == nil:
	default:
		if err := count(); err != nil {
			return nil, err
		}
	}
	if q.EstimateTotal && p.Total < 0 {
		if p.Total, err = estimate(ctx, d, qr, f, q, drv, now, p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// normalise turns scanned sort values into the types Key encodes.
func normalise(vals []any) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		switch x := v.(type) {
		case int:
			out[i] = int64(x)
		case int32:
			out[i] = int64(x)
		case float32:
			out[i] = float64(x)
		case []byte:
			out[i] = string(x)
		default:
			out[i] = x
		}
	}
	return out
}

// includeChunk bounds the rids one include statement names.
const includeChunk = 500

// includes runs the _include and _revinclude of a page whose matches are rids:
// non-iterating ones over the matches, iterating ones over the matches and then over
// what each round adds, until a round adds nothing. There is no cap: a page's includes
// are all of them.
func includes(ctx context.Context, d Dialect, qr Querier, f *store.AccessFilter, incs []store.Include, rids []int64) ([]*store.Resource, error) {
	seen := map[int64]bool{}
	for _, r := range rids {
		seen[r] = true
	}
	var out []*store.Resource
	run := func(inc store.Include, from []int64) ([]int64, error) {
		var added []int64
		for start := 0; start < len(from); start += includeChunk {
			st := Include(d, f, inc, from[start:min(len(from), start+includeChunk)])
			err := qr(ctx, st, func(s Scanner) error {
				var rid int64
				r, err := ScanWith(s, &rid)
				if err != nil {
					return err
				}
				if !seen[rid] {
					seen[rid] = true
					out = append(out, r)
					added = append(added, rid)
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
		return added, nil
	}
	frontier := rids
	var next []int64
	for _, inc := range incs {
		added, err := run(inc, rids)
		if err != nil {
			return nil, err
		}
		next = append(next, added...)
	}
	frontier = next
	for len(frontier) > 0 {
		var round []int64
		for _, inc := range incs {
			if !inc.Iterate {
				continue
			}
			added, err := run(inc, frontier)
			if err != nil {
				return nil, err
			}
			round = append(round, added...)
		}
		frontier = round
	}
	return out, nil
}

// Include selects the resources one include adds for the resources with keys rids.
func Include(d Dialect, f *store.AccessFilter, inc store.Include, rids []int64) Stmt {
	b := &builder{d: d}
	if !inc.Reverse {
		b.w("SELECT c.rid, ", Columns, " FROM idx_reference t ", d.Join, " current c ON c.type = t.target_type AND c.id = t.target_id ",
			d.Join, " resources r ON r.seq = c.seq WHERE t.rid IN (")
	} else {
		b.w("SELECT c.rid, ", Columns, " FROM current p ", d.Join, " idx_reference t ON t.target_type = p.type AND t.target_id = p.id ",
			d.Join, " current c ON c.rid = t.rid ", d.Join, " resources r ON r.seq = c.seq WHERE p.rid IN (")
	}
	b.w(b.list(rids), ")")
	if inc.Type != "" {
		if inc.Reverse {
			b.w(" AND t.type = ", b.arg(inc.Type))
		} else {
			// The rids choose the rows; an index on type would read every row of it.
			b.w(" AND ", d.NoIndex("t.type"), " = ", b.arg(inc.Type))
		}
	}
	if inc.Param != "" && inc.Param != "*" {
		b.w(" AND t.param = ", b.arg(inc.Param))
	}
	if inc.TargetType != "" {
		if inc.Reverse {
			b.w(" AND p.type = ", b.arg(inc.TargetType))
		} else {
			b.w(" AND c.type = ", b.arg(inc.TargetType))
		}
	}
	b.w(" AND c.deleted = 0")
	b.filter("c", f)
	return b.stmt()
}

// list binds every rid and returns the placeholders, comma-separated.
func (b *builder) list(rids []int64) string {
	ps := make([]string, len(rids))
	for i, r := range rids {
		ps[i] = b.arg(r)
	}
	return strings.Join(ps, ", ")
}
