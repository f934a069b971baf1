package fhirpath

import (
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
)

// The parser is a hand-written precedence climber over the FHIRPath grammar
// (https://hl7.org/fhirpath/N1/grammar.html); operator precedence follows section 9
// "Operator precedence" of the specification.

type astKind uint8

const (
	astLiteral astKind = iota + 1
	astEmpty           // {}
	astIdent           // a member name, or a type name at the start of a path
	astInvoke          // left . name
	astFunc            // left . name(args), or name(args) with left == nil
	astIndex           // left [ right ]
	astUnary           // text is "+" or "-"
	astBinary          // left text right
	astTypeOp          // left is/as typeName
	astVar             // $this, $index, $total: text is the name
	astEnv             // %name
	astFail            // fails when evaluated, with the message in text
)

type ast struct {
	kind        astKind
	pos         int
	text        string
	left, right *ast
	args        []*ast
	lit         Value
}

// maxDepth bounds the nesting of the parse tree, so that hostile input cannot exhaust
// the stack of the parser, the compiler or the evaluator.
const maxDepth = 200

type parser struct {
	src   string
	toks  []token
	i     int
	depth int
}

func parse(src string) (*ast, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	n, err := p.expression()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.errorf(t.pos, "unexpected %s", describe(t))
	}
	return n, nil
}

func describe(t token) string {
	switch t.kind {
	case tokEOF:
		return "end of expression"
	case tokString:
		return "string '" + t.text + "'"
	}
	return strconv.Quote(t.text)
}

func (p *parser) errorf(pos int, format string, args ...any) error {
	return newError(SyntaxError, p.src, pos, format, args...)
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) peekAt(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) advance() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) isOp(text string) bool {
	t := p.peek()
	return t.kind == tokOp && t.text == text
}

func (p *parser) expect(text string) error {
	if !p.isOp(text) {
		t := p.peek()
		return p.errorf(t.pos, "expected %q, found %s", text, describe(t))
	}
	p.i++
	return nil
}

func (p *parser) expression() (*ast, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.errorf(p.peek().pos, "expression nested too deeply (more than %d levels)", maxDepth)
	}
	return p.binary(0)
}

// levels lists the binary operators from the loosest to the tightest binding.
var levels = [][]string{
	{"implies"},
	{"or", "xor"},
	{"and"},
	{"in", "contains"},
	{"=", "~", "!=", "!~"},
	{"<", ">", "<=", ">="},
	{"|"},
	{"is", "as"},
	{"+", "-", "&"},
	{"*", "/", "div", "mod"},
}

const typeOpLevel = 7

func (p *parser) binaryOp(level int) (string, bool) {
	t := p.peek()
	if t.kind != tokOp && t.kind != tokIdent {
		return "", false
	}
	for _, op := range levels[level] {
		if t.text == op {
			return op, true
		}
	}
	return "", false
}

func (p *parser) binary(level int) (*ast, error) {
	if level == len(levels) {
		return p.unary()
	}
	left, err := p.binary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		op, ok := p.binaryOp(level)
		if !ok {
			return left, nil
		}
		t := p.advance()
		if level == typeOpLevel {
			name, err := p.qualifiedIdentifier()
			if err != nil {
				return nil, err
			}
			left = &ast{kind: astTypeOp, pos: t.pos, text: op, left: left, lit: String(name)}
			continue
		}
		right, err := p.binary(level + 1)
		if err != nil {
			return nil, err
		}
		left = &ast{kind: astBinary, pos: t.pos, text: op, left: left, right: right}
	}
}

func (p *parser) qualifiedIdentifier() (string, error) {
	name, err := p.identifier()
	if err != nil {
		return "", err
	}
	for p.isOp(".") && (p.peekAt(1).kind == tokIdent || p.peekAt(1).kind == tokDelimited) {
		p.i++
		n, err := p.identifier()
		if err != nil {
			return "", err
		}
		name += "." + n
	}
	return name, nil
}

func (p *parser) identifier() (string, error) {
	t := p.peek()
	if t.kind == tokIdent || t.kind == tokDelimited {
		p.i++
		return t.text, nil
	}
	return "", p.errorf(t.pos, "expected an identifier, found %s", describe(t))
}

func (p *parser) unary() (*ast, error) {
	if p.isOp("+") || p.isOp("-") {
		t := p.advance()
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxDepth {
			return nil, p.errorf(t.pos, "expression nested too deeply (more than %d levels)", maxDepth)
		}
		operand, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &ast{kind: astUnary, pos: t.pos, text: t.text, left: operand}, nil
	}
	return p.postfix()
}

func (p *parser) postfix() (*ast, error) {
	n, err := p.term()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.isOp("."):
			p.i++
			t := p.peek()
			if t.kind != tokIdent && t.kind != tokDelimited {
				return nil, p.errorf(t.pos, "expected a name after '.', found %s", describe(t))
			}
			p.i++
			if p.isOp("(") {
				args, err := p.arguments()
				if err != nil {
					return nil, err
				}
				n = &ast{kind: astFunc, pos: t.pos, text: t.text, left: n, args: args}
			} else {
				n = &ast{kind: astInvoke, pos: t.pos, text: t.text, left: n}
			}
		case p.isOp("["):
			t := p.advance()
			idx, err := p.expression()
			if err != nil {
				return nil, err
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			n = &ast{kind: astIndex, pos: t.pos, left: n, right: idx}
		default:
			return n, nil
		}
	}
}

func (p *parser) arguments() ([]*ast, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	var args []*ast
	if p.isOp(")") {
		p.i++
		return args, nil
	}
	for {
		a, err := p.expression()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		if p.isOp(",") {
			p.i++
			continue
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		return args, nil
	}
}

// calendarUnits are the time-valued quantity keywords (FHIRPath section 5.6 "Quantity").
var calendarUnits = map[string]bool{
	"year": true, "years": true, "month": true, "months": true, "week": true, "weeks": true,
	"day": true, "days": true, "hour": true, "hours": true, "minute": true, "minutes": true,
	"second": true, "seconds": true, "millisecond": true, "milliseconds": true,
}

func (p *parser) term() (*ast, error) {
	t := p.peek()
	switch t.kind {
	case tokNumber:
		p.i++
		var num Value
		if containsDot(t.text) {
			d, _, err := apd.NewFromString(t.text)
			if err != nil {
				return nil, p.errorf(t.pos, "invalid number %s", t.text)
			}
			num = Decimal{d}
		} else {
			n, err := strconv.ParseInt(t.text, 10, 64)
			if err != nil {
				return nil, p.errorf(t.pos, "integer %s out of range", t.text)
			}
			num = Integer(n)
		}
		u := p.peek()
		if u.kind == tokString || (u.kind == tokIdent && calendarUnits[u.text]) {
			p.i++
			q, err := newQuantity(num, u.text)
			if err != nil {
				return nil, p.errorf(u.pos, "%v", err)
			}
			return &ast{kind: astLiteral, pos: t.pos, lit: q}, nil
		}
		return &ast{kind: astLiteral, pos: t.pos, lit: num}, nil
	case tokString:
		p.i++
		return &ast{kind: astLiteral, pos: t.pos, lit: String(t.text)}, nil
	case tokDate:
		p.i++
		v, err := parseTemporalLiteral(t.text)
		if err != nil {
			if t.text[0] == 'T' && strings.ContainsAny(t.text, "Z+-") {
				// A time with a zone: well formed but meaningless, an execution error
				// in the test suite.
				return &ast{kind: astFail, pos: t.pos, text: "a time (@" + t.text + ") cannot have a time zone"}, nil
			}
			return nil, p.errorf(t.pos, "invalid date/time literal @%s", t.text)
		}
		return &ast{kind: astLiteral, pos: t.pos, lit: v}, nil
	case tokThis:
		p.i++
		switch t.text {
		case "this", "index", "total":
			return &ast{kind: astVar, pos: t.pos, text: t.text}, nil
		}
		return nil, p.errorf(t.pos, "unknown variable $%s", t.text)
	case tokEnv:
		p.i++
		return &ast{kind: astEnv, pos: t.pos, text: t.text}, nil
	case tokIdent, tokDelimited:
		p.i++
		if t.kind == tokIdent && (t.text == "true" || t.text == "false") {
			return &ast{kind: astLiteral, pos: t.pos, lit: Boolean(t.text == "true")}, nil
		}
		if p.isOp("(") {
			args, err := p.arguments()
			if err != nil {
				return nil, err
			}
			return &ast{kind: astFunc, pos: t.pos, text: t.text, args: args}, nil
		}
		// Where an operand is expected, as, contains, in and is are names (the
		// grammar's identifier rule); the other keywords cannot start an operand.
		if t.kind == tokIdent && isKeyword(t.text) && t.text != "as" && t.text != "contains" && t.text != "in" && t.text != "is" {
			return nil, p.errorf(t.pos, "unexpected keyword %q", t.text)
		}
		return &ast{kind: astIdent, pos: t.pos, text: t.text}, nil
	case tokOp:
		switch t.text {
		case "(":
			p.i++
			n, err := p.expression()
			if err != nil {
				return nil, err
			}
			if err := p.expect(")"); err != nil {
				return nil, err
			}
			return n, nil
		case "{":
			p.i++
			if err := p.expect("}"); err != nil {
				return nil, err
			}
			return &ast{kind: astEmpty, pos: t.pos}, nil
		}
	}
	return nil, p.errorf(t.pos, "unexpected %s", describe(t))
}

func isKeyword(s string) bool {
	switch s {
	case "and", "or", "xor", "implies", "is", "as", "div", "mod", "in", "contains":
		return true
	}
	return false
}

func containsDot(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return true
		}
	}
	return false
}
