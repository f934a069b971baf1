package xmlpatch

import (
	"fmt"
	"strconv"
	"strings"
)

const fhirNS = "http://hl7.org/fhir"

// Error is a patch that is malformed or cannot be applied.
type Error struct{ Msg string }

func (e *Error) Error() string { return "XML Patch: " + e.Msg }

func fail(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// ApplyXML applies the XML Patch document patch to the document doc.
func ApplyXML(doc, patch []byte) ([]byte, error) {
	p, err := Parse(patch)
	if err != nil {
		return nil, &Error{Msg: "patch: " + err.Error()}
	}
	d, err := Parse(doc)
	if err != nil {
		return nil, &Error{Msg: "document: " + err.Error()}
	}
	root, err := Apply(d, p)
	if err != nil {
		return nil, err
	}
	return Marshal(root), nil
}

// Apply applies the operations (the element children of patch) to the document whose
// root is doc, and returns the root afterwards (a replace can change it).
func Apply(doc, patch *Node) (*Node, error) {
	if doc == nil {
		return nil, fail("No Target Document Found")
	}
	// A document node above the root makes the first step of a selector an ordinary
	// child step.
	top := &Node{Kind: Element, Children: []*Node{doc}}
	doc.Parent = top
	defer func() {
		for _, c := range top.Children {
			c.Parent = nil
		}
	}()
	ops := 0
	for _, op := range patch.Children {
		if op.Kind != Element {
			continue
		}
		ops++
		var err error
		switch op.Local {
		case "add":
			err = add(top, op)
		case "replace":
			err = replace(top, op)
		case "remove":
			err = remove(top, op)
		default:
			err = fail("unknown operation <%s>", op.Local)
		}
		if err != nil {
			return nil, err
		}
	}
	if ops == 0 {
		return nil, fail("No Patch Operations Found")
	}
	var root *Node
	for _, c := range top.Children {
		if c.Kind == Element {
			if root != nil {
				return nil, fail("the patched document has more than one root element")
			}
			root = c
		}
	}
	if root == nil {
		return nil, fail("the patched document has no root element")
	}
	return root, nil
}

func attr(n *Node, name string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Space == "" && a.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// target is what a selector picked: a node, or an attribute or namespace declaration
// of an element.
type target struct {
	node *Node
	attr int // index in node.Attrs, or -1
	ns   int // index in node.NS, or -1
}

// selectOne evaluates the sel attribute of op, which must pick exactly one target.
func selectOne(top, op *Node) (target, string, error) {
	sel, ok := attr(op, "sel")
	if !ok {
		return target{}, "", fail("<%s> has no sel attribute", op.Local)
	}
	ts, err := evaluate(top, sel, op.scope())
	if err != nil {
		return target{}, sel, err
	}
	if len(ts) == 0 {
		if op.Local == "remove" {
			return target{}, sel, fail("Nothing to delete found for xpath %s", sel)
		}
		return target{}, sel, fail("Nothing found for xpath %s", sel)
	}
	if len(ts) > 1 {
		return target{}, sel, fail("The xpath %s matched multiple nodes", sel)
	}
	return ts[0], sel, nil
}

// content returns copies of op's children, re-parented, for insertion.
func content(op *Node) []*Node {
	out := make([]*Node, 0, len(op.Children))
	for _, c := range op.Children {
		out = append(out, clone(c, nil))
	}
	return out
}

func clone(n *Node, parent *Node) *Node {
	c := *n
	c.Parent = parent
	c.Attrs = append([]Attr(nil), n.Attrs...)
	c.NS = append([]NSDecl(nil), n.NS...)
	c.Children = nil
	for _, ch := range n.Children {
		c.Children = append(c.Children, clone(ch, &c))
	}
	return &c
}

func text(op *Node) string {
	var b strings.Builder
	for _, c := range op.Children {
		if c.Kind == Text {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func add(top, op *Node) error {
	t, sel, err := selectOne(top, op)
	if err != nil {
		return err
	}
	if t.attr >= 0 || t.ns >= 0 || t.node.Kind != Element && t.node.Kind != Text && t.node.Kind != Comment && t.node.Kind != ProcInst {
		return fail("add: %s does not select a node", sel)
	}
	n := t.node
	typ, _ := attr(op, "type")
	pos, _ := attr(op, "pos")
	switch {
	case strings.HasPrefix(typ, "@"):
		if n.Kind != Element {
			return fail("add: attributes can be added only to elements")
		}
		name := typ[1:]
		a := Attr{Local: name}
		if p, l, ok := strings.Cut(name, ":"); ok {
			uri, ok := lookup(op.scope(), p)
			if !ok {
				return fail("add: undeclared prefix %q", p)
			}
			a = Attr{Space: uri, Local: l, Prefix: p}
		}
		for _, x := range n.Attrs {
			if x.Space == a.Space && x.Local == a.Local {
				return fail("add: attribute %s already exists", name)
			}
		}
		a.Value = text(op)
		n.Attrs = append(n.Attrs, a)
		return nil
	case strings.HasPrefix(typ, "namespace::"):
		if n.Kind != Element {
			return fail("add: namespaces can be added only to elements")
		}
		p := strings.TrimPrefix(typ, "namespace::")
		for _, d := range n.NS {
			if d.Prefix == p {
				return fail("add: namespace prefix %s is already declared", p)
			}
		}
		n.NS = append(n.NS, NSDecl{Prefix: p, URI: text(op)})
		return nil
	case typ != "":
		return fail("add: unknown type %q", typ)
	}
	nodes := content(op)
	switch pos {
	case "", "prepend":
		if n.Kind != Element {
			return fail("add: children can be added only to elements")
		}
		for _, c := range nodes {
			c.Parent = n
		}
		if pos == "" {
			n.Children = append(n.Children, nodes...)
		} else {
			n.Children = append(nodes, n.Children...)
		}
	case "before", "after":
		p := n.Parent
		i := indexOf(p, n)
		if pos == "after" {
			i++
		}
		for _, c := range nodes {
			c.Parent = p
		}
		p.Children = append(p.Children[:i], append(nodes, p.Children[i:]...)...)
	default:
		return fail("add: unknown pos %q", pos)
	}
	return nil
}

func indexOf(parent, n *Node) int {
	for i, c := range parent.Children {
		if c == n {
			return i
		}
	}
	return -1
}

func replace(top, op *Node) error {
	t, sel, err := selectOne(top, op)
	if err != nil {
		return err
	}
	switch {
	case t.attr >= 0:
		t.node.Attrs[t.attr].Value = text(op)
		return nil
	case t.ns >= 0:
		t.node.NS[t.ns].URI = text(op)
		return nil
	}
	n := t.node
	var repl *Node
	want := n.Kind
	for _, c := range content(op) {
		if c.Kind == Text && want != Text && strings.TrimSpace(c.Data) == "" {
			continue
		}
		if repl != nil {
			return fail("replace: %s must be replaced by exactly one node", sel)
		}
		repl = c
	}
	if want == Text {
		repl = &Node{Kind: Text, Data: text(op)}
	}
	if repl == nil || repl.Kind != want {
		return fail("replace: %s must be replaced by a node of the same kind", sel)
	}
	p := n.Parent
	repl.Parent = p
	p.Children[indexOf(p, n)] = repl
	return nil
}

func remove(top, op *Node) error {
	t, sel, err := selectOne(top, op)
	if err != nil {
		return err
	}
	switch {
	case t.attr >= 0:
		t.node.Attrs = append(t.node.Attrs[:t.attr], t.node.Attrs[t.attr+1:]...)
		return nil
	case t.ns >= 0:
		t.node.NS = append(t.node.NS[:t.ns], t.node.NS[t.ns+1:]...)
		return nil
	}
	n := t.node
	p := n.Parent
	if p == top {
		return fail("remove: %s is the root element", sel)
	}
	i := indexOf(p, n)
	ws, _ := attr(op, "ws")
	if ws != "" && n.Kind != Element {
		return fail("remove: ws applies only to elements")
	}
	lo, hi := i, i+1
	isWS := func(k int) bool {
		return k >= 0 && k < len(p.Children) && p.Children[k].Kind == Text && strings.TrimSpace(p.Children[k].Data) == ""
	}
	switch ws {
	case "before":
		if isWS(i - 1) {
			lo--
		}
	case "after":
		if isWS(i + 1) {
			hi++
		}
	case "both":
		if isWS(i - 1) {
			lo--
		}
		if isWS(i + 1) {
			hi++
		}
	case "":
	default:
		return fail("remove: unknown ws %q", ws)
	}
	p.Children = append(p.Children[:lo], p.Children[hi:]...)
	return nil
}

// evaluate runs a selector from the document node top; scope resolves its prefixes.
func evaluate(top *Node, sel string, scope []NSDecl) ([]target, error) {
	steps, err := splitSteps(sel)
	if err != nil {
		return nil, err
	}
	resolve := func(p string) (string, error) {
		if p == "" {
			return "", nil // XPath 1.0: an unprefixed name is in no namespace
		}
		for i := len(scope) - 1; i >= 0; i-- {
			if scope[i].Prefix == p {
				return scope[i].URI, nil
			}
		}
		if p == "f" {
			return fhirNS, nil
		}
		return "", fail("selector %s uses the undeclared prefix %q", sel, p)
	}
	ctx := []*Node{top}
	for si, step := range steps {
		last := si == len(steps)-1
		test, preds, err := splitPredicates(step)
		if err != nil {
			return nil, fail("selector %s: %v", sel, err)
		}
		if strings.HasPrefix(test, "@") || strings.HasPrefix(test, "namespace::") {
			if !last || len(preds) > 0 {
				return nil, fail("selector %s: an attribute or namespace step must come last", sel)
			}
			var out []target
			for _, n := range ctx {
				if n.Kind != Element {
					continue
				}
				if p, ok := strings.CutPrefix(test, "namespace::"); ok {
					for i, d := range n.NS {
						if d.Prefix == p {
							out = append(out, target{node: n, attr: -1, ns: i})
						}
					}
					continue
				}
				name := test[1:]
				p, l, ok := strings.Cut(name, ":")
				if !ok {
					p, l = "", name
				}
				uri, err := resolve(p)
				if err != nil {
					return nil, err
				}
				for i, a := range n.Attrs {
					if a.Local == l && a.Space == uri {
						out = append(out, target{node: n, attr: i, ns: -1})
					}
				}
			}
			return out, nil
		}
		match, err := nodeTest(test, resolve)
		if err != nil {
			return nil, fail("selector %s: %v", sel, err)
		}
		var next []*Node
		for _, n := range ctx {
			var found []*Node
			for _, c := range n.Children {
				if match(c) {
					found = append(found, c)
				}
			}
			for _, pr := range preds {
				if found, err = filter(found, pr, resolve); err != nil {
					return nil, fail("selector %s: %v", sel, err)
				}
			}
			next = append(next, found...)
		}
		ctx = next
	}
	out := make([]target, len(ctx))
	for i, n := range ctx {
		out[i] = target{node: n, attr: -1, ns: -1}
	}
	return out, nil
}

// splitSteps splits a location path on the slashes outside predicates and quotes.
func splitSteps(sel string) ([]string, error) {
	sel = strings.TrimPrefix(sel, "/")
	var steps []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(sel); i++ {
		c := sel[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '[' || c == '(':
			depth++
		case c == ']' || c == ')':
			depth--
		case c == '/' && depth == 0:
			steps = append(steps, sel[start:i])
			start = i + 1
		}
	}
	steps = append(steps, sel[start:])
	for _, s := range steps {
		if s == "" {
			return nil, fail("selector %q has an empty step", sel)
		}
	}
	return steps, nil
}

// splitPredicates splits "name[p1][p2]" into the node test and the predicates.
func splitPredicates(step string) (string, []string, error) {
	i := strings.IndexByte(step, '[')
	if i < 0 {
		return step, nil, nil
	}
	test := step[:i]
	var preds []string
	rest := step[i:]
	for rest != "" {
		if rest[0] != '[' {
			return "", nil, fmt.Errorf("malformed predicate in %q", step)
		}
		end := -1
		var quote byte
		for j := 1; j < len(rest); j++ {
			c := rest[j]
			if quote != 0 {
				if c == quote {
					quote = 0
				}
				continue
			}
			if c == '\'' || c == '"' {
				quote = c
			} else if c == ']' {
				end = j
				break
			}
		}
		if end < 0 {
			return "", nil, fmt.Errorf("unterminated predicate in %q", step)
		}
		preds = append(preds, strings.TrimSpace(rest[1:end]))
		rest = rest[end+1:]
	}
	return test, preds, nil
}

func nodeTest(test string, resolve func(string) (string, error)) (func(*Node) bool, error) {
	switch {
	case test == "text()":
		return func(n *Node) bool { return n.Kind == Text }, nil
	case test == "comment()":
		return func(n *Node) bool { return n.Kind == Comment }, nil
	case test == "node()":
		return func(n *Node) bool { return true }, nil
	case strings.HasPrefix(test, "processing-instruction(") && strings.HasSuffix(test, ")"):
		arg := strings.Trim(strings.TrimSuffix(strings.TrimPrefix(test, "processing-instruction("), ")"), `"' `)
		return func(n *Node) bool { return n.Kind == ProcInst && (arg == "" || n.Local == arg) }, nil
	case test == "*":
		return func(n *Node) bool { return n.Kind == Element }, nil
	}
	p, l, ok := strings.Cut(test, ":")
	if !ok {
		p, l = "", test
	}
	if l == "" || strings.ContainsAny(l, "()@:") {
		return nil, fmt.Errorf("unsupported step %q", test)
	}
	uri, err := resolve(p)
	if err != nil {
		return nil, err
	}
	return func(n *Node) bool {
		return n.Kind == Element && n.Space == uri && (l == "*" || n.Local == l)
	}, nil
}

// filter applies one predicate: a position ([2]) or an attribute comparison
// ([@a='v']).
func filter(nodes []*Node, pred string, resolve func(string) (string, error)) ([]*Node, error) {
	if k, err := strconv.Atoi(pred); err == nil {
		if k < 1 || k > len(nodes) {
			return nil, nil
		}
		return nodes[k-1 : k], nil
	}
	lhs, rhs, ok := strings.Cut(pred, "=")
	lhs, rhs = strings.TrimSpace(lhs), strings.TrimSpace(rhs)
	if !ok || !strings.HasPrefix(lhs, "@") || len(rhs) < 2 || (rhs[0] != '\'' && rhs[0] != '"') || rhs[len(rhs)-1] != rhs[0] {
		return nil, fmt.Errorf("unsupported predicate [%s]", pred)
	}
	val := rhs[1 : len(rhs)-1]
	p, l, okp := strings.Cut(lhs[1:], ":")
	if !okp {
		p, l = "", lhs[1:]
	}
	uri, err := resolve(p)
	if err != nil {
		return nil, err
	}
	var out []*Node
	for _, n := range nodes {
		for _, a := range n.Attrs {
			if a.Local == l && a.Space == uri && a.Value == val {
				out = append(out, n)
				break
			}
		}
	}
	return out, nil
}
