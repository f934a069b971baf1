package server

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestBadInput: each bad request gets its 4xx with an OperationOutcome naming the problem,
// and nothing is stored.
func TestBadInput(t *testing.T) {
	eachBackend(t, Config{MaxBody: 4096}, func(t *testing.T, ts *testServer) {
		id := ts.create("Patient", `{"resourceType":"Patient"}`)
		big := `{"resourceType":"Patient","name":[{"family":"` + strings.Repeat("x", 5000) + `"}]}`
		cases := []struct {
			name, method, path, body string
			headers                  []string
			status                   int
			code, expression         string // expected issue code and (optional) expression
		}{
			{"malformed JSON", "POST", "/Patient", `{"resourceType":"Patient",`, nil, 400, "structure", ""},
			{"not JSON", "POST", "/Patient", `hello`, nil, 400, "structure", ""},
			{"wrong type for URL", "POST", "/Patient", `{"resourceType":"Observation","status":"final","code":{"text":"x"}}`, nil, 400, "invalid", "Observation"},
			{"missing resourceType", "POST", "/Patient", `{"active":true}`, nil, 400, "structure", ""},
			{"unknown element", "POST", "/Patient", `{"resourceType":"Patient","colour":"blue"}`, nil, 400, "structure", "Patient.colour"},
			{"invalid primitive", "POST", "/Patient", `{"resourceType":"Patient","birthDate":"1990-13-45"}`, nil, 400, "structure", "Patient.birthDate"},
			{"id mismatch", "PUT", "/Patient/" + id, `{"resourceType":"Patient","id":"other"}`, nil, 400, "invalid", "Patient.id"},
			{"update without id", "PUT", "/Patient/" + id, `{"resourceType":"Patient"}`, nil, 400, "invalid", "Patient.id"},
			{"bad If-Match", "PUT", "/Patient/" + id, `{"resourceType":"Patient","id":"` + id + `"}`, []string{"If-Match", "v1"}, 400, "invalid", ""},
			{"stale If-Match", "PUT", "/Patient/" + id, `{"resourceType":"Patient","id":"` + id + `"}`, []string{"If-Match", `W/"5"`}, 412, "conflict", ""},
			{"body too large", "POST", "/Patient", big, nil, 413, "too-costly", ""},
			{"unsupported media type", "POST", "/Patient", `{"resourceType":"Patient"}`, []string{"Content-Type", "text/turtle"}, 415, "not-supported", ""},
			{"unknown resource type", "POST", "/Patientx", `{"resourceType":"Patient"}`, nil, 404, "not-found", ""},
			{"wrong method", "POST", "/Patient/" + id, `{}`, nil, 405, "not-supported", ""},
			{"empty body", "POST", "/Patient", ``, nil, 400, "invalid", ""},
			{"dangling reference", "POST", "/Observation", `{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/nobody"}}`, nil, 422, "processing", "Observation.subject"},
			{"dangling reference in list", "POST", "/Patient", `{"resourceType":"Patient","generalPractitioner":[{"reference":"Organization/none"}]}`, nil, 422, "processing", "Patient.generalPractitioner[0]"},
			{"conditional create unknown parameter", "POST", "/Patient", `{"resourceType":"Patient"}`, []string{"If-None-Exist", "colour=blue"}, 400, "not-supported", ""},
			{"transaction not a bundle", "POST", "", `{"resourceType":"Patient"}`, nil, 400, "invalid", "Patient"},
			{"invalid _count", "GET", "/Patient?_count=-1", "", nil, 400, "invalid", ""},
		}
		before := ts.count()
		for _, c := range cases {
			r := ts.do(c.method, c.path, c.body, c.headers...)
			if r.StatusCode != c.status {
				t.Errorf("%s: status %d, want %d: %s", c.name, r.StatusCode, c.status, r.body)
				continue
			}
			codes, exprs := r.outcome()
			if !slices.Contains(codes, c.code) {
				t.Errorf("%s: issue codes %v, want %s: %s", c.name, codes, c.code, r.body)
			}
			if c.expression != "" && !slices.Contains(exprs, c.expression) {
				t.Errorf("%s: expressions %v, want %s", c.name, exprs, c.expression)
			}
			if c.status == http.StatusMethodNotAllowed && r.Header.Get("Allow") == "" {
				t.Errorf("%s: no Allow header", c.name)
			}
		}
		if after := ts.count(); after != before {
			t.Errorf("bad requests stored %d versions", after-before)
		}
	})
}
