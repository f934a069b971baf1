package sqlgen

import (
	"fmt"
	"slices"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// Probe runs a probe statement (see Driver) and returns the count it selects.
type Probe func(Stmt) (int, error)

// Driver chooses the clause whose index drives q: its index range then yields the
// candidates, which the other criteria test (-1: the type's resources are scanned in rid
// order, each tested, until a page is full). The choice:
//
//  1. An equality on an indexed value (see driver) drives: a reference to one resource,
//     a token, a compartment, a hierarchy, a uri.
//  2. Without one, each range clause with an index bound (see boundOf) is probed: probe
//     counts its index rows within the bound, up to d.RangeCap. The fewest under the cap
//     drives: the query then reads them all and sorts them by rid for the page, which is
//     cheap because they are few. At the cap the range is not selective: the rid-order
//     scan, which stops once a page is full, meets dense matches early.
//  3. A string prefix drives unless a range clause has fewer index rows: a prefix is a
//     range too, read whole and sorted, so it is probed like one and the fewer rows win
//     (the prefix on a tie).
//
// Without a driver (-1) a search of one type sorted first by _id, _lastUpdated or a key
// of an index parameter is driven by its sort (see sortDriven and sorted): the key's
// index is read in order and the page stops after Count, where sorting every resource
// of the type would read them all.
//
// The probes are index-only counts of at most RangeCap rows each (and of no more than
// the fewest found so far), and only searches
// without an equality criterion pay them. The choice changes how a query runs, never
// what it finds, so the probes need not share the page's snapshot.
func Driver(d Dialect, q store.Query, now time.Time, probe Probe) (int, error) {
	best := driver(q)
	if best >= 0 && q.Clauses[best].Kind != store.KindString || d.RangeCap <= 0 || q.Type == "" || !slices.ContainsFunc(q.Clauses, bounded) {
		return best, nil
	}
	fewest := d.RangeCap
	if best >= 0 {
		var err error
		if fewest, err = probe(probeStmt(d, q.Type, q.Clauses[best], now, fewest)); err != nil {
			return 0, err
		}
	}
	for i, c := range q.Clauses {
		if fewest == 0 {
			break // nothing is fewer
		}
		if !bounded(c) {
			continue
		}
		// Only fewer rows than the best so far win, so no probe needs to count further:
		// a dense birthdate=ge1960 beside family=smi stops after smi's 70.
		n, err := probe(probeStmt(d, q.Type, c, now, fewest))
		if err != nil {
			return 0, err
		}
		if n < fewest {
			best, fewest = i, n
		}
	}
	return best, nil
}

// probeStmt counts the index rows clause c's index can seek (see seek), up to limit (at
// most d.RangeCap).
func probeStmt(d Dialect, typ string, c store.Clause, now time.Time, limit int) Stmt {
	b := &builder{d: d}
	b.w("SELECT count(*) FROM (SELECT 1 FROM ", source(c), " d WHERE ")
	b.rows(typ, c)
	b.w(" AND ")
	b.seek(c, now)
	b.w(" LIMIT ", b.arg(limit), ") n")
	return b.stmt()
}

// seek writes the condition on alias d by which an index seeks the rows of clause c, a
// bounded range (see boundOf) or a string prefix.
func (b *builder) seek(c store.Clause, now time.Time) {
	if c.Kind == store.KindString {
		b.prefix("d.value", c.Values[0].Text)
		return
	}
	v := c.Values[0]
	col, withLow, withHigh, _ := boundOf(v.Prefix)
	col = "d." + col
	if c.Kind == store.KindLastUpdated {
		col = "d.last_updated" // a point: low and high are one column
	}
	vl, vh := searchRange(c.Kind, v, now)
	if withLow != "" {
		b.w(col, " ", withLow, " ", b.arg(vl))
	}
	if withLow != "" && withHigh != "" {
		b.w(" AND ")
	}
	if withHigh != "" {
		b.w(col, " ", withHigh, " ", b.arg(vh))
	}
}

// source is the table of the driving clause c's rows: its index table, compartments, or
// current for _lastUpdated.
func source(c store.Clause) string {
	switch c.Kind {
	case store.KindCompartment:
		return "compartments"
	case store.KindLastUpdated:
		return "current"
	}
	return tables[c.Kind]
}

// rows writes the conditions that select the rows of source(c) alias d that clause c
// may match in a search of typ: its parameter's rows of the type.
func (b *builder) rows(typ string, c store.Clause) {
	switch c.Kind {
	case store.KindCompartment:
		v := c.Values[0]
		b.w("d.comp_type = ", b.arg(v.TargetType), " AND d.comp_id = ", b.arg(v.TargetID))
	case store.KindLastUpdated:
		b.w("d.type = ", b.arg(typ), " AND d.deleted = 0")
	default:
		b.w("d.type = ", b.arg(typ), " AND d.param = ", b.arg(c.Param))
	}
}

// driving writes the conditions that select the rows of source(c) alias d that the
// driving clause c matches: rows, the bound that lets an index seek a range, and the
// clause's own test; f is the access filter for a hierarchy's walk.
func (b *builder) driving(typ string, c store.Clause, f *store.AccessFilter, now time.Time) error {
	b.rows(typ, c)
	if c.Kind == store.KindCompartment {
		return nil
	}
	if bounded(c) {
		b.w(" AND ")
		b.seek(c, now)
	}
	b.w(" AND ")
	var err error
	if c.Kind == store.KindLastUpdated {
		err = b.cond("d", typ, c, f, now)
	} else {
		err = b.values("d", c, f, now)
	}
	if err != nil {
		return fmt.Errorf("%w: parameter %s: %w", store.ErrInvalid, c.Param, err)
	}
	return nil
}

// bounded reports whether clause c has an index bound: one value of a date, number,
// quantity (without a unit that converts: those compare in canonical units, which no
// index orders) or _lastUpdated, with a prefix that bounds an indexed column.
func bounded(c store.Clause) bool {
	if len(c.Values) != 1 || c.Modifier != "" || c.Chain != nil {
		return false
	}
	v := c.Values[0]
	switch c.Kind {
	case store.KindDate:
		if c.Param == store.AnyDate {
			return false
		}
	case store.KindQuantity:
		if v.Canonical != "" {
			return false
		}
	case store.KindNumber, store.KindLastUpdated:
	default:
		return false
	}
	_, _, _, ok := boundOf(v.Prefix)
	return ok
}

// searchRange is the range [vl, vh] that value v of a range parameter of kind searches,
// in the units its index stores (widened for ap).
func searchRange(kind store.ParamKind, v store.Value, now time.Time) (any, any) {
	switch kind {
	case store.KindDate:
		lo, hi := Micros(v.Low, false), Micros(v.High, true)
		if v.Prefix == "ap" {
			lo, hi = widenInt(lo, hi, now.UnixMicro())
		}
		return lo, hi
	case store.KindLastUpdated:
		lo, hi := Nanos(v.Low, false), Nanos(v.High, true)
		if v.Prefix == "ap" {
			lo, hi = widenInt(lo, hi, now.UnixNano())
		}
		return lo, hi
	}
	lo, hi := widenFloat(v.Prefix, v.NumLow, v.NumHigh)
	return lo, hi
}

// boundOf is the index bound of a prefix (https://hl7.org/fhir/R4/search.html#prefix)
// for a stored range [low, high] and a search range [vl, vh]: a condition on one
// indexed column that every row the prefix matches meets, as column ("low" or "high")
// and comparisons of it with vl and vh ("" for none). It rests on low <= high, which
// every index row has (package search writes no reversed range): eq holds low in
// [vl, vh]; lt and eb (high < vl) hold low < vl; le holds low <= vh; sa holds low > vh;
// ap holds low <= vh; gt holds high > vh; ge (gt, or low >= vl) holds high >= vl. ne has
// none.
func boundOf(prefix string) (col, withLow, withHigh string, ok bool) {
	switch prefix {
	case "", "eq":
		return "low", ">=", "<=", true
	case "lt", "eb":
		return "low", "<", "", true
	case "le", "ap":
		return "low", "", "<=", true
	case "sa":
		return "low", "", ">", true
	case "gt":
		return "high", "", ">", true
	case "ge":
		return "high", ">=", "", true
	}
	return "", "", "", false
}
