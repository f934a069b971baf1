package server

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func link(r *response, relation string) string {
	links, _ := r.json()["link"].([]any)
	for _, l := range links {
		l := l.(map[string]any)
		if l["relation"] == relation {
			return l["url"].(string)
		}
	}
	return ""
}

func TestHistoryLevels(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		id := ts.create("Patient", `{"resourceType":"Patient"}`)
		ts.do("PUT", "/Patient/"+id, `{"resourceType":"Patient","id":"`+id+`","active":true}`)
		ts.do("DELETE", "/Patient/"+id, "")
		ts.create("Organization", `{"resourceType":"Organization","name":"GP"}`)
		cases := []struct {
			path    string
			methods []string // newest first
		}{
			{"/Patient/" + id + "/_history", []string{"DELETE", "PUT", "POST"}},
			{"/Patient/_history", []string{"DELETE", "PUT", "POST"}},
			{"/_history", []string{"POST", "DELETE", "PUT", "POST"}},
			{"/_history?_count=2", []string{"POST", "DELETE"}},
		}
		for _, c := range cases {
			r := ts.do("GET", c.path, "")
			if r.StatusCode != 200 || r.json()["type"] != "history" {
				t.Fatalf("%s: %d %s", c.path, r.StatusCode, r.body)
			}
			es := entries(r)
			var methods []string
			for _, e := range es {
				methods = append(methods, e["request"].(map[string]any)["method"].(string))
				_, hasResource := e["resource"]
				if hasResource == (methods[len(methods)-1] == "DELETE") {
					t.Errorf("%s: a %s entry with resource=%v", c.path, methods[len(methods)-1], hasResource)
				}
				resp := e["response"].(map[string]any)
				if resp["etag"] == nil || resp["lastModified"] == nil || resp["status"] == nil {
					t.Errorf("%s: entry response %v", c.path, resp)
				}
			}
			if fmt.Sprint(methods) != fmt.Sprint(c.methods) {
				t.Errorf("%s: methods %v, want %v", c.path, methods, c.methods)
			}
			if !strings.HasPrefix(link(r, "self"), ts.url) {
				t.Errorf("%s: self link %q", c.path, link(r, "self"))
			}
		}
		if r := ts.do("GET", "/Patient/nobody/_history", ""); r.StatusCode != 404 {
			t.Errorf("history of an unknown resource: %d", r.StatusCode)
		}
		since := url.QueryEscape(time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
		if r := ts.do("GET", "/_history?_since="+since, ""); len(entries(r)) != 0 {
			t.Errorf("_since in the future: %d entries", len(entries(r)))
		}
		if r := ts.do("GET", "/_history?_since=yesterday", ""); r.StatusCode != 400 {
			t.Errorf("bad _since: %d", r.StatusCode)
		}
	})
}

// TestHistoryPagingWhileWriting pages through the system history with next links while
// other requests keep writing: every version that existed when paging began is seen once.
func TestHistoryPagingWhileWriting(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		before := map[string]bool{}
		for range 25 {
			before[ts.create("Patient", `{"resourceType":"Patient"}`)] = true
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					ts.create("Organization", `{"resourceType":"Organization"}`)
				}
			}
		}()
		seen := map[string]int{}
		next := ts.url + "/Patient/_history?_count=4"
		pages := 0
		for next != "" {
			r := ts.do("GET", next, "")
			if r.StatusCode != 200 {
				t.Fatalf("page %d: %d %s", pages, r.StatusCode, r.body)
			}
			for _, e := range entries(r) {
				seen[e["resource"].(map[string]any)["id"].(string)]++
			}
			next = link(r, "next")
			pages++
		}
		close(stop)
		wg.Wait()
		for id := range before {
			if seen[id] != 1 {
				t.Errorf("Patient/%s seen %d times", id, seen[id])
			}
		}
		if pages < 7 {
			t.Errorf("%d pages for 25 versions of 4", pages)
		}
	})
}

func TestSearch(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		a := ts.create("Patient", `{"resourceType":"Patient","identifier":[{"system":"`+nhs+`","value":"9434765919"}],"meta":{"tag":[{"system":"http://t","code":"demo"}],"profile":["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"],"source":"urn:gp"}}`)
		b := ts.create("Patient", `{"resourceType":"Patient"}`)
		ts.create("Organization", `{"resourceType":"Organization","identifier":[{"system":"x","value":"9434765919"}]}`)
		cases := []struct {
			name, method, path, form string
			headers                  []string
			status                   int
			ids                      []string
			outcome                  bool // an OperationOutcome entry
		}{
			{"identifier system|value", "GET", "/Patient?identifier=" + url.QueryEscape(nhs+"|9434765919"), "", nil, 200, []string{a}, false},
			{"identifier value", "GET", "/Patient?identifier=9434765919", "", nil, 200, []string{a}, false},
			{"_id OR", "GET", "/Patient?_id=" + a + "," + b, "", nil, 200, []string{a, b}, false},
			{"_tag", "GET", "/Patient?_tag=http://t|demo", "", nil, 200, []string{a}, false},
			{"_profile", "GET", "/Patient?_profile=https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient", "", nil, 200, []string{a}, false},
			{"_source", "GET", "/Patient?_source=urn:gp", "", nil, 200, []string{a}, false},
			{"_lastUpdated", "GET", "/Patient?_lastUpdated=gt2000-01-01&_id=" + b, "", nil, 200, []string{b}, false},
			{"unknown parameter", "GET", "/Patient?_id=" + a + "&colour=blue", "", nil, 200, []string{a}, true},
			{"unknown parameter strict", "GET", "/Patient?colour=blue", "", []string{"Prefer", "handling=strict"}, 400, nil, false},
			{"POST _search", "POST", "/Patient/_search", "_id=" + b, []string{"Content-Type", "application/x-www-form-urlencoded"}, 200, []string{b}, false},
			{"system search", "GET", "?identifier=9434765919", "", nil, 200, nil, true},
			{"system _id", "GET", "?_id=" + a, "", nil, 200, []string{a}, false},
		}
		for _, c := range cases {
			r := ts.do(c.method, c.path, c.form, c.headers...)
			if r.StatusCode != c.status {
				t.Errorf("%s: %d %s", c.name, r.StatusCode, r.body)
				continue
			}
			if c.status != 200 {
				continue
			}
			var ids []string
			outcome := false
			for _, e := range entries(r) {
				res := e["resource"].(map[string]any)
				if e["search"].(map[string]any)["mode"] == "outcome" {
					outcome = true
					continue
				}
				ids = append(ids, res["id"].(string))
			}
			if c.ids != nil && !sameSet(ids, c.ids) {
				t.Errorf("%s: ids %v, want %v", c.name, ids, c.ids)
			}
			if outcome != c.outcome {
				t.Errorf("%s: outcome entry %v, want %v", c.name, outcome, c.outcome)
			}
		}
		// Paging with next links.
		next, n := ts.url+"/Patient?_count=1", 0
		for next != "" && n < 10 {
			r := ts.do("GET", next, "")
			n += len(entries(r))
			next = link(r, "next")
		}
		if n != 2 {
			t.Errorf("paging saw %d patients, want 2", n)
		}
	})
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}
