package server

import (
	"net/http"
	"strconv"
	"strings"
)

// searchRoutes are the search work's endpoints: compartment search,
// Patient/$everything and $reindex.
func (s *Server) searchRoutes(handle func(pattern string, rt route)) {
	handle("/fhir/{type}/{id}/{comp}", route{"GET": s.compartmentSearch})
	handle("/fhir/Patient/$everything", route{"GET": s.everything, "POST": s.everything})
	handle("/fhir/Patient/{id}/$everything", route{"GET": s.everything, "POST": s.everything})
	handle("/fhir/$reindex", route{"POST": s.reindex, "GET": s.reindexStatus})
	handle("/fhir/{type}/$reindex", route{"POST": s.reindex})
	handle("/fhir/{type}/{id}/$reindex", route{"POST": s.reindex})
}

// compartmentSearch answers Patient/123/Observation (and Patient/123/* for every type).
func (s *Server) compartmentSearch(w http.ResponseWriter, r *http.Request) {
	info(r).interaction = "search-compartment"
	comp := r.PathValue("comp")
	if strings.HasPrefix(comp, "$") {
		s.fail(w, r, notFound("there is no operation %s on %s", comp, r.PathValue("type")))
		return
	}
	if comp == "*" {
		comp = ""
	}
	params, err := s.searchParams(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := s.svc.CompartmentSearch(r.Context(), s.request(r), r.PathValue("type"), r.PathValue("id"), comp, params)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeBody(w, r, http.StatusOK, body)
}

func (s *Server) everything(w http.ResponseWriter, r *http.Request) {
	info(r).interaction = "operation-everything"
	params, err := s.searchParams(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := s.svc.Everything(r.Context(), s.request(r), r.PathValue("id"), params)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeBody(w, r, http.StatusOK, body)
}

// reindex starts a $reindex job and answers 202 with the status URL in
// Content-Location (the asynchronous request pattern).
func (s *Server) reindex(w http.ResponseWriter, r *http.Request) {
	info(r).interaction = "operation-reindex"
	req := s.request(r)
	j, err := s.svc.Reindex(r.Context(), req, r.PathValue("type"), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Location", req.BaseURL+"/$reindex?job="+j.ID)
	s.writeBody(w, r, http.StatusAccepted, reindexParameters(j.ID, 0, 0, false, nil))
}

// reindexStatus reports a job's progress: GET $reindex?job=ID.
func (s *Server) reindexStatus(w http.ResponseWriter, r *http.Request) {
	info(r).interaction = "operation-reindex"
	id := r.URL.Query().Get("job")
	j, ok := s.svc.Job(id)
	if !ok {
		s.fail(w, r, notFound("there is no reindex job %q: jobs are known only to the server process that started them, "+
			"not after a restart; a job interrupted by one left its search parameters pending, to be indexed by a new $reindex", id))
		return
	}
	processed, total, done, err := j.Status()
	s.writeBody(w, r, http.StatusOK, reindexParameters(j.ID, processed, total, done, err))
}

func reindexParameters(id string, processed, total int64, done bool, err error) []byte {
	state := "in-progress"
	switch {
	case err != nil:
		state = "failed"
	case done:
		state = "completed"
	}
	return []byte(`{"resourceType":"Parameters","parameter":[{"name":"job","valueString":"` + id +
		`"},{"name":"status","valueCode":"` + state + `"},{"name":"processed","valueInteger":` +
		strconv.FormatInt(processed, 10) + `},{"name":"total","valueInteger":` + strconv.FormatInt(total, 10) + `}]}`)
}
