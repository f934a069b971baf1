package server

import (
	"io"
	"mime"
	"net/http"

	"github.com/joinedup/joinedup/internal/interaction"
)

// The patch interaction (https://hl7.org/fhir/R4/http.html#patch): the Content-Type says
// which kind of patch the body is — JSON Patch, XML Patch, or a FHIRPath Patch
// Parameters resource in JSON or XML.

func (s *Server) patchBody(w http.ResponseWriter, r *http.Request) (interaction.PatchKind, []byte, error) {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	kind, ok := interaction.PatchKindOf(mt)
	if err != nil || !ok {
		return 0, nil, status(http.StatusUnsupportedMediaType, "not-supported",
			"the Content-Type %q is not a patch format; send application/json-patch+json, application/xml-patch+xml, or a FHIRPath Patch as application/fhir+json or application/fhir+xml", ct)
	}
	if r.ContentLength > s.cfg.MaxBody {
		return 0, nil, &http.MaxBytesError{Limit: s.cfg.MaxBody}
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	return kind, b, err
}

func (s *Server) patch(w http.ResponseWriter, r *http.Request) {
	info(r).interaction = "patch"
	kind, body, err := s.patchBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.svc.Patch(r.Context(), s.request(r), r.PathValue("type"), r.PathValue("id"), kind, body,
		interaction.PatchOptions{IfMatch: r.Header.Get("If-Match")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeResult(w, r, res)
}

func (s *Server) conditionalPatch(w http.ResponseWriter, r *http.Request) {
	info(r).interaction = "patch"
	crit := criteria(r)
	if crit == "" {
		s.fail(w, r, status(http.StatusBadRequest, "invalid", "a patch needs an id (PATCH [type]/[id]) or search criteria (PATCH [type]?criteria)"))
		return
	}
	kind, body, err := s.patchBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.svc.ConditionalPatch(r.Context(), s.request(r), r.PathValue("type"), crit, kind, body,
		interaction.PatchOptions{IfMatch: r.Header.Get("If-Match")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeResult(w, r, res)
}
