package fhirpath

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/joinedup/joinedup/ucum"
)

// Conversion functions (FHIRPath section 5.5). Each converter returns the converted
// value, or false when the value does not convert.

type converter func(v Value) (Value, bool)

// convert makes toX() (test false) and convertsToX() (test true).
func convert(conv converter, test bool) func(*evalCtx, *funcNode, []Value) ([]Value, error) {
	return func(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
		v, err := c.singleton(in, n.pos)
		if err != nil || v == nil {
			return nil, err
		}
		sv, ok := primitiveValue(v)
		if !ok {
			if test {
				return boolColl(false), nil
			}
			return nil, nil
		}
		r, ok := conv(sv)
		if test {
			return boolColl(ok), nil
		}
		if !ok {
			return nil, nil
		}
		return []Value{r}, nil
	}
}

func toBoolean(v Value) (Value, bool) {
	switch x := v.(type) {
	case Boolean:
		return x, true
	case Integer:
		switch x {
		case 1:
			return Boolean(true), true
		case 0:
			return Boolean(false), true
		}
	case Decimal:
		switch {
		case x.D.Cmp(apd.New(1, 0)) == 0:
			return Boolean(true), true
		case x.D.IsZero():
			return Boolean(false), true
		}
	case String:
		switch strings.ToLower(string(x)) {
		case "true", "t", "yes", "y", "1", "1.0":
			return Boolean(true), true
		case "false", "f", "no", "n", "0", "0.0":
			return Boolean(false), true
		}
	}
	return nil, false
}

var (
	integerPattern  = regexp.MustCompile(`^[+-]?[0-9]+$`)
	decimalPattern  = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)
	quantityPattern = regexp.MustCompile(`^([+-]?[0-9]+(?:\.[0-9]+)?)\s*(?:'([^']+)'|([a-zA-Z]+))?$`)
)

func toInteger(v Value) (Value, bool) {
	switch x := v.(type) {
	case Integer:
		return x, true
	case Boolean:
		if x {
			return Integer(1), true
		}
		return Integer(0), true
	case String:
		if integerPattern.MatchString(string(x)) {
			n, err := strconv.ParseInt(string(x), 10, 64)
			return Integer(n), err == nil
		}
	}
	return nil, false
}

func toDecimalValue(v Value) (Value, bool) {
	switch x := v.(type) {
	case Integer:
		return Decimal{apd.New(int64(x), 0)}, true
	case Decimal:
		return x, true
	case Boolean:
		if x {
			return Decimal{apd.New(10, -1)}, true
		}
		return Decimal{apd.New(0, -1)}, true
	case String:
		if decimalPattern.MatchString(string(x)) {
			d, _, err := apd.NewFromString(string(x))
			return Decimal{d}, err == nil
		}
	}
	return nil, false
}

func toStringValue(v Value) (Value, bool) {
	s, ok := literalString(v)
	if !ok {
		return nil, false
	}
	return String(s), true
}

func toDate(v Value) (Value, bool) {
	switch x := v.(type) {
	case Date:
		return x, true
	case DateTime:
		t := x.t
		t.prec = min(t.prec, precDay)
		t.hour, t.minute, t.second, t.nanos, t.tz, t.zulu, t.offset = 0, 0, 0, 0, false, false, 0
		return Date{t}, true
	case String:
		if t, err := parseDate(string(x)); err == nil {
			return Date{t}, true
		}
		if t, err := parseDateTime(string(x)); err == nil {
			return toDate(DateTime{t})
		}
	}
	return nil, false
}

func toDateTime(v Value) (Value, bool) {
	switch x := v.(type) {
	case DateTime:
		return x, true
	case Date:
		return DateTime{x.t}, true
	case String:
		if t, err := parseDateTime(string(x)); err == nil {
			return DateTime{t}, true
		}
	}
	return nil, false
}

func toTime(v Value) (Value, bool) {
	switch x := v.(type) {
	case Time:
		return x, true
	case String:
		s := strings.TrimPrefix(string(x), "T")
		if t, err := parseTime(s); err == nil {
			return Time{t}, true
		}
	}
	return nil, false
}

func toQuantity(v Value) (Value, bool) {
	switch x := v.(type) {
	case Integer:
		return Quantity{Value: apd.New(int64(x), 0), Unit: "1"}, true
	case Decimal:
		return Quantity{Value: x.D, Unit: "1"}, true
	case Quantity:
		return x, true
	case Boolean:
		if x {
			return Quantity{Value: apd.New(10, -1), Unit: "1"}, true
		}
		return Quantity{Value: apd.New(0, -1), Unit: "1"}, true
	case String:
		m := quantityPattern.FindStringSubmatch(string(x))
		if m == nil {
			return nil, false
		}
		d, _, err := apd.NewFromString(m[1])
		if err != nil {
			return nil, false
		}
		unit := "1"
		switch {
		case m[2] != "":
			if _, err := ucum.Parse(m[2]); err != nil {
				return nil, false
			}
			unit = m[2]
		case m[3] != "":
			if !calendarUnits[m[3]] {
				return nil, false
			}
			unit = m[3]
		}
		return Quantity{Value: d, Unit: unit}, true
	}
	return nil, false
}

func fnToQuantity(test bool) func(*evalCtx, *funcNode, []Value) ([]Value, error) {
	return func(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
		v, err := c.singleton(in, n.pos)
		if err != nil || v == nil {
			return nil, err
		}
		sv, ok := primitiveValue(v)
		var q Value
		if ok {
			q, ok = toQuantity(sv)
		}
		if ok && len(n.args) > 0 {
			u, err := n.argSingle(c, 0)
			if err != nil {
				return nil, err
			}
			unit, _ := stringValue(u)
			from := q.(Quantity)
			fu, ok1 := ucumFor(from.Unit)
			tu, ok2 := ucumFor(unit)
			ok = ok1 && ok2
			if ok {
				conv, err := ucum.Convert(from.Value, fu, tu)
				ok = err == nil
				if ok {
					q = Quantity{Value: conv, Unit: unit}
				}
			}
		}
		if test {
			return boolColl(ok), nil
		}
		if !ok {
			return nil, nil
		}
		return []Value{q}, nil
	}
}
