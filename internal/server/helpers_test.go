package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/joinedup/joinedup/internal/interaction"
	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/store/sqlite"
)

// backend opens a store for a test; the REST tests run against each one available.
type backend struct {
	name string
	open func(t testing.TB) store.Store
}

func backends(t testing.TB) []backend {
	bs := []backend{{"sqlite", func(t testing.TB) store.Store {
		st, err := sqlite.Open(t.TempDir(), sqlite.Options{Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}}}
	return append(bs, postgresBackends(t)...)
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// testServer is a running server over a fresh store.
type testServer struct {
	t    testing.TB
	url  string // the FHIR base
	http *httptest.Server
	st   store.Store
}

// eachBackend runs fn against a fresh server on every backend.
func eachBackend(t *testing.T, cfg Config, fn func(t *testing.T, ts *testServer)) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			fn(t, newTestServer(t, b, cfg))
		})
	}
}

func newTestServer(t testing.TB, b backend, cfg Config) *testServer {
	t.Helper()
	st := b.open(t)
	svc, err := interaction.New(interaction.Options{Store: st, ReferentialIntegrity: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Service = svc
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	if cfg.Ready == nil {
		cfg.Ready = st.Ping
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		st.Close()
	})
	return &testServer{t: t, url: hs.URL + "/fhir", http: hs, st: st}
}

// response is a completed HTTP exchange.
type response struct {
	*http.Response
	body []byte
}

func (r *response) json() map[string]any {
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		return nil
	}
	return m
}

// outcome returns the issue codes and expressions of an OperationOutcome body.
func (r *response) outcome() (codes []string, expressions []string) {
	m := r.json()
	if m == nil || m["resourceType"] != "OperationOutcome" {
		return nil, nil
	}
	for _, is := range m["issue"].([]any) {
		is := is.(map[string]any)
		codes = append(codes, is["code"].(string))
		if ex, ok := is["expression"].([]any); ok {
			for _, e := range ex {
				expressions = append(expressions, e.(string))
			}
		}
	}
	return codes, expressions
}

// do sends a request; path is relative to the FHIR base ("/Patient/1") unless it starts
// with "http"; headers come in pairs.
func (ts *testServer) do(method, path, body string, headers ...string) *response {
	ts.t.Helper()
	u := path
	if !strings.HasPrefix(path, "http") {
		u = ts.url + path
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		ts.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		ts.t.Fatal(err)
	}
	return &response{Response: res, body: b}
}

// create POSTs a resource and returns its id.
func (ts *testServer) create(typ, body string) string {
	ts.t.Helper()
	r := ts.do("POST", "/"+typ, body)
	if r.StatusCode != http.StatusCreated {
		ts.t.Fatalf("create %s: %d %s", typ, r.StatusCode, r.body)
	}
	return r.json()["id"].(string)
}

// count returns how many versions the store holds in all.
func (ts *testServer) count() int {
	ts.t.Helper()
	r := ts.do("GET", "/_history?_count=1000", "")
	return bytes.Count(r.body, []byte(`"fullUrl"`))
}
