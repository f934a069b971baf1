package fhirpath

import (
	"strings"
)

// compiler turns the syntax tree into evaluation nodes: functions and operators are
// bound here, once, so evaluation never looks anything up by name.
type compiler struct {
	src string
	cfg config
}

func (c *compiler) errorf(kind ErrorKind, pos int, format string, args ...any) error {
	return newError(kind, c.src, pos, format, args...)
}

// fixedConstants are the FHIR environment variables whose values never change
// (FHIR R4 section 2.1.9.0.1 "FHIRPath: Environment variables").
var fixedConstants = map[string]string{
	"ucum":  "http://unitsofmeasure.org",
	"sct":   "http://snomed.info/sct",
	"loinc": "http://loinc.org",
}

func (c *compiler) compile(n *ast) (node, error) {
	switch n.kind {
	case astLiteral:
		return &constNode{v: []Value{n.lit}[:1:1]}, nil
	case astEmpty:
		return &constNode{}, nil
	case astVar:
		switch n.text {
		case "this":
			return thisNode{}, nil
		case "index":
			return indexVarNode{}, nil
		}
		return totalNode{}, nil
	case astEnv:
		if v, ok := fixedConstants[n.text]; ok {
			return &constNode{v: []Value{String(v)}[:1:1]}, nil
		}
		if rest, ok := strings.CutPrefix(n.text, "vs-"); ok {
			return &constNode{v: []Value{String("http://hl7.org/fhir/ValueSet/" + rest)}[:1:1]}, nil
		}
		if rest, ok := strings.CutPrefix(n.text, "ext-"); ok {
			return &constNode{v: []Value{String("http://hl7.org/fhir/StructureDefinition/" + rest)}[:1:1]}, nil
		}
		return &envNode{name: n.text, pos: n.pos}, nil
	case astIdent:
		return &memberNode{left: thisNode{}, name: n.text, root: true}, nil
	case astFail:
		if c.cfg.strict {
			return nil, c.errorf(SemanticError, n.pos, "%s", n.text)
		}
		return &failNode{msg: n.text, pos: n.pos}, nil
	case astInvoke:
		left, err := c.compile(n.left)
		if err != nil {
			return nil, err
		}
		return &memberNode{left: left, name: n.text}, nil
	case astFunc:
		return c.compileFunc(n)
	case astIndex:
		left, err := c.compile(n.left)
		if err != nil {
			return nil, err
		}
		idx, err := c.compile(n.right)
		if err != nil {
			return nil, err
		}
		return &indexNode{left: left, index: idx, pos: n.pos}, nil
	case astUnary:
		operand, err := c.compile(n.left)
		if err != nil {
			return nil, err
		}
		return &unaryNode{operand: operand, negate: n.text == "-", pos: n.pos}, nil
	case astTypeOp:
		left, err := c.compile(n.left)
		if err != nil {
			return nil, err
		}
		ts, ok := parseTypeSpec(string(n.lit.(String)))
		if !ok {
			return c.unknownType(string(n.lit.(String)), n.pos)
		}
		return &typeOpNode{left: left, spec: ts, as: n.text == "as", pos: n.pos, lenient: c.cfg.lenient}, nil
	case astBinary:
		left, err := c.compile(n.left)
		if err != nil {
			return nil, err
		}
		right, err := c.compile(n.right)
		if err != nil {
			return nil, err
		}
		return newBinary(n.text, left, right, n.pos), nil
	}
	return nil, c.errorf(SyntaxError, n.pos, "unsupported expression")
}

// typeArgName reads a type specifier written as a function argument: Quantity,
// FHIR.Patient, System.`Boolean`.
func typeArgName(n *ast) (string, bool) {
	switch n.kind {
	case astIdent:
		return n.text, true
	case astInvoke:
		if n.left.kind == astIdent {
			return n.left.text + "." + n.text, true
		}
	}
	return "", false
}

func (c *compiler) compileFunc(n *ast) (node, error) {
	fn, ok := functions[n.text]
	if !ok {
		return nil, c.errorf(SemanticError, n.pos, "unknown function %s()", n.text)
	}
	if len(n.args) < fn.minArgs || len(n.args) > fn.maxArgs {
		if fn.minArgs == fn.maxArgs {
			return nil, c.errorf(SemanticError, n.pos, "%s() takes %d argument(s), not %d", n.text, fn.minArgs, len(n.args))
		}
		return nil, c.errorf(SemanticError, n.pos, "%s() takes %d to %d arguments, not %d", n.text, fn.minArgs, fn.maxArgs, len(n.args))
	}
	f := &funcNode{fn: fn, pos: n.pos}
	if n.left != nil {
		left, err := c.compile(n.left)
		if err != nil {
			return nil, err
		}
		f.left = left
	} else {
		f.left = thisNode{}
	}
	if fn.typeArg {
		name, ok := typeArgName(n.args[0])
		if !ok {
			return nil, c.errorf(SemanticError, n.args[0].pos, "%s() needs a type name", n.text)
		}
		ts, ok := parseTypeSpec(name)
		if !ok {
			return c.unknownType(name, n.args[0].pos)
		}
		f.typ = &ts
		return f, nil
	}
	for _, a := range n.args {
		if n.text == "sort" {
			desc := a.kind == astUnary && a.text == "-"
			if desc {
				a = a.left
			}
			f.desc = append(f.desc, desc)
		}
		an, err := c.compile(a)
		if err != nil {
			return nil, err
		}
		f.args = append(f.args, an)
	}
	return f, nil
}

// unknownType handles a type specifier that names no type: a semantic error in strict
// mode; otherwise, as the test suite expects (as(string1)), an execution error when
// the expression runs.
func (c *compiler) unknownType(name string, pos int) (node, error) {
	if c.cfg.strict {
		return nil, c.errorf(SemanticError, pos, "unknown type %s", name)
	}
	return &failNode{msg: "unknown type " + name, pos: pos}, nil
}

// failNode is an expression that can only fail.
type failNode struct {
	msg string
	pos int
}

func (n *failNode) eval(c *evalCtx) ([]Value, error) { return nil, c.errorf(n.pos, "%s", n.msg) }

type unaryNode struct {
	operand node
	negate  bool
	pos     int
}

func (n *unaryNode) eval(c *evalCtx) ([]Value, error) {
	in, err := n.operand.eval(c)
	if err != nil {
		return nil, err
	}
	v, err := c.singleton(in, n.pos)
	if err != nil || v == nil {
		return nil, err
	}
	sv, _ := primitiveValue(v)
	switch x := sv.(type) {
	case Integer:
		if n.negate {
			x = -x
		}
		return []Value{x}, nil
	case Decimal:
		if !n.negate {
			return []Value{x}, nil
		}
		d := Decimal{newDec()}
		d.D.Neg(x.D)
		d.D.Negative = d.D.Negative && !d.D.IsZero()
		return []Value{d}, nil
	case Quantity:
		if !n.negate {
			return []Value{x}, nil
		}
		q := Quantity{Value: newDec(), Unit: x.Unit}
		q.Value.Neg(x.Value)
		return []Value{q}, nil
	}
	return nil, c.errorf(n.pos, "unary %s needs a number or a quantity, found %s", map[bool]string{true: "-", false: "+"}[n.negate], typeName(v))
}

type typeOpNode struct {
	left    node
	spec    typeSpec
	as      bool
	lenient bool
	pos     int
}

func (n *typeOpNode) eval(c *evalCtx) ([]Value, error) {
	in, err := n.left.eval(c)
	if err != nil {
		return nil, err
	}
	if n.as {
		return asType(c, in, n.spec, n.lenient, n.pos)
	}
	v, err := c.singleton(in, n.pos)
	if err != nil || v == nil {
		return nil, err
	}
	return boolColl(n.spec.matches(v, false)), nil
}

// asType is `as` and as(): the item when it is of the type, empty otherwise; more than
// one item is an error unless lenient, which filters.
func asType(c *evalCtx, in []Value, ts typeSpec, lenient bool, pos int) ([]Value, error) {
	if len(in) > 1 && !lenient {
		return nil, c.errorf(pos, "as needs a single item, found %d (use ofType())", len(in))
	}
	var out []Value
	for _, v := range in {
		if ts.matches(v, true) {
			out = append(out, v)
		}
	}
	return out, nil
}
