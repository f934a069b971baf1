package store

import (
	"context"
	"time"
)

// Store is versioned FHIR resource storage. Every write goes through Write; every read
// through the read methods, each of which takes the request's AccessFilter.
type Store interface {
	// Write runs fn in one atomic transaction. Writes are serialised against each other
	// (fn sees a consistent state and no concurrent writer can slip in between a read and
	// a write inside fn), so version checks and conditional operations never lose an
	// update. The embedded store commits many concurrent Write calls together (group
	// commit) and returns only after the commit is durable. When fn returns an error the
	// transaction rolls back and Write returns that error unchanged.
	//
	// fn runs exactly once, on the store's writer goroutine: the embedded store has one
	// writer; PostgreSQL serialises writers of every process with a transaction-scoped
	// advisory lock, so no serialisation failure can force a re-run. fn must not keep tx
	// after it returns. Cancelling ctx before fn starts skips fn (Write returns ctx.Err());
	// once fn has run, Write waits for the commit so its answer is always the truth.
	Write(ctx context.Context, fn func(tx Tx) error) error

	// Read returns the current version of Type/ID; a delete is returned as a version with
	// Op == OpDelete (the caller answers 410). ErrNotFound if it never existed (or was
	// expunged) or the filter hides it.
	Read(ctx context.Context, f *AccessFilter, typ, id string) (*Resource, error)
	// VRead returns one version; ErrNotFound as for Read.
	VRead(ctx context.Context, f *AccessFilter, typ, id string, version int64) (*Resource, error)
	// History lists versions newest first (by Seq) for a system (Type == ""), a type, or
	// an instance (ID != "").
	History(ctx context.Context, f *AccessFilter, q HistoryQuery) (*HistoryPage, error)
	// Search returns the current, non-deleted resources of q.Type matching every clause.
	Search(ctx context.Context, f *AccessFilter, q Query) (*SearchPage, error)
	// ParamStates returns what Tx.SetParamState recorded, by canonical URL.
	ParamStates(ctx context.Context) (map[string]string, error)

	// Backup writes a consistent online copy of the store to path (embedded store only;
	// others return an error saying so).
	Backup(ctx context.Context, path string) error
	// Ping reports whether the store can serve (for /readyz).
	Ping(ctx context.Context) error
	Close() error
}

// Tx is the view of the store inside a Write transaction.
type Tx interface {
	// Current returns the latest version of Type/ID (a delete has Op == OpDelete), or
	// ErrNotFound.
	Current(ctx context.Context, typ, id string) (*Resource, error)
	// Put stores a new version. w.VersionID must be the current version + 1 (1 for a new
	// resource); otherwise Put returns ErrConflict. The store assigns w.Seq.
	//
	// PostgreSQL sends a function's rows in batches, so a create (VersionID 1) of a
	// resource this transaction has not read with Current is checked when they are sent:
	// its ErrConflict comes from the transaction's next call or from Write itself. Call
	// Current first where the answer must come from Put.
	Put(ctx context.Context, w *Write) error
	// Search is Store.Search inside the transaction (conditional create/update/delete).
	Search(ctx context.Context, q Query) (*SearchPage, error)
	// ReferencedBy lists current, non-deleted resources whose Links point at Type/ID.
	ReferencedBy(ctx context.Context, typ, id string, limit int) ([]Ref, error)
	// Expunge erases every version of Type/ID and its index rows for good.
	Expunge(ctx context.Context, typ, id string) error
	// Reindex replaces the index, link and compartment rows of the current version of
	// w.Type/w.ID with w's, without a new version ($reindex). w.Seq is the Seq of the
	// version w's rows were extracted from: when it is no longer the current one (a
	// later version or a delete was committed since it was read), Reindex returns
	// ErrConflict and leaves the rows the later version's writer stored. ErrNotFound
	// when the resource does not exist.
	Reindex(ctx context.Context, w *Write) error
	// SetParamState records, in place of any earlier record for url, the state (opaque
	// to the store) of a custom SearchParameter whose index a $reindex has completed, so
	// that a restart can tell which parameters searches may use at once.
	SetParamState(ctx context.Context, url, state string) error
	// Ack records, in place of any earlier record for process (a server process's id),
	// that the process has registered every SearchParameter version up to Seq seq,
	// stamped with the store's clock now. A $reindex job waits on these records before
	// its pass (see interaction.SyncSearchParameters).
	Ack(ctx context.Context, process string, seq int64) error
	// Acks returns every process's latest Ack with its age by the store's clock. Read
	// inside a Write it is serialised with every other writer's Acks and Puts.
	Acks(ctx context.Context) ([]ProcessAck, error)
}

// ProcessAck is one process's latest Tx.Ack.
type ProcessAck struct {
	Process string
	Seq     int64
	Age     time.Duration
}

// AccessFilter restricts what a request may see: the security work fills it from the
// token's scopes and patient context. A nil filter allows everything.
type AccessFilter struct {
	// Types, when not empty, lists the resource types the request may read.
	Types []string
	// Compartment, when set, limits reads to resources in that patient compartment (the
	// Patient itself and resources whose compartment references point at it).
	Compartment *Ref
}

// HistoryQuery selects versions for a history interaction.
type HistoryQuery struct {
	Type, ID string
	// Since keeps versions with LastUpdated >= Since (_since); At keeps, for each
	// resource, the version current at that instant (_at). Zero means unset.
	Since, At time.Time
	Count     int // page size
	// BeforeSeq, when non-zero, continues a previous page: only versions with Seq <
	// BeforeSeq (keyset paging, stable while writes go on).
	BeforeSeq int64
}

// HistoryPage is one page of history, newest first.
type HistoryPage struct {
	Versions []*Resource
	// NextSeq is the BeforeSeq for the next page, 0 when this is the last page.
	NextSeq int64
	// Total counts all matching versions when cheap to know, -1 otherwise.
	Total int
}

// Query is a search over one resource type (Type == "" searches all types). Clauses are
// ANDed; each clause's Values are ORed.
type Query struct {
	Type    string
	Clauses []Clause
	// Count is the page size: 0 means the store's default (100); a negative Count returns
	// no resources, only Total when CountTotal is set (_count=0).
	Count int
	// AfterKey continues a previous page (opaque keyset cursor from SearchPage.NextKey).
	AfterKey string
	// BeforeKey, instead, asks for the page that ends just before a key
	// (SearchPage.PrevKey): paging backwards in the same order.
	BeforeKey string
	// CountTotal asks for SearchPage.Total.
	CountTotal bool
	// The search additions (see search.go): _type, _sort, _include/_revinclude, and a
	// total given only when cheap to count.
	Types      []string
	Sort       []SortKey
	Include    []Include
	CheapTotal bool
	// EstimateTotal (_total=estimate) asks for a total that is exact when cheap to count
	// (as CheapTotal, which it implies) and otherwise an estimate: approximate, from the
	// planner's statistics or a bounded sample, and left out only when even that is not
	// quick.
	EstimateTotal bool
}

// ParamKind is the search parameter type a clause uses, choosing the index table.
type ParamKind uint8

const (
	KindToken ParamKind = iota + 1
	KindString
	KindDate
	KindNumber
	KindQuantity
	KindReference
	KindURI
	KindID          // _id: matches the resource id
	KindLastUpdated // _lastUpdated: matches the version's LastUpdated
	KindComposite   // composite: Value.Components, one per component
	KindSpecial     // Location near: Value.Lat, Long, Distance
	KindText        // _text, _content: full text
	KindHas         // _has: Clause.Has
	KindCompartment // membership of the compartment Value.TargetType/TargetID
)

// Clause is one parameter with OR-ed values.
type Clause struct {
	Param string
	Kind  ParamKind
	// Modifier: "", "exact", "contains", "not", "missing", "identifier", "below", or a
	// resource type name for a reference. A modifier a kind does not support is
	// ErrInvalid. On a reference, "above" and "below" follow a hierarchy: see
	// Value.Hierarchy.
	Modifier string
	Values   []Value
	// Chain, on a reference clause, requires the referenced resource to be of
	// Chain.Type (any type when "") and to match Chain.Clauses (search.html#chaining);
	// Values are then ignored.
	Chain *Query
	// Has (KindHas) requires a resource of Has.Type whose reference parameter Param
	// points at the resource and that matches Has.Clauses (search.html#has).
	Has *Query
	// Components are the kinds of a composite parameter's parts.
	Components []ParamKind
}

// Value is one search value, already parsed for its kind.
type Value struct {
	Prefix string // eq ne gt lt ge le sa eb ap (dates, numbers, quantities)
	// Token: System, Code (HasSystem distinguishes "|code" from "code").
	System    string
	HasSystem bool
	Code      string
	// String, URI, reference (absolute URL) and _id values. For strings without :exact,
	// Text must be normalised as StringEntry.Value is (the store matches it as given).
	Text string
	// Dates and _lastUpdated: the range the value's precision covers, both ends
	// inclusive; a zero Low or High is an open end.
	Low, High time.Time
	// Numbers and quantities: the range [NumLow, NumHigh] the value's precision covers
	// ("100" is 99.5..100.5). Quantities also match System (when set) and Code against
	// the unit code or the unit as written (when set).
	NumLow, NumHigh float64
	// Reference: TargetType/TargetID.
	TargetType, TargetID string
	// Hierarchy, for reference :above and :below, is the reference parameter of
	// TargetType that links its resources into a hierarchy: pointing a part at its
	// whole (Location partof) or, with HierarchyToParts, a whole at its parts
	// (Observation has-member). :below matches references to TargetType/TargetID or to
	// any resource below it (its parts, their parts ...), :above references to it or to
	// any resource above it (its wholes, theirs ...); a cyclic chain ends where it
	// repeats.
	Hierarchy        string
	HierarchyToParts bool
	// :missing
	Missing bool
	// Components are a composite value's parts, in order.
	Components []Value
	// Near: latitude and longitude in degrees and the distance in km; positions match
	// within that great-circle distance on a sphere of the Earth's mean radius.
	Lat, Long, Distance float64
	// Quantities whose unit converts to UCUM base units: the value's range there and
	// the canonical unit (QuantityEntry.CanonicalCode); "" when it does not convert.
	Canonical                   string
	CanonicalLow, CanonicalHigh float64
	// Codes, for token :in, :not-in, :above and :below, are the codes of the value set
	// or hierarchy, already expanded; the clause matches any of them.
	Codes []TokenCode
}

// SearchPage is one page of matches in the store's stable order.
type SearchPage struct {
	Resources []*Resource
	// NextKey continues with Query.AfterKey; "" on the last page.
	NextKey string
	// PrevKey goes back with Query.BeforeKey; "" on the first page.
	PrevKey string
	// Total is the count of all matches when Query.CountTotal was set (or CheapTotal
	// and it was cheap), an estimate for EstimateTotal, else -1.
	Total int
	// Included are the resources _include and _revinclude add to this page.
	Included []*Resource
}
