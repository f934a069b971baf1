package interaction

import (
	"context"
	"maps"
	"net/http"
	"strings"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/index"
	"github.com/joinedup/joinedup/internal/store"
)

// Transaction processes a transaction Bundle all or nothing in one store.Write
// (https://hl7.org/fhir/R4/http.html#transaction): DELETE entries first, then POST, then
// PUT, then GET. urn:uuid: and other fullUrls, and conditional references
// ("Patient?identifier=..."), are resolved across entries and rewritten in every resource.
// One failing entry fails the whole transaction with an error naming the entry.
//
// GET entries are answered after the commit through the ordinary read path (so that the
// access filter applies); a failed GET is reported in its entry and does not undo the
// writes.
func (s *Service) Transaction(ctx context.Context, req *Request, b *fhir.Bundle) (*BundleResult, error) {
	res, err := s.transaction(ctx, req, b)
	ev := Event{Interaction: "transaction", Status: http.StatusOK}
	if res != nil {
		for _, e := range res.Entries {
			if e.Version != nil {
				ev.Versions = append(ev.Versions, e.Version)
			}
		}
	}
	s.auditErr(ctx, ev, err)
	return res, err
}

// refSite is a Reference whose value names another entry or a conditional reference,
// with its value as the client sent it.
type refSite struct {
	ref      *fhir.Reference
	orig     string
	origElem *fhir.String
	op       *entryOp
}

func (s *Service) transaction(ctx context.Context, req *Request, b *fhir.Bundle) (*BundleResult, error) {
	ops := make([]*entryOp, len(b.Entry))
	for i, e := range b.Entry {
		op, err := s.parseEntry(req, i, e)
		if err != nil {
			return nil, op.fail(err)
		}
		ops[i] = op
	}

	// Identities known before the transaction starts. A transaction without conditional
	// parts (a Synthea bundle) is prepared completely here, so that the store's writer
	// only stores.
	fixed := map[string]store.Ref{}
	fullURLs := map[string]bool{}
	conds := map[*entryOp]*searchQuery{}
	static := true
	for _, op := range ops {
		if op.method == "PATCH" {
			if err := s.prepareEntryPatch(ctx, req, op); err != nil {
				return nil, op.fail(err)
			}
		}
		if op.fullURL != "" {
			fullURLs[op.fullURL] = true
		}
		if op.resource != nil {
			if _, err := s.validate(ctx, op.resource, op.prefix+".resource"); err != nil {
				return nil, op.fail(err)
			}
		}
		var err error
		switch op.method {
		case "POST":
			op.resource.SetResourceID(s.opt.NewID())
			if op.ifNone != "" {
				static = false
				conds[op], err = s.conditionalQuery(op.typ, s.base(req), op.ifNone)
			} else {
				fixed[op.fullURL] = store.Ref{Type: op.typ, ID: op.resource.ResourceID()}
			}
		case "PUT":
			if op.hasQuery {
				static = false
				conds[op], err = s.conditionalQuery(op.typ, s.base(req), op.criteria)
			} else if rid := op.resource.ResourceID(); rid != op.id {
				err = invalid(op.prefix+".resource.id", "the resource id %q differs from the url's id %q", rid, op.id)
			} else {
				fixed[op.fullURL] = store.Ref{Type: op.typ, ID: op.id}
			}
		case "DELETE":
			if op.hasQuery {
				static = false
				conds[op], err = s.conditionalQuery(op.typ, s.base(req), op.criteria)
			}
		}
		if err != nil {
			return nil, op.fail(err)
		}
	}
	delete(fixed, "")

	var sites []refSite
	for _, op := range ops {
		if op.resource == nil {
			continue
		}
		index.EachReference(op.resource, func(ref *fhir.Reference, _ func() string) {
			v := lit(ref.Reference)
			switch {
			case v == "":
			case fullURLs[v], strings.HasPrefix(v, "urn:uuid:"), strings.HasPrefix(v, "urn:oid:"):
				sites = append(sites, refSite{ref, v, ref.Reference, op})
			case isConditionalRef(v):
				static = false
				sites = append(sites, refSite{ref, v, ref.Reference, op})
			}
		})
	}

	now := s.now()
	if static {
		if err := s.rewrite(ctx, sites, fixed, nil); err != nil {
			return nil, err
		}
		for _, op := range ops {
			if op.method == "POST" {
				p, err := s.prepare(op.resource, 1, store.OpCreate, now, s.base(req), op.prefix+".resource")
				if err != nil {
					return nil, err
				}
				op.pre = p
			}
		}
	}

	_, err := s.commit(ctx, now, s.base(req), func(t *txn) error {
		ids := fixed
		if !static {
			ids = maps.Clone(fixed)
			for _, st := range sites {
				st.ref.Reference = st.origElem
			}
		}
		return s.runTransaction(ctx, t, ops, conds, ids, sites, static)
	})
	if err != nil {
		return nil, err
	}

	for _, op := range ops {
		if op.method == "GET" {
			s.get(ctx, req, op)
		}
	}
	out := newBundle("transaction-response", now, -1, nil)
	for _, op := range ops {
		op.respond(out, req)
	}
	return &BundleResult{Body: out.finish(), Entries: results(ops)}, nil
}

// runTransaction is the body of the transaction's store.Write.
func (s *Service) runTransaction(ctx context.Context, t *txn, ops []*entryOp, conds map[*entryOp]*searchQuery,
	ids map[string]store.Ref, sites []refSite, static bool) error {
	claimed := map[store.Ref]*entryOp{}
	claim := func(op *entryOp, ref store.Ref) error {
		if other, dup := claimed[ref]; dup {
			return op.fail(invalid(op.prefix, "%s/%s is also the subject of %s", ref.Type, ref.ID, other.prefix))
		}
		claimed[ref] = op
		return nil
	}

	for _, op := range ops {
		if op.method != "DELETE" {
			continue
		}
		op.status = http.StatusNoContent
		targets := []store.Ref{{Type: op.typ, ID: op.id}}
		if q := conds[op]; q != nil {
			matches, err := t.match(ctx, op.typ, q, 2)
			if err != nil {
				return err
			}
			if len(matches) > 1 {
				return op.fail(preconditionFailed("the criteria %q match more than one %s", op.criteria, op.typ))
			}
			targets = targets[:0]
			for _, m := range matches {
				targets = append(targets, store.Ref{Type: m.Type, ID: m.ID})
			}
		}
		for _, ref := range targets {
			if err := claim(op, ref); err != nil {
				return err
			}
			cur, err := t.current(ctx, ref.Type, ref.ID)
			if err != nil {
				return err
			}
			if cur == nil || cur.Deleted() {
				continue
			}
			if op.result, err = t.del(ctx, cur, op.prefix); err != nil {
				return err
			}
			if op.cascade {
				if err := t.cascade(ctx, ref, op.prefix); err != nil {
					return err
				}
			}
		}
	}

	for _, op := range ops {
		if op.method != "POST" {
			continue
		}
		op.target = store.Ref{Type: op.typ, ID: op.resource.ResourceID()}
		if q := conds[op]; q != nil {
			matches, err := t.match(ctx, op.typ, q, 2)
			if err != nil {
				return err
			}
			switch len(matches) {
			case 0:
			case 1:
				op.matched, op.result, op.status = true, matches[0], http.StatusOK
				op.target = store.Ref{Type: matches[0].Type, ID: matches[0].ID}
			default:
				return op.fail(preconditionFailed("ifNoneExist %q matches more than one %s", op.ifNone, op.typ))
			}
			if op.fullURL != "" {
				ids[op.fullURL] = op.target
			}
		}
		if err := claim(op, op.target); err != nil {
			return err
		}
	}

	for _, op := range ops {
		if op.method != "PUT" {
			continue
		}
		op.target = store.Ref{Type: op.typ, ID: op.id}
		if q := conds[op]; q != nil {
			matches, err := t.match(ctx, op.typ, q, 2)
			if err != nil {
				return err
			}
			bodyID := op.resource.ResourceID()
			switch len(matches) {
			case 0:
				op.target.ID = bodyID
				if bodyID == "" {
					op.target.ID = s.opt.NewID()
				}
			case 1:
				op.target.ID = matches[0].ID
				if bodyID != "" && bodyID != op.target.ID {
					return op.fail(invalid(op.prefix+".resource.id", "the resource id %q differs from the matching resource's id %q", bodyID, op.target.ID))
				}
			default:
				return op.fail(preconditionFailed("the criteria %q match more than one %s", op.criteria, op.typ))
			}
			op.resource.SetResourceID(op.target.ID)
			if op.fullURL != "" {
				ids[op.fullURL] = op.target
			}
		}
		if err := claim(op, op.target); err != nil {
			return err
		}
	}

	if !static {
		if err := s.rewrite(ctx, sites, ids, t); err != nil {
			return err
		}
	}

	for _, op := range ops {
		if op.method != "POST" || op.matched {
			continue
		}
		var err error
		if op.pre != nil {
			op.result, err = t.putPrepared(ctx, op.pre)
		} else {
			op.result, err = t.put(ctx, op.resource, nil, store.OpCreate, op.prefix+".resource")
		}
		if err != nil {
			return op.fail(err)
		}
		op.status = http.StatusCreated
	}
	for _, op := range ops {
		if op.method != "PUT" {
			continue
		}
		cur, err := t.current(ctx, op.target.Type, op.target.ID)
		if err != nil {
			return err
		}
		if op.ifMatch != "" {
			v, ok := ParseETag(op.ifMatch)
			if !ok {
				return op.fail(invalid(op.prefix+".request.ifMatch", "%q is not a version ETag like W/\"1\"", op.ifMatch))
			}
			if cur == nil || cur.Deleted() || cur.VersionID != v {
				return op.fail(preconditionFailed("ifMatch %s: the current version of %s/%s is %s", op.ifMatch, op.target.Type, op.target.ID, describe(cur)))
			}
		}
		if op.result, err = t.put(ctx, op.resource, cur, store.OpUpdate, op.prefix+".resource"); err != nil {
			return op.fail(err)
		}
		op.status = http.StatusOK
		if cur == nil || cur.Deleted() {
			op.status = http.StatusCreated
		}
	}
	return nil
}

// rewrite points every reference site at the identity its value resolves to: another
// entry's fullUrl, or — inside the transaction (t != nil) — the one resource a
// conditional reference matches.
func (s *Service) rewrite(ctx context.Context, sites []refSite, ids map[string]store.Ref, t *txn) error {
	resolved := map[string]store.Ref{}
	for _, st := range sites {
		target, ok := ids[st.orig]
		if !ok {
			target, ok = resolved[st.orig]
		}
		if !ok && isConditionalRef(st.orig) && t != nil {
			var err error
			if target, err = s.resolveConditional(ctx, t, st); err != nil {
				return err
			}
			resolved[st.orig], ok = target, true
		}
		if !ok {
			if !s.opt.ReferentialIntegrity {
				continue
			}
			return st.op.fail(newError(http.StatusUnprocessableEntity, "processing", st.path(),
				"the reference %q names no entry of the transaction", st.orig))
		}
		// Keep the element's id and extensions; only the value changes.
		v := target.Type + "/" + target.ID
		elem := *st.origElem
		elem.Value = &v
		st.ref.Reference = &elem
	}
	return nil
}

func (s *Service) resolveConditional(ctx context.Context, t *txn, st refSite) (store.Ref, error) {
	typ, criteria, _ := strings.Cut(st.orig, "?")
	q, err := s.conditionalQuery(typ, s.opt.BaseURL, criteria)
	if err != nil {
		return store.Ref{}, st.op.fail(err)
	}
	matches, err := t.match(ctx, typ, q, 2)
	if err != nil {
		return store.Ref{}, err
	}
	if len(matches) != 1 {
		return store.Ref{}, st.op.fail(newError(http.StatusPreconditionFailed, "not-found", st.path(),
			"the conditional reference %q matches %d resources, not one", st.orig, len(matches)))
	}
	return store.Ref{Type: typ, ID: matches[0].ID}, nil
}

func (st refSite) path() string {
	return rebase(index.PathOf(st.op.resource, st.ref), st.op.prefix+".resource")
}

// isConditionalRef reports whether a reference is a search ("Patient?identifier=...").
func isConditionalRef(v string) bool {
	typ, _, ok := strings.Cut(v, "?")
	return ok && fhir.IsResourceType(typ)
}
