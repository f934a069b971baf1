package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/interaction"
)

func TestReferentialIntegrity(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		org := ts.create("Organization", `{"resourceType":"Organization"}`)
		pat := ts.create("Patient", `{"resourceType":"Patient","managingOrganization":{"reference":"Organization/`+org+`"}}`)
		obs := ts.create("Observation", `{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"`+ts.url+`/Patient/`+pat+`"}}`)
		ts.create("Observation", `{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"https://other.example/fhir/Patient/x"},"hasMember":[{"reference":"#contained"}]}`)

		r := ts.do("DELETE", "/Organization/"+org, "")
		if r.StatusCode != http.StatusConflict || !strings.Contains(string(r.body), "Patient/"+pat) {
			t.Fatalf("delete of a referenced resource: %d %s", r.StatusCode, r.body)
		}
		if r := ts.do("PUT", "/Observation/"+obs, `{"resourceType":"Observation","id":"`+obs+`","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/gone"}}`); r.StatusCode != 422 {
			t.Errorf("update to a dangling reference: %d", r.StatusCode)
		}
		// Cascade: the organisation, the patient that references it and the observation
		// that references the patient go together.
		r = ts.do("DELETE", "/Organization/"+org+"?_cascade=delete", "", "Prefer", "return=OperationOutcome")
		if r.StatusCode != 200 || !strings.Contains(string(r.body), "deleted 3") {
			t.Fatalf("cascade delete: %d %s", r.StatusCode, r.body)
		}
		for _, p := range []string{"/Organization/" + org, "/Patient/" + pat, "/Observation/" + obs} {
			if r := ts.do("GET", p, ""); r.StatusCode != http.StatusGone {
				t.Errorf("%s after cascade: %d", p, r.StatusCode)
			}
		}
		if r := ts.do("POST", "/Observation", `{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/`+pat+`"}}`); r.StatusCode != 422 {
			t.Errorf("reference to a deleted resource: %d", r.StatusCode)
		}
	})
}

func TestReferentialIntegrityOff(t *testing.T) {
	st := backends(t)[0].open(t)
	svc, err := interaction.New(interaction.Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	req := &interaction.Request{BaseURL: "http://x/fhir"}
	res, err := svc.Create(t.Context(), req, "Observation", []byte(`{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/later"}}`), interaction.CreateOptions{})
	if err != nil || res.Status != 201 {
		t.Fatalf("dangling reference with integrity off: %v", err)
	}
}

func TestExpunge(t *testing.T) {
	eachBackend(t, Config{AdminToken: "s3cret"}, func(t *testing.T, ts *testServer) {
		a := ts.create("Patient", `{"resourceType":"Patient"}`)
		b := ts.create("Patient", `{"resourceType":"Patient"}`)
		ts.do("PUT", "/Patient/"+a, `{"resourceType":"Patient","id":"`+a+`","active":true}`)
		cases := []struct {
			name, path, token string
			status            int
		}{
			{"no token", "/Patient/" + a + "/$expunge", "", 403},
			{"wrong token", "/Patient/" + a + "/$expunge", "nope", 403},
			{"instance", "/Patient/" + a + "/$expunge", "s3cret", 200},
			{"instance again", "/Patient/" + a + "/$expunge", "s3cret", 404},
			{"type", "/Patient/$expunge", "s3cret", 200},
		}
		for _, c := range cases {
			h := []string{}
			if c.token != "" {
				h = []string{"Authorization", "Bearer " + c.token}
			}
			r := ts.do("POST", c.path, "", h...)
			if r.StatusCode != c.status {
				t.Errorf("%s: %d, want %d: %s", c.name, r.StatusCode, c.status, r.body)
			}
		}
		for _, id := range []string{a, b} {
			if r := ts.do("GET", "/Patient/"+id, ""); r.StatusCode != 404 {
				t.Errorf("Patient/%s after expunge: %d", id, r.StatusCode)
			}
			if r := ts.do("GET", "/Patient/"+id+"/_history/1", ""); r.StatusCode != 404 {
				t.Errorf("Patient/%s version 1 after expunge: %d", id, r.StatusCode)
			}
		}
	})
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		if r := ts.do("POST", "/$expunge", "", "Authorization", "Bearer x"); r.StatusCode != 403 {
			t.Errorf("$expunge without an admin token configured: %d", r.StatusCode)
		}
	})
}

// TestCapabilityStatementIsTrue checks the CapabilityStatement against the server: every
// resource type it lists can be created and answers every interaction listed for it, and
// every system interaction and search parameter listed answers.
func TestCapabilityStatementIsTrue(t *testing.T) {
	eachBackend(t, Config{AdminToken: "t"}, func(t *testing.T, ts *testServer) {
		cs := ts.do("GET", "/metadata", "").json()
		if cs["resourceType"] != "CapabilityStatement" || cs["fhirVersion"] != "4.0.1" {
			t.Fatalf("metadata: %v", cs["resourceType"])
		}
		rest := cs["rest"].([]any)[0].(map[string]any)
		resources := rest["resource"].([]any)
		if len(resources) != len(fhir.ResourceTypes()) {
			t.Errorf("%d resource types listed, the model has %d", len(resources), len(fhir.ResourceTypes()))
		}
		for _, res := range resources {
			res := res.(map[string]any)
			typ := res["type"].(string)
			r := ts.do("POST", "/"+typ, `{"resourceType":"`+typ+`"}`)
			if r.StatusCode != 201 {
				t.Errorf("create %s: %d %s", typ, r.StatusCode, r.body)
				continue
			}
			id := r.json()["id"].(string)
			for _, in := range res["interaction"].([]any) {
				code := in.(map[string]any)["code"].(string)
				if status := interactionStatus(ts, code, typ, id); status >= 300 {
					t.Errorf("%s %s: %d", typ, code, status)
				}
			}
			for _, sp := range res["searchParam"].([]any) {
				name := sp.(map[string]any)["name"].(string)
				value := map[string]string{"_id": id, "_lastUpdated": "gt2000-01-01"}[name]
				if value == "" {
					// A value of the parameter's type; composites of two or three parts.
					value = map[string]string{"date": "ge2000-01-01", "number": "1", "quantity": "1",
						"composite": "1$2000", "special": "51|0|1"}[sp.(map[string]any)["type"].(string)]
				}
				if value == "" {
					value = "x"
				}
				r := ts.do("GET", "/"+typ+"?"+name+"="+value, "", "Prefer", "handling=strict")
				if r.StatusCode == 400 && value == "1$2000" {
					r = ts.do("GET", "/"+typ+"?"+name+"=1$2000$2000", "", "Prefer", "handling=strict")
				}
				if r.StatusCode != 200 {
					t.Errorf("%s?%s: %d %s", typ, name, r.StatusCode, r.body)
				}
			}
			for _, op := range res["operation"].([]any) {
				if name := op.(map[string]any)["name"]; name != "expunge" {
					t.Errorf("%s lists operation %v", typ, name)
				}
			}
		}
		for _, in := range rest["interaction"].([]any) {
			code := in.(map[string]any)["code"].(string)
			if status := interactionStatus(ts, code, "", ""); status >= 300 {
				t.Errorf("system %s: %d", code, status)
			}
		}
		if r := ts.do("POST", "/$expunge", "", "Authorization", "Bearer t"); r.StatusCode != 200 {
			t.Errorf("system $expunge: %d", r.StatusCode)
		}
	})
}

// interactionStatus performs a CapabilityStatement interaction and returns its status.
func interactionStatus(ts *testServer, code, typ, id string) int {
	res := `{"resourceType":"` + typ + `","id":"` + id + `"}`
	switch code {
	case "read":
		return ts.do("GET", "/"+typ+"/"+id, "").StatusCode
	case "vread":
		return ts.do("GET", "/"+typ+"/"+id+"/_history/1", "").StatusCode
	case "update":
		return ts.do("PUT", "/"+typ+"/"+id, res).StatusCode
	case "patch":
		return ts.do("PATCH", "/"+typ+"/"+id, `[{"op":"add","path":"/meta/tag","value":[{"code":"patched"}]}]`,
			"Content-Type", "application/json-patch+json").StatusCode
	case "delete":
		// Delete a copy, so that the other interactions still find the resource.
		copyID := "copy-" + id[:8]
		ts.do("PUT", "/"+typ+"/"+copyID, `{"resourceType":"`+typ+`","id":"`+copyID+`"}`)
		return ts.do("DELETE", "/"+typ+"/"+copyID, "").StatusCode
	case "history-instance":
		return ts.do("GET", "/"+typ+"/"+id+"/_history", "").StatusCode
	case "history-type":
		return ts.do("GET", "/"+typ+"/_history", "").StatusCode
	case "create":
		return ts.do("POST", "/"+typ, `{"resourceType":"`+typ+`"}`).StatusCode
	case "search-type":
		return ts.do("GET", "/"+typ+"?_id="+id, "").StatusCode
	case "transaction", "batch":
		r := ts.do("POST", "", bundleJSON(code, entry{method: "POST", url: "Basic", resource: `{"resourceType":"Basic","code":{"text":"x"}}`}))
		if r.StatusCode == 200 && responses(r)[0]["status"] != "201 Created" {
			return 500
		}
		return r.StatusCode
	case "search-system":
		return ts.do("GET", "?_id=x", "").StatusCode
	case "history-system":
		return ts.do("GET", "/_history", "").StatusCode
	}
	return 999 // an interaction this test does not know: the statement lists too much
}
