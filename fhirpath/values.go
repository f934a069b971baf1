package fhirpath

import (
	"fmt"
	"strconv"

	"github.com/cockroachdb/apd/v3"
	"github.com/joinedup/joinedup/fhir"
)

// Value is one item of a collection: a fhir.Element from the model (a resource, a
// data type, a backbone element or a primitive), or a System value — Boolean, Integer,
// Decimal, String, Date, DateTime, Time, Quantity — produced by literals, operators
// and functions, or a TypeInfo from type().
type Value = any

// Collection is the result of an evaluation: an ordered list of values. Empty
// collections stand for "no value" (FHIRPath section 4.1 "Empty propagation").
type Collection []Value

// Boolean is System.Boolean.
type Boolean bool

// Integer is System.Integer.
type Integer int64

// String is System.String.
type String string

// Decimal is System.Decimal: an exact decimal; its exponent records the precision it
// was written with ("1.50" has two decimal places).
type Decimal struct{ D *apd.Decimal }

// Quantity is System.Quantity: a decimal value with a UCUM unit or a calendar duration
// keyword ("year", "days"...).
type Quantity struct {
	Value *apd.Decimal
	Unit  string
}

// TypeInfo is what type() returns (FHIRPath section 11 "Reflection").
type TypeInfo struct {
	Namespace, Name string
}

// decCtx is the context of decimal arithmetic: 34 significant digits (IEEE decimal128).
var decCtx = apd.BaseContext.WithPrecision(34)

func (d Decimal) String() string { return formatDecimal(d.D) }

func formatDecimal(d *apd.Decimal) string { return d.Text('f') }

// String writes the integer in decimal.
func (i Integer) String() string { return strconv.FormatInt(int64(i), 10) }

// String returns the string itself.
func (s String) String() string { return string(s) }

// String writes "true" or "false".
func (b Boolean) String() string {
	if b {
		return "true"
	}
	return "false"
}

func (q Quantity) String() string {
	if calendarUnits[q.Unit] {
		return formatDecimal(q.Value) + " " + q.Unit
	}
	return formatDecimal(q.Value) + " '" + q.Unit + "'"
}

func newQuantity(num Value, unit string) (Quantity, error) {
	switch n := num.(type) {
	case Integer:
		return Quantity{Value: apd.New(int64(n), 0), Unit: unit}, nil
	case Decimal:
		return Quantity{Value: n.D, Unit: unit}, nil
	}
	return Quantity{}, errorf("a quantity needs a number")
}

// typeName is the name of a value's type as the CLI and the test suite print it:
// System types in lower camel case ("boolean", "dateTime", "Quantity"), FHIR types by
// their FHIR name.
func typeName(v Value) string {
	switch v := v.(type) {
	case Boolean:
		return "boolean"
	case Integer:
		return "integer"
	case Decimal:
		return "decimal"
	case String:
		return "string"
	case Date:
		return "date"
	case DateTime:
		return "dateTime"
	case Time:
		return "time"
	case Quantity:
		return "Quantity"
	case TypeInfo:
		return "TypeInfo"
	case fhir.Element:
		return v.FHIRType()
	}
	return "unknown"
}

// systemTypeName is the System namespace name of a System value.
func systemTypeName(v Value) string {
	switch v.(type) {
	case Boolean:
		return "Boolean"
	case Integer:
		return "Integer"
	case Decimal:
		return "Decimal"
	case String:
		return "String"
	case Date:
		return "Date"
	case DateTime:
		return "DateTime"
	case Time:
		return "Time"
	case Quantity:
		return "Quantity"
	case TypeInfo:
		return "TypeInfo"
	}
	return ""
}

// quantityTypes are the FHIR types that are Quantities.
var quantityTypes = map[string]bool{
	"Quantity": true, "Age": true, "Distance": true, "Duration": true, "Count": true,
	"MoneyQuantity": true, "SimpleQuantity": true,
}

const ucumSystem = "http://unitsofmeasure.org"

// SystemValue converts a FHIR primitive to the System value FHIRPath operators compare
// (a boolean to Boolean, a dateTime to DateTime, a code to String ...) and a FHIR
// Quantity (or Age, Duration ...) to a Quantity; System values are returned as they
// are. ok is false for other elements and for primitives without a value.
func SystemValue(v Value) (Value, bool) { return primitiveValue(v) }

// primitiveValue converts a FHIR element to the System value FHIRPath operators work
// on: primitives by their type, Quantity types to a System Quantity. ok is false for
// other elements and for primitives without a value.
func primitiveValue(v Value) (Value, bool) {
	switch e := v.(type) {
	case fhir.Primitive:
		lit, ok := e.Literal()
		if !ok {
			return nil, false
		}
		switch e.FHIRType() {
		case "boolean":
			return Boolean(lit == "true"), true
		case "integer", "unsignedInt", "positiveInt", "integer64":
			n, err := strconv.ParseInt(lit, 10, 64)
			if err != nil {
				return nil, false
			}
			return Integer(n), true
		case "decimal":
			d, err := parseDecimal(lit)
			if err != nil {
				return nil, false
			}
			return Decimal{d}, true
		case "date":
			t, err := parseDate(lit)
			if err != nil {
				return nil, false
			}
			return Date{t}, true
		case "dateTime", "instant":
			t, err := parseDateTime(lit)
			if err != nil {
				return nil, false
			}
			return DateTime{t}, true
		case "time":
			t, err := parseTime(lit)
			if err != nil {
				return nil, false
			}
			return Time{t}, true
		}
		return String(lit), true
	case fhir.Element:
		if quantityTypes[e.FHIRType()] {
			return elementQuantity(e)
		}
		return nil, false
	}
	return v, true
}

// elementQuantity reads a FHIR Quantity as a System Quantity: the UCUM code when the
// system is UCUM (or absent), else the human unit.
func elementQuantity(e fhir.Element) (Value, bool) {
	var buf [1]fhir.Element
	lit := childLiteral(e, "value", buf[:0])
	if lit == "" {
		return nil, false
	}
	d, _, err := apd.NewFromString(lit)
	if err != nil {
		return nil, false
	}
	system := childLiteral(e, "system", buf[:0])
	unit := ""
	if system == "" || system == ucumSystem {
		unit = childLiteral(e, "code", buf[:0])
	}
	if unit == "" {
		unit = childLiteral(e, "unit", buf[:0])
	}
	if unit == "" {
		unit = "1"
	}
	return Quantity{Value: d, Unit: unit}, true
}

func childLiteral(e fhir.Element, name string, buf []fhir.Element) string {
	buf = e.Children(name, buf)
	if len(buf) == 0 {
		return ""
	}
	if p, ok := buf[0].(fhir.Primitive); ok {
		lit, _ := p.Literal()
		return lit
	}
	return ""
}

// stringValue returns the string of a String or a FHIR string-like primitive.
func stringValue(v Value) (string, bool) {
	switch s := v.(type) {
	case String:
		return string(s), true
	case fhir.Primitive:
		switch s.FHIRType() {
		case "boolean", "integer", "unsignedInt", "positiveInt", "integer64", "decimal",
			"date", "dateTime", "instant", "time":
			return "", false
		}
		lit, ok := s.Literal()
		return lit, ok
	}
	return "", false
}

// literalString is how toString() and the CLI write a value.
func literalString(v Value) (string, bool) {
	sv, ok := primitiveValue(v)
	if !ok {
		return "", false
	}
	// Every System value but TypeInfo writes its literal with String.
	if s, ok := sv.(fmt.Stringer); ok {
		return s.String(), true
	}
	return "", false
}

// parseDecimal reads a decimal literal. Plain literals of up to 18 digits ("185",
// "-0.50"), by far the common case, are read without apd's general parser.
func parseDecimal(lit string) (*apd.Decimal, error) {
	var coeff int64
	exp, digits, i := int32(0), 0, 0
	neg := false
	if len(lit) > 0 && (lit[0] == '-' || lit[0] == '+') {
		neg = lit[0] == '-'
		i = 1
	}
	dot := false
	for ; i < len(lit); i++ {
		c := lit[i]
		switch {
		case c >= '0' && c <= '9' && digits < 18:
			coeff = coeff*10 + int64(c-'0')
			digits++
			if dot {
				exp--
			}
		case c == '.' && !dot && digits > 0:
			dot = true
		default:
			d, _, err := apd.NewFromString(lit)
			return d, err
		}
	}
	if digits == 0 || lit[len(lit)-1] == '.' {
		d, _, err := apd.NewFromString(lit)
		return d, err
	}
	if neg {
		coeff = -coeff
	}
	d := apd.New(coeff, exp)
	d.Negative = neg
	return d, nil
}

func toDecimal(v Value) (*apd.Decimal, bool) {
	switch n := v.(type) {
	case Integer:
		return apd.New(int64(n), 0), true
	case Decimal:
		return n.D, true
	}
	return nil, false
}
