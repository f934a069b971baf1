package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runFHIRPathCmd(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := newFHIRPathCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(args)
	err := cmd.Execute()
	return strings.TrimSpace(out.String()), err
}

func TestFHIRPathCmd(t *testing.T) {
	dir := t.TempDir()
	patient := filepath.Join(dir, "patient.json")
	const patientJSON = `{"resourceType":"Patient","id":"p1","active":true,"birthDate":"1974-12-25",` +
		`"name":[{"use":"official","family":"Chalmers","given":["Peter","James"]}]}`
	if err := os.WriteFile(patient, []byte(patientJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"decimal", []string{"1.50 + 0"}, `[{"type":"decimal","value":"1.50"}]`},
		{"boolean", []string{"1 < 2"}, `[{"type":"boolean","value":"true"}]`},
		{"quantity", []string{"1.5 'mg'"}, `[{"type":"Quantity","value":{"value":"1.5","unit":"mg"}}]`},
		{"date", []string{"-r", patient, "birthDate"}, `[{"type":"date","value":"1974-12-25"}]`},
		{"strings", []string{"-r", patient, "name.given"}, `[{"type":"string","value":"Peter"},{"type":"string","value":"James"}]`},
		{"complex", []string{"-r", patient, "name"}, `[{"type":"HumanName","value":{"use":"official","family":"Chalmers","given":["Peter","James"]}}]`},
		{"empty", []string{"-r", patient, "name.suffix"}, `[]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := runFHIRPathCmd(t, "", tt.args...)
			if err != nil {
				t.Fatalf("error %v (output %s)", err, got)
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	if _, err := runFHIRPathCmd(t, "", "name.where("); err == nil {
		t.Error("a syntax error was not reported")
	}
}

func TestFHIRPathCmdBatch(t *testing.T) {
	in := `{"resource": {"resourceType": "Patient", "gender": "male"}, "expression": "gender"}
{"expression": "1 + 1"}
{"expression": "1 +"}
{"resource": {"resourceType": "Nothing"}, "expression": "id"}
`
	got, err := runFHIRPathCmd(t, in, "--batch")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(got, "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want 4:\n%s", len(lines), got)
	}
	want := []string{
		`{"result":[{"type":"code","value":"male"}]}`,
		`{"result":[{"type":"integer","value":"2"}]}`,
		`{"error":`,
		`{"error":`,
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %s, want %s…", i+1, lines[i], w)
		}
	}
}
