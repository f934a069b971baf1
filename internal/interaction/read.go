package interaction

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/joinedup/joinedup/internal/index"
	"github.com/joinedup/joinedup/internal/store"
)

// Read returns the current version of typ/id as stored: its Body is served as is
// (https://hl7.org/fhir/R4/http.html#read). A deleted resource is a 410 whose
// Error.Version is the delete; an unknown one, or one the filter hides, a 404.
func (s *Service) Read(ctx context.Context, req *Request, typ, id string) (*store.Resource, error) {
	v, err := s.read(ctx, req, typ, id)
	s.auditRead(ctx, "read", typ, id, v, err)
	return v, err
}

func (s *Service) read(ctx context.Context, req *Request, typ, id string) (*store.Resource, error) {
	if !index.ValidID(id) {
		return nil, notFound(typ, id)
	}
	v, err := s.opt.Store.Read(ctx, req.Filter, typ, id)
	return found(v, err, typ, id)
}

// found maps a store read to the interaction's result: ErrNotFound → 404, a delete → 410.
func found(v *store.Resource, err error, typ, id string) (*store.Resource, error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(typ, id)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s/%s: %w", typ, id, err)
	}
	if v.Deleted() {
		e := newError(http.StatusGone, "deleted", "", "%s/%s was deleted (version %d)", typ, id, v.VersionID)
		e.Version = v
		return nil, e
	}
	return v, nil
}

func (s *Service) auditRead(ctx context.Context, interaction, typ, id string, v *store.Resource, err error) {
	ev := Event{Interaction: interaction, Type: typ, ID: id, Status: http.StatusOK}
	if v != nil {
		ev.Versions = []*store.Resource{v}
	}
	s.auditErr(ctx, ev, err)
}
