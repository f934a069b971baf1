package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportCmd loads files into an embedded store through the one write path: the
// validation policy applies (a bad NHS number is refused, and --warn-only lets it in) and
// the exit status says whether anything failed.
func TestImportCmd(t *testing.T) {
	files := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", `{"resourceType":"Bundle","type":"transaction","entry":[
		{"resource":{"resourceType":"Patient","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}]},"request":{"method":"POST","url":"Patient"}},
		{"resource":{"resourceType":"Organization","name":"A GP practice"},"request":{"method":"POST","url":"Organization"}}]}`)
	lines := write("lines.ndjson", "{\"resourceType\":\"Patient\",\"id\":\"p1\"}\n{\"resourceType\":\"Patient\",\"id\":\"p2\"}\n")
	badNHS := write("bad.json", `{"resourceType":"Patient","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765918"}]}`)

	tests := []struct {
		name    string
		args    []string
		wantErr bool
		out     string
	}{
		{"bundle and NDJSON", []string{good, lines}, false, "2 files"},
		{"again: NDJSON ids update", []string{lines}, false, "0 created, 2 updated, 0 failed"},
		{"bad NHS number refused", []string{badNHS}, true, "NHS number 943 476 5918 is not valid"},
		{"warn-only lets it in", []string{"--warn-only", "Patient", badNHS}, false, "1 created, 0 updated, 0 failed"},
		{"missing path", []string{filepath.Join(files, "nope")}, true, ""},
	}
	data := t.TempDir()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := newImportCmd()
			var out, errOut bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetErr(&errOut)
			cmd.SetArgs(append([]string{"--quiet", "--data", data}, tc.args...))
			err := cmd.Execute()
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want error %v (stdout %q, stderr %q)", err, tc.wantErr, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), tc.out) {
				t.Errorf("output %q does not contain %q", out.String(), tc.out)
			}
		})
	}
}
