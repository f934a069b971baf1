package fhirpath

import (
	"fmt"
	"strconv"

	"github.com/joinedup/joinedup/fhir"
)

// MarshalCollection writes a result in the JSON form of the `joinedup fhirpath` command
// (DESIGN.md, "Interfaces that stay stable"): an array of {"type": T, "value": V}. T is
// the type name without namespace — System types as the HL7 test suite spells them
// (boolean, integer, decimal, string, date, dateTime, time, Quantity), FHIR types by
// their FHIR name. V is a primitive's literal as a JSON string ("1.50", "1974-12-25",
// "true"), {"value": "1.5", "unit": "mg"} for a System Quantity, and the FHIR JSON of
// anything else.
func MarshalCollection(c Collection) ([]byte, error) {
	buf := []byte{'['}
	for i, v := range c {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"type":`...)
		buf = strconv.AppendQuote(buf, typeName(v))
		buf = append(buf, `,"value":`...)
		var err error
		if buf, err = appendValueJSON(buf, v); err != nil {
			return nil, err
		}
		buf = append(buf, '}')
	}
	return append(buf, ']'), nil
}

func appendValueJSON(buf []byte, v Value) ([]byte, error) {
	switch x := v.(type) {
	case Quantity:
		buf = append(buf, `{"value":`...)
		buf = strconv.AppendQuote(buf, formatDecimal(x.Value))
		buf = append(buf, `,"unit":`...)
		buf = strconv.AppendQuote(buf, x.Unit)
		return append(buf, '}'), nil
	case TypeInfo:
		buf = append(buf, `{"namespace":`...)
		buf = strconv.AppendQuote(buf, x.Namespace)
		buf = append(buf, `,"name":`...)
		buf = strconv.AppendQuote(buf, x.Name)
		return append(buf, '}'), nil
	case fhir.Primitive:
		if lit, ok := x.Literal(); ok {
			return strconv.AppendQuote(buf, lit), nil
		}
		return appendElementJSON(buf, x, 0)
	case fhir.Element:
		return appendElementJSON(buf, x, 0)
	}
	s, ok := literalString(v)
	if !ok {
		return nil, fmt.Errorf("fhirpath: cannot write a %T", v)
	}
	return strconv.AppendQuote(buf, s), nil
}

// appendElementJSON writes a model element as FHIR JSON, using the meta-model to tell
// repeating elements (arrays) from single ones.
func appendElementJSON(buf []byte, e fhir.Element, depth int) ([]byte, error) {
	if depth > 256 {
		return nil, fmt.Errorf("fhirpath: element nested too deeply")
	}
	if r, ok := e.(fhir.Resource); ok {
		b, err := fhir.MarshalResource(r)
		if err != nil {
			return nil, err
		}
		return append(buf, b...), nil
	}
	typeName := e.FHIRType()
	if bb, ok := e.(fhir.Backbone); ok {
		typeName = bb.DefinitionPath()
	}
	td := fhir.LookupType(typeName)
	type member struct {
		name  string
		items []fhir.Element
	}
	var members []member
	e.EachChild(func(name string, ch fhir.Element) bool {
		if n := len(members); n > 0 && members[n-1].name == name {
			members[n-1].items = append(members[n-1].items, ch)
		} else {
			members = append(members, member{name: name, items: []fhir.Element{ch}})
		}
		return true
	})
	buf = append(buf, '{')
	first := true
	for _, m := range members {
		repeating := len(m.items) > 1
		if td != nil {
			if ed := td.Element(m.name); ed != nil {
				repeating = ed.Max != 1
			}
		}
		// Primitives: values under the name, id and extensions under _name.
		if _, ok := m.items[0].(fhir.Primitive); ok {
			var err error
			buf, err = appendPrimitiveMember(buf, m.name, m.items, repeating, &first, depth)
			if err != nil {
				return nil, err
			}
			continue
		}
		buf = separate(buf, &first)
		buf = strconv.AppendQuote(buf, m.name)
		buf = append(buf, ':')
		if repeating {
			buf = append(buf, '[')
		}
		for i, it := range m.items {
			if i > 0 {
				buf = append(buf, ',')
			}
			var err error
			if buf, err = appendElementJSON(buf, it, depth+1); err != nil {
				return nil, err
			}
		}
		if repeating {
			buf = append(buf, ']')
		}
	}
	return append(buf, '}'), nil
}

// separate writes the comma before every member but the first.
func separate(buf []byte, first *bool) []byte {
	if !*first {
		buf = append(buf, ',')
	}
	*first = false
	return buf
}

func appendPrimitiveMember(buf []byte, name string, items []fhir.Element, repeating bool, first *bool, depth int) ([]byte, error) {
	hasValue, hasExtra := false, false
	for _, it := range items {
		if _, ok := it.(fhir.Primitive).Literal(); ok {
			hasValue = true
		}
		it.EachChild(func(string, fhir.Element) bool { hasExtra = true; return false })
	}
	if hasValue {
		buf = separate(buf, first)
		buf = strconv.AppendQuote(buf, name)
		buf = append(buf, ':')
		if repeating {
			buf = append(buf, '[')
		}
		for i, it := range items {
			if i > 0 {
				buf = append(buf, ',')
			}
			p := it.(fhir.Primitive)
			lit, ok := p.Literal()
			switch {
			case !ok:
				buf = append(buf, "null"...)
			case p.FHIRType() == "boolean" || p.FHIRType() == "decimal" || p.FHIRType() == "integer" ||
				p.FHIRType() == "unsignedInt" || p.FHIRType() == "positiveInt":
				buf = append(buf, lit...)
			default:
				buf = strconv.AppendQuote(buf, lit)
			}
		}
		if repeating {
			buf = append(buf, ']')
		}
	}
	if hasExtra {
		buf = separate(buf, first)
		buf = strconv.AppendQuote(buf, "_"+name)
		buf = append(buf, ':')
		if repeating {
			buf = append(buf, '[')
		}
		for i, it := range items {
			if i > 0 {
				buf = append(buf, ',')
			}
			empty := true
			it.EachChild(func(string, fhir.Element) bool { empty = false; return false })
			if empty {
				buf = append(buf, "null"...)
				continue
			}
			var err error
			if buf, err = appendElementJSON(buf, it, depth+1); err != nil {
				return nil, err
			}
		}
		if repeating {
			buf = append(buf, ']')
		}
	}
	return buf, nil
}
