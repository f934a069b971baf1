package fhirpath

import (
	"sort"

	"github.com/cockroachdb/apd/v3"
	"github.com/joinedup/joinedup/ucum"
)

// Math (FHIRPath section 5.7) and the 2.1 functions lowBoundary, highBoundary,
// precision, comparable and sort.

func numberInput(c *evalCtx, n *funcNode, in []Value) (Value, error) {
	v, err := c.singleton(in, n.pos)
	if err != nil || v == nil {
		return nil, err
	}
	sv, ok := primitiveValue(v)
	if ok {
		switch sv.(type) {
		case Integer, Decimal, Quantity:
			return sv, nil
		}
	}
	return nil, c.errorf(n.pos, "expected a number, found %s", typeName(v))
}

func fnAbs(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	v, err := numberInput(c, n, in)
	if err != nil || v == nil {
		return nil, err
	}
	switch x := v.(type) {
	case Integer:
		if x < 0 {
			x = -x
		}
		return []Value{x}, nil
	case Decimal:
		return []Value{Decimal{newDec().Abs(x.D)}}, nil
	case Quantity:
		return []Value{Quantity{Value: newDec().Abs(x.Value), Unit: x.Unit}}, nil
	}
	return nil, nil
}

type roundMode uint8

const (
	roundCeiling roundMode = iota
	roundFloor
	roundTruncate
)

func roundingFn(mode roundMode) func(*evalCtx, *funcNode, []Value) ([]Value, error) {
	return func(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
		v, err := numberInput(c, n, in)
		if err != nil || v == nil {
			return nil, err
		}
		switch x := v.(type) {
		case Integer:
			return []Value{x}, nil
		case Decimal:
			r := newDec()
			switch mode {
			case roundCeiling:
				decCtx.Ceil(r, x.D)
			case roundFloor:
				decCtx.Floor(r, x.D)
			default:
				r = truncated(x.D)
			}
			i, err := r.Int64()
			if err != nil {
				return nil, c.errorf(n.pos, "%s is out of the integer range", x)
			}
			return []Value{Integer(i)}, nil
		}
		return nil, c.errorf(n.pos, "expected a number")
	}
}

func fnRound(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	v, err := numberInput(c, n, in)
	if err != nil || v == nil {
		return nil, err
	}
	var places int64
	if len(n.args) > 0 {
		p, ok, err := intArg(c, n, 0)
		if err != nil {
			return nil, err
		}
		if ok {
			if p < 0 {
				return nil, c.errorf(n.pos, "round() precision must not be negative")
			}
			places = p
		}
	}
	d, ok := toDecimal(v)
	if !ok {
		return nil, c.errorf(n.pos, "expected a number")
	}
	rc := decCtx.WithPrecision(decCtx.Precision)
	rc.Rounding = apd.RoundHalfUp
	r := newDec()
	if _, err := rc.Quantize(r, d, int32(-places)); err != nil {
		return nil, c.errorf(n.pos, "round(): %v", err)
	}
	return []Value{Decimal{r}}, nil
}

type mathOp uint8

const (
	mathExp mathOp = iota
	mathLn
	mathSqrt
)

func fnMathDecimal(c *evalCtx, n *funcNode, in []Value) (*apd.Decimal, error) {
	v, err := numberInput(c, n, in)
	if err != nil || v == nil {
		return nil, err
	}
	d, ok := toDecimal(v)
	if !ok {
		return nil, c.errorf(n.pos, "expected a number")
	}
	return d, nil
}

func mathFn(op mathOp) func(*evalCtx, *funcNode, []Value) ([]Value, error) {
	return func(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
		d, err := fnMathDecimal(c, n, in)
		if err != nil || d == nil {
			return nil, err
		}
		r := newDec()
		switch op {
		case mathExp:
			_, err = decCtx.Exp(r, d)
		case mathLn:
			if d.Sign() <= 0 {
				return nil, nil
			}
			_, err = decCtx.Ln(r, d)
		case mathSqrt:
			if d.Sign() < 0 {
				return nil, nil
			}
			_, err = decCtx.Sqrt(r, d)
		}
		if err != nil {
			return nil, nil
		}
		return []Value{Decimal{clean(r)}}, nil
	}
}

// clean rounds away the last digits of a transcendental result, so that 16.log(2) is 4
// rather than 3.999…9.
func clean(d *apd.Decimal) *apd.Decimal {
	c := decCtx.WithPrecision(30)
	r := newDec()
	c.Round(r, d)
	r.Reduce(r)
	return r
}

func fnLog(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	d, err := fnMathDecimal(c, n, in)
	if err != nil || d == nil {
		return nil, err
	}
	bv, err := n.argSingle(c, 0)
	if err != nil || bv == nil {
		return nil, err
	}
	base, ok := toDecimal(bv)
	if !ok {
		return nil, c.errorf(n.pos, "log() needs a number base")
	}
	if d.Sign() <= 0 || base.Sign() <= 0 {
		return nil, nil
	}
	var ln, lb apd.Decimal
	hc := decCtx.WithPrecision(40)
	hc.Ln(&ln, d)
	hc.Ln(&lb, base)
	if lb.IsZero() {
		return nil, nil
	}
	r := newDec()
	hc.Quo(r, &ln, &lb)
	return []Value{Decimal{clean(r)}}, nil
}

func fnPower(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	v, err := numberInput(c, n, in)
	if err != nil || v == nil {
		return nil, err
	}
	ev, err := n.argSingle(c, 0)
	if err != nil || ev == nil {
		return nil, err
	}
	if bi, ok := v.(Integer); ok {
		if ei, ok := ev.(Integer); ok && ei >= 0 {
			r := newDec()
			decCtx.Pow(r, apd.New(int64(bi), 0), apd.New(int64(ei), 0))
			if i, err := r.Int64(); err == nil {
				return []Value{Integer(i)}, nil
			}
		}
	}
	b, ok1 := toDecimal(v)
	e, ok2 := toDecimal(ev)
	if !ok1 || !ok2 {
		return nil, c.errorf(n.pos, "power() needs numbers")
	}
	r := newDec()
	cond, err := decCtx.Pow(r, b, e)
	if err != nil {
		return nil, nil
	}
	if !cond.Inexact() {
		r.Reduce(r)
	}
	return []Value{Decimal{r}}, nil
}

// Boundaries (FHIRPath 2.1 section 5.11 lowBoundary/highBoundary): the least and
// greatest values the input could be given its precision.

const maxDecimalBoundaryPrecision = 28

func fnBoundary(high bool) func(*evalCtx, *funcNode, []Value) ([]Value, error) {
	return func(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
		v, err := c.singleton(in, n.pos)
		if err != nil || v == nil {
			return nil, err
		}
		sv, ok := primitiveValue(v)
		if !ok {
			return nil, nil
		}
		prec, hasPrec, err := intArg(c, n, 0)
		if err != nil {
			return nil, err
		}
		switch x := sv.(type) {
		case Integer:
			return decimalBoundary(apd.New(int64(x), 0), prec, hasPrec, high, "")
		case Decimal:
			return decimalBoundary(x.D, prec, hasPrec, high, "")
		case Quantity:
			return decimalBoundary(x.Value, prec, hasPrec, high, x.Unit)
		case Date:
			if !hasPrec {
				prec = 8
			}
			t, ok := x.t.boundary(prec, high, false)
			if !ok {
				return nil, nil
			}
			return []Value{Date{t}}, nil
		case DateTime:
			if !hasPrec {
				prec = 17
			}
			t, ok := x.t.boundary(prec, high, false)
			if !ok {
				return nil, nil
			}
			return []Value{DateTime{t}}, nil
		case Time:
			if !hasPrec {
				prec = 9
			}
			t, ok := x.t.boundary(prec, high, true)
			if !ok {
				return nil, nil
			}
			return []Value{Time{t}}, nil
		}
		return nil, c.errorf(n.pos, "%s has no boundaries", typeName(v))
	}
}

func decimalBoundary(d *apd.Decimal, prec int64, hasPrec, high bool, unit string) ([]Value, error) {
	if !hasPrec {
		prec = 8
	}
	if prec < 0 || prec > maxDecimalBoundaryPrecision {
		return nil, nil
	}
	neg := d.Negative && !d.IsZero()
	abs := newDec().Abs(d)
	// The half unit in the last place of the input.
	half := apd.New(5, abs.Exponent-1)
	if abs.Exponent > 0 {
		half = apd.New(5, -1)
	}
	// For a negative input the boundaries swap: low(-x) = -high(x).
	up := high != neg
	b := newDec()
	if abs.IsZero() {
		b.Set(half)
		if !high {
			b.Neg(b)
		}
		neg, up = false, high
	} else if up {
		decCtx.Add(b, abs, half)
	} else {
		decCtx.Sub(b, abs, half)
	}
	rc := decCtx.WithPrecision(decCtx.Precision)
	rc.Rounding = apd.RoundDown
	if up {
		rc.Rounding = apd.RoundHalfUp
	}
	r := newDec()
	rc.Quantize(r, b, int32(-prec))
	// Mirrored boundaries keep their sign even when they round to zero: the low
	// boundary of -0.0034 at one place is -0.0.
	r.Negative = neg
	if unit != "" {
		return []Value{Quantity{Value: r, Unit: unit}}, nil
	}
	return []Value{Decimal{r}}, nil
}

// precisionDigits maps a boundary precision (digits of the literal) to a precision.
func precisionDigits(p int64, isTime bool) (precision, bool) {
	if isTime {
		switch p {
		case 2:
			return precHour, true
		case 4:
			return precMinute, true
		case 6:
			return precSecond, true
		case 9:
			return precMillis, true
		}
		return 0, false
	}
	switch p {
	case 4:
		return precYear, true
	case 6:
		return precMonth, true
	case 8:
		return precDay, true
	case 10:
		return precHour, true
	case 12:
		return precMinute, true
	case 14:
		return precSecond, true
	case 17:
		return precMillis, true
	}
	return 0, false
}

func (t temporal) boundary(p int64, high, isTime bool) (temporal, bool) {
	target, ok := precisionDigits(p, isTime)
	if !ok {
		return t, false
	}
	r := t
	// An hour without minutes is not a FHIR time; it stands for hh:00.
	if r.prec == precHour {
		r.prec = precMinute
	}
	if !isTime {
		if r.prec < precMonth {
			r.month = map[bool]int{false: 1, true: 12}[high]
		}
		if r.prec < precDay {
			r.day = 1
			if high {
				r.day = daysIn(r.year, r.month)
			}
		}
	}
	if r.prec < precHour && !isTime {
		r.hour, r.minute = 0, 0
		if high {
			r.hour, r.minute = 23, 59
		}
	}
	if r.prec < precSecond {
		r.second = 0
		if high {
			r.second = 59
		}
	}
	if r.prec < precMillis {
		r.nanos = 0
		if high {
			r.nanos = 999_000_000
		}
		r.fracDigits = 3
	}
	if !isTime && target >= precHour && !r.tz {
		r.tz = true
		r.offset = 14 * 60
		if high {
			r.offset = -12 * 60
		}
	}
	r.prec = target
	if target < precHour {
		r.tz, r.zulu, r.offset = false, false, 0
	}
	return r, true
}

func fnPrecision(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	v, err := c.singleton(in, n.pos)
	if err != nil || v == nil {
		return nil, err
	}
	sv, _ := primitiveValue(v)
	switch x := sv.(type) {
	case Integer:
		return []Value{Integer(0)}, nil
	case Decimal:
		return []Value{Integer(max(0, -int64(x.D.Exponent)))}, nil
	case Date, DateTime:
		t, _ := temporalOf(x)
		digits := map[precision]int{precYear: 4, precMonth: 6, precDay: 8, precHour: 10, precMinute: 12, precSecond: 14, precMillis: 17}
		return []Value{Integer(digits[t.prec])}, nil
	case Time:
		digits := map[precision]int{precHour: 2, precMinute: 4, precSecond: 6, precMillis: 9}
		return []Value{Integer(digits[x.t.prec])}, nil
	}
	return nil, c.errorf(n.pos, "%s has no precision", typeName(v))
}

func fnComparable(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	v, err := c.singleton(in, n.pos)
	if err != nil || v == nil {
		return nil, err
	}
	o, err := n.argSingle(c, 0)
	if err != nil || o == nil {
		return nil, err
	}
	a, ok1 := primitiveValue(v)
	b, ok2 := primitiveValue(o)
	qa, ok3 := a.(Quantity)
	qb, ok4 := b.(Quantity)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil, c.errorf(n.pos, "comparable() needs quantities")
	}
	ua, oka := ucumFor(qa.Unit)
	ub, okb := ucumFor(qb.Unit)
	return boolColl(oka && okb && ucum.Comparable(ua, ub)), nil
}

// fnSort sorts by the argument keys in order; a key written with a leading minus sorts
// descending (FHIRPath 2.1 sort()). Without keys the items sort by themselves.
func fnSort(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	type keyed struct {
		v    Value
		keys []Value
	}
	items := make([]keyed, len(in))
	for i, v := range in {
		items[i].v = v
		if len(n.args) == 0 {
			sv, _ := primitiveValue(v)
			items[i].keys = []Value{sv}
			continue
		}
		for _, a := range n.args {
			res, err := c.withThis(a, v, i)
			if err != nil {
				return nil, err
			}
			k, err := c.singleton(res, n.pos)
			if err != nil {
				return nil, err
			}
			if k != nil {
				k, _ = primitiveValue(k)
			}
			items[i].keys = append(items[i].keys, k)
		}
	}
	var sortErr error
	sort.SliceStable(items, func(i, j int) bool {
		for k := range items[i].keys {
			a, b := items[i].keys[k], items[j].keys[k]
			desc := k < len(n.desc) && n.desc[k]
			var cmp int
			switch {
			case a == nil && b == nil:
				continue
			// An empty key sorts after every value (so first when descending).
			case a == nil:
				cmp = 1
			case b == nil:
				cmp = -1
			default:
				var err error
				cmp, _, err = compareValues(a, b)
				if err != nil && sortErr == nil {
					sortErr = c.errorf(n.pos, "sort(): %v", err)
				}
			}
			if cmp == 0 {
				continue
			}
			return (cmp < 0) != desc
		}
		return false
	})
	if sortErr != nil {
		return nil, sortErr
	}
	out := make([]Value, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out, nil
}
