package fhirpath

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/ucum"
)

// Operators (FHIRPath section 6).

// maxString bounds the strings that + and & build, so that a projection repeated
// over its own output cannot exhaust memory.
const maxString = 1 << 20

type opKind uint8

const (
	opAnd opKind = iota
	opOr
	opXor
	opImplies
	opUnion
	opEq
	opNe
	opEquiv
	opNotEquiv
	opLt
	opGt
	opLe
	opGe
	opIn
	opContains
	opAdd
	opSub
	opMul
	opDiv
	opIntDiv
	opMod
	opConcat
)

var opKinds = map[string]opKind{
	"and": opAnd, "or": opOr, "xor": opXor, "implies": opImplies, "|": opUnion,
	"=": opEq, "!=": opNe, "~": opEquiv, "!~": opNotEquiv,
	"<": opLt, ">": opGt, "<=": opLe, ">=": opGe, "in": opIn, "contains": opContains,
	"+": opAdd, "-": opSub, "*": opMul, "/": opDiv, "div": opIntDiv, "mod": opMod, "&": opConcat,
}

type binaryNode struct {
	op          opKind
	text        string
	left, right node
	pos         int
}

func newBinary(text string, left, right node, pos int) node {
	return &binaryNode{op: opKinds[text], text: text, left: left, right: right, pos: pos}
}

func (n *binaryNode) eval(c *evalCtx) ([]Value, error) {
	switch n.op {
	case opAnd, opOr, opImplies, opXor:
		return n.logic(c)
	}
	l, err := n.left.eval(c)
	if err != nil {
		return nil, err
	}
	r, err := n.right.eval(c)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case opUnion:
		return union(l, r), nil
	case opEq, opNe:
		res, ok := collectionsEqual(l, r)
		if !ok {
			return nil, nil
		}
		return boolColl(res == (n.op == opEq)), nil
	case opEquiv, opNotEquiv:
		return boolColl(collectionsEquivalent(l, r) == (n.op == opEquiv)), nil
	case opIn, opContains:
		item, coll := l, r
		if n.op == opContains {
			item, coll = r, l
		}
		v, err := c.singleton(item, n.pos)
		if err != nil || v == nil {
			return nil, err
		}
		return boolColl(containsValue(coll, v)), nil
	case opConcat:
		if len(l) > 1 || len(r) > 1 {
			return nil, c.errorf(n.pos, "& needs single strings")
		}
		var a, b string
		var ok bool
		if len(l) == 1 {
			if a, ok = stringValue(l[0]); !ok {
				return nil, c.errorf(n.pos, "& needs strings, found %s", typeName(l[0]))
			}
		}
		if len(r) == 1 {
			if b, ok = stringValue(r[0]); !ok {
				return nil, c.errorf(n.pos, "& needs strings, found %s", typeName(r[0]))
			}
		}
		if len(a)+len(b) > maxString {
			return nil, c.errorf(n.pos, "string longer than %d bytes", maxString)
		}
		return []Value{String(a + b)}, nil
	}
	a, err := c.singleton(l, n.pos)
	if err != nil {
		return nil, err
	}
	b, err := c.singleton(r, n.pos)
	if err != nil {
		return nil, err
	}
	if a == nil || b == nil {
		return nil, nil
	}
	av, ok1 := primitiveValue(a)
	bv, ok2 := primitiveValue(b)
	if !ok1 || !ok2 {
		if n.op >= opLt && n.op <= opGe {
			return nil, c.errorf(n.pos, "cannot compare %s with %s", typeName(a), typeName(b))
		}
		return nil, c.errorf(n.pos, "cannot apply %s to %s and %s", n.text, typeName(a), typeName(b))
	}
	switch n.op {
	case opLt, opGt, opLe, opGe:
		cmp, ok, err := compareValues(av, bv)
		if err != nil {
			return nil, c.errorf(n.pos, "%v", err)
		}
		if !ok {
			return nil, nil
		}
		switch n.op {
		case opLt:
			return boolColl(cmp < 0), nil
		case opGt:
			return boolColl(cmp > 0), nil
		case opLe:
			return boolColl(cmp <= 0), nil
		}
		return boolColl(cmp >= 0), nil
	}
	v, err := arithmetic(n.op, av, bv)
	if err != nil {
		return nil, c.errorf(n.pos, "%v", err)
	}
	if v == nil {
		return nil, nil
	}
	return c.one(v), nil
}

// logic is the three-valued and/or/xor/implies of FHIRPath section 6.5.
func (n *binaryNode) logic(c *evalCtx) ([]Value, error) {
	l, err := n.left.eval(c)
	if err != nil {
		return nil, err
	}
	a, aok, err := c.boolOf(l, n.pos)
	if err != nil {
		return nil, err
	}
	switch {
	case n.op == opAnd && aok && !a:
		return boolColl(false), nil
	case n.op == opOr && aok && a:
		return boolColl(true), nil
	case n.op == opImplies && aok && !a:
		return boolColl(true), nil
	}
	r, err := n.right.eval(c)
	if err != nil {
		return nil, err
	}
	b, bok, err := c.boolOf(r, n.pos)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case opAnd:
		if bok && !b {
			return boolColl(false), nil
		}
		if aok && bok {
			return boolColl(true), nil
		}
	case opOr:
		if bok && b {
			return boolColl(true), nil
		}
		if aok && bok {
			return boolColl(false), nil
		}
	case opXor:
		if aok && bok {
			return boolColl(a != b), nil
		}
	case opImplies:
		if bok && b {
			return boolColl(true), nil
		}
		if aok && bok {
			return boolColl(false), nil
		}
	}
	return nil, nil
}

func union(l, r []Value) []Value {
	out := make([]Value, 0, len(l)+len(r))
	for _, v := range l {
		if !containsValue(out, v) {
			out = append(out, v)
		}
	}
	for _, v := range r {
		if !containsValue(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func containsValue(coll []Value, v Value) bool {
	for _, w := range coll {
		if eq, ok := valuesEqual(w, v); ok && eq {
			return true
		}
	}
	return false
}

// collectionsEqual is `=` on collections: ok is false when the result is empty.
func collectionsEqual(l, r []Value) (eq, ok bool) {
	if len(l) == 0 || len(r) == 0 {
		return false, false
	}
	if len(l) != len(r) {
		return false, true
	}
	unknown := false
	for i := range l {
		e, ok := valuesEqual(l[i], r[i])
		if !ok {
			unknown = true
			continue
		}
		if !e {
			return false, true
		}
	}
	return true, !unknown
}

// valuesEqual is `=` on two items; ok is false when equality is unknown (dates of
// different precisions, quantities whose units do not compare).
func valuesEqual(a, b Value) (eq, ok bool) {
	// Strings (and FHIR string-like primitives) compare without conversion.
	if sa, ok := stringValue(a); ok {
		if sb, ok := stringValue(b); ok {
			return sa == sb, true
		}
	}
	av, aPrim := primitiveValue(a)
	bv, bPrim := primitiveValue(b)
	if !aPrim || !bPrim {
		ae, aIsElem := a.(fhir.Element)
		be, bIsElem := b.(fhir.Element)
		if aIsElem && bIsElem && !aPrim && !bPrim {
			if _, prim := a.(fhir.Primitive); !prim {
				return elementsEqual(ae, be, false), true
			}
			// Primitives without values: equal when both carry the same extensions.
			return elementsEqual(ae, be, false), true
		}
		return false, true
	}
	switch x := av.(type) {
	case Boolean:
		y, ok := bv.(Boolean)
		return ok && x == y, true
	case String:
		y, ok := bv.(String)
		return ok && x == y, true
	case Integer:
		switch y := bv.(type) {
		case Integer:
			return x == y, true
		case Decimal:
			return apd.New(int64(x), 0).Cmp(y.D) == 0, true
		}
		return false, true
	case Decimal:
		if y, ok := toDecimal(bv); ok {
			return x.D.Cmp(y) == 0, true
		}
		return false, true
	case Date, DateTime, Time:
		ta, kindA := temporalOf(av)
		tb, kindB := temporalOf(bv)
		if !temporalKindsMix(kindA, kindB) {
			return false, true
		}
		cmp, ok := compareTemporal(ta, tb)
		if !ok {
			return false, false
		}
		return cmp == 0, true
	case Quantity:
		y, ok := bv.(Quantity)
		if !ok {
			return false, true
		}
		cmp, ok := compareQuantities(x, y)
		if !ok {
			return false, false
		}
		return cmp == 0, true
	case TypeInfo:
		y, ok := bv.(TypeInfo)
		return ok && x == y, true
	}
	return false, true
}

// elementsEqual compares complex elements child by child, recursively.
func elementsEqual(a, b fhir.Element, equiv bool) bool {
	if a.FHIRType() != b.FHIRType() {
		return false
	}
	pa, aPrim := a.(fhir.Primitive)
	pb, bPrim := b.(fhir.Primitive)
	if aPrim && bPrim {
		la, oka := pa.Literal()
		lb, okb := pb.Literal()
		if oka != okb || la != lb {
			return false
		}
	}
	var na, nb []string
	var ca, cb []fhir.Element
	a.EachChild(func(name string, child fhir.Element) bool {
		na, ca = append(na, name), append(ca, child)
		return true
	})
	b.EachChild(func(name string, child fhir.Element) bool {
		nb, cb = append(nb, name), append(cb, child)
		return true
	})
	if len(ca) != len(cb) {
		return false
	}
	for i := range ca {
		if na[i] != nb[i] {
			return false
		}
		if equiv {
			if !valuesEquivalent(ca[i], cb[i]) {
				return false
			}
		} else if e, ok := valuesEqual(ca[i], cb[i]); !ok || !e {
			return false
		}
	}
	return true
}

type temporalKind uint8

const (
	kindNone temporalKind = iota
	kindDate
	kindDateTime
	kindTime
)

func temporalOf(v Value) (temporal, temporalKind) {
	switch t := v.(type) {
	case Date:
		return t.t, kindDate
	case DateTime:
		return t.t, kindDateTime
	case Time:
		return t.t, kindTime
	}
	return temporal{}, kindNone
}

// temporalKindsMix: a Date compares with a DateTime (as a DateTime of day precision),
// a Time only with a Time.
func temporalKindsMix(a, b temporalKind) bool {
	if a == kindNone || b == kindNone {
		return false
	}
	if a == kindTime || b == kindTime {
		return a == b
	}
	return true
}

// compareQuantities converts b to a's unit; ok is false when the units do not compare.
func compareQuantities(a, b Quantity) (int, bool) {
	av, bv, ok := commonUnit(a, b)
	if !ok {
		return 0, false
	}
	return av.Cmp(bv), true
}

// ucumFor maps a quantity's unit to UCUM: calendar keywords of a fixed length map to
// their UCUM unit, years and months have no fixed length and stay apart.
func ucumFor(unit string) (string, bool) {
	switch unit {
	case "year", "years", "month", "months":
		return "", false
	case "week", "weeks":
		return "wk", true
	case "day", "days":
		return "d", true
	case "hour", "hours":
		return "h", true
	case "minute", "minutes":
		return "min", true
	case "second", "seconds":
		return "s", true
	case "millisecond", "milliseconds":
		return "ms", true
	}
	return unit, true
}

func calendarKey(unit string) string {
	return strings.TrimSuffix(unit, "s")
}

// commonUnit returns both values in a's unit.
func commonUnit(a, b Quantity) (*apd.Decimal, *apd.Decimal, bool) {
	if a.Unit == b.Unit {
		return a.Value, b.Value, true
	}
	ua, oka := ucumFor(a.Unit)
	ub, okb := ucumFor(b.Unit)
	if !oka || !okb {
		// Calendar years and months compare with each other (a year is 12 months) but
		// not with UCUM's 'a' and 'mo', whose lengths are averages.
		if oka || okb {
			return nil, nil, false
		}
		ka, kb := calendarKey(a.Unit), calendarKey(b.Unit)
		switch {
		case ka == kb:
			return a.Value, b.Value, true
		case ka == "year": // b in months
			bv := newDec()
			decCtx.Quo(bv, b.Value, apd.New(12, 0))
			return a.Value, bv, true
		default: // a in months, b in years
			bv := newDec()
			decCtx.Mul(bv, b.Value, apd.New(12, 0))
			return a.Value, bv, true
		}
	}
	if ua == ub {
		return a.Value, b.Value, true
	}
	bv, err := ucum.Convert(b.Value, ub, ua)
	if err != nil {
		return nil, nil, false
	}
	return a.Value, bv, true
}

var errIncomparable = errors.New("values are not comparable")

type unitTerm struct {
	sym string
	exp int
}

// unitTerms splits a UCUM product such as "kg.m/s2" into symbols with exponents; ok
// is false for expressions with parentheses or annotations.
func unitTerms(u string) ([]unitTerm, bool) {
	if u == "1" {
		return nil, true
	}
	if strings.ContainsAny(u, "(){}[]") || u == "" {
		return nil, false
	}
	var terms []unitTerm
	sign := 1
	for len(u) > 0 {
		end := strings.IndexAny(u, "./")
		part := u
		if end >= 0 {
			part = u[:end]
		}
		if part == "" {
			if len(terms) > 0 || end != 0 || u[0] != '/' {
				return nil, false
			}
		} else {
			i := len(part)
			for i > 0 && part[i-1] >= '0' && part[i-1] <= '9' {
				i--
			}
			if i > 0 && (part[i-1] == '-' || part[i-1] == '+') && i < len(part) {
				i--
			}
			sym, exp := part[:i], 1
			if i < len(part) && i > 0 {
				n, err := strconv.Atoi(part[i:])
				if err != nil {
					return nil, false
				}
				exp = n
			} else if i == 0 {
				sym = part // a plain number such as 10
			}
			terms = append(terms, unitTerm{sym: sym, exp: sign * exp})
		}
		if end < 0 {
			break
		}
		sign = 1
		if u[end] == '/' {
			sign = -1
		}
		u = u[end+1:]
	}
	return terms, true
}

func hasOffset(unit string) bool {
	u, err := ucum.Parse(unit)
	return err == nil && u.HasOffset()
}

// combineUnits writes the unit of a product or quotient of quantities, merging equal
// symbols (m × m is m2, g ÷ g is 1).
func combineUnits(a, b string, divide bool) string {
	ta, oka := unitTerms(a)
	tb, okb := unitTerms(b)
	if !oka || !okb {
		if divide {
			return "(" + a + ")/(" + b + ")"
		}
		return "(" + a + ").(" + b + ")"
	}
	merged := append([]unitTerm(nil), ta...)
	for _, t := range tb {
		if divide {
			t.exp = -t.exp
		}
		found := false
		for i := range merged {
			if merged[i].sym == t.sym {
				merged[i].exp += t.exp
				found = true
				break
			}
		}
		if !found {
			merged = append(merged, t)
		}
	}
	var num, den strings.Builder
	for _, t := range merged {
		switch {
		case t.exp > 0:
			if num.Len() > 0 {
				num.WriteByte('.')
			}
			num.WriteString(t.sym)
			if t.exp != 1 {
				num.WriteString(strconv.Itoa(t.exp))
			}
		case t.exp < 0:
			den.WriteByte('/')
			den.WriteString(t.sym)
			if t.exp != -1 {
				den.WriteString(strconv.Itoa(-t.exp))
			}
		}
	}
	if num.Len() == 0 {
		if den.Len() == 0 {
			return "1"
		}
		return "1" + den.String()
	}
	return num.String() + den.String()
}

// compareValues orders two System values of compatible types. ok is false when the
// order is unknown (different precisions); err when the types do not compare.
func compareValues(a, b Value) (int, bool, error) {
	switch x := a.(type) {
	case Integer:
		switch y := b.(type) {
		case Integer:
			return cmpInt(int64(x), int64(y)), true, nil
		case Decimal:
			return apd.New(int64(x), 0).Cmp(y.D), true, nil
		}
	case Decimal:
		if y, ok := b.(Integer); ok {
			var yd apd.Decimal
			yd.SetInt64(int64(y))
			return x.D.Cmp(&yd), true, nil
		}
		if y, ok := toDecimal(b); ok {
			return x.D.Cmp(y), true, nil
		}
	case String:
		if y, ok := b.(String); ok {
			return strings.Compare(string(x), string(y)), true, nil
		}
	case Date, DateTime, Time:
		ta, ka := temporalOf(a)
		tb, kb := temporalOf(b)
		if temporalKindsMix(ka, kb) {
			cmp, ok := compareTemporal(ta, tb)
			return cmp, ok, nil
		}
	case Quantity:
		if y, ok := b.(Quantity); ok {
			cmp, ok := compareQuantities(x, y)
			if !ok {
				return 0, false, nil
			}
			return cmp, true, nil
		}
	}
	return 0, false, errIncomparable
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// collectionsEquivalent is `~`: both empty is true; items match in any order.
func collectionsEquivalent(l, r []Value) bool {
	if len(l) != len(r) {
		return false
	}
	used := make([]bool, len(r))
outer:
	for _, a := range l {
		for j, b := range r {
			if !used[j] && valuesEquivalent(a, b) {
				used[j] = true
				continue outer
			}
		}
		return false
	}
	return true
}

// valuesEquivalent is `~` on two items (FHIRPath section 6.1.3).
func valuesEquivalent(a, b Value) bool {
	av, aPrim := primitiveValue(a)
	bv, bPrim := primitiveValue(b)
	if !aPrim || !bPrim {
		ae, ok1 := a.(fhir.Element)
		be, ok2 := b.(fhir.Element)
		return ok1 && ok2 && !aPrim && !bPrim && elementsEqual(ae, be, true)
	}
	switch x := av.(type) {
	case String:
		y, ok := bv.(String)
		return ok && normalizeSpace(string(x)) == normalizeSpace(string(y))
	case Integer, Decimal:
		xd, _ := toDecimal(x)
		yd, ok := toDecimal(bv)
		return ok && decimalsEquivalent(xd, yd)
	case Date, DateTime, Time:
		ta, ka := temporalOf(av)
		tb, kb := temporalOf(bv)
		if !temporalKindsMix(ka, kb) {
			return false
		}
		cmp, ok := compareTemporal(ta, tb)
		return ok && cmp == 0
	case Quantity:
		y, ok := bv.(Quantity)
		if !ok {
			return false
		}
		xv, yv, ok := commonUnit(x, y)
		return ok && decimalsEquivalent(xv, yv)
	}
	eq, ok := valuesEqual(av, bv)
	return ok && eq
}

func normalizeSpace(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// decimalsEquivalent compares two decimals rounded to the precision of the less
// precise one.
func decimalsEquivalent(a, b *apd.Decimal) bool {
	exp := max(a.Exponent, b.Exponent)
	var ra, rb apd.Decimal
	decCtx.Quantize(&ra, a, exp)
	decCtx.Quantize(&rb, b, exp)
	return ra.Cmp(&rb) == 0
}

func newDec() *apd.Decimal { return new(apd.Decimal) }

// arithmetic applies + - * / div mod to two System values. A nil result is empty
// (division by zero).
func arithmetic(op opKind, a, b Value) (Value, error) {
	switch x := a.(type) {
	case Integer:
		if y, ok := b.(Integer); ok {
			return intArith(op, x, y)
		}
		if y, ok := b.(Decimal); ok {
			return decArith(op, apd.New(int64(x), 0), y.D)
		}
		if y, ok := b.(Quantity); ok && op == opMul {
			return quantityScale(y, apd.New(int64(x), 0), false)
		}
	case Decimal:
		if y, ok := toDecimal(b); ok {
			return decArith(op, x.D, y)
		}
		if y, ok := b.(Quantity); ok && op == opMul {
			return quantityScale(y, x.D, false)
		}
	case String:
		if y, ok := b.(String); ok && op == opAdd {
			if len(x)+len(y) > maxString {
				return nil, errorf("string longer than %d bytes", maxString)
			}
			return x + y, nil
		}
	case Quantity:
		switch y := b.(type) {
		case Quantity:
			return quantityArith(op, x, y)
		case Integer:
			if op == opMul || op == opDiv {
				return quantityScale(x, apd.New(int64(y), 0), op == opDiv)
			}
		case Decimal:
			if op == opMul || op == opDiv {
				return quantityScale(x, y.D, op == opDiv)
			}
		}
	case Date, DateTime, Time:
		if y, ok := b.(Quantity); ok && (op == opAdd || op == opSub) {
			return addTemporal(a, y, op == opSub)
		}
	}
	return nil, errorf("cannot apply %s to %s and %s", opName(op), typeName(a), typeName(b))
}

func opName(op opKind) string {
	for k, v := range opKinds {
		if v == op {
			return k
		}
	}
	return "?"
}

func intArith(op opKind, x, y Integer) (Value, error) {
	// An overflowing result is empty rather than wrapped (FHIRPath section 6.6).
	switch op {
	case opAdd:
		r := x + y
		if (x > 0 && y > 0 && r < 0) || (x < 0 && y < 0 && r >= 0) {
			return nil, nil
		}
		return r, nil
	case opSub:
		r := x - y
		if (x >= 0 && y < 0 && r < 0) || (x < 0 && y > 0 && r >= 0) {
			return nil, nil
		}
		return r, nil
	case opMul:
		r := x * y
		if x != 0 && (r/x != y || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64)) {
			return nil, nil
		}
		return r, nil
	case opDiv:
		return decArith(op, apd.New(int64(x), 0), apd.New(int64(y), 0))
	case opIntDiv:
		if y == 0 {
			return nil, nil
		}
		return x / y, nil
	case opMod:
		if y == 0 {
			return nil, nil
		}
		return x % y, nil
	}
	return nil, errorf("cannot apply %s to integers", opName(op))
}

func decArith(op opKind, x, y *apd.Decimal) (Value, error) {
	r := newDec()
	var err error
	switch op {
	case opAdd:
		_, err = decCtx.Add(r, x, y)
	case opSub:
		_, err = decCtx.Sub(r, x, y)
	case opMul:
		_, err = decCtx.Mul(r, x, y)
	case opDiv:
		if y.IsZero() {
			return nil, nil
		}
		return Decimal{quotient(x, y)}, nil
	case opIntDiv:
		if y.IsZero() {
			return nil, nil
		}
		_, err = decCtx.QuoInteger(r, x, y)
		if err == nil {
			return Integer(mustInt64(r)), nil
		}
	case opMod:
		if y.IsZero() {
			return nil, nil
		}
		_, err = decCtx.Rem(r, x, y)
	default:
		return nil, errorf("cannot apply %s to decimals", opName(op))
	}
	if err != nil {
		return nil, err
	}
	return Decimal{r}, nil
}

// quotient divides with 34 significant digits; an exact quotient takes the ideal
// exponent of decimal arithmetic (IEEE 754: the dividend's minus the divisor's) or as
// few places as it needs, so 4 / 2 is 2 and 1 / 2 is 0.5, not 0.5000…0.
func quotient(x, y *apd.Decimal) *apd.Decimal {
	r := newDec()
	cond, _ := decCtx.Quo(r, x, y)
	if !cond.Inexact() {
		ideal := x.Exponent - y.Exponent
		r.Reduce(r)
		if r.Exponent > ideal {
			decCtx.Quantize(r, r, ideal)
		}
	}
	return r
}

func mustInt64(d *apd.Decimal) int64 {
	i, err := d.Int64()
	if err != nil {
		return 0
	}
	return i
}

func quantityScale(q Quantity, f *apd.Decimal, divide bool) (Value, error) {
	if divide {
		if f.IsZero() {
			return nil, nil
		}
		return Quantity{Value: quotient(q.Value, f), Unit: q.Unit}, nil
	}
	r := newDec()
	decCtx.Mul(r, q.Value, f)
	return Quantity{Value: r, Unit: q.Unit}, nil
}

func quantityArith(op opKind, x, y Quantity) (Value, error) {
	switch op {
	case opAdd, opSub:
		if x.Unit != y.Unit && (hasOffset(x.Unit) || hasOffset(y.Unit)) {
			// 37 'Cel' + 1 'K' adds a difference, which offset conversion would get wrong.
			return nil, errorf("cannot add or subtract %s and %s: temperatures with an offset add only in the same unit", x.Unit, y.Unit)
		}
		xv, yv, ok := commonUnit(x, y)
		if !ok {
			return nil, errorf("cannot add quantities in %s and %s", x.Unit, y.Unit)
		}
		r := newDec()
		if op == opAdd {
			decCtx.Add(r, xv, yv)
		} else {
			decCtx.Sub(r, xv, yv)
		}
		return Quantity{Value: r, Unit: x.Unit}, nil
	case opMul, opDiv:
		ux, okx := ucumFor(x.Unit)
		uy, oky := ucumFor(y.Unit)
		if !okx || !oky {
			return nil, errorf("cannot multiply or divide calendar durations")
		}
		if op == opDiv {
			if y.Value.IsZero() {
				return nil, nil
			}
			return Quantity{Value: quotient(x.Value, y.Value), Unit: combineUnits(ux, uy, true)}, nil
		}
		r := newDec()
		decCtx.Mul(r, x.Value, y.Value)
		return Quantity{Value: r, Unit: combineUnits(ux, uy, false)}, nil
	}
	return nil, errorf("cannot apply %s to quantities", opName(op))
}
