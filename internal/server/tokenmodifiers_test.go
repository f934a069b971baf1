package server

import (
	"slices"
	"strings"
	"testing"
)

// TestSearchTokenTerminologyModifiers runs token :in, :not-in, :above and :below
// (search.html#token) against each store.
func TestSearchTokenTerminologyModifiers(t *testing.T) {
	const roleCode = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		obs := func(status, system string) string {
			return ts.create("Observation", `{"resourceType":"Observation","status":"`+status+`",
				"code":{"coding":[{"system":"`+system+`","code":"x"}]}}`)
		}
		final := obs("final", "http://example.org/a")
		amended := obs("amended", "http://example.org/b")
		patient := ts.create("Patient", `{"resourceType":"Patient"}`)
		rel := func(code string) string {
			return ts.create("RelatedPerson", `{"resourceType":"RelatedPerson","patient":{"reference":"Patient/`+patient+`"},
				"relationship":[{"coding":[{"system":"`+roleCode+`","code":"`+code+`"}]}]}`)
		}
		mother := rel("MTH")
		son := rel("SON")
		friend := rel("FRND")
		family := rel("FAMMEMB")

		cases := []struct {
			query string
			want  []string
		}{
			{"/Observation?status:in=http://hl7.org/fhir/ValueSet/observation-status", []string{"Observation/" + final, "Observation/" + amended}},
			// A value set of other codes matches nothing; :not-in then matches all.
			{"/Observation?status:in=http://hl7.org/fhir/ValueSet/administrative-gender", nil},
			{"/Observation?status:not-in=http://hl7.org/fhir/ValueSet/administrative-gender", []string{"Observation/" + final, "Observation/" + amended}},
			{"/Observation?status:not-in=http://hl7.org/fhir/ValueSet/observation-status", nil},
			{"/Observation?status:in=http://hl7.org/fhir/ValueSet/observation-status&code=http://example.org/b|x", []string{"Observation/" + amended}},
			{"/RelatedPerson?relationship:below=" + roleCode + "|FAMMEMB", []string{"RelatedPerson/" + mother, "RelatedPerson/" + son, "RelatedPerson/" + family}},
			{"/RelatedPerson?relationship:below=" + roleCode + "|MTH", []string{"RelatedPerson/" + mother}},
			{"/RelatedPerson?relationship:above=" + roleCode + "|MTH", []string{"RelatedPerson/" + mother, "RelatedPerson/" + family}},
			{"/RelatedPerson?relationship:above=" + roleCode + "|FRND", []string{"RelatedPerson/" + friend}},
			{"/RelatedPerson?relationship:not-in=http://hl7.org/fhir/ValueSet/relatedperson-relationshiptype", nil},
		}
		for _, tc := range cases {
			var got []string
			for _, id := range searchIDs(t, ts.do("GET", tc.query, "")) {
				got = append(got, strings.TrimSuffix(id, " (match)"))
			}
			slices.Sort(got)
			slices.Sort(tc.want)
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s\n got %v\nwant %v", tc.query, got, tc.want)
			}
		}

		refused := []struct{ query, want string }{
			{"/Observation?status:in=http://example.org/ValueSet/none", "is unknown to this server"},
			{"/Observation?code:below=http://snomed.info/sct|404684003", "the hierarchy of http://snomed.info/sct is unknown"},
			{"/Observation?code:above=http://example.org/cs|a", "the hierarchy of http://example.org/cs is unknown"},
		}
		for _, tc := range refused {
			r := ts.do("GET", tc.query, "")
			if r.StatusCode != 400 || !strings.Contains(string(r.body), "OperationOutcome") || !strings.Contains(string(r.body), tc.want) {
				t.Errorf("%s: %d %s", tc.query, r.StatusCode, r.body)
			}
		}
	})
}
