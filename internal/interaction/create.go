package interaction

import (
	"context"
	"net/http"

	"github.com/joinedup/joinedup/internal/store"
)

// Result is the outcome of a successful write.
type Result struct {
	// Status is 201 Created, 200 OK (an update, or a conditional create that matched) or
	// 204 No Content (a delete).
	Status int
	// Version is the version created, updated, matched or deleted; nil when a delete found
	// nothing to delete.
	Version *store.Resource
	// Written lists every version the interaction stored (a cascade delete stores many).
	Written []*store.Resource
	// Issues are the warnings and information validation reported on a write it let
	// through (returned with Prefer: return=OperationOutcome).
	Issues []Issue
}

// CreateOptions are the options of a create.
type CreateOptions struct {
	// IfNoneExist is a conditional create's criteria (the If-None-Exist header): when one
	// resource matches nothing is created and Result.Version is that resource; more
	// than one match is a 412.
	IfNoneExist string
}

// Create stores body as a new resource of type typ with a server-assigned id; an id in
// the body is ignored (https://hl7.org/fhir/R4/http.html#create).
func (s *Service) Create(ctx context.Context, req *Request, typ string, body []byte, o CreateOptions) (*Result, error) {
	res, err := s.create(ctx, req, typ, body, o)
	id := ""
	if res != nil && res.Version != nil {
		id = res.Version.ID
	}
	s.auditWrite(ctx, "create", typ, id, res, err)
	return res, err
}

func (s *Service) create(ctx context.Context, req *Request, typ string, body []byte, o CreateOptions) (*Result, error) {
	r, err := parse(body, typ, "")
	if err != nil {
		return nil, err
	}
	return s.createResource(ctx, r, o, s.base(req), "")
}

// createResource is Create of a parsed resource; prefix roots error expressions.
func (s *Service) createResource(ctx context.Context, r metaResource, o CreateOptions, base, prefix string) (*Result, error) {
	typ := r.ResourceType()
	warnings, err := s.validate(ctx, r, prefix)
	if err != nil {
		return nil, err
	}
	var cond *searchQuery
	if o.IfNoneExist != "" {
		if cond, err = s.conditionalQuery(typ, base, o.IfNoneExist); err != nil {
			return nil, err
		}
	}
	r.SetResourceID(s.opt.NewID())
	now := s.now()
	p, err := s.prepare(r, 1, store.OpCreate, now, base, prefix)
	if err != nil {
		return nil, err
	}
	var res *Result
	written, err := s.commit(ctx, now, base, func(t *txn) error {
		if cond != nil {
			matches, err := t.match(ctx, typ, cond, 2)
			if err != nil {
				return err
			}
			switch len(matches) {
			case 0:
			case 1:
				res = &Result{Status: http.StatusOK, Version: matches[0]}
				return nil
			default:
				return preconditionFailed("the If-None-Exist criteria %q match more than one %s", o.IfNoneExist, typ)
			}
		}
		v, err := t.putPrepared(ctx, p)
		res = &Result{Status: http.StatusCreated, Version: v}
		return err
	})
	if err != nil {
		return nil, err
	}
	res.Written, res.Issues = written, warnings
	return res, nil
}

// auditErr tells the audit hook about an interaction, failed or not.
func (s *Service) auditErr(ctx context.Context, ev Event, err error) {
	if err != nil {
		ev.Status = AsError(err).Status
	}
	s.audit(ctx, ev)
}
