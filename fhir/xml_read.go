package fhir

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Reading FHIR XML (https://hl7.org/fhir/R4/xml.html). The tree from the tokenizer is
// translated, with the meta-model, into the JSON form of the same resource, which the
// JSON reader then checks and loads: one set of primitive checks, choice rules and error
// paths serves both formats. What only XML can get wrong (namespaces, attributes, text,
// element order, an element without a value) is checked here.

// Kinds of element content.
const (
	xkPrimitive uint8 = iota
	xkComplex
	xkResource
	xkXHTML
)

// JSON kinds of a primitive value.
const (
	jkString uint8 = iota
	jkNumber
	jkInteger
	jkBool
)

type xmlElem struct {
	name      string
	index     int // position of the definition among its type's elements
	kind      uint8
	json      uint8
	repeating bool
	child     *xmlType // complex and backbone content
}

type xmlType struct {
	def       *TypeDef
	elems     map[string]*xmlElem
	extension bool // Extension: url is an attribute
	resource  bool
}

var (
	xmlTypesOnce sync.Once
	xmlTypes     map[string]*xmlType
)

// xmlTypeOf returns the XML view of a type, resource, or backbone definition path.
func xmlTypeOf(name string) *xmlType {
	xmlTypesOnce.Do(buildXMLTypes)
	return xmlTypes[name]
}

func buildXMLTypes() {
	xmlTypes = make(map[string]*xmlType, len(typeDefs))
	for _, td := range typeDefs {
		if td.Kind == KindPrimitive {
			continue
		}
		xmlTypes[td.Name] = &xmlType{def: td, extension: td.Name == "Extension", resource: td.Kind == KindResource}
	}
	for _, xt := range xmlTypes {
		xt.elems = make(map[string]*xmlElem, len(xt.def.Elements))
		for i, e := range xt.def.Elements {
			if e.ContentReference != "" {
				xt.elems[e.Name] = &xmlElem{name: e.Name, index: i, kind: xkComplex, repeating: e.Max != 1,
					child: xmlTypes[strings.TrimPrefix(e.ContentReference, "#")]}
				continue
			}
			for _, tr := range e.Types {
				name := e.Name
				if e.Choice {
					name += strings.ToUpper(tr.Code[:1]) + tr.Code[1:]
				}
				xe := &xmlElem{name: name, index: i, repeating: e.Max != 1}
				switch {
				case tr.Code == "Resource":
					xe.kind = xkResource
				case tr.Code == "xhtml":
					xe.kind = xkXHTML
				case e.Backbone != "":
					xe.kind = xkComplex
					xe.child = xmlTypes[e.Backbone]
				default:
					if t := LookupType(tr.Code); t != nil && t.Kind == KindPrimitive {
						xe.kind = xkPrimitive
						xe.json = primitiveJSONKind(tr.Code)
					} else {
						xe.kind = xkComplex
						xe.child = xmlTypes[tr.Code]
					}
				}
				xt.elems[name] = xe
			}
		}
	}
}

func primitiveJSONKind(code string) uint8 {
	switch code {
	case "boolean":
		return jkBool
	case "decimal":
		return jkNumber
	case "integer", "unsignedInt", "positiveInt":
		return jkInteger
	}
	return jkString
}

// xmlReader turns the tree into JSON.
type xmlReader struct {
	doc    xdoc
	idx    []int32    // stack of sibling runs being written
	seen   []*xmlElem // stack of the element definitions written per object
	out    []byte
	path   []pathSeg
	issues []ParseIssue
}

var xmlReaderPool = sync.Pool{New: func() any { return new(xmlReader) }}

// ParseResourceXML reads one resource from FHIR XML, strictly: an element or attribute
// the definitions do not allow, text where none is allowed, an element without value,
// id or extensions, a value its type does not allow, or a namespace other than FHIR's
// (XHTML's for the narrative) is an error. Errors are *ParseError with FHIRPath paths.
func ParseResourceXML(data []byte) (Resource, error) {
	x := xmlReaderPool.Get().(*xmlReader)
	defer x.release()
	js, err := x.toJSON(data)
	if err != nil {
		return nil, xmlError(err)
	}
	// The JSON reader copies what it keeps, so x.out can go back to the pool after.
	r, err := ParseResource(js)
	if err != nil {
		return nil, xmlError(err)
	}
	return r, nil
}

// XMLToJSON converts a FHIR XML resource to its compact JSON form.
func XMLToJSON(data []byte) ([]byte, error) {
	r, err := ParseResourceXML(data)
	if err != nil {
		return nil, err
	}
	return MarshalResource(r)
}

func (x *xmlReader) release() {
	x.doc.data = nil
	clear(x.doc.rawAttr)
	clear(x.doc.scope)
	clear(x.doc.path)
	clear(x.path)
	x.path = x.path[:0]
	clear(x.seen)
	x.seen = x.seen[:0]
	if cap(x.out) > 16<<20 {
		x.out = nil // a huge document's buffer is not kept
	}
	xmlReaderPool.Put(x)
}

// toJSON translates the document into JSON in x.out, valid until x is released.
func (x *xmlReader) toJSON(data []byte) ([]byte, error) {
	if err := x.doc.scan(data); err != nil {
		return nil, &ParseError{Issues: []ParseIssue{{Message: err.Error()}}}
	}
	x.out = x.out[:0]
	x.issues = x.issues[:0]
	x.idx = x.idx[:0]
	x.resource(0)
	if len(x.issues) > 0 {
		return nil, &ParseError{Issues: append([]ParseIssue(nil), x.issues...)}
	}
	return x.out, nil
}

// xmlParseError is a ParseError from reading XML: it says so, and errors.As finds the
// ParseError inside.
type xmlParseError struct{ pe *ParseError }

func (e *xmlParseError) Error() string {
	return "fhir: invalid XML resource: " + strings.TrimPrefix(e.pe.Error(), "fhir: invalid JSON resource: ")
}

func (e *xmlParseError) Unwrap() error { return e.pe }

func xmlError(err error) error {
	if pe, ok := err.(*ParseError); ok {
		return &xmlParseError{pe}
	}
	return err
}

func (x *xmlReader) push(name []byte) { x.path = append(x.path, pathSeg{name: name, index: -1}) }
func (x *xmlReader) pop()             { x.path = x.path[:len(x.path)-1] }

func (x *xmlReader) issue(msg string) {
	if len(x.issues) >= maxIssues {
		return
	}
	var b []byte
	for i, s := range x.path {
		if i > 0 {
			b = append(b, '.')
		}
		b = append(b, s.name...)
		if s.index >= 0 {
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(s.index), 10)
			b = append(b, ']')
		}
	}
	x.issues = append(x.issues, ParseIssue{Path: string(b), Message: msg})
}

// resource writes the resource element n as a JSON object.
func (x *xmlReader) resource(n int32) {
	node := &x.doc.nodes[n]
	x.push(x.doc.bytes(node.local))
	defer x.pop()
	if node.ns != nsFHIR {
		x.issue("resource element " + string(x.doc.bytes(node.local)) + " is not in the FHIR namespace " + fhirNS)
		return
	}
	xt := xmlTypeOf(string(x.doc.bytes(node.local)))
	if xt == nil || !xt.resource || !IsResourceType(string(x.doc.bytes(node.local))) {
		x.issue("unknown resource type " + strconv.Quote(string(x.doc.bytes(node.local))))
		return
	}
	x.out = append(x.out, `{"resourceType":"`...)
	x.out = append(x.out, x.doc.bytes(node.local)...)
	x.out = append(x.out, '"')
	x.object(xt, n, true)
	x.out = append(x.out, '}')
}

// object writes the members of element n (of type xt) after an opening brace that the
// caller wrote; first says whether no member has been written yet.
func (x *xmlReader) object(xt *xmlType, n int32, resource bool) {
	node := &x.doc.nodes[n]
	first := !resource
	for i := node.attrs; i < node.attrs+node.nattrs; i++ {
		a := &x.doc.attrs[i]
		switch {
		case a.ns == nsNone && !resource && string(x.doc.bytes(a.local)) == "id":
			x.member(&first, "id")
			x.out = appendJSONStr(x.out, x.doc.bytes(a.value))
		case a.ns == nsNone && xt.extension && string(x.doc.bytes(a.local)) == "url":
			x.member(&first, "url")
			x.out = appendJSONStr(x.out, x.doc.bytes(a.value))
		default:
			x.issue("attribute " + strconv.Quote(string(x.doc.bytes(a.local))) + " is not allowed here")
		}
	}
	if node.text {
		x.issue("text is not allowed in element " + string(x.doc.bytes(node.local)))
	}
	// Siblings of one name are gathered wherever they stand: element order carries no
	// content (JSON has none), and documents from other systems do not always keep it.
	base := len(x.seen)
	for c := node.first; c >= 0; c = x.doc.nodes[c].next {
		cn := &x.doc.nodes[c]
		name := string(x.doc.bytes(cn.local))
		xe := xt.elems[name]
		if xe == nil || (!resource && name == "id") || (xt.extension && name == "url") {
			x.push(x.doc.bytes(cn.local))
			x.issue("unknown element " + strconv.Quote(name))
			x.pop()
			continue
		}
		if slices.Contains(x.seen[base:], xe) {
			continue
		}
		for _, s := range x.seen[base:] {
			if s.index == xe.index {
				x.push(x.doc.bytes(cn.local))
				x.issue("more than one type given for choice element " + strconv.Quote(name))
				x.pop()
			}
		}
		x.seen = append(x.seen, xe)
		start := len(x.idx)
		for k := c; k >= 0; k = x.doc.nodes[k].next {
			kn := &x.doc.nodes[k]
			if string(x.doc.bytes(kn.local)) != name {
				continue
			}
			if (xe.kind == xkXHTML) != (kn.ns == nsXHTML) || (xe.kind != xkXHTML && kn.ns != nsFHIR) {
				x.push(x.doc.bytes(kn.local))
				if xe.kind == xkXHTML {
					x.issue("element " + name + " must be in the XHTML namespace " + xhtmlNS)
				} else {
					x.issue("element " + name + " is not in the FHIR namespace " + fhirNS)
				}
				x.pop()
			}
			x.idx = append(x.idx, k)
		}
		run := x.idx[start:]
		if len(run) > 1 && !xe.repeating {
			x.push(x.doc.bytes(cn.local))
			x.issue("element " + strconv.Quote(name) + " occurs more than once")
			x.pop()
		}
		x.members(xe, run, &first)
		x.idx = x.idx[:start]
	}
	x.seen = x.seen[:base]
}

func (x *xmlReader) member(first *bool, name string) {
	if !*first {
		x.out = append(x.out, ',')
	}
	*first = false
	x.out = append(x.out, '"')
	x.out = append(x.out, name...)
	x.out = append(x.out, `":`...)
}

// members writes the JSON members for the sibling elements from c up to (not including)
// end, which all have the name of xe.
func (x *xmlReader) members(xe *xmlElem, run []int32, first *bool) {
	name := x.doc.bytes(x.doc.nodes[run[0]].local)
	x.push(name)
	defer x.pop()
	switch xe.kind {
	case xkPrimitive:
		x.primitives(xe, run, first)
		return
	case xkXHTML:
		n := &x.doc.nodes[run[0]]
		// The div is kept as written, so it must carry its namespace itself.
		if p, _ := x.doc.startName(n); p != nil {
			x.issue("the XHTML div must use the default namespace, not a prefix")
		}
		x.member(first, xe.name)
		raw := x.doc.data[n.start:n.end]
		if bytes.IndexByte(raw, '\r') >= 0 {
			// XML line ends are "\n" once read (XML 1.0 section 2.11).
			raw = bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
			raw = bytes.ReplaceAll(raw, []byte("\r"), []byte("\n"))
		}
		x.out = appendJSONStr(x.out, raw)
		return
	}
	x.member(first, xe.name)
	if xe.repeating {
		x.out = append(x.out, '[')
	}
	for i, c := range run {
		n := &x.doc.nodes[c]
		if xe.repeating {
			x.path[len(x.path)-1].index = i
			if i > 0 {
				x.out = append(x.out, ',')
			}
		}
		if xe.kind == xkResource {
			x.wrapped(c)
		} else {
			x.out = append(x.out, '{')
			x.object(xe.child, c, false)
			x.out = append(x.out, '}')
			if n.first < 0 && n.nattrs == 0 {
				x.issue("element has no content")
			}
		}
	}
	if xe.repeating {
		x.out = append(x.out, ']')
	}
}

// wrapped writes the resource inside a wrapper element such as contained or
// Bundle.entry.resource.
func (x *xmlReader) wrapped(c int32) {
	n := &x.doc.nodes[c]
	if n.nattrs > 0 {
		x.issue("a resource wrapper element has no attributes")
	}
	if n.text {
		x.issue("text is not allowed here")
	}
	if n.first < 0 || x.doc.nodes[n.first].next >= 0 {
		x.issue("a resource wrapper element holds exactly one resource")
		x.out = append(x.out, "null"...)
		return
	}
	x.resource(n.first)
}

// primitives writes "name" and "_name" for a run of primitive elements.
func (x *xmlReader) primitives(xe *xmlElem, run []int32, first *bool) {
	// Values first.
	anyValue, anyExt := false, false
	for _, k := range run {
		v, ext := x.primitiveParts(k)
		anyValue = anyValue || v != nil
		anyExt = anyExt || ext
	}
	if anyValue {
		x.member(first, xe.name)
		if xe.repeating {
			x.out = append(x.out, '[')
		}
		for i, k := range run {
			if xe.repeating {
				x.path[len(x.path)-1].index = i
				if i > 0 {
					x.out = append(x.out, ',')
				}
			}
			v, _ := x.primitiveParts(k)
			if v == nil {
				x.out = append(x.out, "null"...)
				continue
			}
			x.value(xe.json, v)
		}
		if xe.repeating {
			x.out = append(x.out, ']')
		}
	}
	if anyExt {
		x.member(first, "_"+xe.name)
		if xe.repeating {
			x.out = append(x.out, '[')
		}
		for i, k := range run {
			if xe.repeating {
				x.path[len(x.path)-1].index = i
				if i > 0 {
					x.out = append(x.out, ',')
				}
			}
			if _, ext := x.primitiveParts(k); !ext {
				x.out = append(x.out, "null"...)
				continue
			}
			x.primitiveExt(k)
		}
		if xe.repeating {
			x.out = append(x.out, ']')
		}
	}
	// Problems are reported once, in a pass with the item indexes set.
	for i, k := range run {
		if xe.repeating {
			x.path[len(x.path)-1].index = i
		}
		n := &x.doc.nodes[k]
		v, ext := x.primitiveParts(k)
		if v == nil && !ext {
			x.issue("element has no value, id or extension")
		}
		if n.text {
			x.issue("text is not allowed in a primitive element; the value goes in the value attribute")
		}
		for a := n.attrs; a < n.attrs+n.nattrs; a++ {
			at := &x.doc.attrs[a]
			if at.ns != nsNone || (string(x.doc.bytes(at.local)) != "value" && string(x.doc.bytes(at.local)) != "id") {
				x.issue("attribute " + strconv.Quote(string(x.doc.bytes(at.local))) + " is not allowed here")
			}
		}
	}
}

// primitiveParts returns the value attribute (nil when absent) and whether the element
// has an id or children (extensions, or anything else, which primitiveExt reports).
func (x *xmlReader) primitiveParts(k int32) (value []byte, ext bool) {
	n := &x.doc.nodes[k]
	for a := n.attrs; a < n.attrs+n.nattrs; a++ {
		at := &x.doc.attrs[a]
		if at.ns != nsNone {
			continue
		}
		switch string(x.doc.bytes(at.local)) {
		case "value":
			value = x.doc.bytes(at.value)
		case "id":
			ext = true
		}
	}
	return value, ext || n.first >= 0
}

// value writes a primitive value in its JSON form, checking the literal where JSON's
// own syntax would otherwise reject it without a path.
func (x *xmlReader) value(kind uint8, v []byte) {
	switch kind {
	case jkBool:
		if string(v) != "true" && string(v) != "false" {
			x.issue("boolean value must be true or false, not " + strconv.Quote(string(v)))
			x.out = append(x.out, "false"...)
			return
		}
		x.out = append(x.out, v...)
	case jkInteger, jkNumber:
		if !isJSONNumber(v, kind == jkInteger) {
			what := "decimal"
			if kind == jkInteger {
				what = "integer"
			}
			x.issue("invalid " + what + " value " + strconv.Quote(string(v)))
			x.out = append(x.out, '0')
			return
		}
		x.out = append(x.out, v...)
	default:
		x.out = appendJSONStr(x.out, v)
	}
}

// isJSONNumber checks the grammar -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, which
// is also FHIR's for decimal; integers stop after the digits.
func isJSONNumber(b []byte, integer bool) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		s := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i - s
	}
	s := i
	if n := digits(); n == 0 || (n > 1 && b[s] == '0') {
		return false
	}
	if integer {
		return i == len(b)
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}

// primitiveExt writes the {"id":…, "extension":[…]} object of a primitive element.
func (x *xmlReader) primitiveExt(k int32) {
	n := &x.doc.nodes[k]
	x.out = append(x.out, '{')
	first := true
	for a := n.attrs; a < n.attrs+n.nattrs; a++ {
		at := &x.doc.attrs[a]
		if at.ns == nsNone && string(x.doc.bytes(at.local)) == "id" {
			x.member(&first, "id")
			x.out = appendJSONStr(x.out, x.doc.bytes(at.value))
		}
	}
	ext := xmlTypeOf("Extension")
	i := 0
	for c := n.first; c >= 0; c = x.doc.nodes[c].next {
		cn := &x.doc.nodes[c]
		if string(x.doc.bytes(cn.local)) != "extension" || cn.ns != nsFHIR {
			x.push(x.doc.bytes(cn.local))
			x.issue("unknown element " + strconv.Quote(string(x.doc.bytes(cn.local))) + ": a primitive element holds only extensions")
			x.pop()
			continue
		}
		if i == 0 {
			x.member(&first, "extension")
			x.out = append(x.out, '[')
		} else {
			x.out = append(x.out, ',')
		}
		x.push(x.doc.bytes(cn.local))
		x.path[len(x.path)-1].index = i
		x.out = append(x.out, '{')
		x.object(ext, c, false)
		x.out = append(x.out, '}')
		x.pop()
		i++
	}
	if i > 0 {
		x.out = append(x.out, ']')
	}
	x.out = append(x.out, '}')
}

const xmlHex = "0123456789abcdef"

// appendJSONStr appends s as a JSON string.
func appendJSONStr(b, s []byte) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', xmlHex[c>>4], xmlHex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
