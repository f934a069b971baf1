package fhir

import (
	"fmt"
	"sync"
)

// Writing FHIR XML (https://hl7.org/fhir/R4/xml.html): elements in the order of the
// definitions (EachChild's order), primitive values in value attributes, element ids as
// id attributes, Extension.url as an attribute, inline resources inside an element named
// for the resource type, and the narrative's XHTML copied exactly.

type xmlWriter struct {
	buf    []byte
	indent string
	depth  int
	err    error
	div    xdoc // checks narrative XHTML before it is copied into the output
	// frames holds, per complex element being written, whether its start tag is still
	// open for attributes, and whether it is an Extension.
	frames []xmlFrame
	found  bool
	// The callbacks given to EachChild, made once per writer: a closure made per call
	// would be an allocation per element.
	elementFn, childFn, anyFn func(string, Element) bool
}

type xmlFrame struct {
	name      string
	open, ext bool
}

var xmlWriterPool = sync.Pool{New: func() any {
	w := new(xmlWriter)
	w.elementFn = func(name string, c Element) bool {
		w.element(name, c)
		return w.err == nil
	}
	w.childFn = w.child
	w.anyFn = func(string, Element) bool {
		w.found = true
		return false
	}
	return w
}}

// MarshalResourceXML writes r as compact FHIR XML.
func MarshalResourceXML(r Resource) ([]byte, error) {
	return marshalXML(r, "")
}

// MarshalResourceXMLIndent writes r as FHIR XML with one element per line, indented by
// indent for each level of nesting.
func MarshalResourceXMLIndent(r Resource, indent string) ([]byte, error) {
	return marshalXML(r, indent)
}

// JSONToXML converts a JSON resource (read strictly) to compact XML.
func JSONToXML(data []byte) ([]byte, error) {
	r, err := ParseResource(data)
	if err != nil {
		return nil, err
	}
	return MarshalResourceXML(r)
}

func marshalXML(r Resource, indent string) ([]byte, error) {
	w := xmlWriterPool.Get().(*xmlWriter)
	defer func() {
		w.div.data = nil
		xmlWriterPool.Put(w)
	}()
	w.buf = w.buf[:0]
	w.indent = indent
	w.depth = 0
	w.err = nil
	w.resource(r, true)
	if w.err != nil {
		return nil, w.err
	}
	if indent != "" {
		w.buf = append(w.buf, '\n')
	}
	return append([]byte(nil), w.buf...), nil
}

func (w *xmlWriter) newline() {
	if w.indent == "" {
		return
	}
	if len(w.buf) > 0 {
		w.buf = append(w.buf, '\n')
	}
	for range w.depth {
		w.buf = append(w.buf, w.indent...)
	}
}

func (w *xmlWriter) resource(r Resource, root bool) {
	t := r.ResourceType()
	w.newline()
	w.buf = append(w.buf, '<')
	w.buf = append(w.buf, t...)
	if root {
		w.buf = append(w.buf, ` xmlns="`+fhirNS+`"`...)
	}
	w.buf = append(w.buf, '>')
	w.depth++
	r.EachChild(w.elementFn)
	w.depth--
	w.newline()
	w.buf = append(w.buf, "</"...)
	w.buf = append(w.buf, t...)
	w.buf = append(w.buf, '>')
}

// element writes one child element of a resource or complex value.
func (w *xmlWriter) element(name string, v Element) {
	switch v := v.(type) {
	case Resource:
		w.newline()
		w.open(name)
		w.buf = append(w.buf, '>')
		w.depth++
		w.resource(v, false)
		w.depth--
		w.newline()
		w.close(name)
	case *XHTML:
		w.xhtml(name, v)
	case Primitive:
		w.primitive(name, v)
	case *Extension:
		w.newline()
		w.open(name)
		if v.ID != "" {
			w.attr("id", v.ID)
		}
		w.attr("url", v.URL)
		w.children(name, v, true)
	default:
		w.newline()
		w.open(name)
		w.children(name, v, false)
	}
}

// children writes the id attribute, if any, and the child elements of v, then closes it.
func (w *xmlWriter) children(name string, v Element, extension bool) {
	w.frames = append(w.frames, xmlFrame{name: name, open: true, ext: extension})
	v.EachChild(w.childFn)
	f := w.frames[len(w.frames)-1]
	w.frames = w.frames[:len(w.frames)-1]
	if f.open {
		w.buf = append(w.buf, "/>"...)
		return
	}
	w.depth--
	w.newline()
	w.close(name)
}

// child writes one child of the complex element on top of the frames.
func (w *xmlWriter) child(cname string, c Element) bool {
	f := &w.frames[len(w.frames)-1]
	if cname == "id" || (f.ext && cname == "url") {
		// Attributes; an Extension's were written with its start tag.
		if cname == "id" && !f.ext {
			lit, _ := c.(Primitive).Literal()
			w.attr("id", lit)
		}
		return true
	}
	if f.open {
		w.buf = append(w.buf, '>')
		w.depth++
		f.open = false
	}
	w.element(cname, c)
	return w.err == nil
}

func (w *xmlWriter) primitive(name string, p Primitive) {
	w.newline()
	w.open(name)
	w.found = false
	p.EachChild(w.anyFn)
	hasExt := w.found
	if id := primitiveID(p); id != "" {
		w.attr("id", id)
	}
	if lit, ok := p.Literal(); ok {
		w.attr("value", lit)
	}
	if !hasExt {
		w.buf = append(w.buf, "/>"...)
		return
	}
	w.buf = append(w.buf, '>')
	w.depth++
	p.EachChild(w.elementFn)
	w.depth--
	w.newline()
	w.close(name)
}

// xhtml copies the narrative, after checking that it is one well-formed div element in
// the XHTML namespace.
func (w *xmlWriter) xhtml(name string, p *XHTML) {
	lit, ok := p.Literal()
	if !ok || p.ID != "" || len(p.Extension) > 0 {
		w.err = fmt.Errorf("fhir: xhtml element %s: XML can carry only the div itself, without id or extensions", name)
		return
	}
	if err := w.div.scan([]byte(lit)); err != nil {
		w.err = fmt.Errorf("fhir: xhtml element %s is not well-formed XML: %w", name, err)
		return
	}
	if root := &w.div.nodes[0]; root.ns != nsXHTML || string(w.div.bytes(root.local)) != "div" || root.start != 0 || root.end != len(lit) {
		w.err = fmt.Errorf("fhir: xhtml element %s must be exactly one div element in the namespace %s", name, xhtmlNS)
		return
	}
	w.newline()
	w.buf = append(w.buf, lit...)
}

func (w *xmlWriter) open(name string) {
	w.buf = append(w.buf, '<')
	w.buf = append(w.buf, name...)
}

func (w *xmlWriter) close(name string) {
	w.buf = append(w.buf, "</"...)
	w.buf = append(w.buf, name...)
	w.buf = append(w.buf, '>')
}

// attr writes name="value", escaping what an attribute value cannot hold literally; white
// space other than the space is written as a reference so that XML's attribute value
// normalisation keeps it.
func (w *xmlWriter) attr(name, value string) {
	w.buf = append(w.buf, ' ')
	w.buf = append(w.buf, name...)
	w.buf = append(w.buf, `="`...)
	start := 0
	for i := 0; i < len(value); i++ {
		var esc string
		switch value[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&quot;"
		case '\t':
			esc = "&#9;"
		case '\n':
			esc = "&#10;"
		case '\r':
			esc = "&#13;"
		default:
			continue
		}
		w.buf = append(w.buf, value[start:i]...)
		w.buf = append(w.buf, esc...)
		start = i + 1
	}
	w.buf = append(w.buf, value[start:]...)
	w.buf = append(w.buf, '"')
}

// primitiveID returns the element id of a primitive value.
func primitiveID(p Primitive) string {
	switch p := p.(type) {
	case *Boolean:
		return p.ID
	case *Integer:
		return p.ID
	case *UnsignedInt:
		return p.ID
	case *PositiveInt:
		return p.ID
	case *Decimal:
		return p.ID
	case *String:
		return p.ID
	case *URI:
		return p.ID
	case *URL:
		return p.ID
	case *Canonical:
		return p.ID
	case *Base64Binary:
		return p.ID
	case *Instant:
		return p.ID
	case *Date:
		return p.ID
	case *DateTime:
		return p.ID
	case *Time:
		return p.ID
	case *Code:
		return p.ID
	case *OID:
		return p.ID
	case *ID:
		return p.ID
	case *Markdown:
		return p.ID
	case *UUID:
		return p.ID
	case *XHTML:
		return p.ID
	}
	return ""
}
