package sqlgen

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// Search returns the statement for one page of q (selecting c.rid then Columns, at most
// limit+1 rows so the caller can tell whether another page follows), the page size limit,
// and, when q.CountTotal is set, the statement counting every match.
func Search(d Dialect, f *store.AccessFilter, q store.Query, now time.Time) (page Stmt, limit int, count *Stmt, err error) {
	// Query parts this SQL does not implement yet are refused, never silently ignored.
	if len(q.Types) > 0 || len(q.Sort) > 0 || len(q.Include) > 0 {
		return Stmt{}, 0, nil, fmt.Errorf("%w: _type, _sort and includes are not supported", store.ErrInvalid)
	}
	var after int64
	if q.AfterKey != "" {
		after, err = strconv.ParseInt(q.AfterKey, 36, 64)
		if err != nil || after <= 0 {
			return Stmt{}, 0, nil, fmt.Errorf("%w: paging key %q", store.ErrInvalid, q.AfterKey)
		}
	}
	limit = q.Count
	if limit == 0 {
		limit = DefaultCount
	}
	if q.CountTotal {
		b := &builder{d: d}
		b.w("SELECT count(*) FROM current c WHERE c.deleted = 0")
		if err := b.where(f, q, now); err != nil {
			return Stmt{}, 0, nil, err
		}
		s := b.stmt()
		count = &s
	}
	if limit < 0 {
		return Stmt{}, 0, count, nil
	}
	b := &builder{d: d}
	b.w("SELECT c.rid, ", Columns, " FROM current c JOIN resources r ON r.seq = c.seq WHERE c.deleted = 0")
	if err := b.where(f, q, now); err != nil {
		return Stmt{}, 0, nil, err
	}
	if after > 0 {
		b.w(" AND c.rid > ", b.arg(after))
	}
	b.w(" ORDER BY c.rid LIMIT ", b.arg(limit+1))
	return b.stmt(), limit, count, nil
}

// Key renders a search paging key for the row with resource key rid.
func Key(rid int64) string { return strconv.FormatInt(rid, 36) }

// where writes the type, clause and filter conditions on the current table c.
func (b *builder) where(f *store.AccessFilter, q store.Query, now time.Time) error {
	if q.Type != "" {
		b.w(" AND c.type = ", b.arg(q.Type))
	}
	for _, c := range q.Clauses {
		b.w(" AND ")
		if err := b.clause(q.Type, c, now); err != nil {
			return fmt.Errorf("%w: parameter %s: %w", store.ErrInvalid, c.Param, err)
		}
	}
	b.filter("c", f)
	return nil
}

var tables = map[store.ParamKind]string{
	store.KindToken:     "idx_token",
	store.KindString:    "idx_string",
	store.KindDate:      "idx_date",
	store.KindNumber:    "idx_number",
	store.KindQuantity:  "idx_quantity",
	store.KindReference: "idx_reference",
	store.KindURI:       "idx_uri",
}

// modifiers lists what each index kind supports besides "" and "missing"; a reference
// also takes a resource type name.
var modifiers = map[store.ParamKind][]string{
	store.KindToken:     {"not"},
	store.KindString:    {"exact", "contains"},
	store.KindReference: {"identifier"},
	store.KindURI:       {"below"},
}

func (b *builder) clause(typ string, c store.Clause, now time.Time) error {
	if len(c.Values) == 0 {
		return fmt.Errorf("no values")
	}
	if c.Chain != nil || c.Has != nil || len(c.Components) > 0 {
		return fmt.Errorf("chains, _has and composites are not supported")
	}
	for _, v := range c.Values {
		if len(v.Codes) > 0 || len(v.Components) > 0 {
			return fmt.Errorf("expanded codes and composite values are not supported")
		}
	}
	switch c.Kind {
	case store.KindID:
		if c.Modifier != "" {
			return fmt.Errorf("modifier %q not supported", c.Modifier)
		}
		b.w("c.id IN (")
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
			lo, hi := Nanos(v.Low, false), Nanos(v.High, true)
			if v.Prefix == "ap" {
				lo, hi = widenInt(lo, hi, now.UnixNano())
			}
			return b.rangePred("c.last_updated", "c.last_updated", v.Prefix, lo, hi)
		})
	}
	table, ok := tables[c.Kind]
	if !ok {
		return fmt.Errorf("unknown kind %d", c.Kind)
	}
	if c.Modifier == "missing" {
		return b.or(c.Values, func(v store.Value) error {
			if !v.Missing {
				b.w("EXISTS")
			} else {
				b.w("NOT EXISTS")
			}
			b.w(" (SELECT 1 FROM ", table, " t WHERE t.rid = c.rid AND t.param = ", b.arg(c.Param), ")")
			return nil
		})
	}
	if !supported(c) {
		return fmt.Errorf("modifier %q not supported", c.Modifier)
	}
	if c.Modifier == "not" {
		b.w("c.rid NOT IN")
	} else {
		b.w("c.rid IN")
	}
	b.w(" (SELECT t.rid FROM ", table, " t WHERE t.param = ", b.arg(c.Param))
	if typ != "" {
		b.w(" AND t.type = ", b.arg(typ))
	}
	b.w(" AND ")
	if err := b.or(c.Values, func(v store.Value) error { return b.value(c, v, now) }); err != nil {
		return err
	}
	b.w(")")
	return nil
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
func isTypeName(s string) bool { return s[0] >= 'A' && s[0] <= 'Z' }

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

// value writes the predicate one value puts on an index row t.
func (b *builder) value(c store.Clause, v store.Value, now time.Time) error {
	ranged := c.Kind == store.KindDate || c.Kind == store.KindNumber || c.Kind == store.KindQuantity
	if v.Prefix != "" && !ranged {
		return fmt.Errorf("prefix %q on a parameter without order", v.Prefix)
	}
	switch c.Kind {
	case store.KindToken:
		switch {
		case v.HasSystem && v.Code == "" && v.System == "":
			return fmt.Errorf("empty token")
		case v.HasSystem && v.Code == "":
			b.w("t.system = ", b.arg(v.System))
		case v.HasSystem:
			b.w("t.system = ", b.arg(v.System), " AND t.code = ", b.arg(v.Code))
		default:
			b.w("t.code = ", b.arg(v.Code))
		}
	case store.KindString:
		switch c.Modifier {
		case "exact":
			b.w("t.exact = ", b.arg(v.Text))
		case "contains":
			b.w(b.d.Contains("t.value", b.arg(v.Text)))
		default:
			b.prefix("t.value", v.Text)
		}
	case store.KindURI:
		if c.Modifier == "below" {
			b.prefix("t.value", v.Text)
		} else {
			b.w("t.value = ", b.arg(v.Text))
		}
	case store.KindReference:
		return b.reference(c, v)
	case store.KindDate:
		lo, hi := Micros(v.Low, false), Micros(v.High, true)
		if v.Prefix == "ap" {
			lo, hi = widenInt(lo, hi, now.UnixMicro())
		}
		return b.rangePred("t.low", "t.high", v.Prefix, lo, hi)
	case store.KindNumber:
		lo, hi := widenFloat(v.Prefix, v.NumLow, v.NumHigh)
		return b.rangePred("t.low", "t.high", v.Prefix, lo, hi)
	case store.KindQuantity:
		if v.System != "" {
			b.w("t.system = ", b.arg(v.System), " AND ")
		}
		if v.Code != "" {
			b.w("(t.code = ", b.arg(v.Code), " OR t.unit = ", b.arg(v.Code), ") AND ")
		}
		lo, hi := widenFloat(v.Prefix, v.NumLow, v.NumHigh)
		return b.rangePred("t.low", "t.high", v.Prefix, lo, hi)
	}
	return nil
}

func (b *builder) reference(c store.Clause, v store.Value) error {
	if c.Modifier == "identifier" {
		if v.HasSystem && v.System != "" {
			b.w("t.identifier_system = ", b.arg(v.System), " AND ")
		}
		b.w("t.identifier_value = ", b.arg(v.Code))
		return nil
	}
	typ := v.TargetType
	if typ == "" && c.Modifier != "" {
		typ = c.Modifier
	}
	switch {
	case v.TargetID != "":
		b.w("t.target_id = ", b.arg(v.TargetID))
		if typ != "" {
			b.w(" AND t.target_type = ", b.arg(typ))
		}
	case v.Text != "":
		b.w("t.url = ", b.arg(v.Text))
	default:
		return fmt.Errorf("reference without target")
	}
	return nil
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
