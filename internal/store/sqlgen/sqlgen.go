package sqlgen

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// Dialect is what differs between the SQL engines.
type Dialect struct {
	// Placeholder renders the n-th (1-based) bind parameter.
	Placeholder func(n int) string
	// Contains renders a test that haystack contains needle (both SQL expressions).
	Contains func(haystack, needle string) string
	// StartsWith renders a test that s starts with prefix (both SQL expressions).
	StartsWith func(s, prefix string) string
	// Join is the join keyword that keeps the written join order (SQLite's planner
	// takes CROSS JOIN as an instruction; PostgreSQL plans joins itself).
	Join string
	// TextMatch renders a test that the resource rid has full text of param matching
	// query (placeholders, in that order); TextQuery renders the words as the query.
	TextMatch func(rid, param, query string) string
	TextQuery func(words []string) string
	// Fence: scan a type for a page through an ordered subquery the planner must keep
	// (PostgreSQL's OFFSET 0), so that the scan stops after one page.
	Fence bool
	// NoIndex renders a column so that the planner does not choose an index for a
	// term on it (SQLite's unary +; PostgreSQL plans by statistics).
	NoIndex func(col string) string
	// Text renders a text bind parameter typed and collated as the text columns, for
	// where no column gives it both: the first term of a recursive query, which
	// PostgreSQL requires to match the recursive term's collation.
	Text func(param string) string
	// A cheap total (store.Query.CheapTotal) counts at most CheapCount rows, and for at
	// most CheapBudget where the engine can abandon a statement without harm (0: no
	// budget); beyond either the page has no total. Both backends count up to the same
	// CheapRows, so whether a page carries a total does not depend on the store.
	CheapCount  int
	CheapBudget time.Duration
	// An estimated total (store.Query.EstimateTotal) is the planner's row estimate
	// (EXPLAIN) when Explain is set, else a bounded sample; EstimateBudget bounds the
	// sample (see estimate.go).
	Explain        bool
	EstimateBudget time.Duration
	// RangeCap bounds the index rows a range criterion may select and still drive a
	// search (see Driver); 0: range criteria never drive.
	RangeCap int
	// RowID names the column that tells apart rows of one table within a statement
	// (SQLite's rowid, PostgreSQL's ctid), so that one of equal rows can be kept
	// without DISTINCT (see sortedPart).
	RowID string
}

// CheapRows bounds the count behind a total that nobody asked for: counting 2,000 index
// rows takes under a millisecond on either engine, where 10,000 took 4 ms on
// PostgreSQL and was most of a Condition?code= page at 10,000 patients. Larger results
// get a total with _total=accurate (always counted) or _total=estimate.
const CheapRows = 2000

// WithRangeCap returns d with RangeCap set to n; 0 keeps d's, a negative n turns range
// drivers off.
func (d Dialect) WithRangeCap(n int) Dialect {
	switch {
	case n < 0:
		d.RangeCap = 0
	case n > 0:
		d.RangeCap = n
	}
	return d
}

// RangeCap is both dialects' Dialect.RangeCap: a range of up to 2,000 index rows is read
// and sorted in a millisecond or two, where a scan for rare matches may read a whole
// type; counting 2,000 index rows to find a range dense costs a fraction of that.
const RangeCap = 2000

// SQLite is the dialect of modernc.org/sqlite.
var SQLite = Dialect{
	Placeholder: func(int) string { return "?" },
	Contains:    func(h, n string) string { return "instr(" + h + ", " + n + ") > 0" },
	StartsWith:  func(s, p string) string { return "substr(" + s + ", 1, length(" + p + ")) = " + p },
	Join:        "CROSS JOIN",
	NoIndex:     func(col string) string { return "+" + col },
	Text:        func(p string) string { return p },
	// An interrupted SQLite statement leaves its connection and read transaction usable.
	CheapCount:  CheapRows,
	CheapBudget: 3 * time.Millisecond,
	// An estimate was asked for: worth more time than a total nobody asked for. A sample
	// takes 1–5 ms warm on small data; at 10,000 patients one over two criteria took
	// 6–14 ms, and the first of a shape on a fresh connection about 30, so a 10 ms
	// budget mostly answered without a total. An exact count there took 0.4 s.
	EstimateBudget: 100 * time.Millisecond,
	RangeCap:       RangeCap,
	RowID:          "rowid",
	TextMatch: func(rid, param, query string) string {
		return rid + " IN (SELECT x.rid FROM idx_text x WHERE x.param = " + param +
			" AND x.rowid IN (SELECT rowid FROM idx_text_fts WHERE idx_text_fts MATCH " + query + "))"
	},
	TextQuery: func(words []string) string {
		q := make([]string, len(words))
		for i, w := range words {
			q[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
		}
		return strings.Join(q, " ")
	},
}

// Postgres is the dialect of PostgreSQL.
var Postgres = Dialect{
	Placeholder: func(n int) string { return "$" + strconv.Itoa(n) },
	Contains:    func(h, n string) string { return "strpos(" + h + ", " + n + ") > 0" },
	StartsWith:  func(s, p string) string { return "starts_with(" + s + ", " + p + ")" },
	Join:        "JOIN",
	Fence:       true,
	NoIndex:     func(col string) string { return col },
	Text:        func(p string) string { return "CAST(" + p + ` AS text) COLLATE "C"` },
	// Cancelling a pgx query closes its connection, which would end the read
	// transaction: the cap alone bounds the count.
	CheapCount: CheapRows,
	Explain:    true,
	RangeCap:   RangeCap,
	RowID:      "ctid",
	TextMatch: func(rid, param, query string) string {
		return "EXISTS (SELECT 1 FROM idx_text x WHERE x.rid = " + rid + " AND x.param = " + param +
			" AND x.tsv @@ plainto_tsquery('simple', " + query + "))"
	},
	TextQuery: func(words []string) string { return strings.Join(words, " ") },
}

// DefaultCount is the page size when a query does not set one.
const DefaultCount = 100

// Columns is the select list shared by every query that returns versions, in the order
// Scan expects; r is the resources table alias.
const Columns = "r.seq, r.type, r.id, r.version, r.last_updated, r.op, r.body"

// Scanner is a row of database/sql or pgx.
type Scanner interface{ Scan(dest ...any) error }

// Scan reads one row selected with Columns.
func Scan(row Scanner) (*store.Resource, error) {
	return ScanWith(row)
}

// ScanWith reads one row whose first columns fill extra and whose remaining columns are
// Columns.
func ScanWith(row Scanner, extra ...any) (*store.Resource, error) {
	var (
		r          store.Resource
		lu, op     int64
		body       []byte
		typ, id    string
		seq, verID int64
	)
	if err := row.Scan(append(extra, &seq, &typ, &id, &verID, &lu, &op, &body)...); err != nil {
		return nil, err
	}
	r.Seq, r.Type, r.ID, r.VersionID, r.Op, r.Body = seq, typ, id, verID, store.Op(op), body
	r.LastUpdated = FromNanos(lu)
	return &r, nil
}

// Nanos is how last_updated is stored: nanoseconds since the Unix epoch (an instant the
// server assigns, well inside int64's years 1678..2262). For a search bound outside that
// span, a zero low or high (an open end) clamps to the extreme.
func Nanos(t time.Time, high bool) int64 {
	switch {
	case t.IsZero() && high, t.After(maxNanoTime):
		return math.MaxInt64
	case t.IsZero(), t.Before(minNanoTime):
		return math.MinInt64
	}
	return t.UnixNano()
}

var (
	minNanoTime = time.Unix(0, math.MinInt64)
	maxNanoTime = time.Unix(0, math.MaxInt64)
)

// FromNanos turns a stored last_updated back into UTC time.
func FromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// Micros is how index dates are stored: microseconds since the Unix epoch, which covers
// every FHIR date (years 0001..9999). A zero time is an open end: low (−∞) or high (+∞).
func Micros(t time.Time, high bool) int64 {
	if t.IsZero() {
		if high {
			return math.MaxInt64
		}
		return math.MinInt64
	}
	return t.UnixMicro()
}

// builder accumulates SQL text and its bind arguments.
type builder struct {
	d       Dialect
	sb      strings.Builder
	args    []any
	aliases int
	// backward pages towards lower rids (Query.BeforeKey).
	backward bool
	// fence: the statement is a page, which a type scan may stream (Dialect.Fence).
	fence bool
}

// cmp is the rid comparison that continues a page in the builder's direction.
func (b *builder) cmp() string {
	if b.backward {
		return "<"
	}
	return ">"
}

// alias returns a table alias not used before in this statement.
func (b *builder) alias(prefix string) string {
	b.aliases++
	return prefix + strconv.Itoa(b.aliases)
}

// arg binds v and returns its placeholder.
func (b *builder) arg(v any) string {
	b.args = append(b.args, v)
	return b.d.Placeholder(len(b.args))
}

func (b *builder) w(parts ...string) {
	for _, p := range parts {
		b.sb.WriteString(p)
	}
}

// filter writes " AND (...)" restricting alias (a table with rid, type and id columns) to
// what f allows.
func (b *builder) filter(alias string, f *store.AccessFilter) {
	if f == nil {
		return
	}
	if len(f.Types) > 0 {
		b.w(" AND ", alias, ".type IN (")
		for i, t := range f.Types {
			if i > 0 {
				b.w(", ")
			}
			b.w(b.arg(t))
		}
		b.w(")")
	}
	if c := f.Compartment; c != nil {
		// The compartment's own resource belongs to it even if the caller did not list
		// it among its Compartments.
		b.w(" AND ((", alias, ".type = ", b.arg(c.Type), " AND ", alias, ".id = ", b.arg(c.ID),
			") OR EXISTS (SELECT 1 FROM compartments m WHERE m.rid = ", alias,
			".rid AND m.comp_type = ", b.arg(c.Type), " AND m.comp_id = ", b.arg(c.ID), "))")
	}
}

// Stmt is SQL text with its bind arguments.
type Stmt struct {
	SQL  string
	Args []any
}

func (b *builder) stmt() Stmt { return Stmt{SQL: b.sb.String(), Args: b.args} }

// Read selects the current version of one resource.
func Read(d Dialect, f *store.AccessFilter, typ, id string) Stmt {
	b := &builder{d: d}
	b.w("SELECT ", Columns, " FROM current c JOIN resources r ON r.seq = c.seq WHERE c.type = ",
		b.arg(typ), " AND c.id = ", b.arg(id))
	b.filter("c", f)
	return b.stmt()
}

// VRead selects one version of one resource.
func VRead(d Dialect, f *store.AccessFilter, typ, id string, version int64) Stmt {
	b := &builder{d: d}
	b.w("SELECT ", Columns, " FROM current c JOIN resources r ON r.rid = c.rid WHERE c.type = ",
		b.arg(typ), " AND c.id = ", b.arg(id), " AND r.version = ", b.arg(version))
	b.filter("c", f)
	return b.stmt()
}
