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
