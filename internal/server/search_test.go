package server

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// searchIDs returns "Type/id (mode)" for each entry of a searchset.
func searchIDs(t *testing.T, r *response) []string {
	t.Helper()
	if r.StatusCode != 200 {
		t.Fatalf("search: %d %s", r.StatusCode, r.body)
	}
	var out []string
	entries, _ := r.json()["entry"].([]any)
	for _, e := range entries {
		e := e.(map[string]any)
		res := e["resource"].(map[string]any)
		mode := e["search"].(map[string]any)["mode"].(string)
		id, _ := res["id"].(string)
		out = append(out, res["resourceType"].(string)+"/"+id+" ("+mode+")")
	}
	return out
}

func TestSearchEndToEnd(t *testing.T) {
	eachBackend(t, Config{AdminToken: "adm"}, func(t *testing.T, ts *testServer) {
		org := ts.create("Organization", `{"resourceType":"Organization","name":"Leeds GP","identifier":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"B86001"}]}`)
		gp := ts.create("Practitioner", `{"resourceType":"Practitioner","name":[{"family":"Who"}]}`)
		p1 := ts.create("Patient", `{"resourceType":"Patient","name":[{"family":"Smith","given":["Zoë"]}],"birthDate":"1965-04-02",
			"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],
			"generalPractitioner":[{"reference":"Practitioner/`+gp+`"}],"managingOrganization":{"reference":"Organization/`+org+`"}}`)
		p2 := ts.create("Patient", `{"resourceType":"Patient","name":[{"family":"Jones"}],"birthDate":"1950"}`)
		obs := func(patient, code, date string, value float64) string {
			return ts.create("Observation", `{"resourceType":"Observation","status":"final",
				"code":{"coding":[{"system":"http://loinc.org","code":"`+code+`"}]},"subject":{"reference":"Patient/`+patient+`"},
				"effectiveDateTime":"`+date+`","valueQuantity":{"value":`+strconv.FormatFloat(value, 'f', -1, 64)+
				`,"system":"http://unitsofmeasure.org","code":"/min","unit":"/min"}}`)
		}
		o1 := obs(p1, "8867-4", "2021-01-01T10:00:00Z", 60)
		o2 := obs(p1, "8867-4", "2022-01-01T10:00:00Z", 72)
		o3 := obs(p2, "8480-6", "2021-06-01T10:00:00Z", 120)
		cond := ts.create("Condition", `{"resourceType":"Condition","code":{"coding":[{"system":"http://snomed.info/sct","code":"195967001"}]},
			"subject":{"reference":"Patient/`+p1+`"}}`)

		get := func(q string) []string { return searchIDs(t, ts.do("GET", q, "")) }
		cases := []struct {
			query string
			want  []string
		}{
			{"/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9434765919", []string{"Patient/" + p1 + " (match)"}},
			{"/Patient?family=smi&birthdate=ge1960", []string{"Patient/" + p1 + " (match)"}},
			{"/Patient?given=zoe", []string{"Patient/" + p1 + " (match)"}},
			{"/Observation?patient=" + p1 + "&code=http://loinc.org|8867-4&_sort=-date", []string{"Observation/" + o2 + " (match)", "Observation/" + o1 + " (match)"}},
			{"/Observation?code=http://loinc.org|8867-4&date=ge2021-06-01&_count=50", []string{"Observation/" + o2 + " (match)"}},
			{"/Observation?value-quantity=gt100", []string{"Observation/" + o3 + " (match)"}},
			{"/Condition?code=http://snomed.info/sct|195967001&_include=Condition:subject",
				[]string{"Condition/" + cond + " (match)", "Patient/" + p1 + " (include)"}},
			{"/Patient?_has:Observation:patient:code=8480-6", []string{"Patient/" + p2 + " (match)"}},
			{"/Observation?subject:Patient.general-practitioner.name=who&_sort=date", []string{"Observation/" + o1 + " (match)", "Observation/" + o2 + " (match)"}},
			{"/Patient?_id=" + p1 + "&_revinclude=Observation:subject&_include:iterate=Patient:organization",
				[]string{"Patient/" + p1 + " (match)", "Observation/" + o1 + " (include)", "Observation/" + o2 + " (include)", "Organization/" + org + " (include)"}},
			{"/Patient/" + p2 + "/Observation", []string{"Observation/" + o3 + " (match)"}},
			{"/Patient/" + p1 + "/$everything?_type=Patient,Condition", []string{"Patient/" + p1 + " (match)", "Condition/" + cond + " (match)",
				"Organization/" + org + " (include)", "Practitioner/" + gp + " (include)"}},
			{"/?_type=Condition,Patient&_id=" + cond, []string{"Condition/" + cond + " (match)"}},
		}
		for _, tc := range cases {
			got := get(tc.query)
			slices.Sort(got)
			slices.Sort(tc.want)
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s\n got %v\nwant %v", tc.query, got, tc.want)
			}
		}

		// Unknown parameters: reported in an outcome entry, 400 when strict.
		r := ts.do("GET", "/Patient?nonsense=1&family=jones", "")
		if got := searchIDs(t, r); !slices.Contains(got, "OperationOutcome/ (outcome)") || !slices.Contains(got, "Patient/"+p2+" (match)") {
			t.Errorf("lenient unknown parameter: %v", got)
		}
		if !strings.Contains(selfLink(r), "family=jones") || strings.Contains(selfLink(r), "nonsense") {
			t.Errorf("self link %q shows what was not applied", selfLink(r))
		}
		if r := ts.do("GET", "/Patient?nonsense=1", "", "Prefer", "handling=strict"); r.StatusCode != 400 {
			t.Errorf("strict unknown parameter: %d", r.StatusCode)
		}
		// _summary=count and totals.
		if r := ts.do("GET", "/Observation?_summary=count", "").json(); r["total"] != float64(3) || r["entry"] != nil {
			t.Errorf("_summary=count: total %v entries %v", r["total"], r["entry"])
		}
		if r := ts.do("GET", "/Observation?_total=none", "").json(); r["total"] != nil {
			t.Errorf("_total=none gave total %v", r["total"])
		}
		// Two criteria and a short page: no cheap count, so an estimate, an integer.
		r = ts.do("GET", "/Observation?status=final&code=http://loinc.org|8867-4&_count=1&_total=estimate", "")
		if n, ok := r.json()["total"].(float64); !ok || n < 1 || n != float64(int(n)) || !strings.Contains(string(r.body), `"total":`+strconv.Itoa(int(n))+`,`) {
			t.Errorf("_total=estimate: %.300s", r.body)
		}
		// _elements keeps the chosen elements and marks the resource SUBSETTED.
		r = ts.do("GET", "/Patient?_id="+p1+"&_elements=birthDate", "")
		res := r.json()["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)
		if res["birthDate"] != "1965-04-02" || res["name"] != nil || !strings.Contains(string(r.body), "SUBSETTED") {
			t.Errorf("_elements: %s", r.body)
		}
		// POST _search answers like GET.
		form := url.Values{"family": {"jones"}}.Encode()
		if got := searchIDs(t, ts.do("POST", "/Patient/_search", form, "Content-Type", "application/x-www-form-urlencoded")); !slices.Equal(got, []string{"Patient/" + p2 + " (match)"}) {
			t.Errorf("POST _search: %v", got)
		}
		// Paging: next links until the end, no duplicates.
		seen := map[string]bool{}
		next := "/Observation?_count=1&_sort=date"
		for next != "" {
			r := ts.do("GET", next, "")
			for _, id := range searchIDs(t, r) {
				if seen[id] {
					t.Fatalf("%s twice while paging", id)
				}
				seen[id] = true
			}
			next = strings.TrimPrefix(link(r, "next"), ts.url)
		}
		if len(seen) != 3 {
			t.Errorf("paging returned %d observations, want 3", len(seen))
		}
		// And back: previous links from the last page return the earlier pages.
		r = ts.do("GET", "/Observation?_count=1&_sort=date", "")
		first := searchIDs(t, r)
		r = ts.do("GET", strings.TrimPrefix(link(r, "next"), ts.url), "")
		r = ts.do("GET", strings.TrimPrefix(link(r, "next"), ts.url), "")
		r = ts.do("GET", strings.TrimPrefix(link(r, "previous"), ts.url), "")
		r = ts.do("GET", strings.TrimPrefix(link(r, "previous"), ts.url), "")
		if got := searchIDs(t, r); !slices.Equal(got, first) || link(r, "previous") != "" {
			t.Errorf("back to the first page: %v (previous %q), want %v", got, link(r, "previous"), first)
		}
	})
}

func TestConditionalCreateOnCode(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		med := `{"resourceType":"Medication","code":{"coding":[{"system":"https://dmd.nhs.uk","code":"39720311000001101"}]}}`
		first := ts.do("POST", "/Medication", med, "If-None-Exist", "code=https://dmd.nhs.uk|39720311000001101")
		second := ts.do("POST", "/Medication", med, "If-None-Exist", "code=https://dmd.nhs.uk|39720311000001101")
		if first.StatusCode != 201 || second.StatusCode != 200 {
			t.Fatalf("conditional creates: %d then %d, want 201 then 200", first.StatusCode, second.StatusCode)
		}
		if n := ts.do("GET", "/Medication?_summary=count", "").json()["total"]; n != float64(1) {
			t.Errorf("%v medications, want 1", n)
		}
	})
}

func TestReindexCustomParameter(t *testing.T) {
	eachBackend(t, Config{AdminToken: "adm"}, func(t *testing.T, ts *testServer) {
		p := ts.create("Patient", `{"resourceType":"Patient","extension":[{"url":"http://example.org/eye","valueCode":"blue"}]}`)
		ts.create("SearchParameter", `{"resourceType":"SearchParameter","url":"http://example.org/sp/eye","name":"eye","status":"active",
			"description":"eye colour","code":"eye-colour","base":["Patient"],"type":"token",
			"expression":"Patient.extension('http://example.org/eye').value"}`)
		if r := ts.do("GET", "/Patient?eye-colour=blue", "", "Prefer", "handling=strict"); r.StatusCode != 400 {
			t.Errorf("a parameter not yet reindexed answered %d", r.StatusCode)
		}
		r := ts.do("POST", "/$reindex", "", "Authorization", "Bearer adm")
		if r.StatusCode != 202 {
			t.Fatalf("$reindex: %d %s", r.StatusCode, r.body)
		}
		status := strings.TrimPrefix(r.Header.Get("Content-Location"), ts.url)
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(string(ts.do("GET", status, "").body), `"completed"`) {
			if time.Now().After(deadline) {
				t.Fatal("reindex did not complete")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if got := searchIDs(t, ts.do("GET", "/Patient?eye-colour=blue", "", "Prefer", "handling=strict")); !slices.Equal(got, []string{"Patient/" + p + " (match)"}) {
			t.Errorf("after $reindex: %v", got)
		}
		// A job id this process does not know (one from before a restart) is a 404
		// that says why.
		r = ts.do("GET", "/$reindex?job=fromanearlierprocess", "")
		if codes, _ := r.outcome(); r.StatusCode != 404 || !slices.Equal(codes, []string{"not-found"}) ||
			!strings.Contains(string(r.body), "restart") {
			t.Errorf("status of an unknown job: %d %s", r.StatusCode, r.body)
		}
	})
}

func selfLink(r *response) string { return link(r, "self") }

// TestCapabilityIncludesAreTrue asks for every _include and _revinclude the
// CapabilityStatement lists, strictly: each must be applied.
func TestCapabilityIncludesAreTrue(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		rest := ts.do("GET", "/metadata", "").json()["rest"].([]any)[0].(map[string]any)
		n := 0
		for _, res := range rest["resource"].([]any) {
			res := res.(map[string]any)
			typ := res["type"].(string)
			for _, kind := range []string{"searchInclude", "searchRevInclude"} {
				list, _ := res[kind].([]any)
				for _, v := range list {
					param := "_include"
					if kind == "searchRevInclude" {
						param = "_revinclude"
					}
					r := ts.do("GET", "/"+typ+"?"+param+"="+url.QueryEscape(v.(string)), "", "Prefer", "handling=strict")
					if r.StatusCode != 200 {
						t.Errorf("%s?%s=%s: %d %s", typ, param, v, r.StatusCode, r.body)
					}
					n++
				}
			}
		}
		if n < 1000 {
			t.Errorf("only %d includes listed", n)
		}
	})
}
