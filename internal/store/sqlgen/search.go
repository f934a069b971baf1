package sqlgen

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// Plan is the SQL of one search: the page, the optional count, and what the caller
// needs to read the page (see Run).
type Plan struct {
	Page Stmt
	// Then continue the page, in order, while it has at most Limit rows: the parts of a
	// sort-driven page (see sorted).
	Then  []Stmt
	Count *Stmt
	// Limit is the page size; the page statement selects up to Limit+1 rows so that the
	// caller can tell whether another page follows. Negative: no page, only a count.
	Limit int
	// Sorts is how many sort values each page row carries between its rid and Columns.
	Sorts []store.SortKey
	// Cap, when non-zero, is the bound of a cheap count: a count of Cap means "at least".
	Cap int
	// Backward: the page rows come in reverse order (Query.BeforeKey).
	Backward bool
}

// Search plans q for the page after q.AfterKey, driven by clause drv (see Driver).
func Search(d Dialect, f *store.AccessFilter, q store.Query, now time.Time, drv int) (*Plan, error) {
	limit := q.Count
	if limit == 0 {
		limit = DefaultCount
	}
	cursor, backward := q.AfterKey, false
	if q.BeforeKey != "" {
		cursor, backward = q.BeforeKey, true
	}
	after, err := decodeKey(cursor, q.Sort)
	if err != nil {
		return nil, err
	}
	p := &Plan{Limit: limit, Sorts: q.Sort, Backward: backward}
	order := readingOrder(q.Sort, backward)
	if (q.CountTotal || q.CheapTotal) && f == nil && len(q.Clauses) == 1 && drv == 0 && q.Clauses[0].Kind != store.KindCompartment {
		// One indexed criterion: count its index rows alone. Index rows exist only for
		// current, non-deleted versions (a delete replaces them with none), so no join
		// with current is needed; compartment rows outlive deletes and are not counted
		// this way.
		c := q.Clauses[0]
		b := &builder{d: d}
		b.w("SELECT count(*) FROM (SELECT ")
		if !uniqueDriver(c) {
			b.w("DISTINCT ")
		}
		b.w("d.rid FROM ", source(c), " d WHERE ")
		if err := b.driving(q.Type, c, nil, now); err != nil {
			return nil, err
		}
		if !q.CountTotal {
			p.Cap = d.CheapCount
			b.w(" LIMIT ", b.arg(d.CheapCount))
		}
		b.w(") n")
		s := b.stmt()
		p.Count = &s
	} else if q.CountTotal || q.CheapTotal && cheapToCount(q, drv) {
		b := &builder{d: d}
		b.w("SELECT count(*) FROM (")
		if _, err := b.inner(f, q, drv, now, nil, nil); err != nil {
			return nil, err
		}
		if !q.CountTotal {
			p.Cap = d.CheapCount
			b.w(" LIMIT ", b.arg(d.CheapCount))
		}
		b.w(") n")
		s := b.stmt()
		p.Count = &s
	}
	if limit < 0 {
		return p, nil
	}
	if sortDriven(q, drv) {
		stmts, err := sorted(d, f, q, now, limit, after, backward)
		if err != nil {
			return nil, err
		}
		p.Page, p.Then = stmts[0], stmts[1:]
		return p, nil
	}
	b := &builder{d: d}
	b.w("SELECT q.rid")
	for i := range q.Sort {
		b.w(", q.s", strconv.Itoa(i))
	}
	b.w(", ", Columns, " FROM (")
	if len(q.Sort) == 0 {
		// Without sort keys the inner query pages itself in rid order, so an index that
		// yields rids in order stops after one page.
		b.backward, b.fence = backward, true
		key, err := b.inner(f, q, drv, now, after, nil)
		if err != nil {
			return nil, err
		}
		b.w(" ORDER BY ", key)
		if backward {
			b.w(" DESC")
		}
		b.w(" LIMIT ", b.arg(limit+1), ") q")
	} else {
		if _, err := b.inner(f, q, drv, now, nil, q.Sort); err != nil {
			return nil, err
		}
		b.w(") q")
	}
	b.w(" ", d.Join, " current cc ON cc.rid = q.rid ", d.Join, " resources r ON r.seq = cc.seq")
	if len(q.Sort) > 0 && after != nil {
		b.w(" WHERE ")
		b.keyset(order, after, backward)
	}
	b.w(" ORDER BY ")
	for i, k := range order {
		b.w("q.s", strconv.Itoa(i))
		if k.Desc {
			b.w(" DESC")
		}
		b.w(", ")
	}
	b.w("q.rid")
	if backward {
		b.w(" DESC")
	}
	b.w(" LIMIT ", b.arg(limit+1))
	p.Page = b.stmt()
	return p, nil
}

// inner writes the SELECT of the matching rids (with their sort values when sorts is
// set), driven by clause drv; after, without sort keys, continues after that rid. It
// returns the column that orders the rids as the driving index yields them (d.rid, equal
// to c.rid: naming the index's own column lets the engine stop after one page instead
// of sorting).
func (b *builder) inner(f *store.AccessFilter, q store.Query, drv int, now time.Time, after []any, sorts []store.SortKey) (string, error) {
	if drv >= 0 && !needsCurrent(f, q, drv, sorts) {
		return b.indexOnly(q, drv, f, now, after, sorts)
	}
	b.w("SELECT ")
	if drv >= 0 && !uniqueDriver(q.Clauses[drv]) {
		b.w("DISTINCT ")
	}
	b.w("c.rid AS rid")
	if err := b.sortColumns("c", sorts); err != nil {
		return "", err
	}
	if drv >= 0 {
		c := q.Clauses[drv]
		b.w(" FROM ", source(c), " d ", b.d.Join, " current c ON c.rid = d.rid WHERE ")
		if err := b.driving(q.Type, c, f, now); err != nil {
			return "", err
		}
		if after != nil {
			col := "d.rid"
			if !ridOrdered(c) {
				// The cursor only filters rows that come in another order: an index
				// on rid must not be scanned for it instead (SQLite would, from the
				// cursor to the end of the type, for _lastUpdated).
				col = b.d.NoIndex(col)
			}
			b.w(" AND ", col, " ", b.cmp(), " ", b.arg(after[0]))
		}
	} else if b.fence && b.d.Fence && q.Type != "" {
		b.typeScan(q.Type, after)
	} else {
		b.w(" FROM current c WHERE 1 = 1")
		if after != nil {
			b.w(" AND c.rid ", b.cmp(), " ", b.arg(after[0]))
		}
	}
	b.w(" AND c.deleted = 0")
	b.types("c", q)
	for i, c := range q.Clauses {
		if i == drv {
			continue
		}
		b.w(" AND ")
		if err := b.cond("c", q.Type, c, f, now); err != nil {
			return "", fmt.Errorf("%w: parameter %s: %w", store.ErrInvalid, c.Param, err)
		}
	}
	b.filter("c", f)
	if drv >= 0 && uniqueDriver(q.Clauses[drv]) && ridOrdered(q.Clauses[drv]) {
		return "d.rid", nil // with DISTINCT, PostgreSQL orders only by selected columns
	}
	// Rows out of rid order are sorted: naming c's column (not the driving index's)
	// leaves SQLite no rid-order scan of the driver to prefer.
	return "c.rid", nil
}

// types writes " AND a.type ..." for the search's type or _type list, if any.
func (b *builder) types(a string, q store.Query) {
	switch {
	case q.Type != "":
		b.w(" AND ", a, ".type = ", b.arg(q.Type))
	case len(q.Types) > 0:
		b.w(" AND ", a, ".type IN (")
		for i, t := range q.Types {
			if i > 0 {
				b.w(", ")
			}
			b.w(b.arg(t))
		}
		b.w(")")
	}
}

// typeScan writes " FROM (...) c WHERE 1 = 1" over the resources of typ in rid order
// (after the rid after[0], if set, in the builder's direction) as a fenced subquery:
// PostgreSQL then streams them through the criteria and stops after one page, where
// its estimate of EXISTS criteria would otherwise make it read and sort them all. The
// columns are those criteria read, which the type's index covers: planned without the
// page's limit, the subquery is then an index-only scan in rid order rather than a read
// and sort of the whole type.
func (b *builder) typeScan(typ string, after []any) {
	b.w(" FROM (SELECT rid, type, id, last_updated, deleted FROM current WHERE type = ", b.arg(typ), " AND deleted = 0")
	if after != nil {
		b.w(" AND rid ", b.cmp(), " ", b.arg(after[0]))
	}
	b.w(" ORDER BY rid")
	if b.backward {
		b.w(" DESC")
	}
	b.w(" OFFSET 0) c WHERE 1 = 1")
}

// indexOnly writes inner for a query whose driver is an index table and whose other
// criteria and sort keys read only the rid: the driver's rows are then the matches'
// rows (index rows exist only for current, undeleted versions), so no row of current is
// read per candidate.
func (b *builder) indexOnly(q store.Query, drv int, f *store.AccessFilter, now time.Time, after []any, sorts []store.SortKey) (string, error) {
	c := q.Clauses[drv]
	b.w("SELECT ")
	if !uniqueDriver(c) {
		b.w("DISTINCT ")
	}
	b.w("d.rid AS rid")
	if err := b.sortColumns("d", sorts); err != nil {
		return "", err
	}
	b.w(" FROM ", source(c), " d WHERE ")
	if err := b.driving(q.Type, c, f, now); err != nil {
		return "", err
	}
	key := "d.rid"
	if !ridOrdered(c) {
		// As in inner: rows that come in another order are sorted, and neither the
		// cursor nor the order may tempt SQLite into a rid-order scan of the index.
		key = b.d.NoIndex(key)
	}
	if after != nil {
		b.w(" AND ", key, " ", b.cmp(), " ", b.arg(after[0]))
	}
	for i, o := range q.Clauses {
		if i == drv {
			continue
		}
		b.w(" AND ")
		if err := b.cond("d", q.Type, o, f, now); err != nil {
			return "", fmt.Errorf("%w: parameter %s: %w", store.ErrInvalid, o.Param, err)
		}
	}
	if uniqueDriver(c) && ridOrdered(c) {
		return "d.rid", nil
	}
	return key, nil
}

// needsCurrent reports whether inner must join the driver's rows to current: for a
// compartment driver (its rows outlive deletes), the access filter, or a criterion or
// sort key that reads a column of current rather than the rid.
func needsCurrent(f *store.AccessFilter, q store.Query, drv int, sorts []store.SortKey) bool {
	if f != nil || q.Clauses[drv].Kind == store.KindCompartment {
		return true
	}
	for _, k := range sorts {
		if k.Param == "_id" || k.Param == "_lastUpdated" {
			return true
		}
	}
	for i, c := range q.Clauses {
		if i == drv {
			continue
		}
		switch {
		case c.Kind == store.KindID, c.Kind == store.KindLastUpdated, c.Kind == store.KindHas,
			c.Kind == store.KindDate && c.Param == store.AnyDate:
			return true
		}
	}
	return false
}

// sortColumns writes ", <sort value> AS sN" for each sort key of resource alias a.
func (b *builder) sortColumns(a string, sorts []store.SortKey) error {
	for i, k := range sorts {
		b.w(", ")
		if err := b.sortExpr(a, k); err != nil {
			return err
		}
		b.w(" AS s", strconv.Itoa(i))
	}
	return nil
}

// cheapToCount reports whether a count of q reads only an index range: no criteria, or
// one that drives the query (drv). Anything else would probe every match, and a cheap
// total is not worth that (the count is then left out rather than started and
// abandoned).
func cheapToCount(q store.Query, drv int) bool {
	return len(q.Clauses) == 0 && q.Type != "" || len(q.Clauses) == 1 && drv == 0
}

// driver picks the clause whose index drives the query: an equality on an indexed
// value, so that the index yields the few matching rids (in rid order where the value
// is fully given) instead of scanning the type. Among several, the likely most
// selective: a compartment or a reference to one resource, then a token with its
// system, a token code, a reference into a hierarchy (the ids its walk finds), a string
// or uri. -1: scan current.
func driver(q store.Query) int {
	best, rank := -1, 0
	for i, c := range q.Clauses {
		if len(c.Values) != 1 || c.Chain != nil || len(c.Values[0].Codes) > 0 {
			continue
		}
		v := c.Values[0]
		r := 0
		switch {
		case c.Kind == store.KindCompartment && v.TargetID != "":
			r = 7
		case q.Type == "":
			// Index rows are keyed by type: without one only compartments drive.
		case c.Kind == store.KindReference && (c.Modifier == "" || isTypeName(c.Modifier)) && v.TargetID != "":
			r = 6
		case c.Kind == store.KindToken && c.Modifier == "" && v.HasSystem && v.Code != "":
			r = 5
		case c.Kind == store.KindToken && c.Modifier == "" && v.Code != "":
			r = 4
		case c.Kind == store.KindReference && (c.Modifier == "above" || c.Modifier == "below"):
			r = 3
		case c.Kind == store.KindString && c.Modifier == "" && v.Text != "":
			r = 2
		case c.Kind == store.KindURI && c.Modifier == "" && v.Text != "":
			r = 1
		}
		if r > rank {
			best, rank = i, r
		}
	}
	return best
}

// uniqueDriver reports whether the driver yields each rid once: an equality on the
// whole of a token or reference value, whose rows are distinct per resource (Rows), or
// _lastUpdated, a column of the resource's one current row. A hierarchy's several ids
// may each be referenced by one resource.
func uniqueDriver(c store.Clause) bool {
	v := c.Values[0]
	switch c.Kind {
	case store.KindLastUpdated:
		return true
	case store.KindToken:
		return v.HasSystem && v.Code != ""
	case store.KindReference:
		return c.Modifier != "above" && c.Modifier != "below" && (v.TargetType != "" || isTypeName(c.Modifier))
	case store.KindCompartment:
		return true
	}
	return false
}

// ridOrdered reports whether a driving clause's index range yields rids in order: an
// equality on the whole of the indexed value (not a range, nor _lastUpdated, whose
// index orders a type's rids by time).
func ridOrdered(c store.Clause) bool {
	if c.Kind == store.KindLastUpdated {
		return false
	}
	return uniqueDriver(c) || c.Kind == store.KindURI
}

var tables = map[store.ParamKind]string{
	store.KindToken:     "idx_token",
	store.KindString:    "idx_string",
	store.KindDate:      "idx_date",
	store.KindNumber:    "idx_number",
	store.KindQuantity:  "idx_quantity",
	store.KindReference: "idx_reference",
	store.KindURI:       "idx_uri",
	store.KindComposite: "idx_composite",
	store.KindSpecial:   "idx_composite",
	store.KindText:      "idx_text",
}

// modifiers lists what each index kind supports besides "" and "missing"; a reference
// also takes a resource type name.
var modifiers = map[store.ParamKind][]string{
	store.KindToken:     {"not", "text", "of-type", "in", "not-in", "above", "below"},
	store.KindString:    {"exact", "contains"},
	store.KindReference: {"identifier", "above", "below"},
	store.KindURI:       {"below", "above"},
}

// cond writes the condition clause c puts on the resource alias a (a current row).
func (b *builder) cond(a, typ string, c store.Clause, f *store.AccessFilter, now time.Time) error {
	switch c.Kind {
	case store.KindID:
		if c.Modifier != "" && c.Modifier != "not" {
			return fmt.Errorf("modifier %q not supported", c.Modifier)
		}
		if len(c.Values) == 0 {
			return fmt.Errorf("no values")
		}
		b.w(a, ".id ")
		if c.Modifier == "not" {
			b.w("NOT ")
		}
		b.w("IN (")
		for i, v := range c.Values {
			if i > 0 {
				b.w(", ")
			}
			b.w(b.arg(v.Text))
		}
		b.w(")")
		return nil
	case store.KindLastUpdated:
		if c.Modifier != "" {
			return fmt.Errorf("modifier %q not supported", c.Modifier)
		}
		return b.or(c.Values, func(v store.Value) error {
			lo, hi := searchRange(c.Kind, v, now)
			return b.rangePred(a+".last_updated", a+".last_updated", v.Prefix, lo, hi)
		})
	case store.KindCompartment:
		return b.or(c.Values, func(v store.Value) error {
			b.w("EXISTS (SELECT 1 FROM compartments m WHERE m.rid = ", a, ".rid AND m.comp_type = ", b.arg(v.TargetType))
			if v.TargetID != "" {
				b.w(" AND m.comp_id = ", b.arg(v.TargetID))
			}
			b.w(")")
			return nil
		})
	case store.KindHas:
		h := c.Has
		if h == nil || h.Type == "" {
			return fmt.Errorf("_has without a type")
		}
		t, hc := b.alias("h"), b.alias("hc")
		b.w("EXISTS (SELECT 1 FROM idx_reference ", t, " ", b.d.Join, " current ", hc, " ON ", hc, ".rid = ", t, ".rid WHERE ",
			t, ".type = ", b.arg(h.Type), " AND ", t, ".param = ", b.arg(c.Param), " AND ", t, ".target_id = ", a, ".id AND ",
			t, ".target_type = ", a, ".type AND ", hc, ".deleted = 0")
		if err := b.clauses(hc, h, f, now); err != nil {
			return err
		}
		b.w(")")
		return nil
	}
	table, ok := tables[c.Kind]
	if !ok {
		return fmt.Errorf("unknown kind %d", c.Kind)
	}
	t := b.alias("t")
	if c.Kind == store.KindDate && c.Param == store.AnyDate {
		if len(c.Values) != 1 || c.Modifier != "" {
			return fmt.Errorf("a care-date range takes one value")
		}
		v := c.Values[0]
		b.w("(")
		if v.TargetType != "" {
			b.w(a, ".type = ", b.arg(v.TargetType), " OR ")
		}
		b.w("NOT EXISTS (SELECT 1 FROM idx_date ", t, " WHERE ", t, ".rid = ", a, ".rid) OR EXISTS (SELECT 1 FROM idx_date ",
			t, " WHERE ", t, ".rid = ", a, ".rid AND ", t, ".low <= ", b.arg(Micros(v.High, true)), " AND ", t, ".high >= ",
			b.arg(Micros(v.Low, false)), "))")
		return nil
	}
	if c.Modifier == "missing" {
		if len(c.Values) == 0 {
			return fmt.Errorf("no values")
		}
		return b.or(c.Values, func(v store.Value) error {
			if v.Missing {
				b.w("NOT ")
			}
			b.w("EXISTS (SELECT 1 FROM ", table, " ", t, " WHERE ", t, ".rid = ", a, ".rid AND ", t, ".param = ", b.arg(c.Param), ")")
			return nil
		})
	}
	if c.Chain != nil {
		if c.Kind != store.KindReference {
			return fmt.Errorf("a chain needs a reference parameter")
		}
		tc := b.alias("tc")
		b.w("EXISTS (SELECT 1 FROM idx_reference ", t, " ", b.d.Join, " current ", tc, " ON ", tc, ".type = ", t, ".target_type AND ",
			tc, ".id = ", t, ".target_id WHERE ", t, ".rid = ", a, ".rid AND ", t, ".param = ", b.arg(c.Param), " AND ", tc, ".deleted = 0")
		if c.Chain.Type != "" {
			b.w(" AND ", t, ".target_type = ", b.arg(c.Chain.Type))
		}
		if err := b.clauses(tc, c.Chain, f, now); err != nil {
			return err
		}
		b.w(")")
		return nil
	}
	if len(c.Values) == 0 {
		return fmt.Errorf("no values")
	}
	if !supported(c) {
		return fmt.Errorf("modifier %q not supported", c.Modifier)
	}
	if c.Kind == store.KindText {
		return b.text(a, c)
	}
	if c.Modifier == "not" || c.Modifier == "not-in" {
		b.w("NOT ")
	}
	b.w("EXISTS (SELECT 1 FROM ", table, " ", t, " WHERE ", t, ".rid = ", a, ".rid AND ", t, ".param = ", b.arg(c.Param), " AND ")
	if err := b.values(t, c, f, now); err != nil {
		return err
	}
	b.w(")")
	return nil
}

// clauses writes " AND cond" for every clause of a chained or _has query on alias a,
// and the access filter on it: a chain must not reveal what the caller cannot read.
func (b *builder) clauses(a string, q *store.Query, f *store.AccessFilter, now time.Time) error {
	for _, c := range q.Clauses {
		b.w(" AND ")
		if err := b.cond(a, q.Type, c, f, now); err != nil {
			return err
		}
	}
	b.filter(a, f)
	return nil
}

// text writes a full-text match of the clause's words against _text or _content.
func (b *builder) text(a string, c store.Clause) error {
	return b.or(c.Values, func(v store.Value) error {
		words := strings.Fields(v.Text)
		if len(words) == 0 {
			return fmt.Errorf("empty text")
		}
		b.w(b.d.TextMatch(a+".rid", b.arg(c.Param), b.arg(b.d.TextQuery(words))))
		return nil
	})
}

func supported(c store.Clause) bool {
	if c.Modifier == "" {
		return true
	}
	if c.Kind == store.KindReference && isTypeName(c.Modifier) {
		return true
	}
	for _, m := range modifiers[c.Kind] {
		if m == c.Modifier {
			return true
		}
	}
	return false
}

// isTypeName reports whether s looks like a resource type name (reference :Type).
func isTypeName(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

// or writes "(p1 OR p2 ...)" with one predicate per value.
func (b *builder) or(values []store.Value, pred func(store.Value) error) error {
	b.w("(")
	for i, v := range values {
		if i > 0 {
			b.w(" OR ")
		}
		b.w("(")
		if err := pred(v); err != nil {
			return err
		}
		b.w(")")
	}
	b.w(")")
	return nil
}

// values writes the OR of the clause's value predicates on index row alias t; f is the
// access filter, which a reference :above or :below applies to the hierarchy it walks.
func (b *builder) values(t string, c store.Clause, f *store.AccessFilter, now time.Time) error {
	return b.or(c.Values, func(v store.Value) error { return b.value(t, c, v, f, now) })
}

// value writes the predicate one value puts on an index row t.
func (b *builder) value(t string, c store.Clause, v store.Value, f *store.AccessFilter, now time.Time) error {
	ranged := c.Kind == store.KindDate || c.Kind == store.KindNumber || c.Kind == store.KindQuantity
	if v.Prefix != "" && !ranged && c.Kind != store.KindComposite {
		return fmt.Errorf("prefix %q on a parameter without order", v.Prefix)
	}
	switch c.Kind {
	case store.KindToken:
		return b.token(t, c, v)
	case store.KindString:
		switch c.Modifier {
		case "exact":
			b.w(t, ".exact = ", b.arg(v.Text))
		case "contains":
			b.w(b.d.Contains(t+".value", b.arg(v.Text)))
		default:
			b.prefix(t+".value", v.Text)
		}
	case store.KindURI:
		switch c.Modifier {
		case "below":
			b.prefix(t+".value", v.Text)
		case "above":
			// Every prefix of the value (at a path boundary or not) is above it.
			b.w(b.arg(v.Text), " >= ", t, ".value AND ", b.d.StartsWith(b.arg(v.Text), t+".value"))
		default:
			b.w(t, ".value = ", b.arg(v.Text))
		}
	case store.KindReference:
		return b.reference(t, c, v, f)
	case store.KindDate, store.KindNumber:
		lo, hi := searchRange(c.Kind, v, now)
		return b.rangePred(t+".low", t+".high", v.Prefix, lo, hi)
	case store.KindQuantity:
		return b.quantity(t, v)
	case store.KindComposite:
		return b.composite(t, c, v, now)
	case store.KindSpecial:
		return b.near(t, v)
	}
	return nil
}

func (b *builder) token(t string, c store.Clause, v store.Value) error {
	switch {
	case c.Modifier == "text":
		b.prefix(t+".text", v.Text)
	case len(v.Codes) > 0 || c.Modifier == "in" || c.Modifier == "not-in" || c.Modifier == "above" || c.Modifier == "below":
		if len(v.Codes) == 0 {
			b.w("1 = 0") // an empty value set matches nothing
			return nil
		}
		b.w("(")
		for i, code := range v.Codes {
			if i > 0 {
				b.w(" OR ")
			}
			b.w("(", t, ".code = ", b.arg(code.Code), " AND ", t, ".system = ", b.arg(code.System), ")")
		}
		b.w(")")
	case v.HasSystem && v.Code == "" && v.System == "":
		return fmt.Errorf("empty token")
	case v.HasSystem && v.Code == "":
		b.w(t, ".system = ", b.arg(v.System))
	case v.HasSystem:
		b.w(t, ".code = ", b.arg(v.Code), " AND ", t, ".system = ", b.arg(v.System))
	default:
		b.w(t, ".code = ", b.arg(v.Code))
	}
	return nil
}

func (b *builder) quantity(t string, v store.Value) error {
	lo, hi := widenFloat(v.Prefix, v.NumLow, v.NumHigh)
	if v.Canonical != "" {
		// The value converts to UCUM base units: compare there, so that 1 g finds
		// 1000 mg; rows whose unit does not convert compare as written.
		clo, chi := widenFloat(v.Prefix, v.CanonicalLow, v.CanonicalHigh)
		b.w("((", t, ".canonical_code = ", b.arg(v.Canonical), " AND ")
		if err := b.rangePred(t+".canonical_low", t+".canonical_high", v.Prefix, clo, chi); err != nil {
			return err
		}
		b.w(") OR (", t, ".canonical_code = '' AND ")
	}
	if v.System != "" {
		b.w(t, ".system = ", b.arg(v.System), " AND ")
	}
	if v.Code != "" {
		b.w("(", t, ".code = ", b.arg(v.Code), " OR ", t, ".unit = ", b.arg(v.Code), ") AND ")
	}
	if err := b.rangePred(t+".low", t+".high", v.Prefix, lo, hi); err != nil {
		return err
	}
	if v.Canonical != "" {
		b.w("))")
	}
	return nil
}

// composite matches each part against its column group; token parts by code (and
// system when given), string/reference/uri parts by code, quantity, number and date
// parts by their range with the part's prefix.
func (b *builder) composite(t string, c store.Clause, v store.Value, now time.Time) error {
	if len(v.Components) != len(c.Components) || len(v.Components) < 2 || len(v.Components) > store.MaxCompositeParts {
		return fmt.Errorf("composite value needs %d parts", len(c.Components))
	}
	for i, part := range v.Components {
		if i > 0 {
			b.w(" AND ")
		}
		col := func(name string) string { return t + ".p" + strconv.Itoa(i+1) + "_" + name }
		switch c.Components[i] {
		case store.KindToken:
			if part.HasSystem && part.System != "" {
				b.w(col("system"), " = ", b.arg(part.System), " AND ")
			}
			b.w(col("code"), " = ", b.arg(part.Code))
		case store.KindString:
			b.prefix(col("code"), part.Text)
		case store.KindReference, store.KindURI:
			b.w(col("code"), " = ", b.arg(part.Text))
		case store.KindQuantity:
			if part.Canonical != "" {
				b.w(col("system"), " = ", b.arg("http://unitsofmeasure.org"), " AND ", col("code"), " = ", b.arg(part.Canonical), " AND ")
				lo, hi := widenFloat(part.Prefix, part.CanonicalLow, part.CanonicalHigh)
				if err := b.rangePred(col("low"), col("high"), part.Prefix, lo, hi); err != nil {
					return err
				}
				continue
			}
			if part.Code != "" {
				b.w(col("code"), " = ", b.arg(part.Code), " AND ")
			}
			lo, hi := widenFloat(part.Prefix, part.NumLow, part.NumHigh)
			if err := b.rangePred(col("low"), col("high"), part.Prefix, lo, hi); err != nil {
				return err
			}
		case store.KindNumber:
			lo, hi := widenFloat(part.Prefix, part.NumLow, part.NumHigh)
			if err := b.rangePred(col("low"), col("high"), part.Prefix, lo, hi); err != nil {
				return err
			}
		case store.KindDate:
			lo, hi := float64(Micros(part.Low, false))/1e6, float64(Micros(part.High, true))/1e6
			if part.Low.IsZero() {
				lo = math.Inf(-1)
			}
			if part.High.IsZero() {
				hi = math.Inf(1)
			}
			if part.Prefix == "ap" {
				lo, hi = widenFloat("ap", lo, hi)
			}
			if err := b.rangePred(col("low"), col("high"), part.Prefix, lo, hi); err != nil {
				return err
			}
		default:
			return fmt.Errorf("composite part kind %d not supported", c.Components[i])
		}
	}
	return nil
}

// earthRadius is the Earth's mean radius in km (IUGG), of the sphere near measures on.
const earthRadius = 6371.0088

// near matches positions within v.Distance km of v.Lat/v.Long along a great circle: a
// latitude and longitude box that holds the circle, cheap to test, then the haversine
// of the distance against that of the radius (hav θ = sin²(θ/2), which needs only sin and
// cos: both engines have them). The box takes every longitude when the circle holds a
// pole, and two longitude ranges when it crosses the ±180° meridian.
func (b *builder) near(t string, v store.Value) error {
	if v.Distance <= 0 {
		return fmt.Errorf("near needs a positive distance")
	}
	const deg = math.Pi / 180
	radius := v.Distance / earthRadius // the circle's angular radius
	if radius >= math.Pi {
		b.w("1 = 1") // the whole sphere
		return nil
	}
	// The box is widened by a hair so that rounding cannot drop a point the exact test
	// keeps.
	const slack = 1e-9
	lat0, long0 := v.Lat, v.Long
	latLo, latHi := lat0-radius/deg, lat0+radius/deg
	b.w(t, ".p1_low BETWEEN ", b.arg(latLo-slack), " AND ", b.arg(latHi+slack))
	if latLo > -90 && latHi < 90 {
		// Neither pole is inside: the circle's widest longitude offset, reached where
		// the meridian touches it, is asin(sin r / cos lat0) (under 90°).
		dLong := math.Asin(math.Sin(radius)/math.Cos(lat0*deg))/deg + slack
		lo, hi := long0-dLong, long0+dLong
		col := t + ".p2_low"
		switch {
		case lo < -180:
			b.w(" AND (", col, " >= ", b.arg(lo+360), " OR ", col, " <= ", b.arg(hi), ")")
		case hi > 180:
			b.w(" AND (", col, " >= ", b.arg(lo), " OR ", col, " <= ", b.arg(hi-360), ")")
		default:
			b.w(" AND ", col, " BETWEEN ", b.arg(lo), " AND ", b.arg(hi))
		}
	}
	// hav(d) = hav(Δlat) + cos lat0 · cos lat · hav(Δlong) <= hav(r); the half angles in
	// radians are the degree differences times π/360.
	half := deg / 2
	b.w(" AND power(sin((", t, ".p1_low - ", b.arg(lat0), ") * ", b.arg(half), "), 2) + ", b.arg(math.Cos(lat0*deg)),
		" * cos(", t, ".p1_low * ", b.arg(deg), ") * power(sin((", t, ".p2_low - ", b.arg(long0), ") * ", b.arg(half), "), 2) <= ",
		b.arg(math.Pow(math.Sin(radius/2), 2)))
	return nil
}

// hierarchy writes reference :above or :below on index row t ("Searching Hierarchies",
// https://hl7.org/fhir/R4/search.html): the reference points at the value's resource or
// at one reached from it along the target type's hierarchy links (v.Hierarchy) — down
// to the parts for :below, up to the wholes for :above. Where the links point from a
// part at its whole (Location partof) the walk down finds the resources whose link
// points at a found one and the walk up follows a found one's links; where they point
// from a whole at its parts (v.HierarchyToParts, Observation has-member) the other way
// round. The walk is a recursive query whose UNION drops ids already found, so that a
// cycle ends; it passes only through resources the caller may read, as a chain does. It
// is uncorrelated, so both engines run it once per statement, and its ids can drive the
// query through the reference index.
func (b *builder) hierarchy(t string, c store.Clause, v store.Value, f *store.AccessFilter) error {
	if v.TargetType == "" || v.TargetID == "" || v.Hierarchy == "" {
		return fmt.Errorf(":%s needs Type/id of a local resource and the hierarchy of its type", c.Modifier)
	}
	h, e, n := b.alias("h"), b.alias("he"), b.alias("hc")
	b.w(t, ".target_type = ", b.arg(v.TargetType), " AND ", t, ".target_id IN (WITH RECURSIVE ", h, "(id) AS (SELECT ",
		b.d.Text(b.arg(v.TargetID)), " UNION SELECT ")
	if (c.Modifier == "below") != v.HierarchyToParts {
		// Those whose link points at a found resource.
		b.w(n, ".id FROM ", h, " ", b.d.Join, " idx_reference ", e, " ON ", e, ".type = ", b.arg(v.TargetType), " AND ",
			e, ".param = ", b.arg(v.Hierarchy), " AND ", e, ".target_id = ", h, ".id AND ", e, ".target_type = ", b.arg(v.TargetType),
			" ", b.d.Join, " current ", n, " ON ", n, ".rid = ", e, ".rid")
	} else {
		// Those a found resource's links point at.
		b.w(e, ".target_id FROM ", h, " ", b.d.Join, " current ", n, " ON ", n, ".type = ", b.arg(v.TargetType), " AND ",
			n, ".id = ", h, ".id ", b.d.Join, " idx_reference ", e, " ON ", e, ".rid = ", n, ".rid AND ", e, ".param = ",
			b.arg(v.Hierarchy), " AND ", e, ".target_type = ", b.arg(v.TargetType))
	}
	if f != nil {
		b.w(" WHERE 1 = 1")
		b.filter(n, f)
	}
	b.w(") SELECT id FROM ", h, ")")
	return nil
}

func (b *builder) reference(t string, c store.Clause, v store.Value, f *store.AccessFilter) error {
	switch c.Modifier {
	case "above", "below":
		return b.hierarchy(t, c, v, f)
	case "identifier":
		if v.HasSystem && v.System != "" {
			b.w(t, ".identifier_system = ", b.arg(v.System), " AND ")
		}
		b.w(t, ".identifier_value = ", b.arg(v.Code))
		return nil
	}
	typ := v.TargetType
	if typ == "" && c.Modifier != "" {
		typ = c.Modifier
	}
	switch {
	case v.TargetID != "":
		b.w(t, ".target_id = ", b.arg(v.TargetID))
		if typ != "" {
			b.w(" AND ", t, ".target_type = ", b.arg(typ))
		}
	case v.Text != "":
		b.w(t, ".url = ", b.arg(v.Text))
	default:
		return fmt.Errorf("reference without target")
	}
	return nil
}

// sortExpr writes the sort value of resource alias a for key k: the lowest value
// ascending, the highest descending, with a sentinel that puts resources without a
// value last.
func (b *builder) sortExpr(a string, k store.SortKey) error {
	switch k.Param {
	case "_id":
		b.w(a, ".id")
		return nil
	case "_lastUpdated":
		b.w(a, ".last_updated")
		return nil
	}
	table, col, sentinel, ok := sortIndex(k)
	if !ok {
		return fmt.Errorf("%w: cannot sort by %s", store.ErrInvalid, k.Param)
	}
	agg := "min"
	if k.Desc {
		agg = "max"
	}
	s := b.alias("s")
	b.w("COALESCE((SELECT ", agg, "(", s, ".", col, ") FROM ", table, " ", s, " WHERE ", s, ".rid = ", a,
		".rid AND ", s, ".param = ", b.arg(k.Param), "), ", b.arg(sentinel), ")")
	return nil
}

// sortIndex is where the values of sort key k of an index parameter are: the index
// table and the column whose lowest (ascending) or highest (descending) value of a
// resource is its sort value, and the sentinel that stands for no value, after every
// value in k's order. Each such table has an index on (type, param, col), which the
// sort-driven plan reads in order (see sorted). ok is false for other keys.
func sortIndex(k store.SortKey) (table, col string, sentinel any, ok bool) {
	switch k.Kind {
	case store.KindString:
		col, sentinel = "value", textSentinel(k.Desc)
	case store.KindToken:
		col, sentinel = "code", textSentinel(k.Desc)
	case store.KindURI:
		col, sentinel = "value", textSentinel(k.Desc)
	case store.KindReference:
		col, sentinel = "target_id", textSentinel(k.Desc)
	case store.KindDate:
		col, sentinel = "low", int64(math.MaxInt64)
		if k.Desc {
			col, sentinel = "high", int64(math.MinInt64)
		}
	case store.KindNumber, store.KindQuantity:
		col, sentinel = "low", math.MaxFloat64
		if k.Desc {
			col, sentinel = "high", -math.MaxFloat64
		}
	default:
		return "", "", nil, false
	}
	return tables[k.Kind], col, sentinel, k.Param != "_id" && k.Param != "_lastUpdated"
}

// textSentinel sorts after (ascending) or before (descending) every indexed text.
func textSentinel(desc bool) string {
	if desc {
		return ""
	}
	return "\U0010FFFF"
}

// readingOrder is the order in which a page reads the sort keys: backwards, the page is
// read in the opposite order from the cursor, then turned round by Run.
func readingOrder(sorts []store.SortKey, backward bool) []store.SortKey {
	if !backward {
		return sorts
	}
	order := make([]store.SortKey, len(sorts))
	for i, k := range sorts {
		k.Desc = !k.Desc
		order[i] = k
	}
	return order
}

// keyset writes the condition "row q comes after the cursor" for the sort keys (before
// it, with rids descending, when backward; the keys are then already reversed).
func (b *builder) keyset(keys []store.SortKey, after []any, backward bool) {
	// The values are columns: no error.
	_ = b.keysetOf(keys, 0, after, backward, func(i int) error { b.w("q.s", strconv.Itoa(i)); return nil }, "q.rid")
}

// keysetOf writes the condition that a row comes after the cursor on the sort keys from
// the from-th on (in reading order, reversed when backward) and then rid: the row's value
// of key i is what val(i) writes, the cursor's after[i+1], its rid after[0].
// (s_from, ..., rid) > (v_from, ..., r), with each key's direction, is expanded as
// (s_from > v_from OR (s_from = v_from AND (... (rid > r)))), val writing each s twice.
func (b *builder) keysetOf(keys []store.SortKey, from int, after []any, backward bool, val func(i int) error, rid string) error {
	for i := from; i < len(keys); i++ {
		op := " > "
		if keys[i].Desc {
			op = " < "
		}
		b.w("(")
		if err := val(i); err != nil {
			return err
		}
		b.w(op, b.arg(after[i+1]), " OR (")
		if err := val(i); err != nil {
			return err
		}
		b.w(" = ", b.arg(after[i+1]), " AND ")
	}
	if backward {
		b.w(rid, " < ", b.arg(after[0]))
	} else {
		b.w(rid, " > ", b.arg(after[0]))
	}
	for i := from; i < len(keys); i++ {
		b.w("))")
	}
	return nil
}

// Key renders the paging key for a row: its rid and sort values.
func Key(rid int64, sorts []any) string {
	if len(sorts) == 0 {
		return strconv.FormatInt(rid, 36)
	}
	var sb strings.Builder
	sb.WriteString(strconv.FormatInt(rid, 36))
	for _, v := range sorts {
		sb.WriteByte(0)
		switch x := v.(type) {
		case int64:
			sb.WriteString("i" + strconv.FormatInt(x, 10))
		case float64:
			sb.WriteString("f" + strconv.FormatFloat(x, 'g', -1, 64))
		case string:
			sb.WriteString("s" + x)
		case []byte:
			sb.WriteString("s" + string(x))
		default:
			sb.WriteString("s" + fmt.Sprint(x))
		}
	}
	return "k" + base64.RawURLEncoding.EncodeToString([]byte(sb.String()))
}

// decodeKey parses a paging key: nil for none, else rid followed by the sort values.
func decodeKey(key string, sorts []store.SortKey) ([]any, error) {
	if key == "" {
		return nil, nil
	}
	bad := fmt.Errorf("%w: paging key %q", store.ErrInvalid, key)
	if len(sorts) == 0 {
		rid, err := strconv.ParseInt(key, 36, 64)
		if err != nil || rid <= 0 {
			return nil, bad
		}
		return []any{rid}, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(key, "k"))
	if err != nil || !strings.HasPrefix(key, "k") {
		return nil, bad
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != len(sorts)+1 {
		return nil, bad
	}
	rid, err := strconv.ParseInt(parts[0], 36, 64)
	if err != nil || rid <= 0 {
		return nil, bad
	}
	out := []any{rid}
	for _, p := range parts[1:] {
		if p == "" {
			return nil, bad
		}
		switch p[0] {
		case 'i':
			n, err := strconv.ParseInt(p[1:], 10, 64)
			if err != nil {
				return nil, bad
			}
			out = append(out, n)
		case 'f':
			n, err := strconv.ParseFloat(p[1:], 64)
			if err != nil {
				return nil, bad
			}
			out = append(out, n)
		case 's':
			out = append(out, p[1:])
		default:
			return nil, bad
		}
	}
	return out, nil
}

// prefix writes a starts-with test as a range, so an index on col serves it: every
// string beginning with s sorts in [s, s+U+10FFFF) by byte order (the columns use binary
// collation on both engines).
func (b *builder) prefix(col, s string) {
	b.w(col, " >= ", b.arg(s), " AND ", col, " < ", b.arg(s+"\U0010FFFF"))
}

// rangePred writes the FHIR prefix semantics for a stored range [lo, hi] against the
// search range [vl, vh] (https://hl7.org/fhir/R4/search.html#prefix). For ap the caller
// has already widened [vl, vh]; ap then means the ranges overlap. Every placeholder is
// bound in text order, as SQLite's positional "?" needs.
func (b *builder) rangePred(lo, hi, prefix string, vl, vh any) error {
	b.w("(")
	defer b.w(")")
	switch prefix {
	case "", "eq":
		b.w(lo, " >= ", b.arg(vl), " AND ", hi, " <= ", b.arg(vh))
	case "ne":
		b.w(lo, " < ", b.arg(vl), " OR ", hi, " > ", b.arg(vh))
	case "gt":
		b.w(hi, " > ", b.arg(vh))
	case "lt":
		b.w(lo, " < ", b.arg(vl))
	case "ge": // gt or eq
		b.w(hi, " > ", b.arg(vh), " OR (", lo, " >= ", b.arg(vl), " AND ", hi, " <= ", b.arg(vh), ")")
	case "le": // lt or eq
		b.w(lo, " < ", b.arg(vl), " OR (", lo, " >= ", b.arg(vl), " AND ", hi, " <= ", b.arg(vh), ")")
	case "sa":
		b.w(lo, " > ", b.arg(vh))
	case "eb":
		b.w(hi, " < ", b.arg(vl))
	case "ap":
		b.w(lo, " <= ", b.arg(vh), " AND ", hi, " >= ", b.arg(vl))
	default:
		return fmt.Errorf("unknown prefix %q", prefix)
	}
	return nil
}

// widenInt widens a time range for ap by 10% of the gap between now and the value, as
// the specification recommends; open ends stay open.
func widenInt(lo, hi, now int64) (int64, int64) {
	if lo == math.MinInt64 || hi == math.MaxInt64 {
		return lo, hi
	}
	mid := lo/2 + hi/2
	gap := now/10 - mid/10
	if gap < 0 {
		gap = -gap
	}
	return lo - gap, hi + gap
}

// widenFloat widens a number range for ap by 10% of the value.
func widenFloat(prefix string, lo, hi float64) (float64, float64) {
	if prefix != "ap" {
		return lo, hi
	}
	gap := math.Abs((lo+hi)/2) / 10
	return lo - gap, hi + gap
}
