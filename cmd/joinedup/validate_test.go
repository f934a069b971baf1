package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateCmd(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", `{"resourceType":"Patient","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}]}`)
	badNHS := write("bad.json", `{"resourceType":"Patient","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765918"}]}`)
	xml := write("good.xml", `<Patient xmlns="http://hl7.org/fhir"><active value="true"/></Patient>`)
	ukcore := "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"
	tests := []struct {
		name     string
		args     []string
		code     int
		lines    int
		contains string
	}{
		{"valid", []string{good}, 0, 1, `dom-6`},
		{"valid XML", []string{xml}, 0, 1, `"file"`},
		{"bad NHS number", []string{good, badNHS}, 1, 2, `Patient.identifier[0].value`},
		{"with UK Core profile", []string{"--profile", ukcore, good}, 0, 1, ""},
		{"unknown profile", []string{"--profile", "http://example.org/none", good}, 2, 0, ""},
		{"unreadable file", []string{good, filepath.Join(dir, "missing.json")}, 2, 1, ""},
		{"no files", nil, 2, 0, ""},
		{"bad flag", []string{"--nope", good}, 2, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := newValidateCmd()
			var out, errOut bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetErr(&errOut)
			cmd.SetArgs(tc.args)
			err := cmd.Execute()
			code := 0
			if err != nil {
				code = exitCode(err)
			}
			if code != tc.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tc.code, errOut.String())
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if out.Len() == 0 {
				lines = nil
			}
			if len(lines) != tc.lines {
				t.Fatalf("%d output lines, want %d: %s", len(lines), tc.lines, out.String())
			}
			for _, l := range lines {
				var v struct {
					File    string         `json:"file"`
					Outcome map[string]any `json:"outcome"`
				}
				if err := json.Unmarshal([]byte(l), &v); err != nil || v.File == "" || v.Outcome["resourceType"] != "OperationOutcome" {
					t.Errorf("bad line %q: %v", l, err)
				}
			}
			if !strings.Contains(out.String(), tc.contains) {
				t.Errorf("output lacks %q: %s", tc.contains, out.String())
			}
		})
	}
}
