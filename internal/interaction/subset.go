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
// asked or the body cannot be read. meta is kept whole, with the SUBSETTED tag, after id.
func (s *subsetter) apply(typ string, body []byte) []byte {
	if s.summary == "" && len(s.elements) == 0 {
		return body
	}
	td := fhir.LookupType(typ)
	if td == nil {
		return body
	}
	members, ok := objectMembers(body)
	if !ok {
		return body
	}
	var meta []byte
	anchor := "resourceType" // meta follows id, or resourceType when there is no id
	for _, m := range members {
		switch m.name {
		case "meta":
			meta = m.value
		case "id":
			anchor = "id"
		}
	}
	if meta, ok = tagged(meta); !ok {
		return body
	}
	out := []byte{'{'}
	add := func(name string, val []byte) {
		if len(out) > 1 {
			out = append(out, ',')
		}
		out, _ = jsontext.AppendQuote(out, name)
		out = append(out, ':')
		out = append(out, val...)
	}
	for _, m := range members {
		if m.name == "meta" || !s.keep(td, m.name) {
			continue
		}
		add(m.name, m.value)
		if m.name == anchor {
			add("meta", meta)
			meta = nil
		}
	}
	if meta != nil {
		add("meta", meta)
	}
	return append(out, '}')
}

// member is one member of a JSON object, its value as written.
type member struct {
	name  string
	value jsontext.Value
}

// objectMembers splits a JSON object into its members in order; false if it is not one.
func objectMembers(obj []byte) ([]member, bool) {
	dec := jsontext.NewDecoder(bytes.NewReader(obj))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return nil, false
	}
	var out []member
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil, false
		}
		name := tok.String() // before the next read reuses the token's buffer
		val, err := dec.ReadValue()
		if err != nil {
			return nil, false
		}
		out = append(out, member{name, val.Clone()})
	}
	return out, true
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

// tagged returns meta (nil: none) with every member it has, in order, and the SUBSETTED
// tag added to meta.tag unless it is there already; false if meta is not an object.
func tagged(meta []byte) ([]byte, bool) {
	if meta == nil {
		return []byte(`{"tag":[` + subsettedTag + `]}`), true
	}
	members, ok := objectMembers(meta)
	if !ok {
		return nil, false
	}
	out := []byte{'{'}
	hasTag := false
	for i, m := range members {
		if i > 0 {
			out = append(out, ',')
		}
		out, _ = jsontext.AppendQuote(out, m.name)
		out = append(out, ':')
		if m.name != "tag" {
			out = append(out, m.value...)
			continue
		}
		hasTag = true
		var tags []json.RawMessage
		if err := json.Unmarshal(m.value, &tags); err != nil {
			return nil, false
		}
		if !slices.ContainsFunc(tags, isSubsetted) {
			tags = append(tags, json.RawMessage(subsettedTag))
		}
		out = append(out, '[')
		for j, t := range tags {
			if j > 0 {
				out = append(out, ',')
			}
			out = append(out, t...)
		}
		out = append(out, ']')
	}
	if !hasTag {
		if len(members) > 0 {
			out = append(out, ',')
		}
		out = append(out, `"tag":[`+subsettedTag+`]`...)
	}
	return append(out, '}'), true
}

// isSubsetted reports whether a Coding is the SUBSETTED tag.
func isSubsetted(coding json.RawMessage) bool {
	var c struct{ System, Code string }
	return json.Unmarshal(coding, &c) == nil && c.Code == "SUBSETTED" &&
		c.System == "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
}
