package interaction

import (
	"context"
	"strconv"

	"github.com/joinedup/joinedup/internal/index"
	"github.com/joinedup/joinedup/internal/store"
)

// VRead returns one version of typ/id (https://hl7.org/fhir/R4/http.html#vread); a
// version that records a delete is a 410.
func (s *Service) VRead(ctx context.Context, req *Request, typ, id, version string) (*store.Resource, error) {
	v, err := s.vread(ctx, req, typ, id, version)
	s.auditRead(ctx, "vread", typ, id, v, err)
	return v, err
}

func (s *Service) vread(ctx context.Context, req *Request, typ, id, version string) (*store.Resource, error) {
	n, err := strconv.ParseInt(version, 10, 64)
	if err != nil || n < 1 || !index.ValidID(id) {
		return nil, notFound(typ, id+"/_history/"+version)
	}
	v, err := s.opt.Store.VRead(ctx, req.Filter, typ, id, n)
	return found(v, err, typ, id+"/_history/"+version)
}
