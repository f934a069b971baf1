package interaction

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/index"
	"github.com/joinedup/joinedup/internal/store"
)

// metaResource is implemented by every generated resource type.
type metaResource interface {
	fhir.Resource
	ResourceMeta() *fhir.Meta
	SetResourceMeta(*fhir.Meta)
}

// parse reads body as a resource of type want ("" accepts any type); prefix roots the
// expressions of errors (a bundle entry's "Bundle.entry[2].resource").
func parse(body []byte, want, prefix string) (metaResource, error) {
	if len(body) == 0 {
		return nil, invalid(prefix, "the request has no body")
	}
	r, err := fhir.ParseResource(body)
	if err != nil {
		return nil, parseError(err, prefix)
	}
	mr, ok := r.(metaResource)
	if !ok {
		return nil, invalid(prefix, "%s cannot be stored", r.ResourceType())
	}
	if want != "" && r.ResourceType() != want {
		return nil, invalid(expr(prefix, r.ResourceType()), "the body is a %s, the URL names %s", r.ResourceType(), want)
	}
	return mr, nil
}

// expr is the expression of a resource's root: prefix when inside a bundle, else its type.
func expr(prefix, typ string) string {
	if prefix != "" {
		return prefix
	}
	return typ
}

// validate runs the validation hook; errors refuse the write with 422. The other issues
// (warnings, information) are returned for the response.
func (s *Service) validate(ctx context.Context, r fhir.Resource, prefix string) ([]Issue, error) {
	if s.opt.Validate == nil {
		return nil, nil
	}
	issues := s.opt.Validate(ctx, r)
	failed := false
	for i := range issues {
		if issues[i].Severity == "error" || issues[i].Severity == "fatal" {
			failed = true
		}
		for j, e := range issues[i].Expression {
			issues[i].Expression[j] = rebase(e, prefix)
		}
	}
	if failed {
		return nil, &Error{Status: http.StatusUnprocessableEntity, Issues: issues}
	}
	return issues, nil
}

// txn is the work of one store.Write: the versions it stores and the references they make,
// checked together at the end so that entries of a transaction may refer to each other in
// any order.
type txn struct {
	s       *Service
	tx      store.Tx
	now     time.Time
	base    string // absolute references under it are local
	written map[store.Ref]*store.Resource
	order   []*store.Resource
	links   []pendingLink
	deletes []pendingDelete
	// expunged are the current resources $expunge erased (Options.Expunged).
	expunged []store.Ref
}

type pendingLink struct {
	index.Link
	resource fhir.Resource // the resource that makes it
	prefix   string        // its expression root inside a bundle
}

type pendingDelete struct {
	ref    store.Ref
	prefix string
}

func (s *Service) newTxn(tx store.Tx, now time.Time, base string) *txn {
	return &txn{s: s, tx: tx, now: now, base: base, written: map[store.Ref]*store.Resource{}}
}

// current returns the latest version of typ/id as this transaction sees it, nil when the
// resource has never existed.
func (t *txn) current(ctx context.Context, typ, id string) (*store.Resource, error) {
	if v, ok := t.written[store.Ref{Type: typ, ID: id}]; ok {
		return v, nil
	}
	v, err := t.tx.Current(ctx, typ, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s/%s: %w", typ, id, err)
	}
	return v, nil
}

// prepared is a resource ready to Put: meta set, marshalled once, index extracted. Creates
// are prepared before the store transaction starts, so that the store's writer only runs
// Puts.
type prepared struct {
	w        store.Write
	resource fhir.Resource
	links    []index.Link
	base     string
	prefix   string
	// gen is the registry's Generation before the rows were extracted.
	gen uint64
}

// prepare sets r's meta for version at now and computes what the store needs; base is
// the FHIR base under which absolute references are local.
func (s *Service) prepare(r metaResource, version int64, op store.Op, now time.Time, base, prefix string) (*prepared, error) {
	typ, id := r.ResourceType(), r.ResourceID()
	setMeta(r, version, now)
	body, err := fhir.MarshalResource(r)
	if err != nil {
		return nil, fmt.Errorf("marshal %s/%s: %w", typ, id, err)
	}
	p := &prepared{
		w:        store.Write{Resource: store.Resource{Type: typ, ID: id, VersionID: version, LastUpdated: now, Op: op, Body: body}},
		resource: r,
		base:     base,
		prefix:   prefix,
	}
	if err := s.extract(p); err != nil {
		return nil, err
	}
	return p, nil
}

// extract fills in p's index rows, links and compartments with the search parameters
// registered now.
func (s *Service) extract(p *prepared) error {
	p.gen = s.opt.Search.Generation()
	entry, err := s.opt.Extractor.Extract(p.resource, p.base)
	if err != nil {
		return fmt.Errorf("index %s/%s: %w", p.w.Type, p.w.ID, err)
	}
	p.w.Index, p.w.Links, p.w.Compartments, p.links = entry.Index, entry.Refs(), entry.Compartments, entry.Links
	return nil
}

// putPrepared stores p (a fresh copy of its Write, so that a re-run transaction function
// can Put it again). Rows prepared before a SearchParameter was registered are extracted
// again: registrations are serialised with the store's transaction functions (see
// learnSearchParameters), so every version committed after one carries its rows.
func (t *txn) putPrepared(ctx context.Context, p *prepared) (*store.Resource, error) {
	if p.gen != t.s.opt.Search.Generation() {
		if err := t.s.extract(p); err != nil {
			return nil, err
		}
	}
	w := p.w
	if err := t.tx.Put(ctx, &w); err != nil {
		return nil, fmt.Errorf("store %s/%s: %w", w.Type, w.ID, err)
	}
	for _, l := range p.links {
		t.links = append(t.links, pendingLink{Link: l, resource: p.resource, prefix: p.prefix})
	}
	t.record(&w.Resource)
	return &w.Resource, nil
}

// put stores r as the version after cur (nil: a new resource) with op.
func (t *txn) put(ctx context.Context, r metaResource, cur *store.Resource, op store.Op, prefix string) (*store.Resource, error) {
	version := int64(1)
	if cur != nil {
		version = cur.VersionID + 1
	}
	p, err := t.s.prepare(r, version, op, t.now, t.base, prefix)
	if err != nil {
		return nil, err
	}
	return t.putPrepared(ctx, p)
}

// del stores a delete version after cur (which must exist and not be deleted).
func (t *txn) del(ctx context.Context, cur *store.Resource, prefix string) (*store.Resource, error) {
	w := &store.Write{Resource: store.Resource{
		Type: cur.Type, ID: cur.ID, VersionID: cur.VersionID + 1, LastUpdated: t.now, Op: store.OpDelete,
	}}
	if err := t.tx.Put(ctx, w); err != nil {
		return nil, fmt.Errorf("delete %s/%s: %w", cur.Type, cur.ID, err)
	}
	t.deletes = append(t.deletes, pendingDelete{ref: store.Ref{Type: cur.Type, ID: cur.ID}, prefix: prefix})
	t.record(&w.Resource)
	return &w.Resource, nil
}

func (t *txn) record(v *store.Resource) {
	ref := store.Ref{Type: v.Type, ID: v.ID}
	if _, seen := t.written[ref]; !seen {
		t.order = append(t.order, v)
	} else {
		for i, o := range t.order {
			if o.Type == v.Type && o.ID == v.ID {
				t.order[i] = v
			}
		}
	}
	t.written[ref] = v
}

// cascade deletes everything that still references ref, recursively, inside this
// transaction (DELETE with _cascade=delete).
func (t *txn) cascade(ctx context.Context, ref store.Ref, prefix string) error {
	queue := []store.Ref{ref}
	for len(queue) > 0 {
		next := queue[0]
		queue = queue[1:]
		referrers, err := t.tx.ReferencedBy(ctx, next.Type, next.ID, t.s.opt.MaxCount)
		if err != nil {
			return fmt.Errorf("referrers of %s/%s: %w", next.Type, next.ID, err)
		}
		for _, r := range referrers {
			cur, err := t.current(ctx, r.Type, r.ID)
			if err != nil {
				return err
			}
			if cur == nil || cur.Deleted() {
				continue
			}
			if _, err := t.del(ctx, cur, prefix); err != nil {
				return err
			}
			queue = append(queue, r)
		}
	}
	return nil
}

// checkIntegrity enforces referential integrity over everything this transaction wrote:
// every link must point at a live resource, and no deleted resource may still be
// referenced.
func (t *txn) checkIntegrity(ctx context.Context) error {
	if !t.s.opt.ReferentialIntegrity {
		return nil
	}
	live := map[store.Ref]bool{}
	for _, l := range t.links {
		ok, known := live[l.Target]
		if !known {
			cur, err := t.current(ctx, l.Target.Type, l.Target.ID)
			if err != nil {
				return err
			}
			ok = cur != nil && !cur.Deleted()
			live[l.Target] = ok
		}
		if !ok {
			path := rebase(index.PathOf(l.resource, l.Element), l.prefix)
			return newError(http.StatusUnprocessableEntity, "processing", path,
				"the reference %s/%s points at no resource", l.Target.Type, l.Target.ID)
		}
	}
	for _, d := range t.deletes {
		cur := t.written[d.ref]
		if cur == nil || !cur.Deleted() {
			continue // re-created later in the same transaction
		}
		referrers, err := t.tx.ReferencedBy(ctx, d.ref.Type, d.ref.ID, 20)
		if err != nil {
			return fmt.Errorf("referrers of %s/%s: %w", d.ref.Type, d.ref.ID, err)
		}
		if len(referrers) > 0 {
			names := make([]string, len(referrers))
			for i, r := range referrers {
				names[i] = r.Type + "/" + r.ID
			}
			return newError(http.StatusConflict, "conflict", d.prefix,
				"%s/%s is still referenced by %s; delete with _cascade=delete to delete them too",
				d.ref.Type, d.ref.ID, strings.Join(names, ", "))
		}
	}
	return nil
}

// setMeta sets meta.versionId and meta.lastUpdated, keeping the rest of meta.
func setMeta(r metaResource, version int64, now time.Time) {
	m := r.ResourceMeta()
	if m == nil {
		m = &fhir.Meta{}
	}
	v, ts := strconv.FormatInt(version, 10), FormatInstant(now)
	m.VersionID = &fhir.ID{Value: &v}
	m.LastUpdated = &fhir.Instant{Value: &ts}
	r.SetResourceMeta(m)
}

// ETag is the weak entity tag of a version: W/"3".
func ETag(v *store.Resource) string {
	return `W/"` + strconv.FormatInt(v.VersionID, 10) + `"`
}

// ParseETag reads a version from an If-Match / ifMatch value: W/"3" (or "3").
func ParseETag(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "W/")
	if len(s) < 3 || s[0] != '"' || s[len(s)-1] != '"' {
		return 0, false
	}
	v, err := strconv.ParseInt(s[1:len(s)-1], 10, 64)
	if err != nil || v < 1 {
		return 0, false
	}
	return v, true
}

// commit runs fn in one store.Write with a fresh txn at transaction time now and the transaction's integrity
// check, then tells the notify hook what was stored and the expunged hook what was erased.
func (s *Service) commit(ctx context.Context, now time.Time, base string, fn func(t *txn) error) ([]*store.Resource, error) {
	var written []*store.Resource
	var expunged []store.Ref
	err := s.opt.Store.Write(ctx, func(tx store.Tx) error {
		if err := s.checkFollowing(); err != nil {
			return err
		}
		// A backend may run fn again after a lost race: start from scratch each time.
		t := s.newTxn(tx, now, base)
		if err := fn(t); err != nil {
			return err
		}
		if err := t.checkIntegrity(ctx); err != nil {
			return err
		}
		written, expunged = t.order, t.expunged
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.learnSearchParameters(ctx, written)
	s.notify(ctx, written)
	if s.opt.Expunged != nil && len(expunged) > 0 {
		s.opt.Expunged(ctx, expunged)
	}
	return written, nil
}

// lit returns a primitive's value, "" when absent.
func lit[T any, P interface {
	*T
	fhir.Primitive
}](p P) string {
	if p == nil {
		return ""
	}
	s, _ := p.Literal()
	return s
}
