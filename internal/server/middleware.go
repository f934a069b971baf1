package server

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/joinedup/joinedup/internal/interaction"
)

// reqInfo is what the handlers tell the logging and metrics middleware about a request.
type reqInfo struct {
	requestID   string
	interaction string
	typ, id     string
}

type infoKey struct{}

func info(r *http.Request) *reqInfo {
	if ri, ok := r.Context().Value(infoKey{}).(*reqInfo); ok {
		return ri
	}
	return &reqInfo{}
}

// statusWriter records the status code and size of a response.
type statusWriter struct {
	http.ResponseWriter
	code  int
	bytes int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// middleware wraps h with request ids, CORS, panic recovery, metrics and the request log.
// The log carries ids, types, status and timing: never query strings or bodies, which
// can hold patient data.
func (s *Server) middleware(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &reqInfo{requestID: requestID(r.Header.Get("X-Request-ID")), interaction: "other"}
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, ri))
		w.Header().Set("X-Request-ID", ri.requestID)
		sw := &statusWriter{ResponseWriter: w}

		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic", "request_id", ri.requestID, "interaction", ri.interaction, "panic", p)
				if sw.code == 0 {
					s.fail(sw, r, &interaction.Error{Status: http.StatusInternalServerError, Issues: []interaction.Issue{{
						Severity: "fatal", Code: "exception", Text: "internal server error",
					}}})
				}
			}
			code := sw.code
			if code == 0 {
				code = http.StatusOK
			}
			d := time.Since(start)
			s.metrics.observe(ri.interaction, code, d)
			s.log.Info("request", "request_id", ri.requestID, "method", r.Method, "interaction", ri.interaction,
				"type", ri.typ, "id", ri.id, "status", code, "bytes", sw.bytes,
				"duration_ms", float64(d.Microseconds())/1000)
		}()

		if s.cors(sw, r) {
			return
		}
		if strings.HasPrefix(r.URL.Path, "/fhir") && s.responseFormat(r) == nil {
			s.fail(sw, r, status(http.StatusNotAcceptable, "not-supported",
				"none of the requested formats is supported; this server speaks application/fhir+json and application/fhir+xml"))
			return
		}
		h.ServeHTTP(sw, r)
	})
}

// requestID keeps a client's X-Request-ID when it is a reasonable token, else makes one.
func requestID(id string) string {
	if id == "" || len(id) > 128 {
		return interaction.NewID()
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return interaction.NewID()
		}
	}
	return id
}

const (
	corsMethods       = "GET, HEAD, POST, PUT, DELETE, OPTIONS"
	corsHeaders       = "Accept, Authorization, Content-Type, If-Match, If-None-Match, If-None-Exist, If-Modified-Since, Prefer, X-Request-ID"
	corsExposeHeaders = "ETag, Location, Content-Location, Last-Modified, X-Request-ID"
)

// cors adds the CORS headers for an allowed origin and answers preflight requests; it
// reports whether the request has been answered.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	h := w.Header()
	h.Add("Vary", "Origin")
	if !slices.Contains(s.cfg.CORSOrigins, "*") && !slices.Contains(s.cfg.CORSOrigins, origin) {
		return false
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		info(r).interaction = "cors-preflight"
		h.Set("Access-Control-Allow-Methods", corsMethods)
		h.Set("Access-Control-Allow-Headers", corsHeaders)
		h.Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
		return true
	}
	return false
}

// splitList splits a comma-separated header value.
func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
