package store

import (
	"errors"
	"time"
)

// Errors the backends return; callers test them with errors.Is.
var (
	ErrNotFound = errors.New("store: not found")
	// ErrConflict reports a failed version check: Put with a VersionID that is not the
	// current version + 1, or Reindex of a version that is no longer current (another
	// writer changed the resource first).
	ErrConflict = errors.New("store: conflict")
	// ErrInvalid reports a query the store cannot run: an unsupported modifier or prefix,
	// or a paging key it did not issue.
	ErrInvalid = errors.New("store: invalid query")
	// ErrClosed reports a call on a closed store.
	ErrClosed = errors.New("store: closed")
)

// Observer receives the duration of each store operation ("write", "commit", "read",
// "vread", "history", "search"), e.g. to feed a Prometheus histogram. It must be quick and
// safe for concurrent use.
type Observer func(op string, d time.Duration)

// Op is the kind of change a version records (history's entry.request.method).
type Op uint8

const (
	OpCreate Op = iota + 1 // POST
	OpUpdate               // PUT or PATCH
	OpDelete               // DELETE
)

// Resource is one stored version.
type Resource struct {
	Type        string
	ID          string
	VersionID   int64 // 1, 2, 3 ...; meta.versionId is its decimal string
	LastUpdated time.Time
	Op          Op
	// Body is the resource JSON exactly as served (meta.versionId and meta.lastUpdated
	// already inside); nil for a delete.
	Body []byte
	// Seq is the store-wide, strictly increasing sequence number of this version, used to
	// order and page system and type history. Assigned by the store.
	Seq int64
}

// Deleted reports whether this version records a delete.
func (r *Resource) Deleted() bool { return r.Op == OpDelete }

// Ref names a resource.
type Ref struct{ Type, ID string }

// Write is one new version to store, with what the search index and referential integrity
// need to know about it.
type Write struct {
	Resource
	// Index holds the search index rows for this version (replacing the previous
	// version's rows). Empty for deletes.
	Index Index
	// Links are all local references this version makes (Type/ID), for referential
	// integrity; replaced on every version, cleared on delete.
	Links []Ref
	// Compartments lists the patient compartments (Patient/ID) this version belongs to,
	// for AccessFilter.Compartment and compartment search; a Patient is in its own.
	Compartments []Ref
}

// Index holds the extracted search values of one resource version, one slice per
// parameter type. The search work fills in every type; the foundation uses tokens
// (identifier, _tag ...), dates (_lastUpdated is implicit) and references.
type Index struct {
	Strings    []StringEntry
	Tokens     []TokenEntry
	Dates      []DateEntry
	Numbers    []NumberEntry
	Quantities []QuantityEntry
	References []ReferenceEntry
	URIs       []URIEntry
	Composites []CompositeEntry
	Texts      []TextEntry
}

// StringEntry: Value is normalised (lower case, accents removed) for the default and
// :contains matches; Exact is the value as written for :exact.
type StringEntry struct{ Param, Value, Exact string }

// TokenEntry is a coded value: Coding, Identifier, code, boolean, ContactPoint...
type TokenEntry struct{ Param, System, Code, Text string }

// DateEntry is the range [Low, High] a date, dateTime, instant, Period or Timing covers,
// both ends inclusive; a zero Low or High is an open end (a Period without start or end).
type DateEntry struct {
	Param     string
	Low, High time.Time
}

// NumberEntry keeps the range implied by the precision of the value ("1.5" is 1.45..1.55).
type NumberEntry struct {
	Param     string
	Low, High float64
	Literal   string
}

// QuantityEntry: System/Code as written; CanonicalCode and the canonical range in UCUM
// base units where the unit converts.
type QuantityEntry struct {
	Param                       string
	System, Code, Unit          string
	Low, High                   float64
	CanonicalCode               string
	CanonicalLow, CanonicalHigh float64
}

// ReferenceEntry is a reference to a local resource (Type/ID), an absolute URL (URL) or
// a logical identifier (Reference.identifier as System/Value).
type ReferenceEntry struct {
	Param            string
	TargetType       string
	TargetID         string
	TargetVersion    string
	URL              string
	IdentifierSystem string
	IdentifierValue  string
}

// URIEntry is a uri, url or canonical value.
type URIEntry struct{ Param, Value string }
