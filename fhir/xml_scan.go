package fhir

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// A tokenizer for the subset of XML 1.0 that FHIR documents use
// (https://www.w3.org/TR/xml/): elements, attributes, namespaces, character and the five
// predefined entity references, CDATA sections; comments and processing instructions are
// skipped. A document type declaration is refused, which also shuts out entity expansion
// attacks. It builds a flat tree whose names and values point into the input where they
// can, because encoding/xml's Decoder allocates for every token and is several times slower.

// Namespaces an element can be in.
const (
	nsNone uint8 = iota
	nsFHIR
	nsXHTML
	nsXSI
	nsOther
)

const (
	fhirNS  = "http://hl7.org/fhir"
	xhtmlNS = "http://www.w3.org/1999/xhtml"
	xsiNS   = "http://www.w3.org/2001/XMLSchema-instance"
)

// span locates bytes in the input, or in the arena of decoded attribute values. Nodes
// and attributes hold spans, not slices, so that the tree has no pointers for the
// garbage collector to scan or the write barrier to track.
type span struct {
	off, n int32
	arena  bool
}

// xnode is one element of the tree.
type xnode struct {
	local      span
	ns         uint8
	attrs      int32 // index of the first attribute in xdoc.attrs
	nattrs     int32
	first      int32 // first child element, -1 when none
	next       int32 // next sibling, -1 when none
	text       bool  // holds character data other than white space
	start, end int   // byte span of the whole element in the input
}

// xattr is an attribute; value has references decoded.
type xattr struct {
	local span
	ns    uint8
	value span
}

type nsBinding struct {
	prefix []byte
	ns     uint8
}

type xdoc struct {
	data  []byte
	arena []byte // attribute values whose references were decoded
	nodes []xnode
	attrs []xattr
	scope []nsBinding
	path  [][]byte // names of the open elements, for error messages
	// rawAttr holds the prefix and local names of the attributes of the tag being read,
	// before namespaces are resolved.
	rawAttr []rawXAttr
}

type rawXAttr struct {
	prefix, local []byte
	value         span
}

// bytes returns the bytes a span locates.
func (x *xdoc) bytes(s span) []byte {
	if s.arena {
		return x.arena[s.off : s.off+s.n]
	}
	return x.data[s.off : s.off+s.n]
}

// spanOf locates b, a slice of the input.
func (x *xdoc) spanOf(b []byte) span {
	return span{off: int32(cap(x.data) - cap(b)), n: int32(len(b))}
}

// xmlSyntaxError reports malformed XML.
type xmlSyntaxError struct {
	line int
	path string
	msg  string
}

func (e *xmlSyntaxError) Error() string {
	if e.path != "" {
		return fmt.Sprintf("line %d, in %s: %s", e.line, e.path, e.msg)
	}
	return fmt.Sprintf("line %d: %s", e.line, e.msg)
}

func (x *xdoc) fail(pos int, format string, args ...any) error {
	pos = min(pos, len(x.data))
	var path []byte
	for i, p := range x.path {
		if i > 0 {
			path = append(path, '.')
		}
		path = append(path, p...)
	}
	return &xmlSyntaxError{line: 1 + bytes.Count(x.data[:pos], []byte{'\n'}), path: string(path), msg: fmt.Sprintf(format, args...)}
}

// Byte classes, by table: the tokenizer's inner loops test every byte.
var (
	xmlSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}
	nameEnd  = [256]bool{' ': true, '\t': true, '\n': true, '\r': true, '/': true, '>': true, '=': true, '<': true, '"': true, '\'': true}
)

func isXMLSpace(c byte) bool { return xmlSpace[c] }

func (x *xdoc) skipSpace(p int) int {
	for p < len(x.data) && isXMLSpace(x.data[p]) {
		p++
	}
	return p
}

// scan parses data into x.nodes; the root element is node 0.
func (x *xdoc) scan(data []byte) error {
	if len(data) > math.MaxInt32 {
		return &xmlSyntaxError{line: 1, msg: "document larger than 2 GiB"}
	}
	x.data = data
	x.arena = x.arena[:0]
	x.nodes = x.nodes[:0]
	x.attrs = x.attrs[:0]
	x.scope = x.scope[:0]
	x.path = x.path[:0]
	if !utf8.Valid(data) {
		return x.fail(0, "document is not valid UTF-8")
	}
	p := 0
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		p = 3
	}
	root := false
	for {
		p = x.skipSpace(p)
		if p >= len(data) {
			break
		}
		if data[p] != '<' {
			return x.fail(p, "text outside the root element")
		}
		switch {
		case bytes.HasPrefix(data[p:], []byte("<?")):
			end, err := x.skipPI(p)
			if err != nil {
				return err
			}
			p = end
		case bytes.HasPrefix(data[p:], []byte("<!--")):
			end, err := x.skipComment(p)
			if err != nil {
				return err
			}
			p = end
		case bytes.HasPrefix(data[p:], []byte("<!")):
			return x.fail(p, "document type declarations are not allowed")
		default:
			if root {
				return x.fail(p, "more than one root element")
			}
			root = true
			end, err := x.element(p)
			if err != nil {
				return err
			}
			p = end
		}
	}
	if !root {
		return x.fail(p, "no root element")
	}
	return nil
}

func (x *xdoc) skipPI(p int) (int, error) {
	end := bytes.Index(x.data[p+2:], []byte("?>"))
	if end < 0 {
		return 0, x.fail(p, "unterminated processing instruction")
	}
	body := x.data[p+2 : p+2+end]
	if bytes.HasPrefix(body, []byte("xml")) && (len(body) == 3 || isXMLSpace(body[3])) {
		// The XML declaration: only UTF-8 is read.
		if i := bytes.Index(body, []byte("encoding")); i >= 0 {
			rest := bytes.TrimLeft(body[i+len("encoding"):], " \t\r\n=")
			if len(rest) > 0 && (rest[0] == '"' || rest[0] == '\'') {
				q := bytes.IndexByte(rest[1:], rest[0])
				if q >= 0 {
					enc := string(bytes.ToLower(rest[1 : 1+q]))
					if enc != "utf-8" && enc != "utf8" {
						return 0, x.fail(p, "encoding %q is not supported (only UTF-8)", enc)
					}
				}
			}
		}
	}
	return p + 2 + end + 2, nil
}

func (x *xdoc) skipComment(p int) (int, error) {
	end := bytes.Index(x.data[p+4:], []byte("-->"))
	if end < 0 {
		return 0, x.fail(p, "unterminated comment")
	}
	return p + 4 + end + 3, nil
}

// name reads a (possibly prefixed) name at p.
func (x *xdoc) name(p int) (prefix, local []byte, end int, err error) {
	s := p
	colon := -1
	data := x.data
	for p < len(data) && !nameEnd[data[p]] {
		if data[p] == ':' {
			if colon >= 0 {
				return nil, nil, 0, x.fail(p, "name has more than one ':'")
			}
			colon = p
		}
		p++
	}
	if p == s {
		return nil, nil, 0, x.fail(p, "name expected")
	}
	if c := x.data[s]; c >= '0' && c <= '9' || c == '-' || c == '.' {
		return nil, nil, 0, x.fail(s, "name cannot start with %q", c)
	}
	if colon >= 0 {
		if colon == s || colon == p-1 {
			return nil, nil, 0, x.fail(s, "malformed prefixed name")
		}
		return x.data[s:colon], x.data[colon+1 : p], p, nil
	}
	return nil, x.data[s:p], p, nil
}

func nsCode(uri []byte) uint8 {
	switch string(uri) {
	case fhirNS:
		return nsFHIR
	case xhtmlNS:
		return nsXHTML
	case xsiNS:
		return nsXSI
	case "":
		return nsNone
	}
	return nsOther
}

func (x *xdoc) lookupNS(prefix []byte) (uint8, bool) {
	for i := len(x.scope) - 1; i >= 0; i-- {
		if bytes.Equal(x.scope[i].prefix, prefix) {
			return x.scope[i].ns, true
		}
	}
	if len(prefix) == 0 {
		return nsNone, true
	}
	if string(prefix) == "xml" {
		return nsOther, true
	}
	return 0, false
}

// element reads the root element starting at p (at '<') with all its content, without
// recursion, and returns the position after its end tag.
func (x *xdoc) element(p int) (int, error) {
	type open struct {
		node  int32
		last  int32 // last child added, -1 when none
		scope int
	}
	var stack []open
	for {
		// A start tag at p.
		start := p
		prefix, local, q, err := x.name(p + 1)
		if err != nil {
			return 0, err
		}
		x.path = append(x.path, local)
		x.rawAttr = x.rawAttr[:0]
		scopeLen := len(x.scope)
		selfClosing := false
		for {
			ws := q
			q = x.skipSpace(q)
			if q >= len(x.data) {
				return 0, x.fail(q, "unterminated start tag")
			}
			if x.data[q] == '>' {
				q++
				break
			}
			if x.data[q] == '/' {
				if q+1 >= len(x.data) || x.data[q+1] != '>' {
					return 0, x.fail(q, "'/' not followed by '>'")
				}
				q += 2
				selfClosing = true
				break
			}
			if q == ws {
				return 0, x.fail(q, "white space expected between attributes")
			}
			ap, al, r, err := x.name(q)
			if err != nil {
				return 0, err
			}
			r = x.skipSpace(r)
			if r >= len(x.data) || x.data[r] != '=' {
				return 0, x.fail(r, "'=' expected after attribute %s", al)
			}
			r = x.skipSpace(r + 1)
			if r >= len(x.data) || (x.data[r] != '"' && x.data[r] != '\'') {
				return 0, x.fail(r, "quoted value expected for attribute %s", al)
			}
			quote := x.data[r]
			e := bytes.IndexByte(x.data[r+1:], quote)
			if e < 0 {
				return 0, x.fail(r, "unterminated attribute value")
			}
			val, err := x.attrValue(r+1, x.data[r+1:r+1+e])
			if err != nil {
				return 0, err
			}
			q = r + 1 + e + 1
			for _, a := range x.rawAttr {
				if bytes.Equal(a.prefix, ap) && bytes.Equal(a.local, al) {
					return 0, x.fail(q, "duplicate attribute %s", al)
				}
			}
			switch {
			case ap == nil && string(al) == "xmlns":
				x.scope = append(x.scope, nsBinding{prefix: nil, ns: nsCode(x.bytes(val))})
			case string(ap) == "xmlns":
				if val.n == 0 {
					return 0, x.fail(q, "namespace prefix %s bound to nothing", al)
				}
				x.scope = append(x.scope, nsBinding{prefix: al, ns: nsCode(x.bytes(val))})
			}
			x.rawAttr = append(x.rawAttr, rawXAttr{prefix: ap, local: al, value: val})
		}
		ns, ok := x.lookupNS(prefix)
		if !ok {
			return 0, x.fail(start, "undeclared namespace prefix %s", prefix)
		}
		n := xnode{local: x.spanOf(local), ns: ns, attrs: int32(len(x.attrs)), first: -1, next: -1, start: start}
		for _, a := range x.rawAttr {
			if string(a.prefix) == "xmlns" || (a.prefix == nil && string(a.local) == "xmlns") {
				continue
			}
			ans := nsNone
			if a.prefix != nil {
				var ok bool
				if ans, ok = x.lookupNS(a.prefix); !ok {
					return 0, x.fail(start, "undeclared namespace prefix %s", a.prefix)
				}
				if ans == nsXSI {
					// Schema hints (xsi:schemaLocation) carry no content.
					continue
				}
				if ans == nsNone {
					ans = nsOther
				}
			}
			x.attrs = append(x.attrs, xattr{local: x.spanOf(a.local), ns: ans, value: a.value})
		}
		n.nattrs = int32(len(x.attrs)) - n.attrs
		idx := int32(len(x.nodes))
		x.nodes = append(x.nodes, n)
		if len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.last < 0 {
				x.nodes[top.node].first = idx
			} else {
				x.nodes[top.last].next = idx
			}
			top.last = idx
		}
		p = q
		if selfClosing {
			x.nodes[idx].end = p
			x.scope = x.scope[:scopeLen]
			x.path = x.path[:len(x.path)-1]
			if len(stack) == 0 {
				return p, nil
			}
		} else {
			stack = append(stack, open{node: idx, last: -1, scope: scopeLen})
		}
		// Content until the next start tag, or until the stack empties.
		for {
			top := &stack[len(stack)-1]
			lt := bytes.IndexByte(x.data[p:], '<')
			if lt < 0 {
				return 0, x.fail(p, "unterminated element %s", x.bytes(x.nodes[top.node].local))
			}
			if lt > 0 {
				// White space between elements is the common case: checked in one pass.
				if txt := x.data[p : p+lt]; !allXMLSpace(txt) {
					if err := x.checkText(p, txt); err != nil {
						return 0, err
					}
					x.nodes[top.node].text = true
				}
				p += lt
			}
			rest := x.data[p:]
			switch {
			case bytes.HasPrefix(rest, []byte("</")):
				prefix, local, q, err := x.name(p + 2)
				if err != nil {
					return 0, err
				}
				q = x.skipSpace(q)
				if q >= len(x.data) || x.data[q] != '>' {
					return 0, x.fail(q, "'>' expected in end tag")
				}
				n := &x.nodes[top.node]
				// The start tag's name is at n.start+1: compare the raw qualified names.
				qlen := len(local)
				if prefix != nil {
					qlen += len(prefix) + 1
				}
				if !bytes.Equal(x.data[n.start+1:n.start+1+qlen], x.data[p+2:p+2+qlen]) || nameEnd[x.data[n.start+1+qlen]] == false {
					return 0, x.fail(p, "end tag %s does not match start tag %s", local, x.bytes(n.local))
				}
				p = q + 1
				n.end = p
				x.scope = x.scope[:top.scope]
				x.path = x.path[:len(x.path)-1]
				stack = stack[:len(stack)-1]
				if len(stack) == 0 {
					return p, nil
				}
				continue
			case bytes.HasPrefix(rest, []byte("<!--")):
				end, err := x.skipComment(p)
				if err != nil {
					return 0, err
				}
				p = end
				continue
			case bytes.HasPrefix(rest, []byte("<![CDATA[")):
				end := bytes.Index(rest[9:], []byte("]]>"))
				if end < 0 {
					return 0, x.fail(p, "unterminated CDATA section")
				}
				if end > 0 {
					x.nodes[top.node].text = true
				}
				p += 9 + end + 3
				continue
			case bytes.HasPrefix(rest, []byte("<?")):
				end, err := x.skipPI(p)
				if err != nil {
					return 0, err
				}
				p = end
				continue
			case bytes.HasPrefix(rest, []byte("<!")):
				return 0, x.fail(p, "declarations are not allowed in content")
			}
			break
		}
	}
}

// startName returns the prefix and local name written in n's start tag.
func (x *xdoc) startName(n *xnode) (prefix, local []byte) {
	p, l, _, _ := x.name(n.start + 1)
	return p, l
}

func allXMLSpace(b []byte) bool {
	for _, c := range b {
		if !isXMLSpace(c) {
			return false
		}
	}
	return true
}

// checkText checks the references in character data and that ']]>' does not occur.
func (x *xdoc) checkText(pos int, txt []byte) error {
	for i := 0; i < len(txt); i++ {
		switch txt[i] {
		case '&':
			_, n, err := x.reference(pos+i, txt[i:])
			if err != nil {
				return err
			}
			i += n - 1
		case '>':
			if i >= 2 && txt[i-1] == ']' && txt[i-2] == ']' {
				return x.fail(pos+i, "']]>' not allowed in text")
			}
		}
	}
	return nil
}

// reference decodes the entity or character reference at the start of b; n is its length.
func (x *xdoc) reference(pos int, b []byte) (r rune, n int, err error) {
	semi := bytes.IndexByte(b, ';')
	if semi < 2 || semi > 12 {
		return 0, 0, x.fail(pos, "malformed reference")
	}
	ref := b[1:semi]
	n = semi + 1
	switch string(ref) {
	case "lt":
		return '<', n, nil
	case "gt":
		return '>', n, nil
	case "amp":
		return '&', n, nil
	case "quot":
		return '"', n, nil
	case "apos":
		return '\'', n, nil
	}
	if ref[0] != '#' {
		return 0, 0, x.fail(pos, "undefined entity &%s;", ref)
	}
	var v uint64
	if len(ref) > 1 && ref[1] == 'x' {
		v, err = strconv.ParseUint(string(ref[2:]), 16, 32)
	} else {
		v, err = strconv.ParseUint(string(ref[1:]), 10, 32)
	}
	if err != nil || !isXMLChar(rune(v)) {
		return 0, 0, x.fail(pos, "invalid character reference &%s;", ref)
	}
	return rune(v), n, nil
}

func isXMLChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// attrValue decodes references in an attribute value. Line ends are normalised to '\n'
// (XML 1.0 section 2.11) but, unlike section 3.3.3 says, literal line breaks and tabs are
// not turned into spaces: FHIR's reference implementation keeps them, and documents from
// FHIR systems write multi-line text that way (UK Core does).
func (x *xdoc) attrValue(pos int, raw []byte) (span, error) {
	plain := true
	for _, c := range raw {
		if c == '&' || c == '<' || c == '\r' {
			plain = false
			break
		}
	}
	if plain {
		return x.spanOf(raw), nil
	}
	start := len(x.arena)
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch c {
		case '<':
			return span{}, x.fail(pos+i, "'<' in attribute value")
		case '\r':
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
			x.arena = append(x.arena, '\n')
		case '&':
			r, n, err := x.reference(pos+i, raw[i:])
			if err != nil {
				return span{}, err
			}
			x.arena = utf8.AppendRune(x.arena, r)
			i += n - 1
		default:
			x.arena = append(x.arena, c)
		}
	}
	return span{off: int32(start), n: int32(len(x.arena) - start), arena: true}, nil
}
