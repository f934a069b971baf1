package interaction

import (
	"context"
	"net/http"
	"net/url"

	"golang.org/x/sync/errgroup"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/store"
)

// batchParallelism bounds the entries of one batch in flight at once: enough for the
// store's group commit to share commits between them.
const batchParallelism = 8

// Batch processes a batch Bundle (https://hl7.org/fhir/R4/http.html#batch): every entry
// independently, each through the ordinary interaction with its own store.Write, each
// with its own status; a failed entry carries its OperationOutcome in response.outcome.
func (s *Service) Batch(ctx context.Context, req *Request, b *fhir.Bundle) (*BundleResult, error) {
	ops := make([]*entryOp, len(b.Entry))
	var g errgroup.Group
	g.SetLimit(batchParallelism)
	for i, e := range b.Entry {
		g.Go(func() error {
			op, err := s.parseEntry(req, i, e)
			ops[i] = op
			if err != nil {
				op.err = op.fail(err)
				return nil
			}
			s.batchEntry(ctx, req, op)
			return nil
		})
	}
	_ = g.Wait() // entries report their own errors
	ev := Event{Interaction: "batch", Status: http.StatusOK}
	out := newBundle("batch-response", s.now(), -1, nil)
	for _, op := range ops {
		op.respond(out, req)
		if op.result != nil {
			ev.Versions = append(ev.Versions, op.result)
		}
	}
	s.audit(ctx, ev)
	return &BundleResult{Body: out.finish(), Entries: results(ops)}, nil
}

func (s *Service) batchEntry(ctx context.Context, req *Request, op *entryOp) {
	var (
		res *Result
		err error
	)
	prefix := op.prefix + ".resource"
	switch op.method {
	case "POST":
		res, err = s.createResource(ctx, op.resource, CreateOptions{IfNoneExist: op.ifNone}, s.base(req), prefix)
	case "PUT":
		criteria := ""
		if op.hasQuery {
			criteria = op.criteria
		}
		res, err = s.updateResource(ctx, op.resource, op.id, criteria, UpdateOptions{IfMatch: op.ifMatch}, s.base(req), prefix)
	case "PATCH":
		res, err = s.batchPatch(ctx, req, op)
	case "DELETE":
		o := DeleteOptions{Cascade: op.cascade}
		if op.hasQuery {
			res, err = s.conditionalDelete(ctx, req, op.typ, op.criteria, o)
		} else {
			res, err = s.delete(ctx, req, op.typ, op.id, o)
		}
	case "GET":
		s.get(ctx, req, op)
		return
	}
	if err != nil {
		op.err = op.fail(err)
		return
	}
	op.status, op.result = res.Status, res.Version
}

// get answers a GET entry through the ordinary read path: read, vread or search.
func (s *Service) get(ctx context.Context, req *Request, op *entryOp) {
	var (
		v   *store.Resource
		err error
	)
	switch {
	case op.version != "":
		v, err = s.vread(ctx, req, op.typ, op.id, op.version)
	case op.id != "":
		v, err = s.read(ctx, req, op.typ, op.id)
	default:
		var q url.Values
		if q, err = url.ParseQuery(op.criteria); err == nil {
			op.body, err = s.search(ctx, req, op.typ, q, nil)
		} else {
			err = invalid(op.prefix+".request.url", "malformed search parameters: %v", err)
		}
	}
	if err != nil {
		op.err = op.fail(err)
		return
	}
	op.status, op.result = http.StatusOK, v
	if v != nil {
		op.body = v.Body
	}
}
