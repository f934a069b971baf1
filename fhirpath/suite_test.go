package fhirpath

import (
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/cockroachdb/apd/v3"
	"github.com/joinedup/joinedup/fhir"
)

// The HL7 FHIRPath test suite for R4 (../shared/tests/fhirpath/tests-fhir-r4.xml, 935
// tests) runs here in full: every test, including those that expect an error. The test
// fails when fewer than suiteThreshold pass; raise the threshold as the engine
// improves.
const suiteThreshold = 935

// Inputs are read strictly, and leniently where strict reading refuses them: the suite
// tests FHIRPath, not the JSON format. One input needs it: patient-name-extensions.json
// (miscEngineTests/testPrimitiveExtensions) has two items in "given" and one in "_given",
// where the JSON format (https://hl7.org/fhir/R4/json.html#primitive, "the arrays must
// have the same number of items") requires padding with null; lenient reading pads it.

const suiteDir = "../../shared/tests/fhirpath"

var uuidObject = regexp.MustCompile(`"valueUuid"\s*:\s*\{\s*"value"\s*:\s*("[^"]*")\s*\}`)

type suiteFile struct {
	Groups []suiteGroup `xml:"group"`
}

type suiteGroup struct {
	Name  string      `xml:"name,attr"`
	Tests []suiteTest `xml:"test"`
}

type suiteTest struct {
	Name       string `xml:"name,attr"`
	InputFile  string `xml:"inputfile,attr"`
	Predicate  string `xml:"predicate,attr"`
	Mode       string `xml:"mode,attr"`
	Ordered    string `xml:"ordered,attr"`
	Expression struct {
		Text    string `xml:",chardata"`
		Invalid string `xml:"invalid,attr"`
		Mode    string `xml:"mode,attr"`
	} `xml:"expression"`
	Outputs []struct {
		Type string `xml:"type,attr"`
		Text string `xml:",chardata"`
	} `xml:"output"`
}

func loadSuite(t testing.TB) suiteFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(suiteDir, "tests-fhir-r4.xml"))
	if os.IsNotExist(err) {
		t.Skipf("the FHIRPath test suite is not at %s (../shared is absent)", suiteDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	var f suiteFile
	if err := xml.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// loadSuiteInput reads a test input (the JSON rendering of the named file). A file the
// model refuses makes its tests fail with the parse error.
func loadSuiteInput(t testing.TB, cache map[string]suiteInput, name string) suiteInput {
	t.Helper()
	if name == "" {
		return suiteInput{}
	}
	name = strings.TrimSuffix(name, ".xml")
	name = strings.TrimSuffix(name, ".json") + ".json"
	if r, ok := cache[name]; ok {
		return r
	}
	data, err := os.ReadFile(filepath.Join(suiteDir, "input", name))
	if err != nil {
		t.Fatal(err)
	}
	// The JSON rendering of parameters-example-types has a conversion defect: it writes
	// <valueUuid value="urn:uuid:…"/> as "valueUuid": {"value": "urn:uuid:…"}. The XML
	// original is the test input; repair the rendering to match it.
	data = uuidObject.ReplaceAll(data, []byte(`"valueUuid": $1`))
	r, err := fhir.ParseResource(data)
	if err != nil {
		r, err = fhir.ParseResourceOptions(data, fhir.ParseOptions{Lenient: true})
	}
	in := suiteInput{res: r, err: err}
	cache[name] = in
	return in
}

type suiteInput struct {
	res fhir.Resource
	err error
}

func TestSuite(t *testing.T) {
	suite := loadSuite(t)
	inputs := map[string]suiteInput{}
	total, passed := 0, 0
	var failures []string
	for _, g := range suite.Groups {
		for _, tc := range g.Tests {
			total++
			input := loadSuiteInput(t, inputs, tc.InputFile)
			if input.err != nil {
				failures = append(failures, g.Name+"/"+tc.Name+": input "+tc.InputFile+": "+input.err.Error())
				continue
			}
			if msg := runSuiteTest(tc, input.res); msg != "" {
				failures = append(failures, g.Name+"/"+tc.Name+": "+msg)
				continue
			}
			passed++
		}
	}
	sort.Strings(failures)
	for _, f := range failures {
		t.Log("FAIL " + f)
	}
	t.Logf("FHIRPath R4 suite: %d/%d passed", passed, total)
	if passed < suiteThreshold {
		t.Errorf("regression: %d passed, the threshold is %d", passed, suiteThreshold)
	}
}

// runSuiteTest runs one test and returns why it failed, or "".
func runSuiteTest(tc suiteTest, input fhir.Resource) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = "panic: " + strings.TrimSpace(strings.Split(stringOf(r), "\n")[0])
		}
	}()
	var opts []Option
	if tc.Mode == "strict" || tc.Expression.Mode == "strict" {
		opts = append(opts, Strict())
		if input != nil {
			opts = append(opts, ContextType(input.ResourceType()))
		}
	}
	var in fhir.Element
	if input != nil {
		in = input
	}
	expr, err := Compile(tc.Expression.Text, opts...)
	var got Collection
	if err == nil {
		got, err = expr.Evaluate(nil, in)
	}
	if tc.Expression.Invalid != "" {
		if err == nil {
			return "expected an error (" + tc.Expression.Invalid + "), got " + describeCollection(got)
		}
		// The kind must match too; invalid="true" asks for any error.
		var fe *Error
		if !errors.As(err, &fe) {
			return "expected a *fhirpath.Error, got " + err.Error()
		}
		if want := tc.Expression.Invalid; want != "true" && fe.Kind.String() != want+" error" {
			return "expected a " + want + " error, got " + err.Error()
		}
		return ""
	}
	if err != nil {
		return "error: " + err.Error()
	}
	if tc.Predicate == "true" {
		got = Collection{Boolean(len(got) > 0)}
	}
	if len(got) != len(tc.Outputs) {
		return "got " + describeCollection(got) + ", want " + describeOutputs(tc)
	}
	matched := make([]bool, len(got))
	for i, want := range tc.Outputs {
		if tc.Ordered == "false" {
			found := false
			for j := range got {
				if !matched[j] && outputMatches(got[j], want.Type, want.Text) {
					matched[j], found = true, true
					break
				}
			}
			if !found {
				return "got " + describeCollection(got) + ", want " + describeOutputs(tc)
			}
			continue
		}
		if !outputMatches(got[i], want.Type, want.Text) {
			return "got " + describeCollection(got) + ", want " + describeOutputs(tc)
		}
	}
	return ""
}

func stringOf(v any) string {
	if e, ok := v.(error); ok {
		return e.Error()
	}
	if s, ok := v.(string); ok {
		return s
	}
	return "unknown panic"
}

func outputMatches(v Value, typ, text string) bool {
	if typ != "" && typeName(v) != typ {
		return false
	}
	s, ok := literalString(v)
	if !ok {
		return false
	}
	want := strings.TrimPrefix(strings.TrimPrefix(text, "@"), "T")
	if _, isTime := v.(Time); !isTime {
		want = strings.TrimPrefix(text, "@")
	}
	if typ == "decimal" {
		a, _, err1 := apd.NewFromString(s)
		b, _, err2 := apd.NewFromString(want)
		return err1 == nil && err2 == nil && a.Cmp(b) == 0
	}
	return s == want
}

func describeCollection(c Collection) string {
	parts := make([]string, len(c))
	for i, v := range c {
		s, ok := literalString(v)
		if !ok {
			s = "{…}"
		}
		parts[i] = typeName(v) + " " + s
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func describeOutputs(tc suiteTest) string {
	parts := make([]string, len(tc.Outputs))
	for i, o := range tc.Outputs {
		parts[i] = o.Type + " " + o.Text
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
