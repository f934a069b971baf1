package interaction

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/joinedup/joinedup/internal/index"
	"github.com/joinedup/joinedup/internal/store"
)

// Expunge erases resources and every one of their versions for good: one resource (typ
// and id), every resource of a type (typ only) or every resource (neither). It is for
// administrators only (req.Admin), and all or nothing. With referential integrity on, a
// resource still referenced by one that is not expunged with it is a 409.
// It returns how many resources were erased.
func (s *Service) Expunge(ctx context.Context, req *Request, typ, id string) (int, error) {
	n, err := s.expunge(ctx, req, typ, id)
	s.auditErr(ctx, Event{Interaction: "expunge", Type: typ, ID: id, Status: http.StatusOK}, err)
	return n, err
}

func (s *Service) expunge(ctx context.Context, req *Request, typ, id string) (int, error) {
	if !req.Admin {
		return 0, newError(http.StatusForbidden, "forbidden", "", "$expunge is for administrators only")
	}
	var targets []store.Ref
	if id != "" {
		if !index.ValidID(id) {
			return 0, notFound(typ, id)
		}
		targets = []store.Ref{{Type: typ, ID: id}}
	} else {
		var err error
		if targets, err = s.everyResource(ctx, typ); err != nil {
			return 0, err
		}
	}
	erased := make(map[store.Ref]bool, len(targets))
	for _, t := range targets {
		erased[t] = true
	}
	n := 0
	_, err := s.commit(ctx, s.now(), s.base(req), func(t *txn) error {
		n = 0
		for _, ref := range targets {
			cur, err := t.current(ctx, ref.Type, ref.ID)
			if err != nil {
				return err
			}
			if cur == nil {
				continue
			}
			if s.opt.ReferentialIntegrity {
				if err := checkReferrers(ctx, t, ref, erased); err != nil {
					return err
				}
			}
			if err := t.tx.Expunge(ctx, ref.Type, ref.ID); err != nil {
				return fmt.Errorf("expunge %s/%s: %w", ref.Type, ref.ID, err)
			}
			if !cur.Deleted() {
				t.expunged = append(t.expunged, ref)
			}
			n++
		}
		return nil
	})
	if err == nil && id != "" && n == 0 {
		return 0, notFound(typ, id)
	}
	return n, err
}

func checkReferrers(ctx context.Context, t *txn, ref store.Ref, erased map[store.Ref]bool) error {
	referrers, err := t.tx.ReferencedBy(ctx, ref.Type, ref.ID, 20)
	if err != nil {
		return fmt.Errorf("referrers of %s/%s: %w", ref.Type, ref.ID, err)
	}
	var others []string
	for _, r := range referrers {
		if !erased[r] {
			others = append(others, r.Type+"/"+r.ID)
		}
	}
	if len(others) > 0 {
		return newError(http.StatusConflict, "conflict", "", "%s/%s is still referenced by %s",
			ref.Type, ref.ID, strings.Join(others, ", "))
	}
	return nil
}

// everyResource lists every resource of typ ("" for all types) that has any version,
// deleted ones included, from the history.
func (s *Service) everyResource(ctx context.Context, typ string) ([]store.Ref, error) {
	seen := map[store.Ref]bool{}
	var refs []store.Ref
	q := store.HistoryQuery{Type: typ, Count: s.opt.MaxCount}
	for {
		page, err := s.opt.Store.History(ctx, nil, q)
		if err != nil {
			return nil, fmt.Errorf("list resources to expunge: %w", err)
		}
		for _, v := range page.Versions {
			ref := store.Ref{Type: v.Type, ID: v.ID}
			if !seen[ref] {
				seen[ref] = true
				refs = append(refs, ref)
			}
		}
		if page.NextSeq == 0 {
			return refs, nil
		}
		q.BeforeSeq = page.NextSeq
	}
}
