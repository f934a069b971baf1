package interaction

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/joinedup/joinedup/fhir"
)

// subsetter applies _summary and _elements to stored resources
// (https://hl7.org/fhir/R4/search.html#summary, #elements): it keeps the chosen
// top-level members in their order and tags the result SUBSETTED.
type subsetter struct {
	summary  string
	elements []string
}

func newSubsetter(summary string, elements []string) *subsetter {
	if summary == "false" || summary == "count" {
		summary = ""
	}
	return &subsetter{summary: summary, elements: elements}
}

// subsettedTag marks a resource that is not complete.
const subsettedTag = `{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationValue","code":"SUBSETTED","display":"As requested, resource is not fully detailed"}`

// apply returns body (a resource of typ) reduced as asked; body itself when nothing is
// asked or the body cannot be read.
func (s *subsetter) apply(typ string, body []byte) []byte {
	if s.summary == "" && len(s.elements) == 0 {
		return body
	}
	td := fhir.LookupType(typ)
	if td == nil {
		return body
	}
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return body
	}
	out := []byte{'{'}
	first := true
	var meta []byte
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return body
		}
		name := tok.String()
		val, err := dec.ReadValue()
		if err != nil {
			return body
		}
		if name == "meta" {
			meta = val
			continue
		}
		if !s.keep(td, name) {
			continue
		}
		if !first {
			out = append(out, ',')
		}
		first = false
		out, _ = jsontext.AppendQuote(out, name)
		out = append(out, ':')
		out = append(out, val...)
		if name == "id" {
			out = append(out, `,"meta":`...)
			out = append(out, tagged(meta)...)
			meta = nil
		}
	}
	return append(out, '}')
}

// keep reports whether the member name (a JSON name: "valueQuantity", "_birthDate")
// stays.
func (s *subsetter) keep(td *fhir.TypeDef, name string) bool {
	switch name {
	case "resourceType", "id":
		return true
	}
	ed := elementOf(td, strings.TrimPrefix(name, "_"))
	if ed == nil {
		return s.summary == "data"
	}
	if ed.Min > 0 {
		return true // mandatory elements are always returned
	}
	switch s.summary {
	case "true":
		return ed.IsSummary
	case "text":
		return ed.Name == "text"
	case "data":
		return ed.Name != "text"
	}
	return slices.Contains(s.elements, ed.Name)
}

// elementOf finds the element a JSON member name stands for, choice elements by their
// typed name.
func elementOf(td *fhir.TypeDef, name string) *fhir.ElementDef {
	for _, ed := range td.Elements {
		if ed.Name == name || ed.Choice && strings.HasPrefix(name, ed.Name) && len(name) > len(ed.Name) &&
			name[len(ed.Name)] >= 'A' && name[len(ed.Name)] <= 'Z' {
			return ed
		}
	}
	return nil
}

// tagged returns meta (nil: none) with the SUBSETTED tag added.
func tagged(meta []byte) []byte {
	m := map[string]json.RawMessage{}
	if len(meta) > 0 {
		if err := json.Unmarshal(meta, &m); err != nil {
			m = map[string]json.RawMessage{}
		}
	}
	var tags []json.RawMessage
	if t, ok := m["tag"]; ok {
		_ = json.Unmarshal(t, &tags)
	}
	tags = append(tags, json.RawMessage(subsettedTag))
	b, _ := json.Marshal(tags)
	m["tag"] = b
	out, err := json.Marshal(m)
	if err != nil {
		return []byte(`{"tag":[` + subsettedTag + `]}`)
	}
	return out
}
