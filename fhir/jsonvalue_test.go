package fhir

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// jsonValue is a decoded JSON value for comparison: numbers keep their literal text, so
// 1.50 and 1.5 differ; object member order is ignored.
type jsonValue struct {
	kind    jsontext.Kind
	lit     string // string (unquoted), number literal, true/false/null
	members map[string]*jsonValue
	items   []*jsonValue
}

func decodeJSONValue(data []byte) (*jsonValue, error) {
	dec := jsontext.NewDecoder(bytes.NewReader(data))
	v, err := readJSONValue(dec)
	if err != nil {
		return nil, err
	}
	return v, nil
}

func readJSONValue(dec *jsontext.Decoder) (*jsonValue, error) {
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	v := &jsonValue{kind: tok.Kind()}
	switch tok.Kind() {
	case '{':
		v.members = map[string]*jsonValue{}
		for dec.PeekKind() != '}' {
			tok, err := dec.ReadToken()
			if err != nil {
				return nil, err
			}
			name := tok.String()
			m, err := readJSONValue(dec)
			if err != nil {
				return nil, err
			}
			v.members[name] = m
		}
		_, err = dec.ReadToken()
	case '[':
		for dec.PeekKind() != ']' {
			m, err := readJSONValue(dec)
			if err != nil {
				return nil, err
			}
			v.items = append(v.items, m)
		}
		_, err = dec.ReadToken()
	default:
		v.lit = tok.String()
	}
	return v, err
}

// diffJSON returns "" when a and b are the same JSON value, else the first difference.
func diffJSON(a, b []byte) string {
	va, err := decodeJSONValue(a)
	if err != nil {
		return "first: " + err.Error()
	}
	vb, err := decodeJSONValue(b)
	if err != nil {
		return "second: " + err.Error()
	}
	return diffValues("$", va, vb)
}

func diffValues(path string, a, b *jsonValue) string {
	if a.kind != b.kind {
		return fmt.Sprintf("%s: kind %v vs %v", path, a.kind, b.kind)
	}
	switch a.kind {
	case '{':
		var names []string
		for n := range a.members {
			names = append(names, n)
		}
		for n := range b.members {
			if _, ok := a.members[n]; !ok {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			ma, mb := a.members[n], b.members[n]
			if ma == nil || mb == nil {
				return fmt.Sprintf("%s.%s: present in only one", path, n)
			}
			if d := diffValues(path+"."+n, ma, mb); d != "" {
				return d
			}
		}
	case '[':
		if len(a.items) != len(b.items) {
			return fmt.Sprintf("%s: %d items vs %d", path, len(a.items), len(b.items))
		}
		for i := range a.items {
			if d := diffValues(fmt.Sprintf("%s[%d]", path, i), a.items[i], b.items[i]); d != "" {
				return d
			}
		}
	default:
		if a.lit != b.lit {
			return fmt.Sprintf("%s: %s vs %s", path, trunc(a.lit), trunc(b.lit))
		}
	}
	return ""
}

func trunc(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return strings.ReplaceAll(s, "\n", `\n`)
}
