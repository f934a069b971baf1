package interaction

import (
	"context"
	"net/http"

	"github.com/joinedup/joinedup/internal/index"
	"github.com/joinedup/joinedup/internal/store"
)

// DeleteOptions are the options of a delete.
type DeleteOptions struct {
	// Cascade (_cascade=delete) also deletes, in the same transaction, every resource
	// that still references the deleted ones, recursively.
	Cascade bool
}

// Delete deletes typ/id (https://hl7.org/fhir/R4/http.html#delete). Deleting a resource
// that is absent or already deleted succeeds with nothing written. With referential
// integrity on, deleting a resource others still reference is a 409 unless o.Cascade.
func (s *Service) Delete(ctx context.Context, req *Request, typ, id string, o DeleteOptions) (*Result, error) {
	res, err := s.delete(ctx, req, typ, id, o)
	s.auditWrite(ctx, "delete", typ, id, res, err)
	return res, err
}

func (s *Service) delete(ctx context.Context, req *Request, typ, id string, o DeleteOptions) (*Result, error) {
	if !index.ValidID(id) {
		return nil, invalid("", "%q is not a valid id", id)
	}
	res := &Result{Status: http.StatusNoContent}
	written, err := s.commit(ctx, s.now(), s.base(req), func(t *txn) error {
		cur, err := t.current(ctx, typ, id)
		if err != nil || cur == nil || cur.Deleted() {
			res.Version = cur
			return err
		}
		res.Version, err = t.deleteOne(ctx, cur, o.Cascade)
		return err
	})
	if err != nil {
		return nil, err
	}
	res.Written = written
	return res, nil
}

// ConditionalDelete deletes every resource of type typ matching criteria (DELETE
// Type?criteria; conditional delete "multiple"); no match succeeds with nothing written.
// More than Options.MaxCount matches is a 412.
func (s *Service) ConditionalDelete(ctx context.Context, req *Request, typ, criteria string, o DeleteOptions) (*Result, error) {
	res, err := s.conditionalDelete(ctx, req, typ, criteria, o)
	s.auditWrite(ctx, "delete", typ, "", res, err)
	return res, err
}

func (s *Service) conditionalDelete(ctx context.Context, req *Request, typ, criteria string, o DeleteOptions) (*Result, error) {
	cond, err := s.conditionalQuery(typ, s.base(req), criteria)
	if err != nil {
		return nil, err
	}
	res := &Result{Status: http.StatusNoContent}
	written, err := s.commit(ctx, s.now(), s.base(req), func(t *txn) error {
		matches, err := t.match(ctx, typ, cond, s.opt.MaxCount+1)
		if err != nil {
			return err
		}
		if len(matches) > s.opt.MaxCount {
			return preconditionFailed("the criteria %q match more than %d resources", criteria, s.opt.MaxCount)
		}
		res.Version = nil
		for _, m := range matches {
			cur, err := t.current(ctx, m.Type, m.ID)
			if err != nil {
				return err
			}
			if cur == nil || cur.Deleted() {
				continue // deleted by an earlier cascade
			}
			if res.Version, err = t.deleteOne(ctx, cur, o.Cascade); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Written = written
	return res, nil
}

// deleteOne deletes cur and, when cascade, what references it.
func (t *txn) deleteOne(ctx context.Context, cur *store.Resource, cascade bool) (*store.Resource, error) {
	v, err := t.del(ctx, cur, "")
	if err != nil {
		return nil, err
	}
	if cascade {
		if err := t.cascade(ctx, store.Ref{Type: cur.Type, ID: cur.ID}, ""); err != nil {
			return nil, err
		}
	}
	return v, nil
}
