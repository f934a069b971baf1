package server

import (
	"net/http"
	"strings"
	"testing"
)

// TestBaseURL: with a configured base, absolute URLs use it whatever the request's host,
// and absolute references under it are local references.
func TestBaseURL(t *testing.T) {
	const base = "https://ehr.example/fhir"
	eachBackend(t, Config{BaseURL: base + "/"}, func(t *testing.T, ts *testServer) {
		r := ts.do("POST", "/Patient", `{"resourceType":"Patient"}`)
		id := r.json()["id"].(string)
		if loc := r.Header.Get("Location"); loc != base+"/Patient/"+id+"/_history/1" {
			t.Errorf("Location %q", loc)
		}
		h := ts.do("GET", "/Patient/_history", "")
		if !strings.HasPrefix(link(h, "self"), base+"/Patient/_history") {
			t.Errorf("self link %q", link(h, "self"))
		}
		if full := entries(h)[0]["fullUrl"]; full != base+"/Patient/"+id {
			t.Errorf("fullUrl %v", full)
		}
		obs := `{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"` + base + `/Patient/%s"}}`
		if r := ts.do("POST", "/Observation", strings.Replace(obs, "%s", "nobody", 1)); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("dangling absolute reference under the base: %d", r.StatusCode)
		}
		if r := ts.do("POST", "/Observation", strings.Replace(obs, "%s", id, 1)); r.StatusCode != http.StatusCreated {
			t.Errorf("absolute reference under the base: %d %s", r.StatusCode, r.body)
		}
		if r := ts.do("DELETE", "/Patient/"+id, ""); r.StatusCode != http.StatusConflict {
			t.Errorf("delete of a patient referenced by absolute URL: %d", r.StatusCode)
		}
	})
}
