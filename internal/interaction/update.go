package interaction

import (
	"context"
	"net/http"

	"github.com/joinedup/joinedup/internal/index"
	"github.com/joinedup/joinedup/internal/store"
)

// UpdateOptions are the options of an update.
type UpdateOptions struct {
	// IfMatch is the If-Match header (W/"3"): the update happens only if the current
	// version is that one (412 otherwise).
	IfMatch string
}

// Update stores body as the next version of typ/id, creating the resource when it does
// not exist (update as create, https://hl7.org/fhir/R4/http.html#upsert). The body's id
// must equal id.
func (s *Service) Update(ctx context.Context, req *Request, typ, id string, body []byte, o UpdateOptions) (*Result, error) {
	res, err := s.update(ctx, req, typ, id, "", body, o)
	s.auditWrite(ctx, "update", typ, id, res, err)
	return res, err
}

// ConditionalUpdate updates the one resource of type typ matching criteria (PUT
// Type?criteria): no match creates it (with the body's id if it has one), several
// matches are a 412.
func (s *Service) ConditionalUpdate(ctx context.Context, req *Request, typ, criteria string, body []byte, o UpdateOptions) (*Result, error) {
	res, err := s.update(ctx, req, typ, "", criteria, body, o)
	id := ""
	if res != nil && res.Version != nil {
		id = res.Version.ID
	}
	s.auditWrite(ctx, "update", typ, id, res, err)
	return res, err
}

func (s *Service) update(ctx context.Context, req *Request, typ, id, criteria string, body []byte, o UpdateOptions) (*Result, error) {
	r, err := parse(body, typ, "")
	if err != nil {
		return nil, err
	}
	return s.updateResource(ctx, r, id, criteria, o, s.base(req), "")
}

// updateResource is Update (id set) or ConditionalUpdate (criteria set) of a parsed
// resource; prefix roots error expressions.
func (s *Service) updateResource(ctx context.Context, r metaResource, id, criteria string, o UpdateOptions, base, prefix string) (*Result, error) {
	typ := r.ResourceType()
	idExpr := expr(prefix, typ) + ".id"
	bodyID := r.ResourceID()
	var (
		cond *searchQuery
		err  error
	)
	if criteria != "" {
		if cond, err = s.conditionalQuery(typ, base, criteria); err != nil {
			return nil, err
		}
		if bodyID != "" && !index.ValidID(bodyID) {
			return nil, invalid(idExpr, "%q is not a valid id", bodyID)
		}
	} else {
		switch {
		case !index.ValidID(id):
			return nil, invalid("", "%q is not a valid id", id)
		case bodyID == "":
			return nil, invalid(idExpr, "the resource has no id; an update needs the id of the URL")
		case bodyID != id:
			return nil, invalid(idExpr, "the resource id %q differs from the URL's id %q", bodyID, id)
		}
	}
	var ifMatch int64
	if o.IfMatch != "" {
		v, ok := ParseETag(o.IfMatch)
		if !ok {
			return nil, invalid("", "If-Match %q is not a version ETag like W/\"1\"", o.IfMatch)
		}
		ifMatch = v
	}
	warnings, err := s.validate(ctx, r, prefix)
	if err != nil {
		return nil, err
	}

	var res *Result
	written, err := s.commit(ctx, s.now(), base, func(t *txn) error {
		target := id
		if cond != nil {
			matches, err := t.match(ctx, typ, cond, 2)
			if err != nil {
				return err
			}
			switch len(matches) {
			case 0:
				target = bodyID
				if target == "" {
					target = s.opt.NewID()
				} else if cur, err := t.current(ctx, typ, target); err != nil {
					return err
				} else if cur != nil && !cur.Deleted() {
					return newError(http.StatusConflict, "conflict", idExpr,
						"%s/%s exists but does not match the criteria %q", typ, target, criteria)
				}
			case 1:
				target = matches[0].ID
				if bodyID != "" && bodyID != target {
					return invalid(idExpr, "the resource id %q differs from the matching resource's id %q", bodyID, target)
				}
			default:
				return preconditionFailed("the criteria %q match more than one %s", criteria, typ)
			}
			r.SetResourceID(target)
		}
		cur, err := t.current(ctx, typ, target)
		if err != nil {
			return err
		}
		if ifMatch != 0 && (cur == nil || cur.Deleted() || cur.VersionID != ifMatch) {
			return preconditionFailed("If-Match %s: the current version of %s/%s is %s", o.IfMatch, typ, target, describe(cur))
		}
		v, err := t.put(ctx, r, cur, store.OpUpdate, prefix)
		if err != nil {
			return err
		}
		res = &Result{Status: http.StatusOK, Version: v}
		if cur == nil || cur.Deleted() {
			res.Status = http.StatusCreated
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Written, res.Issues = written, warnings
	return res, nil
}

// describe names a version for error messages.
func describe(v *store.Resource) string {
	switch {
	case v == nil:
		return "absent"
	case v.Deleted():
		return ETag(v) + " (deleted)"
	}
	return ETag(v)
}

func (s *Service) auditWrite(ctx context.Context, interaction, typ, id string, res *Result, err error) {
	ev := Event{Interaction: interaction, Type: typ, ID: id}
	if res != nil {
		ev.Status, ev.Versions = res.Status, res.Written
	}
	s.auditErr(ctx, ev, err)
}
