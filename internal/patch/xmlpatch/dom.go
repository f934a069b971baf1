package xmlpatch

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Kind is the kind of a node.
type Kind uint8

const (
	Element Kind = iota + 1
	Text
	Comment
	ProcInst
)

// Node is a node of an XML document.
type Node struct {
	Kind     Kind
	Space    string // element: namespace URI
	Local    string // element: local name; processing instruction: target
	Prefix   string // element: the prefix it was written with
	Attrs    []Attr
	NS       []NSDecl // namespace declarations written on the element
	Children []*Node
	Parent   *Node
	Data     string // text, comment or processing instruction content
}

// Attr is an attribute; Space is its namespace URI ("" for an unprefixed attribute).
type Attr struct {
	Space, Local, Prefix, Value string
}

// NSDecl is a namespace declaration; Prefix "" is the default namespace.
type NSDecl struct {
	Prefix, URI string
}

// scope returns the namespace bindings in force at n, innermost last.
func (n *Node) scope() []NSDecl {
	var chain []*Node
	for p := n; p != nil; p = p.Parent {
		chain = append(chain, p)
	}
	var out []NSDecl
	for i := len(chain) - 1; i >= 0; i-- {
		out = append(out, chain[i].NS...)
	}
	return out
}

func lookup(scope []NSDecl, prefix string) (string, bool) {
	for i := len(scope) - 1; i >= 0; i-- {
		if scope[i].Prefix == prefix {
			return scope[i].URI, true
		}
	}
	switch prefix {
	case "":
		return "", true
	case "xml":
		return "http://www.w3.org/XML/1998/namespace", true
	}
	return "", false
}

// Parse reads an XML document and returns its root element. Comments and processing
// instructions inside the root are kept; a document type declaration is refused.
func Parse(data []byte) (*Node, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var root *Node
	var cur *Node
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("xml: %w", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &Node{Kind: Element, Local: tok.Name.Local, Prefix: tok.Name.Space, Parent: cur}
			for _, a := range tok.Attr {
				switch {
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					n.NS = append(n.NS, NSDecl{Prefix: "", URI: a.Value})
				case a.Name.Space == "xmlns":
					n.NS = append(n.NS, NSDecl{Prefix: a.Name.Local, URI: a.Value})
				}
			}
			sc := n.scope()
			uri, ok := lookup(sc, n.Prefix)
			if !ok {
				return nil, fmt.Errorf("xml: undeclared prefix %q", n.Prefix)
			}
			n.Space = uri
			for _, a := range tok.Attr {
				if (a.Name.Space == "" && a.Name.Local == "xmlns") || a.Name.Space == "xmlns" {
					continue
				}
				at := Attr{Local: a.Name.Local, Prefix: a.Name.Space, Value: a.Value}
				if a.Name.Space != "" {
					if at.Space, ok = lookup(sc, a.Name.Space); !ok {
						return nil, fmt.Errorf("xml: undeclared prefix %q", a.Name.Space)
					}
				}
				n.Attrs = append(n.Attrs, at)
			}
			if cur == nil {
				if root != nil {
					return nil, errors.New("xml: more than one root element")
				}
				root = n
			} else {
				cur.Children = append(cur.Children, n)
			}
			cur = n
		case xml.EndElement:
			if cur == nil {
				return nil, errors.New("xml: unexpected end tag")
			}
			cur = cur.Parent
		case xml.CharData:
			if cur != nil {
				cur.Children = append(cur.Children, &Node{Kind: Text, Data: string(tok), Parent: cur})
			} else if len(bytes.TrimSpace(tok)) > 0 {
				return nil, errors.New("xml: text outside the root element")
			}
		case xml.Comment:
			if cur != nil {
				cur.Children = append(cur.Children, &Node{Kind: Comment, Data: string(tok), Parent: cur})
			}
		case xml.ProcInst:
			if cur != nil {
				cur.Children = append(cur.Children, &Node{Kind: ProcInst, Local: tok.Target, Data: string(tok.Inst), Parent: cur})
			}
		case xml.Directive:
			return nil, errors.New("xml: document type declarations are not allowed")
		}
	}
	if root == nil {
		return nil, errors.New("xml: no root element")
	}
	return root, nil
}

// Marshal writes the tree rooted at n, declaring namespaces where they are needed.
func Marshal(n *Node) []byte {
	var b bytes.Buffer
	write(&b, n, nil)
	return b.Bytes()
}

func write(b *bytes.Buffer, n *Node, scope []NSDecl) {
	switch n.Kind {
	case Text:
		escape(b, n.Data, false)
		return
	case Comment:
		b.WriteString("<!--" + n.Data + "-->")
		return
	case ProcInst:
		b.WriteString("<?" + n.Local)
		if n.Data != "" {
			b.WriteString(" " + n.Data)
		}
		b.WriteString("?>")
		return
	}
	decls := append([]NSDecl(nil), n.NS...)
	inner := append(append([]NSDecl(nil), scope...), decls...)
	prefix := n.Prefix
	if uri, ok := lookup(inner, prefix); !ok || uri != n.Space {
		// The node came from another document or lost its declaration: bind the
		// default namespace to its namespace here.
		prefix = ""
		if uri, _ := lookup(inner, ""); uri != n.Space {
			decls = append(decls, NSDecl{Prefix: "", URI: n.Space})
			inner = append(inner, NSDecl{Prefix: "", URI: n.Space})
		}
	}
	name := n.Local
	if prefix != "" {
		name = prefix + ":" + n.Local
	}
	b.WriteString("<" + name)
	var attrs strings.Builder
	for _, a := range n.Attrs {
		an := a.Local
		if a.Space != "" {
			p := a.Prefix
			if uri, ok := lookup(inner, p); !ok || uri != a.Space || p == "" {
				p = fmt.Sprintf("ns%d", len(inner))
				decls = append(decls, NSDecl{Prefix: p, URI: a.Space})
				inner = append(inner, NSDecl{Prefix: p, URI: a.Space})
			}
			an = p + ":" + a.Local
		}
		attrs.WriteString(" " + an + `="`)
		var ab bytes.Buffer
		escape(&ab, a.Value, true)
		attrs.Write(ab.Bytes())
		attrs.WriteString(`"`)
	}
	for _, d := range decls {
		if d.Prefix == "" {
			b.WriteString(` xmlns="`)
		} else {
			b.WriteString(` xmlns:` + d.Prefix + `="`)
		}
		escape(b, d.URI, true)
		b.WriteString(`"`)
	}
	b.WriteString(attrs.String())
	if len(n.Children) == 0 {
		b.WriteString("/>")
		return
	}
	b.WriteString(">")
	for _, c := range n.Children {
		write(b, c, inner)
	}
	b.WriteString("</" + name + ">")
}

func escape(b *bytes.Buffer, s string, attr bool) {
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"' && attr:
			b.WriteString("&quot;")
		case r == '\n' && attr:
			b.WriteString("&#10;")
		case r == '\r':
			b.WriteString("&#13;")
		case r == '\t' && attr:
			b.WriteString("&#9;")
		default:
			b.WriteRune(r)
		}
	}
}
