package ucum

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/cockroachdb/apd/v3"
)

// Context is the decimal context of conversions: 34 significant digits, as IEEE decimal128.
var Context = apd.BaseContext.WithPrecision(34)

// ErrUnknownUnit is returned (wrapped) for a unit expression that is not valid UCUM or
// uses an atom this package does not know.
var ErrUnknownUnit = errors.New("ucum: unknown unit")

// ErrIncompatible is returned (wrapped) when two units do not measure the same property.
var ErrIncompatible = errors.New("ucum: units are not comparable")

type special uint8

const (
	notSpecial special = iota
	celsius
	fahrenheit
)

// Unit is a parsed unit expression: a magnitude in base units and the exponents of the
// base dimensions. The zero Unit is not valid; use Parse.
type Unit struct {
	// num/den is the magnitude; kept as a fraction so that chains such as 1/60 of 1/24
	// round only once, in the final conversion.
	num, den *apd.Decimal
	dims     [numDims]int8
	special  special
}

var (
	tableOnce sync.Once
	table     map[string]*Unit
	metric    map[string]bool
	cache     sync.Map // expression → *Unit
)

func buildTable() {
	table = make(map[string]*Unit, len(atoms)+2)
	metric = make(map[string]bool, len(atoms)+2)
	for i, a := range atoms {
		v := mustDecimal(a.value)
		u := &Unit{num: v, den: apd.New(1, 0)}
		switch {
		case i < numDims: // base units
			u.dims[i] = 1
		case a.unit != "" && a.unit != "1":
			def, err := parse(a.unit)
			if err != nil {
				panic(fmt.Sprintf("ucum: table entry %s: %v", a.code, err))
			}
			u.num, u.den = mul(v, def.num), def.den
			u.dims = def.dims
		}
		table[a.code] = u
		metric[a.code] = a.metric
	}
	k := [numDims]int8{}
	k[dimTemperature] = 1
	table["Cel"] = &Unit{num: apd.New(1, 0), den: apd.New(1, 0), dims: k, special: celsius}
	metric["Cel"] = true
	table["[degF]"] = &Unit{num: apd.New(1, 0), den: apd.New(1, 0), dims: k, special: fahrenheit}
}

func mustDecimal(s string) *apd.Decimal {
	d, _, err := apd.NewFromString(s)
	if err != nil {
		panic(err)
	}
	return d
}

func mul(a, b *apd.Decimal) *apd.Decimal {
	r := new(apd.Decimal)
	Context.Mul(r, a, b)
	return r
}

// Parse parses a UCUM unit expression ("mg", "kg/m2", "mm[Hg]", "10*3/uL", "{beats}/min",
// "1"). The result is cached, so parsing the same expression again is cheap.
func Parse(expr string) (Unit, error) {
	if u, ok := cache.Load(expr); ok {
		return *u.(*Unit), nil
	}
	tableOnce.Do(buildTable)
	u, err := parse(expr)
	if err != nil {
		return Unit{}, err
	}
	cache.Store(expr, &u)
	return u, nil
}

func parse(expr string) (Unit, error) {
	if expr == "" {
		return Unit{}, fmt.Errorf("%w: empty unit", ErrUnknownUnit)
	}
	p := &parser{s: expr}
	var u Unit
	var err error
	if p.peek() == '/' {
		p.i++
		t, err := p.term(0)
		if err != nil {
			return Unit{}, err
		}
		u, err = divide(one(), t)
		if err != nil {
			return Unit{}, err
		}
	} else if u, err = p.term(0); err != nil {
		return Unit{}, err
	}
	if p.i != len(p.s) {
		return Unit{}, fmt.Errorf("%w: %q: unexpected %q", ErrUnknownUnit, expr, p.s[p.i:])
	}
	return u, nil
}

func one() Unit { return Unit{num: apd.New(1, 0), den: apd.New(1, 0)} }

type parser struct {
	s string
	i int
}

func (p *parser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

const maxDepth = 32

func (p *parser) term(depth int) (Unit, error) {
	if depth > maxDepth {
		return Unit{}, fmt.Errorf("%w: %q: too deeply nested", ErrUnknownUnit, p.s)
	}
	u, err := p.component(depth)
	if err != nil {
		return Unit{}, err
	}
	for {
		switch p.peek() {
		case '.':
			p.i++
			v, err := p.component(depth)
			if err != nil {
				return Unit{}, err
			}
			if u, err = multiply(u, v); err != nil {
				return Unit{}, err
			}
		case '/':
			p.i++
			v, err := p.component(depth)
			if err != nil {
				return Unit{}, err
			}
			if u, err = divide(u, v); err != nil {
				return Unit{}, err
			}
		default:
			return u, nil
		}
	}
}

func (p *parser) component(depth int) (Unit, error) {
	switch p.peek() {
	case '(':
		p.i++
		u, err := p.term(depth + 1)
		if err != nil {
			return Unit{}, err
		}
		if p.peek() != ')' {
			return Unit{}, fmt.Errorf("%w: %q: missing ')'", ErrUnknownUnit, p.s)
		}
		p.i++
		return u, p.annotation()
	case '{':
		return one(), p.annotation()
	}
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '[' {
			end := strings.IndexByte(p.s[p.i:], ']')
			if end < 0 {
				return Unit{}, fmt.Errorf("%w: %q: missing ']'", ErrUnknownUnit, p.s)
			}
			p.i += end + 1
			continue
		}
		if c == '.' || c == '/' || c == '(' || c == ')' || c == '{' || c == '}' {
			break
		}
		p.i++
	}
	u, err := simpleUnit(p.s[start:p.i])
	if err != nil {
		return Unit{}, fmt.Errorf("%w: %q", err, p.s)
	}
	return u, p.annotation()
}

// annotation skips an optional {annotation}, which does not change the unit.
func (p *parser) annotation() error {
	if p.peek() != '{' {
		return nil
	}
	end := strings.IndexByte(p.s[p.i:], '}')
	if end < 0 {
		return fmt.Errorf("%w: %q: missing '}'", ErrUnknownUnit, p.s)
	}
	p.i += end + 1
	return nil
}

// simpleUnit resolves a run such as "mg", "cm2", "s-1", "10*3", "[in_i]" or "100".
func simpleUnit(run string) (Unit, error) {
	if run == "" {
		return Unit{}, fmt.Errorf("%w: missing unit", ErrUnknownUnit)
	}
	if allDigits(run) {
		d, _, err := apd.NewFromString(run)
		if err != nil {
			return Unit{}, fmt.Errorf("%w: %v", ErrUnknownUnit, err)
		}
		return Unit{num: d, den: apd.New(1, 0)}, nil
	}
	atom, exp := run, 1
	end := len(run)
	for end > 0 && run[end-1] >= '0' && run[end-1] <= '9' {
		end--
	}
	if end < len(run) && end > 0 {
		digits := run[end:]
		neg := false
		if run[end-1] == '-' || run[end-1] == '+' {
			neg = run[end-1] == '-'
			end--
		}
		if end > 0 {
			n := 0
			for _, c := range digits {
				n = n*10 + int(c-'0')
				if n > 100 {
					return Unit{}, fmt.Errorf("%w: exponent too large", ErrUnknownUnit)
				}
			}
			if neg {
				n = -n
			}
			atom, exp = run[:end], n
		}
	}
	base, err := lookup(atom)
	if err != nil {
		return Unit{}, err
	}
	if exp == 1 {
		return base, nil
	}
	if base.special != notSpecial {
		return Unit{}, fmt.Errorf("%w: %s cannot take an exponent", ErrUnknownUnit, atom)
	}
	return power(base, exp), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func lookup(atom string) (Unit, error) {
	if u, ok := table[atom]; ok {
		return *u, nil
	}
	for _, n := range []int{2, 1} {
		if len(atom) <= n {
			continue
		}
		pf, ok := prefixes[atom[:n]]
		if !ok {
			continue
		}
		if u, ok := table[atom[n:]]; ok && metric[atom[n:]] {
			r := *u
			r.num = mul(mustDecimal(pf), u.num)
			return r, nil
		}
	}
	return Unit{}, fmt.Errorf("%w: %q", ErrUnknownUnit, atom)
}

func power(u Unit, n int) Unit {
	num, den, e := u.num, u.den, n
	if e < 0 {
		num, den, e = den, num, -e
	}
	r := Unit{num: new(apd.Decimal), den: new(apd.Decimal)}
	Context.Pow(r.num, num, apd.New(int64(e), 0))
	Context.Pow(r.den, den, apd.New(int64(e), 0))
	for i := range u.dims {
		r.dims[i] = u.dims[i] * int8(n)
	}
	return r
}

func multiply(a, b Unit) (Unit, error) {
	if a.special != notSpecial || b.special != notSpecial {
		return Unit{}, fmt.Errorf("%w: Cel and [degF] cannot be combined with other units", ErrUnknownUnit)
	}
	r := Unit{num: mul(a.num, b.num), den: mul(a.den, b.den)}
	for i := range a.dims {
		r.dims[i] = a.dims[i] + b.dims[i]
	}
	return r, nil
}

func divide(a, b Unit) (Unit, error) {
	if a.special != notSpecial || b.special != notSpecial {
		return Unit{}, fmt.Errorf("%w: Cel and [degF] cannot be combined with other units", ErrUnknownUnit)
	}
	r := Unit{num: mul(a.num, b.den), den: mul(a.den, b.num)}
	for i := range a.dims {
		r.dims[i] = a.dims[i] - b.dims[i]
	}
	return r, nil
}

// Comparable reports whether u and v measure the same property, so that values convert.
func (u Unit) Comparable(v Unit) bool { return u.dims == v.dims }

// HasOffset reports whether the unit's zero is not the base unit's zero (Cel,
// [degF]): values convert as absolute temperatures, so a difference of 1 Cel is not
// "1 Cel" converted to kelvin.
func (u Unit) HasOffset() bool { return u.special != notSpecial }

// Dimensionless reports whether the unit is a pure number ("1", "%", "{count}").
func (u Unit) Dimensionless() bool { return u.dims == [numDims]int8{} }

// ToBase converts a value in this unit to the base units (CanonicalUnit).
func (u Unit) ToBase(v *apd.Decimal) *apd.Decimal {
	r := new(apd.Decimal)
	switch u.special {
	case celsius:
		Context.Add(r, v, mustDecimal("273.15"))
	case fahrenheit:
		Context.Add(r, v, mustDecimal("459.67"))
		Context.Mul(r, r, apd.New(5, 0))
		Context.Quo(r, r, apd.New(9, 0))
	default:
		Context.Mul(r, v, u.num)
		Context.Quo(r, r, u.den)
	}
	return r
}

// FromBase converts a value in base units to this unit.
func (u Unit) FromBase(v *apd.Decimal) *apd.Decimal {
	r := new(apd.Decimal)
	switch u.special {
	case celsius:
		Context.Sub(r, v, mustDecimal("273.15"))
	case fahrenheit:
		Context.Mul(r, v, apd.New(9, 0))
		Context.Quo(r, r, apd.New(5, 0))
		Context.Sub(r, r, mustDecimal("459.67"))
	default:
		Context.Mul(r, v, u.den)
		Context.Quo(r, r, u.num)
	}
	return r
}

// CanonicalUnit is the unit of ToBase's results as a UCUM expression over the base units,
// e.g. "g.m-1.s-2" for a pressure, "1" for a pure number.
func (u Unit) CanonicalUnit() string {
	var b strings.Builder
	for i, e := range u.dims {
		if e == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(baseSymbols[i])
		if e != 1 {
			fmt.Fprintf(&b, "%d", e)
		}
	}
	if b.Len() == 0 {
		return "1"
	}
	return b.String()
}

// Convert converts value from one unit expression to another.
func Convert(value *apd.Decimal, from, to string) (*apd.Decimal, error) {
	f, err := Parse(from)
	if err != nil {
		return nil, err
	}
	t, err := Parse(to)
	if err != nil {
		return nil, err
	}
	if !f.Comparable(t) {
		return nil, fmt.Errorf("%w: %q and %q", ErrIncompatible, from, to)
	}
	if from == to {
		return new(apd.Decimal).Set(value), nil
	}
	if f.special != notSpecial || t.special != notSpecial {
		return t.FromBase(f.ToBase(value)), nil
	}
	// One division: value × f.num × t.den / (f.den × t.num).
	r := new(apd.Decimal)
	Context.Mul(r, value, f.num)
	Context.Mul(r, r, t.den)
	cond, _ := Context.Quo(r, r, mul(f.den, t.num))
	if !cond.Inexact() {
		// An exact quotient drops the padding zeros of the division but keeps at least
		// the decimal places the value was written with: 500 g is 0.5 kg, 1.50 kg is
		// 1500.00 g.
		r.Reduce(r)
		if r.Exponent > value.Exponent {
			Context.Quantize(r, r, value.Exponent)
		}
	}
	return r, nil
}

// Canonical converts value in unit to base units and returns it with the canonical unit
// expression; search indexes quantities this way so that 1 g and 1000 mg match.
func Canonical(value *apd.Decimal, unit string) (*apd.Decimal, string, error) {
	u, err := Parse(unit)
	if err != nil {
		return nil, "", err
	}
	return u.ToBase(value), u.CanonicalUnit(), nil
}

// Comparable reports whether two unit expressions are valid and measure the same property.
func Comparable(a, b string) bool {
	ua, err := Parse(a)
	if err != nil {
		return false
	}
	ub, err := Parse(b)
	if err != nil {
		return false
	}
	return ua.Comparable(ub)
}
