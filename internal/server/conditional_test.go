package server

import (
	"net/http"
	"net/url"
	"testing"
)

const nhs = "https://fhir.nhs.uk/Id/nhs-number"

func patientWith(nhsNumber string) string {
	return `{"resourceType":"Patient","identifier":[{"system":"` + nhs + `","value":"` + nhsNumber + `"}]}`
}

func TestConditionalCreate(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		cond := "identifier=" + url.QueryEscape(nhs+"|9434765919")
		first := ts.do("POST", "/Patient", patientWith("9434765919"), "If-None-Exist", cond)
		second := ts.do("POST", "/Patient", patientWith("9434765919"), "If-None-Exist", cond)
		if first.StatusCode != 201 || second.StatusCode != 200 {
			t.Fatalf("conditional create: %d then %d", first.StatusCode, second.StatusCode)
		}
		if first.json()["id"] != second.json()["id"] {
			t.Fatalf("the second conditional create did not return the first resource")
		}
		ts.create("Patient", patientWith("9434765919")) // a duplicate, made unconditionally
		if r := ts.do("POST", "/Patient", patientWith("9434765919"), "If-None-Exist", cond); r.StatusCode != http.StatusPreconditionFailed {
			t.Fatalf("conditional create with two matches: %d", r.StatusCode)
		}
		// The other search parameters of the foundation.
		id := first.json()["id"].(string)
		for _, c := range []string{"_id=" + id, "_lastUpdated=gt2000-01-01", "identifier=9434765919&_id=" + id} {
			r := ts.do("POST", "/Patient", patientWith("1"), "If-None-Exist", c)
			if c == "_lastUpdated=gt2000-01-01" {
				if r.StatusCode != http.StatusPreconditionFailed {
					t.Errorf("%s: %d, want 412 (several match)", c, r.StatusCode)
				}
				continue
			}
			if r.StatusCode != 200 || r.json()["id"] != id {
				t.Errorf("%s: %d %s", c, r.StatusCode, r.body)
			}
		}
	})
}

func TestConditionalUpdateAndDelete(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		q := "/Patient?identifier=" + url.QueryEscape(nhs+"|9434765919")
		steps := []struct {
			name, method, path, body string
			status                   int
			etag                     string
		}{
			{"update creates", "PUT", q, patientWith("9434765919"), 201, `W/"1"`},
			{"update updates", "PUT", q, patientWith("9434765919"), 200, `W/"2"`},
			{"update with no criteria", "PUT", "/Patient", patientWith("9434765919"), 400, ""},
			{"delete", "DELETE", q, "", 204, `W/"3"`},
			{"delete no match", "DELETE", q, "", 204, ""},
			{"delete with no criteria", "DELETE", "/Patient", "", 400, ""},
		}
		for _, s := range steps {
			r := ts.do(s.method, s.path, s.body)
			if r.StatusCode != s.status || r.Header.Get("ETag") != s.etag {
				t.Errorf("%s: %d %q, want %d %q: %s", s.name, r.StatusCode, r.Header.Get("ETag"), s.status, s.etag, r.body)
			}
		}
		ts.create("Patient", patientWith("1111111111"))
		ts.create("Patient", patientWith("1111111111"))
		if r := ts.do("PUT", "/Patient?identifier=1111111111", patientWith("1111111111")); r.StatusCode != http.StatusPreconditionFailed {
			t.Errorf("conditional update with two matches: %d", r.StatusCode)
		}
		// Conditional delete is "multiple": both go.
		if r := ts.do("DELETE", "/Patient?identifier=1111111111", ""); r.StatusCode != 204 {
			t.Errorf("conditional delete of two: %d", r.StatusCode)
		}
		r := ts.do("GET", "/Patient?identifier=1111111111", "")
		if n := len(entries(r)); n != 0 {
			t.Errorf("%d left after conditional delete", n)
		}
	})
}

// entries returns a Bundle's entries.
func entries(r *response) []map[string]any {
	var out []map[string]any
	es, _ := r.json()["entry"].([]any)
	for _, e := range es {
		out = append(out, e.(map[string]any))
	}
	return out
}
