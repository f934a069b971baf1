package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// bundle builds a transaction or batch Bundle from entries written as
// "METHOD url fullUrl resource-json" with optional extra request members.
type entry struct {
	method, url, fullURL, resource string
	ifNoneExist, ifMatch           string
	ifNoneMatch, ifModifiedSince   string
}

func bundleJSON(typ string, es ...entry) string {
	var parts []string
	for _, e := range es {
		var b strings.Builder
		b.WriteString("{")
		if e.fullURL != "" {
			fmt.Fprintf(&b, `"fullUrl":%q,`, e.fullURL)
		}
		if e.resource != "" {
			fmt.Fprintf(&b, `"resource":%s,`, e.resource)
		}
		fmt.Fprintf(&b, `"request":{"method":%q,"url":%q`, e.method, e.url)
		if e.ifNoneExist != "" {
			fmt.Fprintf(&b, `,"ifNoneExist":%q`, e.ifNoneExist)
		}
		if e.ifMatch != "" {
			fmt.Fprintf(&b, `,"ifMatch":%q`, e.ifMatch)
		}
		if e.ifNoneMatch != "" {
			fmt.Fprintf(&b, `,"ifNoneMatch":%q`, e.ifNoneMatch)
		}
		if e.ifModifiedSince != "" {
			fmt.Fprintf(&b, `,"ifModifiedSince":%q`, e.ifModifiedSince)
		}
		b.WriteString("}}")
		parts = append(parts, b.String())
	}
	return `{"resourceType":"Bundle","type":"` + typ + `","entry":[` + strings.Join(parts, ",") + `]}`
}

func responses(r *response) []map[string]any {
	var out []map[string]any
	for _, e := range entries(r) {
		out = append(out, e["response"].(map[string]any))
	}
	return out
}

func TestTransaction(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		existing := ts.create("Patient", patientWith("9434765919"))
		gone := ts.create("Organization", `{"resourceType":"Organization"}`)
		tx := bundleJSON("transaction",
			entry{method: "POST", url: "Observation", fullURL: "urn:uuid:0b0b0b0b-0000-4000-8000-000000000002",
				resource: `{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"urn:uuid:0b0b0b0b-0000-4000-8000-000000000001"},"performer":[{"reference":"Patient?identifier=9434765919"}]}`},
			entry{method: "POST", url: "Patient", fullURL: "urn:uuid:0b0b0b0b-0000-4000-8000-000000000001",
				resource: `{"resourceType":"Patient","id":"ignored","managingOrganization":{"reference":"Organization/org1"}}`},
			entry{method: "PUT", url: "Organization/org1", fullURL: "http://elsewhere/Organization/org1", resource: `{"resourceType":"Organization","id":"org1"}`},
			entry{method: "POST", url: "Patient", resource: patientWith("9434765919"), ifNoneExist: "identifier=9434765919"},
			entry{method: "DELETE", url: "Organization/" + gone},
			entry{method: "GET", url: "Patient/" + existing},
		)
		r := ts.do("POST", "", tx)
		if r.StatusCode != 200 || r.json()["type"] != "transaction-response" {
			t.Fatalf("transaction: %d %s", r.StatusCode, r.body)
		}
		rs := responses(r)
		wantStatus := []string{"201 Created", "201 Created", "201 Created", "200 OK", "204 No Content", "200 OK"}
		for i, w := range wantStatus {
			if rs[i]["status"] != w {
				t.Errorf("entry %d: status %v, want %s", i, rs[i]["status"], w)
			}
		}
		if !strings.HasPrefix(rs[0]["location"].(string), "Observation/") || rs[0]["etag"] != `W/"1"` {
			t.Errorf("entry 0 response %v", rs[0])
		}
		obsID := strings.Split(rs[0]["location"].(string), "/")[1]
		patID := strings.Split(rs[1]["location"].(string), "/")[1]
		obs := ts.do("GET", "/Observation/"+obsID, "").json()
		if got := obs["subject"].(map[string]any)["reference"]; got != "Patient/"+patID {
			t.Errorf("urn:uuid not resolved: subject %v, want Patient/%s", got, patID)
		}
		if got := obs["performer"].([]any)[0].(map[string]any)["reference"]; got != "Patient/"+existing {
			t.Errorf("conditional reference not resolved: %v", got)
		}
		if patID == "ignored" {
			t.Error("a POST entry kept its client id")
		}
		if rs[3]["location"] != "Patient/"+existing+"/_history/1" {
			t.Errorf("ifNoneExist entry: %v", rs[3])
		}
		if ts.do("GET", "/Organization/"+gone, "").StatusCode != http.StatusGone {
			t.Error("DELETE entry did not delete")
		}
		if entries(r)[5]["resource"].(map[string]any)["id"] != existing {
			t.Errorf("GET entry: %v", entries(r)[5])
		}

		// Prefer: return=representation puts the resources in the response.
		r = ts.do("POST", "", bundleJSON("transaction", entry{method: "POST", url: "Patient", resource: `{"resourceType":"Patient"}`}),
			"Prefer", "return=representation")
		if es := entries(r); len(es) != 1 || es[0]["resource"] == nil || es[0]["fullUrl"] == nil {
			t.Errorf("return=representation: %s", r.body)
		}
	})
}

// TestTransactionAtomic: one bad entry fails the transaction, stores nothing, and the
// OperationOutcome names the entry and its element.
func TestTransactionAtomic(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		p := ts.create("Patient", `{"resourceType":"Patient"}`)
		good := entry{method: "POST", url: "Patient", fullURL: "urn:uuid:0b0b0b0b-0000-4000-8000-000000000001", resource: `{"resourceType":"Patient"}`}
		cases := []struct {
			name       string
			bad        entry
			status     int
			expression string
		}{
			{"dangling reference", entry{method: "POST", url: "Observation", resource: `{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/nobody"}}`},
				422, "Bundle.entry[1].resource.subject"},
			{"unresolved urn:uuid", entry{method: "POST", url: "Observation", resource: `{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"urn:uuid:0b0b0b0b-0000-4000-8000-00000000ffff"}}`},
				422, "Bundle.entry[1].resource.subject"},
			{"invalid element", entry{method: "POST", url: "Patient", resource: `{"resourceType":"Patient","birthDate":"1990-13-45"}`},
				400, "Bundle.entry[1].resource.birthDate"},
			{"type mismatch", entry{method: "POST", url: "Patient", resource: `{"resourceType":"Organization"}`},
				400, "Bundle.entry[1].resource"},
			{"stale ifMatch", entry{method: "PUT", url: "Patient/" + p, resource: `{"resourceType":"Patient","id":"` + p + `"}`, ifMatch: `W/"9"`},
				412, "Bundle.entry[1]"},
			{"id mismatch", entry{method: "PUT", url: "Patient/" + p, resource: `{"resourceType":"Patient","id":"other"}`},
				400, "Bundle.entry[1].resource.id"},
			{"delete referenced", entry{method: "DELETE", url: "Patient/" + p}, 0, ""},
			{"bad method", entry{method: "HEAD", url: "Patient/" + p}, 405, "Bundle.entry[1].request.method"},
			{"bad url", entry{method: "POST", url: "Nonsense", resource: `{"resourceType":"Patient"}`}, 400, "Bundle.entry[1].request.url"},
			{"conditional reference with no match", entry{method: "POST", url: "Observation", resource: `{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient?identifier=none"}}`},
				412, "Bundle.entry[1].resource.subject"},
		}
		// A resource referencing p, so that deleting p is refused.
		ts.create("Observation", `{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/`+p+`"}}`)
		cases[6].status, cases[6].expression = 409, "Bundle.entry[1]"
		before := ts.count()
		for _, c := range cases {
			r := ts.do("POST", "", bundleJSON("transaction", good, c.bad))
			if r.StatusCode != c.status {
				t.Errorf("%s: %d, want %d: %s", c.name, r.StatusCode, c.status, r.body)
				continue
			}
			codes, exprs := r.outcome()
			if len(codes) == 0 {
				t.Errorf("%s: no OperationOutcome", c.name)
			}
			if c.expression != "" && !slices.Contains(exprs, c.expression) {
				t.Errorf("%s: expressions %v, want %s", c.name, exprs, c.expression)
			}
			if !strings.Contains(string(r.body), "Bundle.entry[1]") {
				t.Errorf("%s: the outcome does not name the entry: %s", c.name, r.body)
			}
		}
		if after := ts.count(); after != before {
			t.Errorf("failed transactions stored %d versions", after-before)
		}
	})
}

func TestBatchIndependent(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		p := ts.create("Patient", `{"resourceType":"Patient"}`)
		b := bundleJSON("batch",
			entry{method: "POST", url: "Patient", resource: `{"resourceType":"Patient"}`},
			entry{method: "POST", url: "Observation", resource: `{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/nobody"}}`},
			entry{method: "GET", url: "Patient/" + p},
			entry{method: "GET", url: "Patient/nobody"},
			entry{method: "PUT", url: "Patient/" + p, resource: `{"resourceType":"Patient","id":"` + p + `","active":true}`},
			entry{method: "DELETE", url: "Patient/absent"},
			entry{method: "GET", url: "Patient?_id=" + p},
		)
		r := ts.do("POST", "", b)
		if r.StatusCode != 200 || r.json()["type"] != "batch-response" {
			t.Fatalf("batch: %d %s", r.StatusCode, r.body)
		}
		want := []string{"201 Created", "422 Unprocessable Entity", "200 OK", "404 Not Found", "200 OK", "204 No Content", "200 OK"}
		rs := responses(r)
		for i, w := range want {
			if rs[i]["status"] != w {
				t.Errorf("entry %d: %v, want %s", i, rs[i]["status"], w)
			}
		}
		if rs[1]["outcome"] == nil || rs[3]["outcome"] == nil {
			t.Errorf("failed entries carry no outcome: %v / %v", rs[1], rs[3])
		}
		if entries(r)[6]["resource"].(map[string]any)["type"] != "searchset" {
			t.Errorf("GET search entry: %v", entries(r)[6])
		}

		// Conditional reads in a batch: ifNoneMatch and ifModifiedSince.
		cases := []struct {
			e      entry
			status string
		}{
			{entry{method: "GET", url: "Patient/" + p, ifNoneMatch: `W/"2"`}, "304 Not Modified"},
			{entry{method: "GET", url: "Patient/" + p, ifNoneMatch: `W/"1"`}, "200 OK"},
			{entry{method: "GET", url: "Patient/" + p, ifModifiedSince: "2999-01-01T00:00:00Z"}, "304 Not Modified"},
			{entry{method: "GET", url: "Patient/" + p, ifModifiedSince: "2000-01-01T00:00:00Z"}, "200 OK"},
		}
		for _, c := range cases {
			r := ts.do("POST", "", bundleJSON("batch", c.e))
			es := entries(r)
			if len(es) != 1 || es[0]["response"].(map[string]any)["status"] != c.status {
				t.Errorf("%+v: %s, want %s", c.e, r.body, c.status)
				continue
			}
			if _, hasBody := es[0]["resource"]; hasBody != (c.status == "200 OK") {
				t.Errorf("%+v: resource present %v", c.e, hasBody)
			}
		}
	})
}

// TestSyntheaBundlesTwice loads each Synthea bundle twice over HTTP: both passes succeed
// and create separate copies.
func TestSyntheaBundlesTwice(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/data/synthea/*.json")
	var bundles [][]byte
	for _, f := range files {
		if b := filepath.Base(f); strings.HasPrefix(b, "hospital") || strings.HasPrefix(b, "practitioner") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		bundles = append(bundles, data)
	}
	if len(bundles) == 0 {
		t.Skip("../shared/data/synthea is absent: shared test data not available")
	}
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		for _, data := range bundles[:3] {
			var ids [2]map[string]bool
			for pass := range 2 {
				r := ts.do("POST", "", string(data))
				if r.StatusCode != 200 {
					t.Fatalf("pass %d: %d %.500s", pass, r.StatusCode, r.body)
				}
				ids[pass] = map[string]bool{}
				for _, resp := range responses(r) {
					if resp["status"] != "201 Created" {
						t.Fatalf("pass %d: %v", pass, resp)
					}
					ids[pass][resp["location"].(string)] = true
				}
			}
			for loc := range ids[0] {
				if ids[1][loc] {
					t.Fatalf("%s created by both passes", loc)
				}
			}
		}
	})
}

func TestBundleRequiresTransactionOrBatch(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		r := ts.do("POST", "", `{"resourceType":"Bundle","type":"collection"}`)
		if _, exprs := r.outcome(); r.StatusCode != 400 || !slices.Contains(exprs, "Bundle.type") {
			t.Errorf("collection bundle: %d %s", r.StatusCode, r.body)
		}
		var m map[string]any
		_ = json.Unmarshal(r.body, &m)
	})
}
