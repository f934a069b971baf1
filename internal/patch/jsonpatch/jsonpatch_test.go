package jsonpatch

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestSuite runs the JSON Patch cases of the FHIR test suite (json-patch-tests.json).
func TestSuite(t *testing.T) {
	path := filepath.Join("..", "..", "..", "..", "shared", "tests", "patch", "json-patch-tests.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("shared test cases not found at %s (clone with ../shared beside the repository): %v", path, err)
	}
	var cases []struct {
		Comment  string          `json:"comment"`
		Doc      json.RawMessage `json:"doc"`
		Patch    json.RawMessage `json:"patch"`
		Expected json.RawMessage `json:"expected"`
		Error    string          `json:"error"`
		Disabled bool            `json:"disabled"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	passed := 0
	for _, c := range cases {
		ok := t.Run(c.Comment, func(t *testing.T) {
			got, err := ApplyJSON(c.Doc, c.Patch)
			if c.Error != "" {
				if err == nil {
					t.Fatalf("no error; want one (%s)", c.Error)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			g, _ := decode(got)
			w, _ := decode(c.Expected)
			if !equal(g, w) {
				t.Errorf("got %s, want %s", got, c.Expected)
			}
		})
		if ok {
			passed++
		}
	}
	t.Logf("JSON Patch suite: %d/%d cases pass", passed, len(cases))
}

func TestOperations(t *testing.T) {
	cases := []struct {
		name, doc, patch, want string
		fail                   bool
	}{
		{"decimal kept", `{"a":1.50}`, `[{"op":"add","path":"/b","value":2.10}]`, `{"a":1.50,"b":2.10}`, false},
		{"append with -", `{"a":[1]}`, `[{"op":"add","path":"/a/-","value":2}]`, `{"a":[1,2]}`, false},
		{"escaped pointer", `{"a/b":1,"c~d":2}`, `[{"op":"remove","path":"/a~1b"},{"op":"remove","path":"/c~0d"}]`, `{}`, false},
		{"copy", `{"a":{"b":1}}`, `[{"op":"copy","from":"/a","path":"/c"}]`, `{"a":{"b":1},"c":{"b":1}}`, false},
		{"test numbers by value", `{"a":1.0}`, `[{"op":"test","path":"/a","value":1}]`, `{"a":1.0}`, false},
		{"test fails", `{"a":1}`, `[{"op":"test","path":"/a","value":2}]`, ``, true},
		{"remove missing", `{"a":1}`, `[{"op":"remove","path":"/b"}]`, ``, true},
		{"index out of range", `{"a":[1]}`, `[{"op":"add","path":"/a/3","value":2}]`, ``, true},
		{"leading zero index", `{"a":[1,2]}`, `[{"op":"remove","path":"/a/01"}]`, ``, true},
		{"move into own child", `{"a":{"b":1}}`, `[{"op":"move","from":"/a","path":"/a/b/c"}]`, ``, true},
		{"unknown op", `{}`, `[{"op":"frob","path":"/a"}]`, ``, true},
		{"not an array", `{}`, `{"op":"add"}`, ``, true},
		{"malformed document on the path", `{"a":{"b":}}`, `[{"op":"remove","path":"/a/b"}]`, ``, true},
		{"unterminated string", `{"a":"x}`, `[{"op":"add","path":"/b","value":1}]`, ``, true},
		{"escaped member name", `{"a\"b":1,"c\\":[2]}`, `[{"op":"remove","path":"/a\"b"},{"op":"add","path":"/c\\/0","value":1}]`, `{"c\\":[1,2]}`, false},
		{"root replaced", `{"a":1}`, `[{"op":"replace","path":"","value":[1]}]`, `[1]`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ApplyJSON([]byte(c.doc), []byte(c.patch))
			if c.fail {
				if err == nil {
					t.Fatalf("no error, got %s", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			g, _ := decode(got)
			w, _ := decode([]byte(c.want))
			if !equal(g, w) {
				t.Errorf("got %s, want %s", got, c.want)
			}
			if c.name == "decimal kept" && string(got) != `{"a":1.50,"b":2.10}` {
				t.Errorf("literals changed: %s", got)
			}
		})
	}
}

// TestUntouchedKept: what a patch does not reach is written back byte for byte, in its
// order.
func TestUntouchedKept(t *testing.T) {
	doc := `{"z":1, "a":[1.50, {"x" : "y\u00e9"}], "m":{"k":[true,null]}}`
	got, err := ApplyJSON([]byte(doc), []byte(`[{"op":"add","path":"/m/n","value":1e2}]`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"z":1,"a":[1.50, {"x" : "y\u00e9"}],"m":{"k":[true,null],"n":1e2}}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
