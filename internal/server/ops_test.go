package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestCORS(t *testing.T) {
	eachBackend(t, Config{CORSOrigins: []string{"https://app.example"}}, func(t *testing.T, ts *testServer) {
		cases := []struct {
			name, method, origin string
			headers              []string
			status               int
			allow                string
		}{
			{"preflight allowed", "OPTIONS", "https://app.example", []string{"Access-Control-Request-Method", "PUT"}, 204, "https://app.example"},
			{"preflight other origin", "OPTIONS", "https://evil.example", []string{"Access-Control-Request-Method", "PUT"}, 405, ""},
			{"simple allowed", "GET", "https://app.example", nil, 200, "https://app.example"},
			{"simple other origin", "GET", "https://evil.example", nil, 200, ""},
		}
		for _, c := range cases {
			r := ts.do(c.method, "/metadata", "", append([]string{"Origin", c.origin}, c.headers...)...)
			if r.StatusCode != c.status {
				t.Errorf("%s: status %d, want %d", c.name, r.StatusCode, c.status)
			}
			if got := r.Header.Get("Access-Control-Allow-Origin"); got != c.allow {
				t.Errorf("%s: Allow-Origin %q, want %q", c.name, got, c.allow)
			}
			if c.allow != "" && !strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "ETag") {
				t.Errorf("%s: ETag not exposed", c.name)
			}
			if c.status == 204 && !strings.Contains(r.Header.Get("Access-Control-Allow-Methods"), "PUT") {
				t.Errorf("%s: methods %q", c.name, r.Header.Get("Access-Control-Allow-Methods"))
			}
		}
	})
}

func TestRequestID(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		cases := []struct{ sent, want string }{
			{"abc-123", "abc-123"},
			{"", ""},                       // generated
			{"bad id with spaces", ""},     // replaced
			{strings.Repeat("x", 200), ""}, // too long: replaced
		}
		for _, c := range cases {
			r := ts.do("GET", "/metadata", "", "X-Request-ID", c.sent)
			got := r.Header.Get("X-Request-ID")
			if c.want != "" && got != c.want || c.want == "" && (got == "" || got == c.sent) {
				t.Errorf("sent %q: got %q", c.sent, got)
			}
		}
	})
}

func TestOpsEndpoints(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		ts.create("Patient", `{"resourceType":"Patient"}`)
		base := ts.http.URL
		cases := []struct {
			path, want string
		}{
			{"/healthz", "ok"},
			{"/readyz", "ok"},
			{"/metrics", `joinedup_http_requests_total{code="201",interaction="create"} 1`},
			{"/metrics", `joinedup_http_request_duration_seconds_bucket{interaction="create"`},
		}
		for _, c := range cases {
			r := ts.do("GET", base+c.path, "")
			if r.StatusCode != 200 || !strings.Contains(string(r.body), c.want) {
				t.Errorf("%s: %d, want %q in:\n%.2000s", c.path, r.StatusCode, c.want, r.body)
			}
		}
	})
}

func TestReadyzFailsWhenStoreDown(t *testing.T) {
	down := func(context.Context) error { return errors.New("store down") }
	ts := newTestServer(t, backends(t)[0], Config{Ready: down})
	if r := ts.do("GET", ts.http.URL+"/readyz", ""); r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz with the store down: %d", r.StatusCode)
	}
}
