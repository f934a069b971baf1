package xmlpatch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// canonical renders a tree with white-space-only text and namespace declarations left
// out, attributes in written order, for comparison.
func canonical(n *Node) string {
	var b strings.Builder
	var walk func(n *Node)
	walk = func(n *Node) {
		switch n.Kind {
		case Text:
			if strings.TrimSpace(n.Data) != "" {
				b.WriteString("T(" + n.Data + ")")
			}
		case Comment:
			b.WriteString("C(" + n.Data + ")")
		case ProcInst:
			b.WriteString("P(" + n.Local + " " + n.Data + ")")
		case Element:
			b.WriteString("E(" + n.Space + " " + n.Local)
			for _, a := range n.Attrs {
				b.WriteString(" " + a.Space + ":" + a.Local + "=" + a.Value)
			}
			for _, d := range n.NS {
				if d.Prefix != "" {
					b.WriteString(" ns:" + d.Prefix + "=" + d.URI)
				}
			}
			for _, c := range n.Children {
				walk(c)
			}
			b.WriteString(")")
		}
	}
	walk(n)
	return b.String()
}

func child(n *Node, name string) *Node {
	for _, c := range n.Children {
		if c.Kind == Element && c.Local == name {
			return c
		}
	}
	return nil
}

func firstElement(n *Node) *Node {
	for _, c := range n.Children {
		if c.Kind == Element {
			c.Parent = nil
			return c
		}
	}
	return nil
}

// TestSuite runs every case of the FHIR test suite's xml-patch-tests.xml.
func TestSuite(t *testing.T) {
	path := filepath.Join("..", "..", "..", "..", "shared", "tests", "patch", "xml-patch-tests.xml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("shared test cases not found at %s (clone with ../shared beside the repository): %v", path, err)
	}
	suite, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	passed, total := 0, 0
	for _, c := range suite.Children {
		if c.Kind != Element || c.Local != "case" {
			continue
		}
		total++
		name, _ := attr(c, "name")
		ok := t.Run(name, func(t *testing.T) {
			doc := firstElement(child(c, "target"))
			patch := child(c, "patch")
			root, err := Apply(doc, patch)
			if e := child(c, "error"); e != nil {
				msg, _ := attr(e, "message")
				if err == nil {
					t.Fatalf("no error, want %q", msg)
				}
				// The suite's messages name the selector's last step without its prefix;
				// ours the whole selector.
				got := strings.TrimPrefix(err.Error(), "XML Patch: ")
				for _, op := range patch.Children {
					if sel, ok := attr(op, "sel"); ok {
						last := sel[strings.LastIndexByte(sel, '/')+1:]
						got = strings.ReplaceAll(got, sel, last[strings.IndexByte(last, ':')+1:])
					}
				}
				if got != msg {
					t.Errorf("error %q, want %q", got, msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := firstElement(child(c, "patched"))
			// Written out and read back: the serialisation must keep the result.
			back, err := Parse(Marshal(root))
			if err != nil {
				t.Fatalf("re-read: %v\n%s", err, Marshal(root))
			}
			if g, w := canonical(back), canonical(want); g != w {
				t.Errorf("got  %s\nwant %s\nxml  %s", g, w, Marshal(root))
			}
		})
		if ok {
			passed++
		}
	}
	t.Logf("XML Patch suite: %d/%d cases pass", passed, total)
}
