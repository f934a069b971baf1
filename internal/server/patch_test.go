package server

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

const fhirpathPatchJSON = `{"resourceType":"Parameters","parameter":[{"name":"operation","part":[` +
	`{"name":"type","valueCode":"replace"},{"name":"path","valueString":"Patient.birthDate"},{"name":"value","valueDate":"1980-05-06"}]}]}`

const fhirpathPatchXML = `<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="operation"/>` +
	`<part><name value="type"/><valueCode value="add"/></part>` +
	`<part><name value="path"/><valueString value="Patient"/></part>` +
	`<part><name value="name"/><valueString value="gender"/></part>` +
	`<part><name value="value"/><valueCode value="female"/></part></parameter></Parameters>`

const xmlPatch = `<diff xmlns:f="http://hl7.org/fhir"><replace sel="f:Patient/f:name/f:family/@value">Brown</replace></diff>`

func TestPatch(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		id := ts.create("Patient", `{"resourceType":"Patient","identifier":[{"system":"http://example.org/mrn","value":"p1"}],`+
			`"name":[{"family":"Smith","given":["Jo"]}],"birthDate":"1970-01-01","multipleBirthInteger":2}`)
		version := 1
		cases := []struct {
			name, method, path, ct, body string
			headers                      []string
			check                        func(m map[string]any) bool
		}{
			{"JSON Patch", "PATCH", "/Patient/" + id, "application/json-patch+json",
				`[{"op":"replace","path":"/name/0/given/0","value":"Joanna"},{"op":"add","path":"/active","value":true}]`, nil,
				func(m map[string]any) bool {
					return m["active"] == true && m["name"].([]any)[0].(map[string]any)["given"].([]any)[0] == "Joanna"
				}},
			{"XML Patch", "PATCH", "/Patient/" + id, "application/xml-patch+xml", xmlPatch, nil,
				func(m map[string]any) bool { return m["name"].([]any)[0].(map[string]any)["family"] == "Brown" }},
			{"FHIRPath Patch JSON", "PATCH", "/Patient/" + id, "application/fhir+json", fhirpathPatchJSON, nil,
				func(m map[string]any) bool { return m["birthDate"] == "1980-05-06" }},
			{"FHIRPath Patch XML", "PATCH", "/Patient/" + id, "application/fhir+xml", fhirpathPatchXML, nil,
				func(m map[string]any) bool { return m["gender"] == "female" }},
			{"conditional", "PATCH", "/Patient?identifier=http://example.org/mrn|p1", "application/json-patch+json",
				`[{"op":"remove","path":"/active"}]`, nil,
				func(m map[string]any) bool { _, has := m["active"]; return !has }},
			{"If-Match current", "PATCH", "/Patient/" + id, "application/json-patch+json",
				`[{"op":"replace","path":"/multipleBirthInteger","value":3}]`, []string{"If-Match", `W/"6"`},
				func(m map[string]any) bool { return m["multipleBirthInteger"] == float64(3) }},
		}
		for _, c := range cases {
			r := ts.do(c.method, c.path, c.body, append([]string{"Content-Type", c.ct}, c.headers...)...)
			if r.StatusCode != http.StatusOK {
				t.Errorf("%s: %d %s", c.name, r.StatusCode, r.body)
				continue
			}
			version++
			m := r.json()
			if !c.check(m) {
				t.Errorf("%s: not applied: %s", c.name, r.body)
			}
			if got := m["meta"].(map[string]any)["versionId"]; got != strconv.Itoa(version) {
				t.Errorf("%s: version %v, want %d", c.name, got, version)
			}
			if r.Header.Get("ETag") != `W/"`+strconv.Itoa(version)+`"` {
				t.Errorf("%s: ETag %q", c.name, r.Header.Get("ETag"))
			}
		}

		// Refusals store nothing.
		before := ts.count()
		refusals := []struct {
			name, path, ct, body string
			headers              []string
			status               int
		}{
			{"stale If-Match", "/Patient/" + id, "application/json-patch+json", `[{"op":"add","path":"/active","value":true}]`, []string{"If-Match", `W/"1"`}, 412},
			{"invalid result", "/Patient/" + id, "application/json-patch+json", `[{"op":"add","path":"/birthDate","value":"not a date"}]`, nil, 400},
			{"unknown element", "/Patient/" + id, "application/json-patch+json", `[{"op":"add","path":"/colour","value":"blue"}]`, nil, 400},
			{"invalid FHIRPath result", "/Patient/" + id, "application/fhir+json",
				strings.Replace(fhirpathPatchJSON, `"valueDate":"1980-05-06"`, `"valueString":"soon"`, 1), nil, 400},
			{"failing test op", "/Patient/" + id, "application/json-patch+json", `[{"op":"test","path":"/gender","value":"male"}]`, nil, 400},
			{"changes the id", "/Patient/" + id, "application/json-patch+json", `[{"op":"replace","path":"/id","value":"other"}]`, nil, 400},
			{"unknown resource", "/Patient/nobody", "application/json-patch+json", `[{"op":"add","path":"/active","value":true}]`, nil, 404},
			{"no match", "/Patient?identifier=none", "application/json-patch+json", `[{"op":"add","path":"/active","value":true}]`, nil, 404},
			{"not a patch type", "/Patient/" + id, "text/plain", `x`, nil, 415},
			{"malformed JSON Patch", "/Patient/" + id, "application/json-patch+json", `{"op":"add"}`, nil, 400},
			{"Parameters that is not a patch", "/Patient/" + id, "application/fhir+json", `{"resourceType":"Parameters","parameter":[{"name":"x"}]}`, nil, 400},
			{"XML Patch selecting nothing", "/Patient/" + id, "application/xml-patch+xml",
				`<diff xmlns:f="http://hl7.org/fhir"><remove sel="f:Patient/f:photo"/></diff>`, nil, 400},
		}
		for _, c := range refusals {
			r := ts.do("PATCH", c.path, c.body, append([]string{"Content-Type", c.ct}, c.headers...)...)
			if r.StatusCode != c.status {
				t.Errorf("%s: %d, want %d: %s", c.name, r.StatusCode, c.status, r.body)
			}
			if codes, _ := r.outcome(); len(codes) == 0 {
				t.Errorf("%s: no OperationOutcome: %s", c.name, r.body)
			}
		}
		if after := ts.count(); after != before {
			t.Errorf("refused patches stored %d versions", after-before)
		}
	})
}

// TestPatchInBundles: PATCH entries in batch and transaction bundles — Binary-wrapped
// JSON and XML Patch, and Parameters for FHIRPath Patch.
func TestPatchInBundles(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		id := ts.create("Patient", `{"resourceType":"Patient","name":[{"family":"Smith"}],"birthDate":"1970-01-01"}`)
		binary := func(ct, data string) string {
			return `{"resourceType":"Binary","contentType":"` + ct + `","data":"` + base64.StdEncoding.EncodeToString([]byte(data)) + `"}`
		}
		for _, typ := range []string{"transaction", "batch"} {
			r := ts.do("POST", "", bundleJSON(typ,
				entry{method: "PATCH", url: "Patient/" + id, resource: binary("application/json-patch+json", `[{"op":"add","path":"/active","value":true}]`)},
			))
			if r.StatusCode != http.StatusOK {
				t.Fatalf("%s JSON Patch: %d %s", typ, r.StatusCode, r.body)
			}
			r = ts.do("POST", "", bundleJSON(typ,
				entry{method: "PATCH", url: "Patient/" + id, resource: binary("application/xml-patch+xml", xmlPatch)},
			))
			if r.StatusCode != http.StatusOK {
				t.Fatalf("%s XML Patch: %d %s", typ, r.StatusCode, r.body)
			}
			r = ts.do("POST", "", bundleJSON(typ,
				entry{method: "PATCH", url: "Patient?family=Brown", resource: fhirpathPatchJSON},
			))
			if r.StatusCode != http.StatusOK {
				t.Fatalf("%s FHIRPath Patch: %d %s", typ, r.StatusCode, r.body)
			}
			if strings.Contains(string(r.body), `"status":"4`) {
				t.Errorf("%s: an entry failed: %s", typ, r.body)
			}
			m := ts.do("GET", "/Patient/"+id, "").json()
			if m["active"] != true || m["birthDate"] != "1980-05-06" || m["name"].([]any)[0].(map[string]any)["family"] != "Brown" {
				t.Errorf("%s: patches not applied: %v", typ, m)
			}
			// Reset for the next bundle type.
			ts.do("PUT", "/Patient/"+id, `{"resourceType":"Patient","id":"`+id+`","name":[{"family":"Smith"}],"birthDate":"1970-01-01"}`)
		}

		// A transaction whose patch makes an invalid resource fails as a whole.
		before := ts.count()
		r := ts.do("POST", "", bundleJSON("transaction",
			entry{method: "POST", url: "Patient", resource: `{"resourceType":"Patient"}`},
			entry{method: "PATCH", url: "Patient/" + id, resource: binary("application/json-patch+json", `[{"op":"add","path":"/birthDate","value":"never"}]`)},
		))
		if r.StatusCode < 400 {
			t.Errorf("invalid patch in a transaction: %d %s", r.StatusCode, r.body)
		}
		if after := ts.count(); after != before {
			t.Errorf("failed transaction stored %d versions", after-before)
		}
	})
}
