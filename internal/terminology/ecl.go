package terminology

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/joinedup/joinedup/internal/terminology/snomed"
)

// A subset of the SNOMED CT Expression Constraint Language (ECL 2.x,
// https://confluence.ihtsdotools.org/display/DOCECL), enough for the constraints UK Core
// value sets use: focus concepts with hierarchy operators (<, <<, >, >>, and their long
// forms descendantOf, descendantOrSelfOf, ancestorOf, ancestorOrSelfOf), the wildcard *,
// terms between bars, parentheses, the binary operators OR, AND and MINUS, and memberOf
// (^) over the simple reference sets of the loaded release. Refinements and dotted
// attributes are not supported.
//
// Without a loaded release (a nil store) only bare concept ids can be decided, which is
// enough for the many UK Core value sets that list their codes as "id OR id OR ...".

// eclExpr is a parsed expression constraint.
type eclExpr interface {
	eval(ctx context.Context, st *snomed.Store, code string) (tri, error)
	enumerate() (ids, terms []string, ok bool)
}

type eclFocus struct {
	op   string // "", "<", "<<", ">", ">>", "^"
	id   string // "*" for any concept
	term string // the |term| label, if any
}

type eclBinary struct {
	op          string // OR, AND, MINUS
	left, right eclExpr
}

func (f eclFocus) eval(ctx context.Context, st *snomed.Store, code string) (tri, error) {
	switch {
	case f.op == "" && f.id != "*":
		return triOf(code == f.id), nil
	case st == nil:
		return unknown, nil
	case f.op == "^":
		ok, err := st.MemberOf(ctx, code, f.id)
		if err != nil {
			return unknown, err
		}
		return triOf(ok), nil
	case f.id == "*":
		// Every concept of the release, whatever the hierarchy operator.
		c, err := st.Concept(ctx, code)
		return triOf(c != nil), err
	}
	var ok bool
	var err error
	switch f.op {
	case "<", "<<":
		ok, err = st.IsA(ctx, code, f.id)
	case ">", ">>":
		ok, err = st.IsA(ctx, f.id, code)
	}
	if err != nil {
		return unknown, err
	}
	if len(f.op) == 1 && code == f.id {
		ok = false
	}
	return triOf(ok), nil
}

// enumerate lists the concepts of an expression made only of bare ids (joined by OR, or
// with MINUS), with their term labels; ok is false for anything that needs the hierarchy.
func (f eclFocus) enumerate() (ids, terms []string, ok bool) {
	if f.op != "" || f.id == "*" {
		return nil, nil, false
	}
	return []string{f.id}, []string{f.term}, true
}

func (b eclBinary) enumerate() (ids, terms []string, ok bool) {
	lids, lterms, ok := b.left.enumerate()
	if !ok {
		return nil, nil, false
	}
	rids, rterms, ok := b.right.enumerate()
	if !ok {
		return nil, nil, false
	}
	switch b.op {
	case "OR":
		for i, id := range rids {
			if !contains(lids, id) {
				lids, lterms = append(lids, id), append(lterms, rterms[i])
			}
		}
		return lids, lterms, true
	case "MINUS":
		for i := 0; i < len(lids); {
			if contains(rids, lids[i]) {
				lids, lterms = append(lids[:i], lids[i+1:]...), append(lterms[:i], lterms[i+1:]...)
				continue
			}
			i++
		}
		return lids, lterms, true
	}
	return nil, nil, false
}

func (b eclBinary) eval(ctx context.Context, st *snomed.Store, code string) (tri, error) {
	l, err := b.left.eval(ctx, st, code)
	if err != nil {
		return unknown, err
	}
	r, err := b.right.eval(ctx, st, code)
	if err != nil {
		return unknown, err
	}
	switch b.op {
	case "OR":
		return l.or(r), nil
	case "AND":
		return l.and(r), nil
	default:
		return l.and(r.not()), nil
	}
}

var errECL = errors.New("unsupported or malformed expression constraint")

// parseECL parses an expression constraint of the supported subset.
func parseECL(s string) (eclExpr, error) {
	p := &eclParser{toks: eclTokens(s)}
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	if p.i != len(p.toks) {
		return nil, fmt.Errorf("%w: unexpected %q", errECL, p.toks[p.i])
	}
	return e, nil
}

type eclParser struct {
	toks []string
	i    int
}

func (p *eclParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *eclParser) expr() (eclExpr, error) {
	left, err := p.term()
	if err != nil {
		return nil, err
	}
	for {
		op := strings.ToUpper(p.peek())
		if op != "OR" && op != "AND" && op != "MINUS" && op != "," {
			return left, nil
		}
		if op == "," {
			op = "AND"
		}
		p.i++
		right, err := p.term()
		if err != nil {
			return nil, err
		}
		left = eclBinary{op: op, left: left, right: right}
	}
}

var eclOps = map[string]string{
	"<": "<", "<<": "<<", ">": ">", ">>": ">>", "^": "^",
	"descendantof": "<", "descendantorselfof": "<<", "ancestorof": ">", "ancestororselfof": ">>", "memberof": "^",
}

func (p *eclParser) term() (eclExpr, error) {
	t := p.peek()
	if t == "(" {
		p.i++
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, fmt.Errorf("%w: missing )", errECL)
		}
		p.i++
		return e, nil
	}
	var f eclFocus
	if op, ok := eclOps[strings.ToLower(t)]; ok {
		f.op = op
		p.i++
		t = p.peek()
	}
	// An id with a wrong check digit is kept: it matches no valid code, and the codes
	// being checked are form-checked on their own. (UK Core has one such id.)
	if t != "*" && !sctidShape(t) {
		return nil, fmt.Errorf("%w: %q is not a concept id", errECL, t)
	}
	f.id = t
	p.i++
	if t := p.peek(); strings.HasPrefix(t, "|") {
		f.term = strings.TrimSpace(strings.Trim(t, "|"))
		p.i++
	}
	return f, nil
}

// sctidShape reports whether t looks like an SCTID: 6 to 18 digits, no leading zero.
func sctidShape(t string) bool {
	if len(t) < 6 || len(t) > 18 || t[0] == '0' {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return true
}

// eclTokens splits an expression into operators, ids, parentheses and |term| labels.
func eclTokens(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '|':
			j := strings.IndexByte(s[i+1:], '|')
			if j < 0 {
				toks = append(toks, s[i:])
				return toks
			}
			toks = append(toks, s[i:i+j+2])
			i += j + 2
		case c == '<' || c == '>':
			if i+1 < len(s) && s[i+1] == c {
				toks = append(toks, s[i:i+2])
				i += 2
			} else {
				toks = append(toks, s[i:i+1])
				i++
			}
		case c == '(' || c == ')' || c == '^' || c == '*' || c == ',':
			toks = append(toks, s[i:i+1])
			i++
		default:
			j := i
			for j < len(s) && (unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j]))) {
				j++
			}
			if j == i {
				j = i + 1
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks
}
