package jsonpatch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Operation is one operation of a patch.
type Operation struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	From  string          `json:"from,omitempty"`
	Value json.RawMessage `json:"value,omitempty"`
	value any
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

// ApplyTo applies the patch to a JSON document and returns the patched document.
func (p Patch) ApplyTo(doc []byte) ([]byte, error) {
	v, err := decode(doc)
	if err != nil {
		return nil, fail("document: %v", err)
	}
	if v, err = p.Apply(v); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, fmt.Errorf("JSON Patch: encode: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Apply applies the patch to a decoded document (maps, slices, json.Number, strings,
// booleans, nil) and returns the result. The operations are applied in order; on error
// the document may be partly changed.
func (p Patch) Apply(doc any) (any, error) {
	for i, op := range p {
		var err error
		switch op.Op {
		case "add":
			doc, err = add(doc, op.Path, deepCopy(op.value))
		case "remove":
			doc, _, err = remove(doc, op.Path)
		case "replace":
			if doc, _, err = remove(doc, op.Path); err == nil {
				doc, err = add(doc, op.Path, deepCopy(op.value))
			}
		case "move":
			if op.Path != op.From && strings.HasPrefix(op.Path, op.From+"/") {
				err = fail("cannot move %s into its own child %s", op.From, op.Path)
				break
			}
			var v any
			if doc, v, err = remove(doc, op.From); err == nil {
				doc, err = add(doc, op.Path, v)
			}
		case "copy":
			var v any
			if v, err = get(doc, op.From); err == nil {
				doc, err = add(doc, op.Path, deepCopy(v))
			}
		case "test":
			var v any
			if v, err = get(doc, op.Path); err == nil && !equal(v, op.value) {
				err = fail("test failed: the value at %s is not the one given", op.Path)
			}
		}
		if err != nil {
			if _, ok := err.(*Error); !ok {
				err = fail("%v", err)
			}
			return doc, fmt.Errorf("operation %d (%s): %w", i, op.Op, err)
		}
	}
	return doc, nil
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

// parent walks to the container of the pointer's last token.
func parent(doc any, toks []string) (any, error) {
	cur := doc
	for _, t := range toks[:len(toks)-1] {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[t]
			if !ok {
				return nil, fail("path /%s does not exist", t)
			}
			cur = v
		case []any:
			i, err := index(t, len(c), false)
			if err != nil {
				return nil, err
			}
			cur = c[i]
		default:
			return nil, fail("path goes through a value that is neither an object nor an array at %q", t)
		}
	}
	return cur, nil
}

func get(doc any, ptr string) (any, error) {
	toks, err := tokens(ptr)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return doc, nil
	}
	p, err := parent(doc, toks)
	if err != nil {
		return nil, err
	}
	last := toks[len(toks)-1]
	switch c := p.(type) {
	case map[string]any:
		v, ok := c[last]
		if !ok {
			return nil, fail("path %s does not exist", ptr)
		}
		return v, nil
	case []any:
		i, err := index(last, len(c), false)
		if err != nil {
			return nil, err
		}
		return c[i], nil
	}
	return nil, fail("path %s does not exist", ptr)
}

// setter replaces the container holding the pointer's target, for arrays that grow or
// shrink (a slice header changes).
func replaceIn(doc any, toks []string, newParent any) any {
	if len(toks) == 1 {
		return newParent
	}
	gp, _ := parent(doc, toks[:len(toks)-1])
	t := toks[len(toks)-2]
	switch c := gp.(type) {
	case map[string]any:
		c[t] = newParent
	case []any:
		i, _ := index(t, len(c), false)
		c[i] = newParent
	}
	return doc
}

func add(doc any, ptr string, v any) (any, error) {
	toks, err := tokens(ptr)
	if err != nil {
		return doc, err
	}
	if len(toks) == 0 {
		return v, nil
	}
	p, err := parent(doc, toks)
	if err != nil {
		return doc, err
	}
	last := toks[len(toks)-1]
	switch c := p.(type) {
	case map[string]any:
		c[last] = v
		return doc, nil
	case []any:
		i, err := index(last, len(c), true)
		if err != nil {
			return doc, err
		}
		n := make([]any, 0, len(c)+1)
		n = append(append(append(n, c[:i]...), v), c[i:]...)
		return replaceIn(doc, toks, n), nil
	}
	return doc, fail("cannot add to %s: its parent is neither an object nor an array", ptr)
}

func remove(doc any, ptr string) (any, any, error) {
	toks, err := tokens(ptr)
	if err != nil {
		return doc, nil, err
	}
	if len(toks) == 0 {
		return nil, doc, nil
	}
	p, err := parent(doc, toks)
	if err != nil {
		return doc, nil, err
	}
	last := toks[len(toks)-1]
	switch c := p.(type) {
	case map[string]any:
		v, ok := c[last]
		if !ok {
			return doc, nil, fail("path %s does not exist", ptr)
		}
		delete(c, last)
		return doc, v, nil
	case []any:
		i, err := index(last, len(c), false)
		if err != nil {
			return doc, nil, err
		}
		v := c[i]
		n := make([]any, 0, len(c)-1)
		n = append(append(n, c[:i]...), c[i+1:]...)
		return replaceIn(doc, toks, n), v, nil
	}
	return doc, nil, fail("path %s does not exist", ptr)
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, c := range v {
			m[k] = deepCopy(c)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, c := range v {
			s[i] = deepCopy(c)
		}
		return s
	}
	return v
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
