package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/interaction"
	"github.com/joinedup/joinedup/internal/store/sqlite"
	"github.com/joinedup/joinedup/internal/validate"
)

// validatingServer runs a server whose writes go through the UK Core policy.
func validatingServer(t *testing.T) string {
	t.Helper()
	v, err := validate.New(validate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	policy, err := validate.NewPolicy(v, []string{validate.UKCore}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(t.TempDir(), sqlite.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := interaction.New(interaction.Options{Store: st, ReferentialIntegrity: true,
		Validate: func(ctx context.Context, r fhir.Resource) []interaction.Issue {
			return outcomeIssues(policy.Check(ctx, r))
		}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{Service: svc, Logger: quiet, Policy: policy})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		st.Close()
	})
	return hs.URL + "/fhir"
}

func TestValidationOnWrite(t *testing.T) {
	base := validatingServer(t)
	const badNHS = `{"resourceType":"Patient","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765918"}]}`
	const good = `{"resourceType":"Patient","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}]}`
	const badEntry = `{"resourceType":"Bundle","type":"transaction","entry":[` +
		`{"fullUrl":"urn:uuid:0c2b5a2e-0000-4000-8000-000000000001","resource":` + good + `,"request":{"method":"POST","url":"Patient"}},` +
		`{"resource":{"resourceType":"Observation","code":{"text":"x"},"subject":{"reference":"urn:uuid:0c2b5a2e-0000-4000-8000-000000000001"}},"request":{"method":"POST","url":"Observation"}}]}`
	tests := []struct {
		name, method, path, body, prefer string
		status                           int
		contains                         []string
	}{
		{"bad NHS number refused", "POST", "/Patient", badNHS, "", 422,
			[]string{`"Patient.identifier[0].value"`, "check digit"}},
		{"nothing stored", "GET", "/Patient", "", "", 200, []string{`"total":0`}},
		{"warnings returned", "POST", "/Patient", good, "return=OperationOutcome", 201,
			[]string{`"severity":"information"`, `"severity":"warning"`, "dom-6"}},
		{"transaction refused whole", "POST", "", badEntry, "", 422,
			[]string{"Bundle.entry[1].resource", "minimum required = 1"}},
		{"transaction stored nothing", "GET", "/Observation", "", "", 200, []string{`"total":0`}},
		{"$validate type level", "POST", "/Patient/$validate", badNHS, "", 200,
			[]string{`"severity":"error"`, "Patient.identifier[0].value"}},
		{"$validate with profile parameter", "POST", "/Patient/$validate?profile=https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient", good, "", 200,
			[]string{`"severity":"warning"`}},
		{"$validate bad mode", "POST", "/Patient/$validate?mode=merge", good, "", 400, []string{"mode"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, base+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/fhir+json")
			if tc.prefer != "" {
				req.Header.Set("Prefer", tc.prefer)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			for _, c := range tc.contains {
				if !strings.Contains(string(body), c) {
					t.Errorf("response lacks %s: %s", c, body)
				}
			}
		})
	}
}

// Instance-level $validate validates the stored resource when the body has none.
func TestValidateInstance(t *testing.T) {
	base := validatingServer(t)
	resp, err := http.Post(base+"/Patient", "application/fhir+json", strings.NewReader(`{"resourceType":"Patient","active":true}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	id := strings.Split(strings.TrimPrefix(loc, base+"/Patient/"), "/")[0]
	if resp.StatusCode != http.StatusCreated || id == "" {
		t.Fatalf("create: %d %q", resp.StatusCode, loc)
	}
	for _, tc := range []struct {
		path   string
		status int
		want   string
	}{
		{"/Patient/" + id + "/$validate", 200, `"severity":"warning"`},
		{"/Patient/" + id + "/$validate?mode=delete", 200, "No issues detected"},
		{"/Patient/nosuch/$validate", 404, "not-found"},
	} {
		resp, err := http.Post(base+tc.path, "application/fhir+json", nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
			t.Errorf("%s: %d %s", tc.path, resp.StatusCode, body)
		}
	}
}

// The CapabilityStatement offers $validate when the server has a policy.
func TestCapabilitiesValidate(t *testing.T) {
	resp, err := http.Get(validatingServer(t) + "/metadata")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"name":"validate"`) || !strings.Contains(string(body), "Resource-validate") {
		t.Errorf("no $validate in the CapabilityStatement: %.300s", body)
	}
}
