package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/joinedup/joinedup/fhir"
)

func runConvert(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	cmd := newConvertCmd()
	var out, errOut bytes.Buffer
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestConvert(t *testing.T) {
	const js = `{"resourceType":"Observation","status":"final","code":{"text":"weight"},"valueQuantity":{"value":72.50,"unit":"kg"},` +
		`"text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>72.50 kg</p></div>"}}`
	dir := t.TempDir()
	in := filepath.Join(dir, "obs.json")
	if err := os.WriteFile(in, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}

	x, _, err := runConvert(t, "", "--to", "xml", in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(x, `<value value="72.50"/>`) || !strings.Contains(x, `<div xmlns="http://www.w3.org/1999/xhtml"><p>72.50 kg</p></div>`) {
		t.Errorf("XML output:\n%s", x)
	}
	back, _, err := runConvert(t, x, "--to", "json", "--compact", "-")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := fhir.ParseResource([]byte(js))
	want, _ := fhir.MarshalResource(r)
	if strings.TrimSpace(back) != string(want) {
		t.Errorf("JSON → XML → JSON:\n got %s\nwant %s", back, want)
	}

	// Several files into a directory; a bad file is reported and fails the run.
	bad := filepath.Join(dir, "bad.xml")
	os.WriteFile(bad, []byte(`<Observation xmlns="http://hl7.org/fhir"><colour value="red"/></Observation>`), 0o644)
	out := filepath.Join(dir, "out")
	_, stderr, err := runConvert(t, "", "--to", "xml", "--out", out, in, bad)
	if err == nil || !strings.Contains(stderr, "Observation.colour") {
		t.Errorf("bad file: err %v, stderr %q", err, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "obs.xml")); err != nil {
		t.Errorf("obs.xml not written: %v", err)
	}
	for _, args := range [][]string{{"--to", "yaml", in}, {"--to", "xml", in, bad}, {in}} {
		if _, _, err := runConvert(t, "", args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
