package server

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestSearchHierarchyAndNear runs reference :above/:below (on a hierarchy that points
// parts at their whole and one that points a whole at its parts) and near through the
// REST API: parsing, the index the server extracts, the store, the 400 for a parameter
// without a hierarchy, and the CapabilityStatement.
func TestSearchHierarchyAndNear(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		put := func(typ, id, body string) {
			t.Helper()
			if r := ts.do("PUT", "/"+typ+"/"+id, `{"resourceType":"`+typ+`","id":"`+id+`"`+body+`}`); r.StatusCode != 200 && r.StatusCode != 201 {
				t.Fatalf("PUT %s/%s: %d %s", typ, id, r.StatusCode, r.body)
			}
		}
		partOf := func(parent string) string { return `,"partOf":{"reference":"Location/` + parent + `"}` }
		// Leeds, then 1.1 km, 5.6 km and 16.7 km due north.
		put("Location", "site", `,"position":{"latitude":53.80,"longitude":-1.55}`)
		put("Location", "ward", `,"position":{"latitude":53.81,"longitude":-1.55}`+partOf("site"))
		put("Location", "bed", `,"position":{"latitude":53.85,"longitude":-1.55}`+partOf("ward"))
		put("Location", "far", `,"position":{"latitude":53.95,"longitude":-1.55}`)
		put("Location", "c1", "")
		put("Location", "c2", partOf("c1"))
		put("Location", "c1", partOf("c2")) // a cycle
		enc := func(id, loc string) {
			put("Encounter", id, `,"status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},
				"location":[{"location":{"reference":"Location/`+loc+`"}}]`)
		}
		enc("e-site", "site")
		enc("e-bed", "bed")
		enc("e-c2", "c2")
		// Observation has-member points a whole at its parts: panel > sub > m1, panel > m2.
		obs := func(id string, parts ...string) {
			var refs []string
			for _, p := range parts {
				refs = append(refs, `{"reference":"Observation/`+p+`"}`)
			}
			members := ""
			if len(refs) > 0 {
				members = `,"hasMember":[` + strings.Join(refs, ",") + `]`
			}
			put("Observation", id, `,"status":"final","code":{"text":"`+id+`"}`+members)
		}
		obs("m1")
		obs("m2")
		obs("sub", "m1")
		obs("panel", "sub", "m2")
		for _, o := range []string{"panel", "m1"} {
			put("DiagnosticReport", "r-"+o, `,"status":"final","code":{"text":"report"},"result":[{"reference":"Observation/`+o+`"}]`)
		}

		cases := []struct {
			query string
			want  []string
		}{
			{"/Encounter?location:below=site", []string{"Encounter/e-bed", "Encounter/e-site"}},
			{"/Encounter?location:below=Location/ward", []string{"Encounter/e-bed"}},
			{"/Encounter?location:above=" + url.QueryEscape(ts.url+"/Location/bed"), []string{"Encounter/e-bed", "Encounter/e-site"}},
			{"/Encounter?location:above=ward", []string{"Encounter/e-site"}},
			{"/Encounter?location:below=c1", []string{"Encounter/e-c2"}},
			{"/Location?partof:below=site", []string{"Location/bed", "Location/ward"}},
			{"/Location?partof:above=Location/bed", []string{"Location/bed", "Location/ward"}},
			{"/DiagnosticReport?result:below=Observation/sub", []string{"DiagnosticReport/r-m1"}},
			{"/DiagnosticReport?result:below=panel", []string{"DiagnosticReport/r-m1", "DiagnosticReport/r-panel"}},
			{"/DiagnosticReport?result:above=m1", []string{"DiagnosticReport/r-m1", "DiagnosticReport/r-panel"}},
			{"/DiagnosticReport?result:above=sub", []string{"DiagnosticReport/r-panel"}},
			{"/Observation?has-member:below=sub", []string{"Observation/panel", "Observation/sub"}},
			{"/Observation?has-member:above=m2", []string{"Observation/panel"}},
			{"/Location?near=" + url.QueryEscape("53.8|-1.55|5|km"), []string{"Location/site", "Location/ward"}},
			{"/Location?near=" + url.QueryEscape("53.8|-1.55|5"), []string{"Location/site", "Location/ward"}},
			{"/Location?near=" + url.QueryEscape("53.8|-1.55|6000|m"), []string{"Location/bed", "Location/site", "Location/ward"}},
			{"/Location?near=" + url.QueryEscape("53.8|-1.55|10|[mi_i]"), []string{"Location/bed", "Location/site", "Location/ward"}},
			{"/Location?near=" + url.QueryEscape("53.8|-1.55|11|mi"), []string{"Location/bed", "Location/far", "Location/site", "Location/ward"}},
		}
		for _, tc := range cases {
			var got []string
			for _, id := range searchIDs(t, ts.do("GET", tc.query, "", "Prefer", "handling=strict")) {
				got = append(got, strings.TrimSuffix(id, " (match)"))
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s\n got %v\nwant %v", tc.query, got, tc.want)
			}
		}

		// :above and :below on a parameter whose targets have no hierarchy cannot be
		// answered: 400, whether or not the client asked for strict handling.
		for _, q := range []string{"/Encounter?practitioner:below=p1", "/Patient?general-practitioner:above=Practitioner/p1"} {
			for _, handling := range []string{"lenient", "strict"} {
				r := ts.do("GET", q, "", "Prefer", "handling="+handling)
				if codes, _ := r.outcome(); r.StatusCode != 400 || len(codes) == 0 || !strings.Contains(string(r.body), "has no hierarchy") {
					t.Errorf("%s (%s): %d %s, want 400 saying it has no hierarchy", q, handling, r.StatusCode, r.body)
				}
			}
		}

		// The CapabilityStatement offers the modifiers exactly where they work.
		docs := map[string]string{}
		for _, res := range ts.do("GET", "/metadata", "").json()["rest"].([]any)[0].(map[string]any)["resource"].([]any) {
			res := res.(map[string]any)
			for _, sp := range res["searchParam"].([]any) {
				sp := sp.(map[string]any)
				doc, _ := sp["documentation"].(string)
				docs[res["type"].(string)+"."+sp["name"].(string)] = doc
			}
		}
		for param, want := range map[string]bool{"Location.partof": true, "Encounter.location": true, "Procedure.part-of": true,
			"Encounter.practitioner": false, "Patient.general-practitioner": true, "Observation.device": false} {
			if got := strings.Contains(docs[param], "above, below"); got != want {
				t.Errorf("%s documentation %q: lists :above and :below %v, want %v", param, docs[param], got, want)
			}
		}
	})
}
