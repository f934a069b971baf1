package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/interaction"
	"github.com/joinedup/joinedup/internal/validate"
)

// DefaultMaxBody is the default request body limit (64 MiB).
const DefaultMaxBody = 64 << 20

// Config configures a Server.
type Config struct {
	Service *interaction.Service
	// BaseURL is the public FHIR base ("https://example.org/fhir") used in absolute URLs;
	// empty: built from each request's host.
	BaseURL string
	// CORSOrigins are the browser origins allowed to call the API ("*" for any).
	CORSOrigins []string
	// MaxBody limits request bodies (DefaultMaxBody when 0); larger ones get 413.
	MaxBody int64
	// AdminToken, when set, enables $expunge for requests bearing it
	// (Authorization: Bearer TOKEN).
	AdminToken string
	// Ready reports whether the server can serve (/readyz); usually the store's Ping.
	Ready func(ctx context.Context) error
	// Registerer receives the metrics; Gatherer serves them on /metrics. Nil: a private
	// registry.
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer
	// Metrics are collectors already registered (NewMetrics), so that the store can be
	// given their Observer before the server exists; nil: New registers them.
	Metrics *Metrics
	Logger  *slog.Logger
	// Version is the software version shown in the CapabilityStatement.
	Version string
	// Policy answers $validate; nil: the operation is not offered.
	Policy *validate.Policy
}

// Server is the HTTP handler of joinedup.
type Server struct {
	cfg     Config
	svc     *interaction.Service
	formats []*Format
	metrics *Metrics
	log     *slog.Logger
	handler http.Handler
}

// New returns the Server for cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Service == nil {
		return nil, errors.New("server: Config.Service is required")
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Registerer == nil {
		reg := prometheus.NewRegistry()
		cfg.Registerer, cfg.Gatherer = reg, reg
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	m := cfg.Metrics
	if m == nil {
		var err error
		if m, err = NewMetrics(cfg.Registerer); err != nil {
			return nil, err
		}
	}
	s := &Server{cfg: cfg, svc: cfg.Service, formats: []*Format{JSON, XML}, metrics: m, log: cfg.Logger}
	s.handler = s.middleware(s.routes())
	return s, nil
}

// Metrics returns the server's collectors (the store's Observer lives there).
func (s *Server) Metrics() *Metrics { return s.metrics }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// route is one path of the API with a handler per method.
type route map[string]func(w http.ResponseWriter, r *http.Request)

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	handle := func(pattern string, rt route) {
		mux.Handle(pattern, s.dispatch(rt))
	}
	mux.HandleFunc("/healthz", s.healthz)
	mux.HandleFunc("/readyz", s.readyz)
	mux.Handle("/metrics", s.metrics.Handler(s.cfg.Gatherer))

	handle("/fhir", route{"GET": s.searchSystem, "POST": s.bundle})
	handle("/fhir/{$}", route{"GET": s.searchSystem, "POST": s.bundle})
	handle("/fhir/metadata", route{"GET": s.capabilities})
	handle("/fhir/_history", route{"GET": s.historySystem})
	handle("/fhir/_search", route{"POST": s.searchSystem})
	handle("/fhir/$expunge", route{"POST": s.expunge})
	handle("/fhir/{type}", route{"GET": s.searchType, "POST": s.create, "PUT": s.conditionalUpdate, "DELETE": s.conditionalDelete, "PATCH": s.conditionalPatch})
	handle("/fhir/{type}/_search", route{"POST": s.searchType})
	handle("/fhir/{type}/_history", route{"GET": s.historyType})
	handle("/fhir/{type}/$expunge", route{"POST": s.expunge})
	handle("/fhir/{type}/{id}", route{"GET": s.read, "PUT": s.update, "DELETE": s.delete, "PATCH": s.patch})
	handle("/fhir/{type}/{id}/_history", route{"GET": s.historyInstance})
	handle("/fhir/{type}/{id}/_history/{vid}", route{"GET": s.vread})
	handle("/fhir/{type}/{id}/$expunge", route{"POST": s.expunge})
	handle("/fhir/{type}/$validate", route{"POST": s.validateOp})
	handle("/fhir/{type}/{id}/$validate", route{"POST": s.validateOp})
	s.searchRoutes(handle)
	mux.HandleFunc("/fhir/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, notFound("there is no FHIR endpoint at %s", r.URL.Path))
	})
	return mux
}

// dispatch picks the handler for the method (GET also answers HEAD), checks the resource
// type in the path, and answers 405 with an OperationOutcome otherwise.
func (s *Server) dispatch(rt route) http.Handler {
	allow := make([]string, 0, len(rt)+1)
	for m := range rt {
		allow = append(allow, m)
		if m == "GET" {
			allow = append(allow, "HEAD")
		}
	}
	allowed := strings.Join(sorted(allow), ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := r.Method
		if method == "HEAD" {
			method = "GET"
		}
		h, ok := rt[method]
		if !ok {
			w.Header().Set("Allow", allowed)
			s.fail(w, r, status(http.StatusMethodNotAllowed, "not-supported", "%s is not allowed here; allowed: %s", r.Method, allowed))
			return
		}
		if typ := r.PathValue("type"); typ != "" && !fhir.IsResourceType(typ) {
			s.fail(w, r, notFound("%q is not a resource type this server knows", typ))
			return
		}
		info(r).typ, info(r).id = r.PathValue("type"), r.PathValue("id")
		h(w, r)
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	info(r).interaction = "healthz"
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	info(r).interaction = "readyz"
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(r.Context()); err != nil {
			s.log.Warn("not ready", "error", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("store unavailable\n"))
			return
		}
	}
	_, _ = w.Write([]byte("ok\n"))
}

// request builds the interaction.Request for r.
func (s *Server) request(r *http.Request) *interaction.Request {
	p := parsePrefer(r.Header.Values("Prefer"))
	return &interaction.Request{
		BaseURL: s.baseURL(r),
		Strict:  p.strict,
		Return:  p.ret,
		Admin:   s.isAdmin(r),
	}
}

// baseURL is the configured base, or one built from the request's host.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/fhir"
}

func (s *Server) isAdmin(r *http.Request) bool {
	if s.cfg.AdminToken == "" {
		return false
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.AdminToken)) == 1
}
