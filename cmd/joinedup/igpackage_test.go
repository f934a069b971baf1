package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ukCoreJSON finds ../shared/fhir/uk-core/json above the working directory, or skips.
func ukCoreJSON(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "fhir", "uk-core", "json")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("../shared/fhir/uk-core not found beside the repository")
		}
		dir = parent
	}
}

// TestValidateIGPackage: an implementation guide given as a FHIR NPM package validates
// exactly as the same guide given as a folder, and the package's examples are not
// loaded as definitions. The guide is UK Core's ACVPU profile, its base and its value
// set, with the profile's url changed so that only the guide, not the embedded UK Core,
// can answer for it.
func TestValidateIGPackage(t *testing.T) {
	uk := ukCoreJSON(t)
	const acvpu = "https://example.org/fhir/StructureDefinition/Pkg-ACVPU"
	const exampleURL = "https://example.org/fhir/StructureDefinition/Pkg-Example-Only"
	read := func(rel string) map[string]any {
		data, err := os.ReadFile(filepath.Join(uk, rel))
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	profile := read("structuredefinitions/UKCore-Observation-ACVPU.json")
	profile["url"] = acvpu
	inExample := read("structuredefinitions/UKCore-Observation-ACVPU.json")
	inExample["url"] = exampleURL
	obs := read("examples/UKCore-Observation-PatientConsciousness-Example.json")
	obs["meta"] = map[string]any{"profile": []string{acvpu}}
	definitions := [][2]string{
		{"StructureDefinition-Pkg-ACVPU.json", enc(profile)},
		{"StructureDefinition-UKCore-Observation.json", enc(read("structuredefinitions/UKCore-Observation.json"))},
		{"ValueSet-UKCore-ACVPU.json", enc(read("valuesets/ValueSet-UKCore-ACVPU.json"))},
	}

	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, d := range definitions {
		write(filepath.Join("folder", d[0]), []byte(d[1]))
	}
	folder := filepath.Join(dir, "folder")
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	tw := tar.NewWriter(z)
	entries := append([][2]string{
		{"package/package.json", `{"name":"example.acvpu","version":"0.1.0","fhirVersions":["4.0.1"]}`},
		{"package/.index.json", `{"index-version":1,"files":[]}`},
		{"package/example/StructureDefinition-Pkg-Example-Only.json", enc(inExample)},
		{"package/example/Observation-PatientConsciousness.json", enc(obs)},
	}, definitions...)
	for i := 4; i < len(entries); i++ {
		entries[i][0] = "package/" + entries[i][0]
	}
	for _, e := range entries {
		if err := tw.WriteHeader(&tar.Header{Name: e[0], Mode: 0o644, Size: int64(len(e[1])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	pkg := write("acvpu.tgz", buf.Bytes())

	good := write("good.json", []byte(enc(obs)))
	delete(obs, "subject") // the profile requires subject (min 1), base Observation does not
	bad := write("bad.json", []byte(enc(obs)))

	run := func(args ...string) (int, string) {
		cmd := newValidateCmd()
		var out, errOut bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&errOut)
		cmd.SetArgs(args)
		code := 0
		if err := cmd.Execute(); err != nil {
			code = exitCode(err)
		}
		return code, strings.ReplaceAll(out.String(), dir, "DIR") + errOut.String()
	}

	code, without := run(good, bad)
	if code != 0 || !strings.Contains(without, acvpu) {
		t.Fatalf("without the guide the claimed profile is unknown, a warning: exit %d, %s", code, without)
	}
	code, viaFolder := run("--ig", folder, good, bad)
	if code != 1 || !strings.Contains(viaFolder, "Observation.subject") {
		t.Fatalf("with the folder the bad observation fails on subject: exit %d, %s", code, viaFolder)
	}
	code, viaPackage := run("--ig", pkg, good, bad)
	if code != 1 || viaPackage != viaFolder {
		t.Fatalf("the package validates differently from the folder: exit %d\npackage: %s\nfolder:  %s", code, viaPackage, viaFolder)
	}
	if code, out := run("--ig", pkg, "--profile", exampleURL, good); code != 2 || !strings.Contains(out, "unknown profile") {
		t.Fatalf("a definition under package/example/ was loaded: exit %d, %s", code, out)
	}
}
