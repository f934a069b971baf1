package fhir

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The fidelity tests over ../shared: XML twins of JSON files, and JSON → XML → JSON on
// every JSON resource there.

func xmlSharedDir(t testing.TB, sub string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared data not found at %s (clone with ../shared beside the repository): %v", dir, err)
	}
	return dir
}

// xmlTestJSON decodes JSON keeping numbers as their literal text.
func xmlTestJSON(t testing.TB, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode JSON: %v", err)
	}
	return v
}

// dropEmptyExt removes "_name": {} members (and {} items of "_name" arrays), which the
// converter that made the UK Core JSON leaves where the XML had a comment; they carry no
// content and are not valid FHIR JSON.
func dropEmptyExt(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			if !strings.HasPrefix(k, "_") {
				v[k] = dropEmptyExt(c)
				continue
			}
			switch c := c.(type) {
			case map[string]any:
				if len(c) == 0 {
					delete(v, k)
				} else {
					v[k] = dropEmptyExt(c)
				}
			case []any:
				all := true
				for i, it := range c {
					if m, ok := it.(map[string]any); ok && len(m) == 0 {
						c[i] = nil
					} else if it != nil {
						c[i] = dropEmptyExt(it)
						all = false
					}
				}
				if all {
					delete(v, k)
				}
			}
		}
	case []any:
		for i, c := range v {
			v[i] = dropEmptyExt(c)
		}
	}
	return v
}

// xmlTree is a canonical form of an XML document: attribute order, namespace
// declarations, comments and white space between elements do not count; inside XHTML all
// text counts.
type xmlTree struct {
	Name     string
	Attrs    []string
	Text     string
	Children []*xmlTree
}

func canonicalXML(t testing.TB, b []byte, sortSiblings bool) *xmlTree {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	var stack []*xmlTree
	var root *xmlTree
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("canonical XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &xmlTree{Name: tok.Name.Space + " " + tok.Name.Local}
			for _, a := range tok.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" || a.Name.Space == xsiNS {
					continue
				}
				n.Attrs = append(n.Attrs, a.Name.Space+" "+a.Name.Local+"="+a.Value)
			}
			slices.Sort(n.Attrs)
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			n := stack[len(stack)-1]
			if sortSiblings && !strings.HasPrefix(n.Name, xhtmlNS) {
				// Order between different FHIR elements is not content.
				slices.SortStableFunc(n.Children, func(a, b *xmlTree) int { return strings.Compare(a.Name, b.Name) })
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				continue
			}
			n := stack[len(stack)-1]
			if strings.HasPrefix(n.Name, xhtmlNS) {
				// Text is kept in order with the elements: as a child of its own.
				n.Children = append(n.Children, &xmlTree{Text: string(tok)})
			} else if strings.TrimSpace(string(tok)) != "" {
				n.Text += string(tok)
			}
		}
	}
	return root
}

// filesIn lists the files under dir whose names end in ext.
func filesIn(t testing.TB, dir, ext string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ext) && !strings.HasSuffix(p, "package.json") && !strings.HasSuffix(p, "fhirpkg.lock.json") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// outOfOrder lists the shared XML files whose elements are not in the specification's
// order: written back (in that order) they are compared with sibling order set aside.
var outOfOrder = map[string]bool{
	"Extension-UKCore-CodingSCT-IllicitDrugs-Example.xml": true,
	"UKCore-Observation-Lab-Albumin-Example.xml":          true,
	"UKCore-Questionnaire-EOLPlan-Example.xml":            true,
}

// sameXML compares a document with the XML written back for it.
func sameXML(t *testing.T, path string, src, back []byte) {
	t.Helper()
	loose := outOfOrder[filepath.Base(path)]
	if diff := cmp.Diff(canonicalXML(t, src, loose), canonicalXML(t, back, loose)); diff != "" {
		t.Errorf("XML written back differs (-file +ours):\n%s", diff)
	}
}

// checkTwin reads an XML file, compares its JSON form with the JSON twin, and writes it
// back as XML that must be canonically equal to the file.
func checkTwin(t *testing.T, xmlPath, jsonPath string) {
	src, err := os.ReadFile(xmlPath)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseResourceXML(src)
	if err != nil {
		t.Fatalf("read XML: %v", err)
	}
	js, err := MarshalResource(r)
	if err != nil {
		t.Fatal(err)
	}
	twin, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(dropEmptyExt(xmlTestJSON(t, twin)), xmlTestJSON(t, js)); diff != "" {
		t.Errorf("JSON differs from %s (-twin +ours):\n%s", jsonPath, diff)
	}
	back, err := MarshalResourceXML(r)
	if err != nil {
		t.Fatalf("write XML: %v", err)
	}
	sameXML(t, xmlPath, src, back)
}

// invalidUKCoreXML lists the UK Core XML files that are not valid FHIR, with the first
// issue strict reading must report.
var invalidUKCoreXML = map[string]ParseIssue{
	"codesystems/CodeSystem-UKCore-EthnicCategoryScotland.xml": {Path: "CodeSystem.concept[3]", Message: "text is not allowed in element concept"},
	"examples/Extension-UKCore-ConditionEpisode-Example.xml":   {Path: "Condition.extension[0].valueCodeableConcept", Message: `more than one type given for choice element "valueCodeableConcept"`},
}

func TestXMLUKCoreTwins(t *testing.T) {
	dir := xmlSharedDir(t, "fhir/uk-core")
	files := filesIn(t, filepath.Join(dir, "xml"), ".xml")
	twins := 0
	for _, x := range files {
		rel, _ := filepath.Rel(filepath.Join(dir, "xml"), x)
		if want, bad := invalidUKCoreXML[rel]; bad {
			t.Run(rel, func(t *testing.T) {
				src, _ := os.ReadFile(x)
				_, err := ParseResourceXML(src)
				var pe *ParseError
				if !errors.As(err, &pe) || len(pe.Issues) == 0 || pe.Issues[0] != want {
					t.Errorf("got %v, want the issue %+v", err, want)
				}
			})
			continue
		}
		j := filepath.Join(dir, "json", strings.TrimSuffix(rel, ".xml")+".json")
		if _, err := os.Stat(j); err != nil {
			continue
		}
		twins++
		t.Run(rel, func(t *testing.T) { checkTwin(t, x, j) })
	}
	if twins < 500 {
		t.Errorf("found only %d XML/JSON twins", twins)
	}
	t.Logf("%d UK Core XML/JSON twins", twins)
}

// notTwins are core examples whose XML and JSON files were published with different
// content, so only the XML round trip is checked.
var notTwins = map[string]string{
	"observation-decimal.xml": "the XML writes decimals differently (1.0e0, 1E-22 as 0.0000000000000000000001)",
	"observation-example.xml": "the XML has a patient-age extension and narrative apostrophes as &#39; that the JSON lacks",
}

func TestXMLCoreExampleTwins(t *testing.T) {
	dir := xmlSharedDir(t, "tests/examples")
	twins := 0
	for _, x := range filesIn(t, dir, ".xml") {
		j := strings.TrimSuffix(x, ".xml") + ".json"
		if _, err := os.Stat(j); err != nil {
			// XML-only examples must still read and write back canonically equal.
			t.Run(filepath.Base(x), func(t *testing.T) {
				src, _ := os.ReadFile(x)
				r, err := ParseResourceXML(src)
				if err != nil {
					t.Fatalf("read XML: %v", err)
				}
				back, err := MarshalResourceXML(r)
				if err != nil {
					t.Fatal(err)
				}
				sameXML(t, x, src, back)
			})
			continue
		}
		if why, ok := notTwins[filepath.Base(x)]; ok {
			t.Logf("%s: XML round trip only: %s", filepath.Base(x), why)
			t.Run(filepath.Base(x), func(t *testing.T) {
				src, _ := os.ReadFile(x)
				r, err := ParseResourceXML(src)
				if err != nil {
					t.Fatalf("read XML: %v", err)
				}
				back, err := MarshalResourceXML(r)
				if err != nil {
					t.Fatal(err)
				}
				sameXML(t, x, src, back)
			})
			continue
		}
		twins++
		t.Run(filepath.Base(x), func(t *testing.T) { checkTwin(t, x, j) })
	}
	t.Logf("%d core example twins", twins)
	if twins < 3 {
		t.Errorf("only %d twins", twins)
	}
}

// TestJSONXMLJSONIdentity: every JSON resource in ../shared that reads strictly comes back
// from XML as the same JSON, byte for byte.
func TestJSONXMLJSONIdentity(t *testing.T) {
	var files []string
	for _, sub := range []string{"tests/examples", "fhir/uk-core/json", "data/synthea", "tests/fhirpath/input", "data/pds"} {
		dir := filepath.Join("..", "..", "shared", sub)
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		files = append(files, filesIn(t, dir, ".json")...)
	}
	if len(files) == 0 {
		t.Skip("shared data not found at ../../shared (clone with ../shared beside the repository)")
	}
	ok, invalid := 0, 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ParseResource(src)
		if err != nil {
			invalid++ // not strict FHIR JSON (or not a resource): not this test's business
			continue
		}
		want, err := MarshalResource(r)
		if err != nil {
			t.Fatal(err)
		}
		x, err := MarshalResourceXML(r)
		if err != nil {
			t.Errorf("%s: write XML: %v", f, err)
			continue
		}
		r2, err := ParseResourceXML(x)
		if err != nil {
			t.Errorf("%s: read back XML: %v", f, err)
			continue
		}
		got, err := MarshalResource(r2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: JSON → XML → JSON differs:\n%s", f, cmp.Diff(xmlTestJSON(t, want), xmlTestJSON(t, got)))
			continue
		}
		ok++
	}
	t.Logf("JSON → XML → JSON identical for %d resources (%d files not strict FHIR JSON skipped)", ok, invalid)
	if ok < 700 {
		t.Errorf("only %d resources checked", ok)
	}
}
