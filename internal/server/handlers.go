package server

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/interaction"
)

// body reads a request body in a supported format as FHIR JSON.
func (s *Server) body(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	f := s.requestFormat(r)
	if f == nil {
		return nil, status(http.StatusUnsupportedMediaType, "not-supported",
			"the Content-Type %q is not supported; send application/fhir+json or application/fhir+xml", r.Header.Get("Content-Type"))
	}
	if r.ContentLength > s.cfg.MaxBody {
		return nil, &http.MaxBytesError{Limit: s.cfg.MaxBody}
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	if err != nil {
		return nil, err
	}
	if f.Decode != nil {
		if b, err = f.Decode(b); err != nil {
			return nil, interaction.ReadError(err)
		}
	}
	return b, nil
}

// criteria is the query of a conditional update or delete, without the parameters that
// concern the HTTP exchange.
func criteria(r *http.Request) string {
	q := r.URL.Query()
	for _, k := range []string{"_format", "_pretty", "_cascade"} {
		q.Del(k)
	}
	return q.Encode()
}

func (s *Server) read(w http.ResponseWriter, r *http.Request) {
	info(r).interaction = "read"
	v, err := s.svc.Read(r.Context(), s.request(r), r.PathValue("type"), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	setVersionHeaders(w, v)
	if notModified(r, v.VersionID, v.LastUpdated) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.writeBody(w, r, http.StatusOK, v.Body)
}

func (s *Server) vread(w http.ResponseWriter, r *http.Request) {
	info(r).interaction = "vread"
	v, err := s.svc.VRead(r.Context(), s.request(r), r.PathValue("type"), r.PathValue("id"), r.PathValue("vid"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	setVersionHeaders(w, v)
	w.Header().Set("Content-Location", s.versionURL(r, v))
	if notModified(r, v.VersionID, v.LastUpdated) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.writeBody(w, r, http.StatusOK, v.Body)
}

// notModified answers a conditional read (https://hl7.org/fhir/R4/http.html#cread):
// If-None-Match wins over If-Modified-Since, as in RFC 9110.
func notModified(r *http.Request, version int64, lastUpdated time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if inm == "*" {
			return true
		}
		for _, tag := range splitList(inm) {
			if v, ok := interaction.ParseETag(tag); ok && v == version {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !lastUpdated.Truncate(time.Second).After(t)
	}
	return false
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	info(r).interaction = "create"
	body, err := s.body(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.svc.Create(r.Context(), s.request(r), r.PathValue("type"), body,
		interaction.CreateOptions{IfNoneExist: r.Header.Get("If-None-Exist")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeResult(w, r, res)
}

func (s *Server) update(w http.ResponseWriter, r *http.Request) {
	info(r).interaction = "update"
	body, err := s.body(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.svc.Update(r.Context(), s.request(r), r.PathValue("type"), r.PathValue("id"), body,
		interaction.UpdateOptions{IfMatch: r.Header.Get("If-Match")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeResult(w, r, res)
}

func (s *Server) conditionalUpdate(w http.ResponseWriter, r *http.Request) {
	info(r).interaction = "update"
	crit := criteria(r)
	if crit == "" {
		s.fail(w, r, status(http.StatusBadRequest, "invalid", "an update needs an id (PUT [type]/[id]) or search criteria (PUT [type]?criteria)"))
		return
	}
	body, err := s.body(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.svc.ConditionalUpdate(r.Context(), s.request(r), r.PathValue("type"), crit, body,
		interaction.UpdateOptions{IfMatch: r.Header.Get("If-Match")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeResult(w, r, res)
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request) {
	info(r).interaction = "delete"
	res, err := s.svc.Delete(r.Context(), s.request(r), r.PathValue("type"), r.PathValue("id"), deleteOptions(r))
	s.writeDelete(w, r, res, err)
}

func (s *Server) conditionalDelete(w http.ResponseWriter, r *http.Request) {
	info(r).interaction = "delete"
	crit := criteria(r)
	if crit == "" {
		s.fail(w, r, status(http.StatusBadRequest, "invalid", "a delete needs an id (DELETE [type]/[id]) or search criteria (DELETE [type]?criteria)"))
		return
	}
	res, err := s.svc.ConditionalDelete(r.Context(), s.request(r), r.PathValue("type"), crit, deleteOptions(r))
	s.writeDelete(w, r, res, err)
}

func deleteOptions(r *http.Request) interaction.DeleteOptions {
	return interaction.DeleteOptions{Cascade: r.URL.Query().Get("_cascade") == "delete"}
}

// writeDelete answers 204, or 200 with an OperationOutcome when the client prefers one.
func (s *Server) writeDelete(w http.ResponseWriter, r *http.Request, res *interaction.Result, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if res.Version != nil {
		w.Header().Set("ETag", interaction.ETag(res.Version))
	}
	if parsePrefer(r.Header.Values("Prefer")).ret == interaction.ReturnOutcome {
		text := "nothing to delete"
		if n := len(res.Written); n > 0 {
			text = "deleted " + strconv.Itoa(n) + " resource(s)"
		}
		s.writeBody(w, r, http.StatusOK, interaction.OutcomeJSON([]interaction.Issue{{
			Severity: "information", Code: "informational", Text: text,
		}}))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// searchParams are a search's parameters: the URL query, plus a form body for POST
// [type]/_search.
func (s *Server) searchParams(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	q := r.URL.Query()
	if r.Method != http.MethodPost {
		return q, nil
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" && r.ContentLength != 0 {
		return nil, status(http.StatusUnsupportedMediaType, "not-supported",
			"POST _search takes application/x-www-form-urlencoded parameters")
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBody)
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	for k, v := range r.PostForm {
		q[k] = append(q[k], v...)
	}
	return q, nil
}

func (s *Server) searchType(w http.ResponseWriter, r *http.Request) {
	s.search(w, r, r.PathValue("type"), "search-type")
}

func (s *Server) searchSystem(w http.ResponseWriter, r *http.Request) {
	s.search(w, r, "", "search-system")
}

func (s *Server) search(w http.ResponseWriter, r *http.Request, typ, name string) {
	info(r).interaction = name
	params, err := s.searchParams(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := s.svc.Search(r.Context(), s.request(r), typ, params)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeBody(w, r, http.StatusOK, body)
}

func (s *Server) historySystem(w http.ResponseWriter, r *http.Request) {
	s.history(w, r, "history-system")
}

func (s *Server) historyType(w http.ResponseWriter, r *http.Request) {
	s.history(w, r, "history-type")
}

func (s *Server) historyInstance(w http.ResponseWriter, r *http.Request) {
	s.history(w, r, "history-instance")
}

func (s *Server) history(w http.ResponseWriter, r *http.Request, name string) {
	info(r).interaction = name
	body, err := s.svc.History(r.Context(), s.request(r), r.PathValue("type"), r.PathValue("id"), r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeBody(w, r, http.StatusOK, body)
}

func (s *Server) bundle(w http.ResponseWriter, r *http.Request) {
	info(r).interaction = "transaction"
	body, err := s.body(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.svc.Bundle(r.Context(), s.request(r), body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeBody(w, r, http.StatusOK, res.Body)
}

// ExpungeDefinition is the canonical the CapabilityStatement gives for $expunge: a name,
// not a resolvable URL, until the operation has a published OperationDefinition.
const ExpungeDefinition = "urn:joinedup:OperationDefinition:expunge"

func (s *Server) capabilities(w http.ResponseWriter, r *http.Request) {
	info(r).interaction = "capabilities"
	formats := make([]string, 0, len(s.formats))
	for _, f := range s.formats {
		formats = append(formats, f.MIME)
	}
	o := interaction.CapabilityOptions{
		Software: "joinedup", Version: s.cfg.Version, Formats: formats, Types: fhir.ResourceTypes(),
	}
	o.Operations = map[string]string{}
	if s.cfg.AdminToken != "" {
		o.Operations["expunge"] = ExpungeDefinition
	}
	if s.cfg.Policy != nil {
		o.Operations["validate"] = "http://hl7.org/fhir/OperationDefinition/Resource-validate"
	}
	s.writeBody(w, r, http.StatusOK, s.svc.Capabilities(s.request(r), o))
}

func (s *Server) expunge(w http.ResponseWriter, r *http.Request) {
	info(r).interaction = "expunge"
	if s.cfg.AdminToken == "" {
		s.fail(w, r, status(http.StatusForbidden, "forbidden", "$expunge is disabled: the server has no admin token configured"))
		return
	}
	n, err := s.svc.Expunge(r.Context(), s.request(r), r.PathValue("type"), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeBody(w, r, http.StatusOK, []byte(`{"resourceType":"Parameters","parameter":[{"name":"count","valueInteger":`+strconv.Itoa(n)+`}]}`))
}
