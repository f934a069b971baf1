package jsonpatch

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/go-json-experiment/json/jsontext"
)

// value is a JSON value that is decoded only when a patch reaches into it: until then it
// is its raw text, which is written back unchanged (number literals and all).
type value struct {
	raw      []byte
	expanded bool
	kind     byte // '{' or '[' once expanded; 0 for anything else
	names    []string
	vals     []*value
}

var errSyntax = errors.New("malformed JSON")

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'.
func skipString(b []byte, i int) (int, error) {
	for i++; ; {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			return 0, errSyntax
		}
		i += q
		// The quote ends the string unless an odd run of backslashes escapes it.
		bs := 0
		for k := i - 1; k >= 0 && b[k] == '\\'; k-- {
			bs++
		}
		i++
		if bs%2 == 0 {
			return i, nil
		}
	}
}

// skipValue returns the index after the value starting at b[i]. It finds the end of a
// value without checking its contents, which is what keeps untouched parts cheap.
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errSyntax
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			for i < len(b) && !special[b[i]] {
				i++
			}
			if i == len(b) {
				break
			}
			switch b[i] {
			case '"':
				end, err := skipString(b, i)
				if err != nil {
					return 0, err
				}
				i = end
				continue
			case '{', '[':
				depth++
			default:
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
			i++
		}
		return 0, errSyntax
	}
	s := i
	for i < len(b) && !isDelim(b[i]) {
		i++
	}
	if i == s {
		return 0, errSyntax
	}
	return i, nil
}

// special marks the bytes that matter when skipping a container.
var special = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}

func isDelim(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ']' || c == '}'
}

// expand decodes one level of an object or array.
func (v *value) expand() error {
	if v.expanded {
		return nil
	}
	b := v.raw
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
		v.expanded = true
		return nil
	}
	kind, end := b[0], byte('}')
	if kind == '[' {
		end = ']'
	}
	i := skipSpace(b, 1)
	var names []string
	var vals []*value
	for i < len(b) && b[i] != end {
		if len(vals) > 0 {
			if b[i] != ',' {
				return errSyntax
			}
			i = skipSpace(b, i+1)
		}
		if kind == '{' {
			if i >= len(b) || b[i] != '"' {
				return errSyntax
			}
			e, err := skipString(b, i)
			if err != nil {
				return err
			}
			var name string
			if err := json.Unmarshal(b[i:e], &name); err != nil {
				return err
			}
			names = append(names, name)
			i = skipSpace(b, e)
			if i >= len(b) || b[i] != ':' {
				return errSyntax
			}
			i = skipSpace(b, i+1)
		}
		e, err := skipValue(b, i)
		if err != nil {
			return err
		}
		vals = append(vals, &value{raw: b[i:e]})
		i = skipSpace(b, e)
	}
	if i >= len(b) || skipSpace(b, i+1) != len(b) {
		return errSyntax
	}
	v.expanded, v.kind, v.names, v.vals, v.raw = true, kind, names, vals, nil
	return nil
}

func (v *value) member(name string) int {
	for i, n := range v.names {
		if n == name {
			return i
		}
	}
	return -1
}

// encode appends the value's JSON text to b.
func (v *value) encode(b []byte) []byte {
	if !v.expanded || v.kind == 0 {
		return append(b, v.raw...)
	}
	if v.kind == '[' {
		b = append(b, '[')
		for i, c := range v.vals {
			if i > 0 {
				b = append(b, ',')
			}
			b = c.encode(b)
		}
		return append(b, ']')
	}
	b = append(b, '{')
	for i, c := range v.vals {
		if i > 0 {
			b = append(b, ',')
		}
		b, _ = jsontext.AppendQuote(b, v.names[i])
		b = append(b, ':')
		b = c.encode(b)
	}
	return append(b, '}')
}
