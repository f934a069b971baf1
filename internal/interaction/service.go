package interaction

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"log/slog"
	"time"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/index"
	"github.com/joinedup/joinedup/internal/search"
	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/terminology"
)

// Options configures a Service.
type Options struct {
	Store store.Store
	// BaseURL is the configured public FHIR base ("https://example.org/fhir"); absolute
	// references under it count as local references. Empty: each request's
	// Request.BaseURL does.
	BaseURL string
	// ReferentialIntegrity refuses writes whose local references point at nothing (422)
	// and deletes of resources still referenced (409). Turn it off only for migrations.
	ReferentialIntegrity bool
	// Extractor computes index rows, links and compartments; default a search.Extractor
	// over Search.
	Extractor index.Extractor
	// Search is the SearchParameter registry searches are parsed against; default the
	// specification's parameters (search.NewRegistry).
	Search *search.Registry
	// Terminology expands the value sets and code hierarchies of token :in, :not-in,
	// :above and :below searches; default terminology.New() (loaded when first used).
	Terminology *terminology.Server
	// Validate checks a parsed resource before it is stored; issues of severity error or
	// fatal refuse the write with 422. Nil: no validation beyond the strict parser.
	Validate func(ctx context.Context, r fhir.Resource) []Issue
	// Audit is told about every interaction once it has completed (after the commit
	// for writes). It must not block for long.
	Audit func(ctx context.Context, e Event)
	// Notify receives the versions each committed Write stored (subscriptions).
	Notify func(ctx context.Context, versions []*store.Resource)
	// FollowStore makes the process take part in keeping several processes on one store
	// in agreement about custom SearchParameters (see SyncSearchParameters): it refuses
	// writes (503) unless its last SyncSearchParameters began less than AckTimeout ago,
	// so SyncSearchParameters must run at start-up and every well under AckTimeout
	// (SyncSearchParametersEvery). Every process writing to a store other processes
	// also write to must set it.
	FollowStore bool
	// AckTimeout is how long after its last acknowledgement a process counts as gone:
	// $reindex jobs stop waiting for it, and it (with FollowStore) refuses writes. It
	// must be the same in every process on a store; default 30s.
	AckTimeout time.Duration
	// Logger receives what the service learns from the store (SyncSearchParameters);
	// default slog.Default().
	Logger *slog.Logger
	// Expunged receives the resources each committed $expunge erased while they were
	// current (not deleted): they leave no version for Notify, yet what was learned from
	// them (a stored profile) must be forgotten as when they are deleted.
	Expunged func(ctx context.Context, refs []store.Ref)
	// Now and NewID are the clock and id source (tests replace them).
	Now   func() time.Time
	NewID func() string
	// DefaultCount and MaxCount bound page sizes of search and history (50 and 1000).
	DefaultCount, MaxCount int
}

// Event is what the audit hook learns about one interaction: never resource content.
type Event struct {
	Interaction string // read, vread, create, update, delete, history, search, transaction ...
	Type, ID    string
	Status      int
	// Versions are the versions written (writes) or served (read, vread).
	Versions []*store.Resource
}

// Request carries what a call needs to know about its caller.
type Request struct {
	// Filter restricts what the caller may read; nil allows everything.
	Filter *store.AccessFilter
	// BaseURL is the absolute FHIR base for links and fullUrls in responses.
	BaseURL string
	// Strict is Prefer: handling=strict: unknown or unsupported search parameters are
	// errors instead of being ignored and reported.
	Strict bool
	// Return is the Prefer: return choice for bundle entries.
	Return Return
	// Admin allows administrative operations ($expunge).
	Admin bool
}

// Return is the client's Prefer: return choice.
type Return uint8

const (
	ReturnDefault Return = iota
	ReturnMinimal
	ReturnRepresentation
	ReturnOutcome
)

// Service runs FHIR interactions against one store.
type Service struct {
	opt    Options
	jobs   reindexJobs
	spSync paramSync
	// process identifies this service in the store's acknowledgements (Tx.Ack).
	process string
}

// New returns a Service over o.Store.
func New(o Options) (*Service, error) {
	if o.Store == nil {
		return nil, errors.New("interaction: Options.Store is required")
	}
	if o.Search == nil {
		o.Search = search.NewRegistry()
	}
	if o.Terminology == nil {
		o.Terminology = terminology.New()
	}
	if o.Extractor == nil {
		o.Extractor = &search.Extractor{Registry: o.Search}
	}
	if o.AckTimeout <= 0 {
		o.AckTimeout = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.NewID == nil {
		o.NewID = NewID
	}
	if o.DefaultCount <= 0 {
		o.DefaultCount = 50
	}
	if o.MaxCount <= 0 {
		o.MaxCount = 1000
	}
	return &Service{opt: o, process: NewID()}, nil
}

// Store returns the store the service writes to.
func (s *Service) Store() store.Store { return s.opt.Store }

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns a random 128-bit id as 26 lower-case base32 characters: short, URL-safe
// and a legal FHIR id.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return idEncoding.EncodeToString(b[:])
}

// now returns the transaction time: UTC, millisecond precision, as stored in
// meta.lastUpdated.
func (s *Service) now() time.Time {
	return s.opt.Now().UTC().Truncate(time.Millisecond)
}

// base is the FHIR base under which absolute references are local for req.
func (s *Service) base(req *Request) string {
	if s.opt.BaseURL != "" {
		return s.opt.BaseURL
	}
	return req.BaseURL
}

func (s *Service) audit(ctx context.Context, e Event) {
	if s.opt.Audit != nil {
		s.opt.Audit(ctx, e)
	}
}

func (s *Service) notify(ctx context.Context, versions []*store.Resource) {
	if s.opt.Notify != nil && len(versions) > 0 {
		s.opt.Notify(ctx, versions)
	}
}

// FormatInstant renders t as a FHIR instant with milliseconds, as meta.lastUpdated holds it.
func FormatInstant(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}
