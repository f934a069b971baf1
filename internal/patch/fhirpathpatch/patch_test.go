package fhirpathpatch

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/joinedup/joinedup/fhir"
)

type suite struct {
	Cases []struct {
		Name   string `xml:"name,attr"`
		Mode   string `xml:"mode,attr"`
		Input  inner  `xml:"input"`
		Diff   inner  `xml:"diff"`
		Output inner  `xml:"output"`
		Error  *struct {
			Msg string `xml:"msg,attr"`
		} `xml:"error"`
	} `xml:"case"`
}

type inner struct {
	XML string `xml:",innerxml"`
}

func readXML(t *testing.T, s string) fhir.Resource {
	t.Helper()
	r, err := fhir.ParseResourceXML([]byte(strings.TrimSpace(s)))
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return r
}

// TestSuite runs every case of the FHIR test suite's fhir-patch-tests.xml.
func TestSuite(t *testing.T) {
	path := filepath.Join("..", "..", "..", "..", "shared", "tests", "patch", "fhir-patch-tests.xml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("shared test cases not found at %s (clone with ../shared beside the repository): %v", path, err)
	}
	var s suite
	if err := xml.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	passed := 0
	for _, c := range s.Cases {
		ok := t.Run(c.Name, func(t *testing.T) {
			in := readXML(t, c.Input.XML)
			params, ok := readXML(t, c.Diff.XML).(*fhir.Parameters)
			if !ok {
				t.Fatal("diff is not a Parameters resource")
			}
			err := Apply(in, params)
			if c.Error != nil {
				if err == nil || !strings.Contains(err.Error(), c.Error.Msg) {
					t.Fatalf("got error %v, want %q", err, c.Error.Msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := fhir.MarshalResource(in)
			if err != nil {
				t.Fatal(err)
			}
			// The result must also be valid FHIR.
			if _, err := fhir.ParseResource(got); err != nil {
				t.Fatalf("patched resource is not valid: %v", err)
			}
			want, err := fhir.MarshalResource(readXML(t, c.Output.XML))
			if err != nil {
				t.Fatal(err)
			}
			if canonicalDiv(t, got) != canonicalDiv(t, want) {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
		if ok {
			passed++
		}
	}
	t.Logf("FHIRPath Patch suite: %d/%d cases pass", passed, len(s.Cases))

	// Generating: for the cases that describe both directions, the patch Diff makes from
	// input and output must turn the input into the output.
	generated, both := 0, 0
	for _, c := range s.Cases {
		if c.Mode != "both" {
			continue
		}
		both++
		ok := t.Run("diff "+c.Name, func(t *testing.T) {
			in, out := readXML(t, c.Input.XML), readXML(t, c.Output.XML)
			p, err := Diff(in, out)
			if err != nil {
				t.Fatal(err)
			}
			pj, err := fhir.MarshalResource(p)
			if err != nil {
				t.Fatal(err)
			}
			// The generated patch is itself valid FHIR.
			if _, err := fhir.ParseResource(pj); err != nil {
				t.Fatalf("generated patch is not valid: %v\n%s", err, pj)
			}
			if err := Apply(in, p); err != nil {
				t.Fatalf("%v\n%s", err, pj)
			}
			got, _ := fhir.MarshalResource(in)
			want, _ := fhir.MarshalResource(out)
			if canonicalDiv(t, got) != canonicalDiv(t, want) {
				t.Errorf("got  %s\nwant %s\npatch %s", got, want, pj)
			}
		})
		if ok {
			generated++
		}
	}
	t.Logf("FHIRPath Patch generation: %d/%d two-way cases", generated, both)
}

// canonicalDiv rewrites the narrative of a JSON resource in a canonical XML form, since
// the suite writes the same XHTML with and without character references.
func canonicalDiv(t *testing.T, js []byte) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	if text, ok := m["text"].(map[string]any); ok {
		if div, ok := text["div"].(string); ok {
			var b strings.Builder
			d := xml.NewDecoder(strings.NewReader(div))
			e := xml.NewEncoder(&b)
			for {
				tok, err := d.Token()
				if err != nil {
					break
				}
				if err := e.EncodeToken(tok); err != nil {
					t.Fatal(err)
				}
			}
			e.Flush()
			text["div"] = b.String()
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestParentPath(t *testing.T) {
	cases := []struct{ path, parent string }{
		{"Patient.birthDate", "Patient"},
		{"Patient.name.where(use = 'official')", "Patient"},
		{"Patient.contact[0].name.text", "Patient.contact[0].name"},
		{"Patient.identifier.where(system = 'a]b').first()", "Patient"},
		{"Bundle.entry.last().request.url", "Bundle.entry.last().request"},
		{"Patient.name[2]", "Patient"},
		{"Patient", ""},
		{"Patient.descendants()", ""},
		{"Patient.name.select(given)", ""},
	}
	for _, c := range cases {
		got, ok := parentPath(c.path)
		if ok != (c.parent != "") || got != c.parent {
			t.Errorf("parentPath(%q) = %q, %v; want %q", c.path, got, ok, c.parent)
		}
	}
}

// TestFallbackWalk: a path whose parent cannot be told from its text is located by
// walking the resource.
func TestFallbackWalk(t *testing.T) {
	r, err := fhir.ParseResource([]byte(`{"resourceType":"Patient","name":[{"family":"A"},{"family":"B"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := fhir.ParseResource([]byte(`{"resourceType":"Parameters","parameter":[{"name":"operation","part":[` +
		`{"name":"type","valueCode":"delete"},{"name":"path","valueString":"Patient.descendants().where($this = 'B')"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := Apply(r, p.(*fhir.Parameters)); err != nil {
		t.Fatal(err)
	}
	got, _ := fhir.MarshalResource(r)
	if string(got) != `{"resourceType":"Patient","name":[{"family":"A"}]}` {
		t.Errorf("got %s", got)
	}
}

// TestDiffPairs: between any two UK Core examples of one type, the generated patch turns
// the first into the second.
func TestDiffPairs(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "..", "shared", "fhir", "uk-core", "json", "examples", "*.json"))
	if len(files) == 0 {
		t.Skip("shared UK Core examples not found (clone with ../shared beside the repository)")
	}
	byType := map[string][][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := fhir.ParseResource(data)
		if err != nil {
			continue // the few invalid examples
		}
		byType[r.ResourceType()] = append(byType[r.ResourceType()], data)
	}
	pairs := 0
	for typ, docs := range byType {
		for i := 0; i+1 < len(docs); i++ {
			a, _ := fhir.ParseResource(docs[i])
			b, _ := fhir.ParseResource(docs[i+1])
			p, err := Diff(a, b)
			if err != nil {
				t.Errorf("%s pair %d: %v", typ, i, err)
				continue
			}
			if err := Apply(a, p); err != nil {
				pj, _ := fhir.MarshalResource(p)
				t.Errorf("%s pair %d: %v\n%s", typ, i, err, pj)
				continue
			}
			got, _ := fhir.MarshalResource(a)
			want, _ := fhir.MarshalResource(b)
			if string(got) != string(want) {
				t.Errorf("%s pair %d:\n got %s\nwant %s", typ, i, got, want)
			}
			pairs++
		}
	}
	t.Logf("%d pairs", pairs)
	if pairs < 50 {
		t.Errorf("only %d pairs", pairs)
	}
}
