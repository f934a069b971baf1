package server

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCRUDHeadersAndStatus(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		r := ts.do("POST", "/Patient", `{"resourceType":"Patient","id":"mine","active":true}`)
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", r.StatusCode, r.body)
		}
		id := r.json()["id"].(string)
		if id == "mine" {
			t.Fatal("create kept the client's id")
		}
		checks := []struct{ header, want string }{
			{"Location", ts.url + "/Patient/" + id + "/_history/1"},
			{"ETag", `W/"1"`},
			{"Content-Type", "application/fhir+json; charset=utf-8"},
		}
		for _, c := range checks {
			if got := r.Header.Get(c.header); got != c.want {
				t.Errorf("create %s = %q, want %q", c.header, got, c.want)
			}
		}
		if _, err := http.ParseTime(r.Header.Get("Last-Modified")); err != nil {
			t.Errorf("Last-Modified: %v", err)
		}

		steps := []struct {
			name, method, path, body string
			headers                  []string
			status                   int
			etag                     string
		}{
			{"read", "GET", "/Patient/" + id, "", nil, 200, `W/"1"`},
			{"vread", "GET", "/Patient/" + id + "/_history/1", "", nil, 200, `W/"1"`},
			{"vread unknown version", "GET", "/Patient/" + id + "/_history/9", "", nil, 404, ""},
			{"update", "PUT", "/Patient/" + id, `{"resourceType":"Patient","id":"` + id + `","active":false}`, []string{"If-Match", `W/"1"`}, 200, `W/"2"`},
			{"update stale", "PUT", "/Patient/" + id, `{"resourceType":"Patient","id":"` + id + `"}`, []string{"If-Match", `W/"1"`}, 412, ""},
			{"update as create", "PUT", "/Patient/client-chosen", `{"resourceType":"Patient","id":"client-chosen"}`, nil, 201, `W/"1"`},
			{"delete", "DELETE", "/Patient/" + id, "", nil, 204, `W/"3"`},
			{"read deleted", "GET", "/Patient/" + id, "", nil, 410, `W/"3"`},
			{"delete again", "DELETE", "/Patient/" + id, "", nil, 204, `W/"3"`},
			{"delete absent", "DELETE", "/Patient/never", "", nil, 204, ""},
			{"read absent", "GET", "/Patient/never", "", nil, 404, ""},
			{"recreate after delete", "PUT", "/Patient/" + id, `{"resourceType":"Patient","id":"` + id + `"}`, nil, 201, `W/"4"`},
		}
		for _, s := range steps {
			r := ts.do(s.method, s.path, s.body, s.headers...)
			if r.StatusCode != s.status {
				t.Errorf("%s: status %d, want %d: %s", s.name, r.StatusCode, s.status, r.body)
			}
			if got := r.Header.Get("ETag"); got != s.etag {
				t.Errorf("%s: ETag %q, want %q", s.name, got, s.etag)
			}
			if s.status >= 400 {
				if codes, _ := r.outcome(); len(codes) == 0 {
					t.Errorf("%s: no OperationOutcome: %s", s.name, r.body)
				}
			}
		}
		r = ts.do("PUT", "/Patient/client-chosen", `{"resourceType":"Patient","id":"client-chosen"}`)
		if loc := r.Header.Get("Content-Location"); loc != ts.url+"/Patient/client-chosen/_history/2" {
			t.Errorf("update Content-Location %q", loc)
		}
	})
}

func TestConditionalRead(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		id := ts.create("Patient", `{"resourceType":"Patient"}`)
		later := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
		earlier := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
		cases := []struct {
			name    string
			method  string
			headers []string
			status  int
			body    bool
		}{
			{"If-None-Match current", "GET", []string{"If-None-Match", `W/"1"`}, 304, false},
			{"If-None-Match other", "GET", []string{"If-None-Match", `W/"7"`}, 200, true},
			{"If-None-Match star", "GET", []string{"If-None-Match", `*`}, 304, false},
			{"If-Modified-Since later", "GET", []string{"If-Modified-Since", later}, 304, false},
			{"If-Modified-Since earlier", "GET", []string{"If-Modified-Since", earlier}, 200, true},
			{"HEAD", "HEAD", nil, 200, false},
		}
		for _, c := range cases {
			r := ts.do(c.method, "/Patient/"+id, "", c.headers...)
			if r.StatusCode != c.status || (len(r.body) > 0) != c.body {
				t.Errorf("%s: %d with %d bytes, want %d body=%v", c.name, r.StatusCode, len(r.body), c.status, c.body)
			}
			if r.Header.Get("ETag") != `W/"1"` {
				t.Errorf("%s: ETag %q", c.name, r.Header.Get("ETag"))
			}
		}
		if r := ts.do("HEAD", "/Patient/"+id, ""); r.Header.Get("Content-Length") == "0" || r.Header.Get("Content-Length") == "" {
			t.Errorf("HEAD has no Content-Length")
		}
	})
}

func TestPreferReturn(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		cases := []struct {
			prefer string
			want   string // "" empty body
		}{
			{"", `"resourceType":"Patient"`},
			{"return=representation", `"resourceType":"Patient"`},
			{"return=minimal", ""},
			{"return=OperationOutcome", `"resourceType":"OperationOutcome"`},
		}
		for _, c := range cases {
			r := ts.do("POST", "/Patient", `{"resourceType":"Patient"}`, "Prefer", c.prefer)
			if r.StatusCode != 201 {
				t.Fatalf("%q: %d", c.prefer, r.StatusCode)
			}
			if c.want == "" && len(r.body) != 0 || c.want != "" && !strings.Contains(string(r.body), c.want) {
				t.Errorf("Prefer %q: body %s", c.prefer, r.body)
			}
		}
	})
}

func TestFormats(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		id := ts.create("Patient", `{"resourceType":"Patient","active":true}`)
		cases := []struct {
			name, query string
			headers     []string
			status      int
			pretty      bool
		}{
			{"default", "", nil, 200, false},
			{"_format=json", "?_format=json", nil, 200, false},
			{"_format mime", "?_format=application/fhir%2Bjson", nil, 200, false},
			{"_format=xml", "?_format=xml", nil, 200, false},
			{"_format=ttl", "?_format=ttl", nil, 406, false},
			{"Accept json", "", []string{"Accept", "application/json"}, 200, false},
			{"Accept fhir+json with q", "", []string{"Accept", "application/fhir+xml;q=0.9, application/fhir+json"}, 200, false},
			{"Accept any", "", []string{"Accept", "*/*"}, 200, false},
			{"Accept xml only", "", []string{"Accept", "application/fhir+xml"}, 200, false},
			{"Accept turtle only", "", []string{"Accept", "text/turtle"}, 406, false},
			{"_pretty", "?_pretty=true", nil, 200, true},
		}
		for _, c := range cases {
			r := ts.do("GET", "/Patient/"+id+c.query, "", c.headers...)
			if r.StatusCode != c.status {
				t.Errorf("%s: %d, want %d", c.name, r.StatusCode, c.status)
				continue
			}
			if got := strings.Contains(string(r.body), "\n  "); got != c.pretty {
				t.Errorf("%s: pretty %v, want %v", c.name, got, c.pretty)
			}
			if c.status == 406 {
				if codes, _ := r.outcome(); len(codes) == 0 {
					t.Errorf("%s: no OperationOutcome", c.name)
				}
			}
		}
	})
}
