package fhirpath

import (
	"strings"

	"github.com/joinedup/joinedup/fhir"
)

// Static checks against the FHIR meta-model. The compiler infers, for each node, the
// FHIR types its items can have (or "unknown") and whether the collection has a
// defined order. In every mode a choice element named by its typed JSON name
// (Observation.valueQuantity) is refused where the type is known: FHIRPath names choice
// elements by their base name (the suite's polymorphics tests). In strict mode,
// unknown elements, non-Boolean iif() criteria and order-dependent functions on
// unordered collections are refused as well.

// staticType is what the compiler knows about a collection.
type staticType struct {
	types     []string // FHIR type names or backbone definition paths; nil when unknown
	system    string   // the System type of a literal, "" otherwise
	unordered bool
	many      bool // certainly more than one item (a union of different literals)
}

var unknownType = staticType{}

func (t staticType) known() bool { return len(t.types) > 0 }

// checkChoiceNames runs the checks of every mode and returns the inferred type of the
// result.
func (c *compiler) checkChoiceNames(tree *ast) (staticType, error) {
	return c.infer(tree, c.rootType(tree), false)
}

// check is the strict mode.
func (c *compiler) check(tree *ast) (staticType, error) {
	return c.infer(tree, c.rootType(tree), true)
}

// rootType is the type of the input: the configured context type, or the type named
// by the first step of the path (Patient.name ...).
func (c *compiler) rootType(tree *ast) staticType {
	if c.cfg.contextType != "" {
		return staticType{types: []string{c.cfg.contextType}}
	}
	n := tree
	for n != nil && n.left != nil && (n.kind == astInvoke || n.kind == astFunc || n.kind == astIndex || n.kind == astBinary || n.kind == astTypeOp) {
		n = n.left
	}
	if n != nil && n.kind == astIdent && isUpper(n.text) && fhir.LookupType(n.text) != nil {
		return staticType{types: []string{n.text}}
	}
	return unknownType
}

// systemTypeCodes maps the type codes of the definitions' System-typed elements
// (Element.id, Extension.url) to FHIR primitive names.
func elementTypeName(code string) string {
	if rest, ok := strings.CutPrefix(code, "http://hl7.org/fhirpath/System."); ok {
		switch rest {
		case "String":
			return "string"
		case "Boolean":
			return "boolean"
		case "Integer":
			return "integer"
		case "Decimal":
			return "decimal"
		case "Date":
			return "date"
		case "DateTime":
			return "dateTime"
		case "Time":
			return "time"
		}
		return "string"
	}
	return code
}

// member infers the type of child name of the types in t.
func (c *compiler) member(t staticType, name string, pos int, strict bool) (staticType, error) {
	if !t.known() {
		return unknownType, nil
	}
	var out staticType
	out.unordered = t.unordered
	found := false
	for _, tn := range t.types {
		td := fhir.LookupType(tn)
		if td == nil {
			return unknownType, nil
		}
		ed := td.Element(name)
		if ed == nil {
			continue
		}
		if ed.Choice && ed.Name != name {
			return unknownType, c.errorf(SemanticError, pos, "%s is a choice element: use %s (with ofType() or as to select a type), not %s", ed.Path, ed.Name, name)
		}
		found = true
		switch {
		case ed.ContentReference != "":
			out.types = append(out.types, strings.TrimPrefix(ed.ContentReference, "#"))
		case ed.Backbone != "":
			out.types = append(out.types, ed.Backbone)
		default:
			for _, tr := range ed.Types {
				out.types = append(out.types, elementTypeName(tr.Code))
			}
		}
	}
	if !found {
		if strict {
			return unknownType, c.errorf(SemanticError, pos, "%s has no element %q", strings.Join(t.types, " | "), name)
		}
		return unknownType, nil
	}
	return out, nil
}

func (c *compiler) infer(n *ast, this staticType, strict bool) (staticType, error) {
	switch n.kind {
	case astLiteral:
		return staticType{system: systemTypeName(n.lit)}, nil
	case astEmpty, astEnv:
		return unknownType, nil
	case astVar:
		if n.text == "this" {
			return this, nil
		}
		return unknownType, nil
	case astIdent:
		if isUpper(n.text) && this.known() {
			for _, t := range this.types {
				if isA(t, n.text) {
					return staticType{types: []string{n.text}, unordered: this.unordered}, nil
				}
			}
		}
		return c.member(this, n.text, n.pos, strict)
	case astInvoke:
		left, err := c.infer(n.left, this, strict)
		if err != nil {
			return unknownType, err
		}
		return c.member(left, n.text, n.pos, strict)
	case astIndex:
		left, err := c.infer(n.left, this, strict)
		if err != nil {
			return unknownType, err
		}
		if _, err := c.infer(n.right, this, strict); err != nil {
			return unknownType, err
		}
		if strict && left.unordered {
			return unknownType, c.errorf(SemanticError, n.pos, "indexing an unordered collection")
		}
		return left, nil
	case astUnary:
		return c.infer(n.left, this, strict)
	case astTypeOp:
		if _, err := c.infer(n.left, this, strict); err != nil {
			return unknownType, err
		}
		if n.text == "is" {
			return staticType{system: "Boolean"}, nil
		}
		return asStatic(string(n.lit.(String))), nil
	case astBinary:
		l, err := c.infer(n.left, this, strict)
		if err != nil {
			return unknownType, err
		}
		r, err := c.infer(n.right, this, strict)
		if err != nil {
			return unknownType, err
		}
		switch n.text {
		case "|":
			if l.known() && r.known() {
				return staticType{types: append(append([]string(nil), l.types...), r.types...)}, nil
			}
			if l.many || r.many || (n.left.kind == astLiteral && n.right.kind == astLiteral && !literalsEqual(n.left.lit, n.right.lit)) {
				return staticType{many: true}, nil
			}
		case "+", "-", "*", "/", "div", "mod":
			// Only date and time arithmetic is checked here: the test suite makes
			// @1974-12-25 + 7 a semantic error but 'a' - 'b' an execution error.
			if isTemporalType(l.system) && r.system != "" && !arithmeticTypesOK(n.text, l.system, r.system) {
				return unknownType, c.errorf(SemanticError, n.pos, "cannot apply %s to %s and %s", n.text, l.system, r.system)
			}
		}
		return unknownType, nil
	case astFunc:
		return c.inferFunc(n, this, strict)
	}
	return unknownType, nil
}

func asStatic(qualified string) staticType {
	ts, ok := parseTypeSpec(qualified)
	if !ok || ts.ns == "System" || fhir.LookupType(ts.name) == nil {
		return unknownType
	}
	return staticType{types: []string{ts.name}}
}

func (c *compiler) inferFunc(n *ast, this staticType, strict bool) (staticType, error) {
	fn := functions[n.text]
	input := this
	if n.left != nil {
		var err error
		if input, err = c.infer(n.left, this, strict); err != nil {
			return unknownType, err
		}
	}
	if strict && fn.orderDependent && input.unordered {
		return unknownType, c.errorf(SemanticError, n.pos, "%s() depends on order, but its input (from children() or descendants()) has none", n.text)
	}
	if fn.typeArg {
		if n.text == "is" {
			return staticType{system: "Boolean"}, nil
		}
		name, _ := typeArgName(n.args[0])
		return asStatic(name), nil
	}
	var argTypes []staticType
	for _, a := range n.args {
		focus := this
		if fn.iterates {
			focus = input
		}
		if n.text == "iif" && n.left != nil {
			focus = input
		}
		at, err := c.infer(a, focus, strict)
		if err != nil {
			return unknownType, err
		}
		argTypes = append(argTypes, at)
	}
	switch n.text {
	case "where", "first", "last", "single", "tail", "skip", "take", "distinct", "trace", "intersect", "exclude":
		return input, nil
	case "select", "repeat":
		return argTypes[0], nil
	case "children", "descendants":
		return staticType{unordered: true}, nil
	case "extension":
		return staticType{types: []string{"Extension"}}, nil
	case "iif":
		if argTypes[0].many {
			return unknownType, c.errorf(SemanticError, n.args[0].pos, "iif() criterion is a collection of several items")
		}
		if strict && argTypes[0].system != "" && argTypes[0].system != "Boolean" {
			return unknownType, c.errorf(SemanticError, n.args[0].pos, "iif() criterion must be a Boolean, found %s", argTypes[0].system)
		}
	case "startsWith", "endsWith", "contains", "indexOf", "substring", "upper", "lower", "replace",
		"matches", "matchesFull", "replaceMatches", "length", "toChars", "trim", "split", "encode", "decode",
		"escape", "unescape":
		if input.known() && !anyStringType(input.types) {
			return unknownType, c.errorf(SemanticError, n.pos, "%s() needs a string, but the input is %s", n.text, strings.Join(input.types, " | "))
		}
	}
	return unknownType, nil
}

// anyStringType reports whether one of the FHIR types is a string-like primitive.
func anyStringType(types []string) bool {
	for _, t := range types {
		if fhirPrimitives[t] {
			switch t {
			case "boolean", "integer", "unsignedInt", "positiveInt", "decimal", "date", "dateTime", "instant", "time":
				continue
			}
			return true
		}
	}
	return false
}

func literalsEqual(a, b Value) bool {
	eq, ok := valuesEqual(a, b)
	return ok && eq
}

func isTemporalType(t string) bool { return t == "Date" || t == "DateTime" || t == "Time" }

// arithmeticTypesOK says which System types the arithmetic operators take
// (FHIRPath section 6.6).
func arithmeticTypesOK(op, a, b string) bool {
	number := func(t string) bool { return t == "Integer" || t == "Decimal" }
	switch {
	case number(a) && number(b):
		return true
	case a == "String" && b == "String":
		return op == "+"
	case a == "Quantity" && b == "Quantity":
		return op == "+" || op == "-" || op == "*" || op == "/"
	case a == "Quantity" && number(b):
		return op == "*" || op == "/"
	case number(a) && b == "Quantity":
		return op == "*"
	case isTemporalType(a) && b == "Quantity":
		return op == "+" || op == "-"
	}
	return false
}
