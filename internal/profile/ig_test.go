package profile

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// tgz returns a gzipped tar of files (name → content), in the order given.
func tgz(t *testing.T, files [][2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	tw := tar.NewWriter(z)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f[0], Mode: 0o644, Size: int64(len(f[1])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(f[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestLoadIGPackage(t *testing.T) {
	const (
		sd  = `{"resourceType":"StructureDefinition","url":"http://example.org/sd/a","name":"A","status":"active","kind":"resource","abstract":false,"type":"Patient","baseDefinition":"http://hl7.org/fhir/StructureDefinition/Patient","derivation":"constraint","differential":{"element":[{"id":"Patient","path":"Patient"}]}}`
		ex  = `{"resourceType":"StructureDefinition","url":"http://example.org/sd/example","name":"Ex","status":"active","kind":"resource","abstract":false,"type":"Patient","baseDefinition":"http://hl7.org/fhir/StructureDefinition/Patient","derivation":"constraint"}`
		vs  = `{"resourceType":"ValueSet","url":"http://example.org/vs/a","status":"active"}`
		cs  = `{"resourceType":"CodeSystem","url":"http://example.org/cs/a","status":"active","content":"complete"}`
		pkg = `{"name":"example.fhir","version":"1.0.0","fhirVersions":["4.0.1"]}`
		idx = `{"index-version":1,"files":[]}`
	)
	good := [][2]string{
		{"package/package.json", pkg},
		{"package/.index.json", idx},
		{"package/StructureDefinition-a.json", sd},
		{"package/ValueSet-a.json", vs},
		{"./package/CodeSystem-a.json", cs},
		{"package/Patient-p.json", `{"resourceType":"Patient","id":"p"}`},
		{"package/example/StructureDefinition-example.json", ex},
		{"package/other/spec.internals", "not json"},
		{"package/openapi/a.json", `{"openapi":"3.0.0"}`},
		{"package/README.md", "# readme"},
		{"package/usage.json", `{"tool":"x"}`},
	}
	tests := []struct {
		name     string
		files    [][2]string
		raw      []byte // instead of files
		wantURLs []string
		wantTx   int
		wantErr  string
	}{
		{name: "definitions loaded, examples and other files skipped", files: good,
			wantURLs: []string{"http://example.org/sd/a"}, wantTx: 2},
		{name: "an unknown resource type", files: append(good[:3:3], [2]string{"package/broken.json", `{"resourceType":"Nope"}`}),
			wantErr: "package/broken.json"},
		{name: "invalid JSON", files: [][2]string{{"package/ValueSet-x.json", `{"resourceType":`}},
			wantErr: "package/ValueSet-x.json"},
		{name: "a StructureDefinition without url", files: [][2]string{{"package/sd.json", `{"resourceType":"StructureDefinition","name":"x"}`}},
			wantErr: "package/sd.json"},
		{name: "not gzip", raw: []byte("plain text"), wantErr: "gzip"},
		{name: "truncated", raw: tgz(t, good)[:200], wantErr: "package"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.raw
			if data == nil {
				data = tgz(t, tc.files)
			}
			p := filepath.Join(t.TempDir(), "ig.tgz")
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			reg := NewRegistry(nil)
			tx, err := reg.LoadIG(p)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one naming %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := reg.URLs(); !reflect.DeepEqual(got, tc.wantURLs) {
				t.Errorf("URLs = %v, want %v", got, tc.wantURLs)
			}
			if len(tx) != tc.wantTx {
				t.Errorf("%d terminology resources, want %d", len(tx), tc.wantTx)
			}
		})
	}
}

// TestLoadIGPath: a folder and a .tar.gz are both accepted, other files are not.
func TestLoadIGPath(t *testing.T) {
	dir := t.TempDir()
	sd := `{"resourceType":"StructureDefinition","url":"http://example.org/sd/a","name":"A","status":"active","kind":"resource","abstract":false,"type":"Patient","baseDefinition":"http://hl7.org/fhir/StructureDefinition/Patient","derivation":"constraint"}`
	folder := filepath.Join(dir, "folder")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		filepath.Join(folder, "a.json"): []byte(sd),
		filepath.Join(dir, "ig.tar.gz"): tgz(t, [][2]string{{"package/a.json", sd}}),
		filepath.Join(dir, "ig.zip"):    []byte("PK"),
	}
	for p, data := range files {
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		path string
		ok   bool
	}{
		{folder, true},
		{filepath.Join(dir, "ig.tar.gz"), true},
		{filepath.Join(dir, "ig.zip"), false},
		{filepath.Join(dir, "missing.tgz"), false},
	} {
		reg := NewRegistry(nil)
		_, err := reg.LoadIG(tc.path)
		if (err == nil) != tc.ok {
			t.Errorf("LoadIG(%s): err = %v, want ok %v", filepath.Base(tc.path), err, tc.ok)
			continue
		}
		if tc.ok && !reg.Known("http://example.org/sd/a") {
			t.Errorf("LoadIG(%s) did not add the definition", filepath.Base(tc.path))
		}
	}
}

// An entry over the size bound is refused by name before it is read.
func TestLoadIGPackageBound(t *testing.T) {
	big := `{"resourceType":"ValueSet","url":"http://example.org/vs/big","status":"active"}` + strings.Repeat(" ", maxPackageFile)
	p := filepath.Join(t.TempDir(), "big.tgz")
	if err := os.WriteFile(p, tgz(t, [][2]string{{"package/ValueSet-big.json", big}}), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NewRegistry(nil).LoadIG(p); err == nil || !strings.Contains(err.Error(), "package/ValueSet-big.json") {
		t.Fatalf("err = %v, want the entry named", err)
	}
}

// Removing a definition uncovers the parent's of the same url, and snapshots built on it
// are built again.
func TestRegistryRemove(t *testing.T) {
	const a, b = "http://example.org/sd/a", "http://example.org/sd/b"
	sd := func(url, base, element string) []byte {
		return []byte(`{"resourceType":"StructureDefinition","url":"` + url + `","version":"1","name":"X","status":"active","kind":"resource","abstract":false,"type":"Patient",` +
			`"baseDefinition":"` + base + `","derivation":"constraint",` +
			`"differential":{"element":[{"id":"Patient.` + element + `","path":"Patient.` + element + `","min":1}]}}`)
	}
	parent := NewRegistry(nil)
	if err := parent.AddJSON(sd(a, CorePrefix+"Patient", "gender")); err != nil {
		t.Fatal(err)
	}
	reg := NewRegistry(parent)
	for _, d := range [][]byte{sd(a, CorePrefix+"Patient", "active"), sd(b, a, "birthDate")} {
		if err := reg.AddJSON(d); err != nil {
			t.Fatal(err)
		}
	}
	// required lists which of the elements the snapshot of url requires.
	required := func(url string) []string {
		snap, err := reg.Snapshot(url)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, el := range []string{"active", "birthDate", "gender"} {
			if c := snap.Root.Child(el); c != nil && c.Min > 0 {
				out = append(out, el)
			}
		}
		return out
	}
	if got := required(b); !reflect.DeepEqual(got, []string{"active", "birthDate"}) {
		t.Fatalf("before: b requires %v", got)
	}
	reg.Remove(a)
	if got := required(b); !reflect.DeepEqual(got, []string{"birthDate", "gender"}) {
		t.Errorf("after: b requires %v, want it built on the parent's a", got)
	}
	if !reg.Known(a+"|1") || !reflect.DeepEqual(reg.URLs(), []string{b}) {
		t.Errorf("after: URLs %v", reg.URLs())
	}
	reg.Remove(b)
	if reg.Known(b) || reg.Known(b+"|1") {
		t.Error("b still known after its removal")
	}
}
