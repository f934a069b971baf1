package sqlgen

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// Estimated totals (store.Query.EstimateTotal, _total=estimate) are for searches that Run
// cannot count cheaply: too many matches for the cheap count's bounds, or criteria that
// would have to be probed for every candidate.
//
// PostgreSQL keeps table statistics, so its planner's row estimate for the count's inner
// query (EXPLAIN) is the estimate: it costs a plan, not a scan, and is as good as the
// statistics (ANALYZE, or autovacuum; the multi-column statistics of its migration
// 0004 let it see which values each parameter holds).
//
// SQLite keeps none, so the estimate comes from a bounded sample of the candidates, the
// rids the driving index yields (or the type's resources when there is no driver):
//
//   - Where that range yields rids in order, its rid span is cut into estimateStrata
//     equal strata, and in each the first estimateSample rids are read, each with whether
//     it meets every other criterion. A stratum read to its end is counted exactly; one
//     cut short is extrapolated from the density of matches over the rids read to the
//     width of the stratum (so matches are taken to be spread evenly within a stratum,
//     not across the whole span). Small results come out exact; large ones cost at most
//     strata × sample index rows and probes, whatever their size.
//   - A driving range not in rid order (a code without its system, a string prefix, a
//     reference without its type) is counted up to estimateRange rows; when it ends
//     there, a hash sample of about strata × sample of its rids is probed and the
//     proportion that match scales its count. A larger range falls back to sampling the
//     type's resources as above, where a rare criterion may then be missed.
//
// The sample runs under Dialect.EstimateBudget; past it there is no total.
const (
	estimateStrata = 16
	estimateSample = 32
	estimateRange  = 10000
)

// estimate returns an estimate of how many resources match q, -1 when it ran out of
// time. page is the page Run found: a first page with a next one proves that more than
// its own resources match, whatever the estimate says.
func estimate(ctx context.Context, d Dialect, qr Querier, f *store.AccessFilter, q store.Query, drv int, now time.Time, page *store.SearchPage) (int, error) {
	var n int
	if d.Explain {
		var err error
		if n, err = explainRows(ctx, d, qr, f, q, drv, now); err != nil {
			return 0, err
		}
	} else {
		ectx := ctx
		if d.EstimateBudget > 0 {
			var cancel context.CancelFunc
			ectx, cancel = context.WithTimeout(ctx, d.EstimateBudget)
			defer cancel()
		}
		var err error
		n, err = sample(ectx, d, qr, f, q, drv, now)
		if err != nil && ectx.Err() != nil && ctx.Err() == nil {
			return -1, nil // over budget: no total
		}
		if err != nil {
			return 0, err
		}
	}
	if q.AfterKey == "" && q.BeforeKey == "" && page.NextKey != "" {
		n = max(n, len(page.Resources)+1)
	}
	return n, nil
}

// explainRows is the planner's estimate of the rows of q's matching rids, driven by
// clause drv.
func explainRows(ctx context.Context, d Dialect, qr Querier, f *store.AccessFilter, q store.Query, drv int, now time.Time) (int, error) {
	b := &builder{d: d}
	b.w("EXPLAIN (FORMAT JSON) ")
	if _, err := b.inner(f, q, drv, now, nil, nil); err != nil {
		return 0, err
	}
	var out []byte
	if err := qr(ctx, b.stmt(), func(s Scanner) error { return s.Scan(&out) }); err != nil {
		return 0, fmt.Errorf("explain: %w", err)
	}
	var plans []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	if err := json.Unmarshal(out, &plans); err != nil || len(plans) != 1 {
		return 0, fmt.Errorf("explain: unexpected plan %.200s (%v)", out, err)
	}
	return int(math.Round(plans[0].Plan.Rows)), nil
}

// sample estimates q's matches from a sample of its candidates, those of the driving
// clause drv (see estimateStrata).
func sample(ctx context.Context, d Dialect, qr Querier, f *store.AccessFilter, q store.Query, drv int, now time.Time) (int, error) {
	if drv >= 0 && !ridOrdered(q.Clauses[drv]) {
		n, ok, err := sampleRange(ctx, d, qr, f, q, drv, now)
		if ok || err != nil {
			return n, err
		}
		drv = -1 // too large to count: sample the type instead
	}
	return sampleStrata(ctx, d, qr, f, q, drv, now)
}

// sampleStrata samples the candidates stratum by stratum of their rid span: the driving
// clause drv's range (which must yield rids in order), or the type's resources (drv -1).
func sampleStrata(ctx context.Context, d Dialect, qr Querier, f *store.AccessFilter, q store.Query, drv int, now time.Time) (int, error) {
	var lo, hi int64
	for i, dir := range []string{"", " DESC"} {
		b := &builder{d: d}
		if err := b.candidates(f, q, drv, now); err != nil {
			return 0, err
		}
		b.w(" ORDER BY d.rid", dir, " LIMIT 1")
		found := false
		err := qr(ctx, b.stmt(), func(s Scanner) error {
			found = true
			if i == 0 {
				return s.Scan(&lo)
			}
			return s.Scan(&hi)
		})
		if err != nil {
			return 0, err
		}
		if !found {
			return 0, nil // no candidates
		}
	}
	span := hi - lo + 1
	strata := min(int64(estimateStrata), span)
	bound := func(j int64) int64 { return lo + int64(float64(span)*float64(j)/float64(strata)) }
	b := &builder{d: d}
	for j := range strata {
		if j > 0 {
			b.w(" UNION ALL ")
		}
		b.w("SELECT ", b.arg(j), ", count(*), coalesce(max(s.rid), 0), coalesce(sum(")
		if err := b.matches("s.rid", f, q, drv, now); err != nil {
			return 0, err
		}
		b.w("), 0) FROM (")
		if err := b.candidates(f, q, drv, now); err != nil {
			return 0, err
		}
		// One rid more than the sample tells a stratum read to its end from one cut short.
		b.w(" AND d.rid >= ", b.arg(bound(j)), " AND d.rid < ", b.arg(bound(j+1)), " ORDER BY d.rid LIMIT ", b.arg(estimateSample+1), ") s")
	}
	total := 0.0
	err := qr(ctx, b.stmt(), func(s Scanner) error {
		var j, n, last, matched int64
		if err := s.Scan(&j, &n, &last, &matched); err != nil {
			return err
		}
		if n <= estimateSample {
			total += float64(matched) // the whole stratum was read
			return nil
		}
		start, end := bound(j), bound(j+1)
		total += float64(matched) * float64(end-start) / float64(last-start+1)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return int(math.Round(total)), nil
}

// sampleRange estimates from the driving range of clause drv, whose rids come in no
// useful order: ok is false when the range has estimateRange rids or more.
func sampleRange(ctx context.Context, d Dialect, qr Querier, f *store.AccessFilter, q store.Query, drv int, now time.Time) (int, bool, error) {
	b := &builder{d: d}
	b.w("SELECT count(*) FROM (")
	if err := b.candidates(f, q, drv, now); err != nil {
		return 0, false, err
	}
	b.w(" LIMIT ", b.arg(estimateRange), ") s")
	var n int64
	if err := qr(ctx, b.stmt(), func(s Scanner) error { return s.Scan(&n) }); err != nil {
		return 0, false, err
	}
	if n >= estimateRange {
		return 0, false, nil
	}
	if n == 0 {
		return 0, true, nil
	}
	// A multiplicative hash of the rid modulo a prime keeps about one rid in n/want,
	// however the rids the range holds are spaced.
	const prime = 65521
	want := float64(estimateStrata * estimateSample)
	b = &builder{d: d}
	b.w("SELECT count(*), coalesce(sum(")
	if err := b.matches("s.rid", f, q, drv, now); err != nil {
		return 0, false, err
	}
	b.w("), 0) FROM (")
	if err := b.candidates(f, q, drv, now); err != nil {
		return 0, false, err
	}
	if float64(n) > want {
		b.w(" AND (d.rid * 40503) % ", b.arg(prime), " < ", b.arg(int64(math.Ceil(prime*want/float64(n)))))
	}
	b.w(") s")
	var sampled, matched int64
	if err := qr(ctx, b.stmt(), func(s Scanner) error { return s.Scan(&sampled, &matched) }); err != nil {
		return 0, false, err
	}
	if sampled == 0 {
		return 0, true, nil
	}
	return int(math.Round(float64(n) * float64(matched) / float64(sampled))), true, nil
}

// candidates writes the SELECT of the rids an estimate samples, as d.rid, ending in a
// WHERE clause that more conditions may follow: the driving clause drv's index range, or
// (drv -1) every current resource of the type.
func (b *builder) candidates(f *store.AccessFilter, q store.Query, drv int, now time.Time) error {
	if drv < 0 {
		b.w("SELECT d.rid AS rid FROM current d WHERE d.deleted = 0")
		if q.Type != "" {
			b.w(" AND d.type = ", b.arg(q.Type))
		}
		return nil
	}
	c := q.Clauses[drv]
	b.w("SELECT ")
	if !uniqueDriver(c) {
		b.w("DISTINCT ")
	}
	b.w("d.rid AS rid FROM ", source(c), " d WHERE ")
	return b.driving(q.Type, c, f, now)
}

// matches writes a test that the candidate rid is a current resource of the search's
// type(s) that meets every clause but drv (which chose it) and the access filter.
func (b *builder) matches(rid string, f *store.AccessFilter, q store.Query, drv int, now time.Time) error {
	b.w("EXISTS (SELECT 1 FROM current c WHERE c.rid = ", rid, " AND c.deleted = 0")
	b.types("c", q)
	rest := q
	rest.Clauses = nil
	for i, c := range q.Clauses {
		if i != drv {
			rest.Clauses = append(rest.Clauses, c)
		}
	}
	if err := b.clauses("c", &rest, f, now); err != nil {
		return fmt.Errorf("%w: %w", store.ErrInvalid, err)
	}
	b.w(")")
	return nil
}
