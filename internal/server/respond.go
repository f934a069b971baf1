package server

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/joinedup/joinedup/internal/interaction"
	"github.com/joinedup/joinedup/internal/store"
)

// prefer is the Prefer header (https://hl7.org/fhir/R4/http.html#ops).
type prefer struct {
	ret    interaction.Return
	strict bool
}

func parsePrefer(values []string) prefer {
	var p prefer
	for _, v := range values {
		for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' }) {
			k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
			val = strings.Trim(strings.TrimSpace(val), `"`)
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "return":
				switch val {
				case "minimal":
					p.ret = interaction.ReturnMinimal
				case "representation":
					p.ret = interaction.ReturnRepresentation
				case "OperationOutcome":
					p.ret = interaction.ReturnOutcome
				}
			case "handling":
				p.strict = val == "strict"
			}
		}
	}
	return p
}

func status(code int, issueCode, format string, args ...any) *interaction.Error {
	return &interaction.Error{Status: code, Issues: []interaction.Issue{{
		Severity: "error", Code: issueCode, Text: fmt.Sprintf(format, args...),
	}}}
}

func notFound(format string, args ...any) *interaction.Error {
	return status(http.StatusNotFound, "not-found", format, args...)
}

// fail answers with err as an OperationOutcome and its status code.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := interaction.AsError(err)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		e = status(http.StatusRequestEntityTooLarge, "too-costly", "the request body is larger than %d bytes", mbe.Limit)
	}
	if e.Status >= 500 {
		// The cause names ids and types only, never content.
		s.log.Error("interaction failed", "request_id", info(r).requestID, "interaction", info(r).interaction, "error", err)
	}
	if e.Version != nil {
		setVersionHeaders(w, e.Version)
	}
	s.writeBody(w, r, e.Status, interaction.OutcomeJSON(e.Issues))
}

// writeBody writes a FHIR resource body in the negotiated format (JSON when the client
// asked for a format we do not have: the error must reach it in some form).
func (s *Server) writeBody(w http.ResponseWriter, r *http.Request, code int, body []byte) {
	f := s.responseFormat(r)
	if f == nil {
		f = s.formats[0]
	}
	out := body
	if f.Encode != nil {
		var err error
		if out, err = f.Encode(body, pretty(r)); err != nil {
			s.log.Error("encode response", "request_id", info(r).requestID, "error", err)
			out, f = body, s.formats[0]
		}
	}
	h := w.Header()
	h.Set("Content-Type", f.MIME+"; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(out)
	}
}

// setVersionHeaders sets ETag and Last-Modified for a version.
func setVersionHeaders(w http.ResponseWriter, v *store.Resource) {
	h := w.Header()
	h.Set("ETag", interaction.ETag(v))
	h.Set("Last-Modified", v.LastUpdated.UTC().Format(http.TimeFormat))
}

// versionURL is the absolute URL of one version.
func (s *Server) versionURL(r *http.Request, v *store.Resource) string {
	return s.baseURL(r) + "/" + v.Type + "/" + v.ID + "/_history/" + strconv.FormatInt(v.VersionID, 10)
}

// writeResult answers a create or update: status, ETag, Last-Modified, Location, and a
// body as Prefer: return asks (the resource by default).
func (s *Server) writeResult(w http.ResponseWriter, r *http.Request, res *interaction.Result) {
	v := res.Version
	setVersionHeaders(w, v)
	loc := s.versionURL(r, v)
	if res.Status == http.StatusCreated {
		w.Header().Set("Location", loc)
	}
	w.Header().Set("Content-Location", loc)
	info(r).id = v.ID
	switch parsePrefer(r.Header.Values("Prefer")).ret {
	case interaction.ReturnMinimal:
		w.WriteHeader(res.Status)
	case interaction.ReturnOutcome:
		// The validation warnings come back with the outcome (DESIGN.md, "Validation policy").
		s.writeBody(w, r, res.Status, interaction.OutcomeJSON(append([]interaction.Issue{{
			Severity: "information", Code: "informational",
			Text: fmt.Sprintf("%s/%s version %d: %s", v.Type, v.ID, v.VersionID, http.StatusText(res.Status)),
		}}, res.Issues...)))
	default:
		s.writeBody(w, r, res.Status, v.Body)
	}
}

func sorted(s []string) []string {
	slices.Sort(s)
	return s
}
