package jsonpatch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// Operation is one operation of a patch.
type Operation struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	From  string          `json:"from,omitempty"`
	Value json.RawMessage `json:"value,omitempty"`
	value any             // Value decoded, for test
}

// Patch is a parsed JSON Patch document.
type Patch []Operation

// Error is a patch that is malformed or cannot be applied.
type Error struct{ Msg string }

func (e *Error) Error() string { return "JSON Patch: " + e.Msg }

func fail(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// Parse reads a JSON Patch document: an array of operation objects.
func Parse(data []byte) (Patch, error) {
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fail("not an array of operations: %v", err)
	}
	p := make(Patch, 0, len(raw))
	for i, m := range raw {
		var op Operation
		str := func(k string, dst *string, need bool) error {
			v, ok := m[k]
			if !ok {
				if need {
					return fail("operation %d (%s) lacks %q", i, op.Op, k)
				}
				return nil
			}
			if err := json.Unmarshal(v, dst); err != nil {
				return fail("operation %d: %q must be a string", i, k)
			}
			return nil
		}
		if err := str("op", &op.Op, true); err != nil {
			return nil, err
		}
		if err := str("path", &op.Path, true); err != nil {
			return nil, err
		}
		switch op.Op {
		case "add", "replace", "test":
			v, ok := m["value"]
			if !ok {
				return nil, fail("operation %d (%s) lacks \"value\"", i, op.Op)
			}
			op.Value = v
			val, err := decode(v)
			if err != nil {
				return nil, fail("operation %d: value: %v", i, err)
			}
			op.value = val
		case "move", "copy":
			if err := str("from", &op.From, true); err != nil {
				return nil, err
			}
		case "remove":
		default:
			return nil, fail("operation %d has an unknown op %q", i, op.Op)
		}
		p = append(p, op)
	}
	return p, nil
}

func decode(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("data after the value")
	}
	return v, nil
}

// ApplyJSON applies the patch to a JSON document and returns the patched document.
func ApplyJSON(doc, patch []byte) ([]byte, error) {
	p, err := Parse(patch)
	if err != nil {
		return nil, err
	}
	return p.ApplyTo(doc)
}

// ApplyTo applies the patch to a JSON document and returns the patched document. Only
// the objects and arrays on the operations' paths are decoded; the rest of the document
// is copied through as it was written, unchecked: callers that need valid JSON read the
// result (the server reads it as a FHIR resource).
func (p Patch) ApplyTo(doc []byte) ([]byte, error) {
	root := &value{raw: bytes.TrimSpace(doc)}
	for i, op := range p {
		var err error
		switch op.Op {
		case "add":
			root, err = add(root, op.Path, &value{raw: op.Value})
		case "remove":
			root, _, err = remove(root, op.Path)
		case "replace":
			if _, err = get(root, op.Path); err == nil {
				if root, _, err = remove(root, op.Path); err == nil {
					root, err = add(root, op.Path, &value{raw: op.Value})
				}
			}
		case "move":
			if op.Path != op.From && strings.HasPrefix(op.Path, op.From+"/") {
				err = fail("cannot move %s into its own child %s", op.From, op.Path)
				break
			}
			var v *value
			if root, v, err = remove(root, op.From); err == nil {
				root, err = add(root, op.Path, v)
			}
		case "copy":
			var v *value
			if v, err = get(root, op.From); err == nil {
				root, err = add(root, op.Path, &value{raw: v.encode(nil)})
			}
		case "test":
			var v *value
			if v, err = get(root, op.Path); err == nil {
				var got any
				if got, err = decode(v.encode(nil)); err == nil && !equal(got, op.value) {
					err = fail("test failed: the value at %s is not the one given", op.Path)
				}
			}
		}
		if err != nil {
			if _, ok := err.(*Error); !ok {
				err = fail("%v", err)
			}
			return nil, fmt.Errorf("operation %d (%s): %w", i, op.Op, err)
		}
	}
	return root.encode(make([]byte, 0, len(doc)+64)), nil
}

// tokens splits a JSON Pointer into its reference tokens, unescaped.
func tokens(ptr string) ([]string, error) {
	if ptr == "" {
		return nil, nil
	}
	if ptr[0] != '/' {
		return nil, fail("pointer %q does not start with '/'", ptr)
	}
	parts := strings.Split(ptr[1:], "/")
	for i, p := range parts {
		if strings.Contains(p, "~") {
			for j := 0; j < len(p); j++ {
				if p[j] == '~' && (j+1 == len(p) || (p[j+1] != '0' && p[j+1] != '1')) {
					return nil, fail("pointer %q has a bad escape", ptr)
				}
			}
			parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
		}
	}
	return parts, nil
}

// index reads an array index token; end allows "-" (one past the last item).
func index(tok string, n int, end bool) (int, error) {
	if tok == "-" && end {
		return n, nil
	}
	if tok == "" || (len(tok) > 1 && tok[0] == '0') || strings.TrimLeft(tok, "0123456789") != "" {
		return 0, fail("%q is not an array index", tok)
	}
	i, err := strconv.Atoi(tok)
	if err != nil || i > n || (!end && i == n) {
		return 0, fail("array index %s is out of range", tok)
	}
	return i, nil
}

// parent walks to the container of the pointer's last token, expanding what it passes.
func parent(root *value, toks []string) (*value, error) {
	cur := root
	for _, t := range toks[:len(toks)-1] {
		if err := cur.expand(); err != nil {
			return nil, err
		}
		switch cur.kind {
		case '{':
			i := cur.member(t)
			if i < 0 {
				return nil, fail("path /%s does not exist", t)
			}
			cur = cur.vals[i]
		case '[':
			i, err := index(t, len(cur.vals), false)
			if err != nil {
				return nil, err
			}
			cur = cur.vals[i]
		default:
			return nil, fail("path goes through a value that is neither an object nor an array at %q", t)
		}
	}
	return cur, cur.expand()
}

func get(root *value, ptr string) (*value, error) {
	toks, err := tokens(ptr)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return root, nil
	}
	p, err := parent(root, toks)
	if err != nil {
		return nil, err
	}
	last := toks[len(toks)-1]
	switch p.kind {
	case '{':
		if i := p.member(last); i >= 0 {
			return p.vals[i], nil
		}
	case '[':
		i, err := index(last, len(p.vals), false)
		if err != nil {
			return nil, err
		}
		return p.vals[i], nil
	}
	return nil, fail("path %s does not exist", ptr)
}

func add(root *value, ptr string, v *value) (*value, error) {
	toks, err := tokens(ptr)
	if err != nil {
		return root, err
	}
	if len(toks) == 0 {
		return v, nil
	}
	p, err := parent(root, toks)
	if err != nil {
		return root, err
	}
	last := toks[len(toks)-1]
	switch p.kind {
	case '{':
		if i := p.member(last); i >= 0 {
			p.vals[i] = v
		} else {
			p.names = append(p.names, last)
			p.vals = append(p.vals, v)
		}
		return root, nil
	case '[':
		i, err := index(last, len(p.vals), true)
		if err != nil {
			return root, err
		}
		p.vals = slices.Insert(p.vals, i, v)
		return root, nil
	}
	return root, fail("cannot add to %s: its parent is neither an object nor an array", ptr)
}

func remove(root *value, ptr string) (*value, *value, error) {
	toks, err := tokens(ptr)
	if err != nil {
		return root, nil, err
	}
	if len(toks) == 0 {
		return &value{raw: []byte("null")}, root, nil
	}
	p, err := parent(root, toks)
	if err != nil {
		return root, nil, err
	}
	last := toks[len(toks)-1]
	switch p.kind {
	case '{':
		i := p.member(last)
		if i < 0 {
			return root, nil, fail("path %s does not exist", ptr)
		}
		v := p.vals[i]
		p.names = slices.Delete(p.names, i, i+1)
		p.vals = slices.Delete(p.vals, i, i+1)
		return root, v, nil
	case '[':
		i, err := index(last, len(p.vals), false)
		if err != nil {
			return root, nil, err
		}
		v := p.vals[i]
		p.vals = slices.Delete(p.vals, i, i+1)
		return root, v, nil
	}
	return root, nil, fail("path %s does not exist", ptr)
}

// equal is RFC 6902 section 4.6's equality: numbers by value, objects regardless of
// member order.
func equal(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, v := range a {
			w, ok := bm[k]
			if !ok || !equal(v, w) {
				return false
			}
		}
		return true
	case []any:
		bs, ok := b.([]any)
		if !ok || len(a) != len(bs) {
			return false
		}
		for i := range a {
			if !equal(a[i], bs[i]) {
				return false
			}
		}
		return true
	case json.Number:
		bn, ok := b.(json.Number)
		if !ok {
			return false
		}
		x, ok1 := new(big.Rat).SetString(string(a))
		y, ok2 := new(big.Rat).SetString(string(bn))
		return ok1 && ok2 && x.Cmp(y) == 0
	}
	return a == b
}
