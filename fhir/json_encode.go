package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"unicode/utf8"
)

// MarshalResource writes r as compact JSON, members in specification order.
func MarshalResource(r Resource) ([]byte, error) {
	e := getEncoder()
	defer putEncoder(e)
	if err := e.resource(r); err != nil {
		return nil, err
	}
	if e.err != nil {
		return nil, e.err
	}
	return bytes.Clone(e.buf), nil
}

// MarshalResourceIndent is MarshalResource with each element on its own line.
func MarshalResourceIndent(r Resource, prefix, indent string) ([]byte, error) {
	b, err := MarshalResource(r)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	// encoding/json.Indent keeps number literals as written.
	if err := json.Indent(&out, b, prefix, indent); err != nil {
		return nil, fmt.Errorf("fhir: indent: %w", err)
	}
	return out.Bytes(), nil
}

type encoder struct {
	buf   []byte
	comma bool // a value has been written in the current object or array
	err   error
}

var encoderPool = sync.Pool{New: func() any { return &encoder{buf: make([]byte, 0, 4096)} }}

func getEncoder() *encoder {
	e := encoderPool.Get().(*encoder)
	e.buf, e.comma, e.err = e.buf[:0], false, nil
	return e
}

// putEncoder pools e unless its buffer grew large (a big bundle), which would stay in
// memory for as long as the pool keeps it.
func putEncoder(e *encoder) {
	if cap(e.buf) <= 1<<20 {
		encoderPool.Put(e)
	}
}

func (e *encoder) resource(r Resource) error {
	o, ok := r.(jsonObject)
	if !ok {
		return fmt.Errorf("fhir: cannot marshal %T: not a generated resource type", r)
	}
	o.appendJSON(e)
	return nil
}

func (e *encoder) open() {
	e.buf = append(e.buf, '{')
	e.comma = false
}

// openResource starts a resource object with its resourceType member (lit is the whole
// member, quoted).
func (e *encoder) openResource(lit string) {
	e.buf = append(e.buf, '{')
	e.buf = append(e.buf, lit...)
	e.comma = true
}

func (e *encoder) close(unknown *unknownMembers) {
	if unknown != nil {
		e.unknown(unknown.list)
	}
	e.buf = append(e.buf, '}')
	e.comma = true
}

func (e *encoder) unknown(list []rawMember) {
	for _, m := range list {
		e.str(m.name) // writes the separator, if any
		e.buf = append(e.buf, ':')
		e.comma = false
		e.buf = append(e.buf, m.value...)
		e.comma = true
	}
}

// member writes a member name; lit is the quoted name followed by a colon.
func (e *encoder) member(lit string) {
	if e.comma {
		e.buf = append(e.buf, ',')
	}
	e.buf = append(e.buf, lit...)
	e.comma = false
}

func (e *encoder) beginArray() {
	e.buf = append(e.buf, '[')
	e.comma = false
}

func (e *encoder) endArray() {
	e.buf = append(e.buf, ']')
	e.comma = true
}

func (e *encoder) sep() {
	if e.comma {
		e.buf = append(e.buf, ',')
	}
}

func (e *encoder) null() {
	e.sep()
	e.buf = append(e.buf, "null"...)
	e.comma = true
}

func (e *encoder) bool(v bool) {
	e.sep()
	e.buf = strconv.AppendBool(e.buf, v)
	e.comma = true
}

// int writes an integer; one outside the range of its type (lo..hi) is an error, since
// it could not be read back.
func (e *encoder) int(v, lo, hi int64, typ string) {
	if (v < lo || v > hi) && e.err == nil {
		e.err = fmt.Errorf("fhir: %s value %d is out of range", typ, v)
	}
	e.sep()
	e.buf = strconv.AppendInt(e.buf, v, 10)
	e.comma = true
}

// number writes a decimal literal as kept; one that is not a JSON number is an error,
// since writing it would produce invalid JSON.
func (e *encoder) number(lit string) {
	if checkDecimal(lit) != "" && e.err == nil {
		e.err = fmt.Errorf("fhir: decimal value %q is not a valid number", lit)
	}
	e.sep()
	e.buf = append(e.buf, lit...)
	e.comma = true
}

const hexDigits = "0123456789abcdef"

// str writes a JSON string. Invalid UTF-8 (possible only in values built in Go) becomes
// U+FFFD, as JSON requires valid UTF-8.
func (e *encoder) str(s string) {
	e.sep()
	b := append(e.buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\ufffd"...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	e.buf = append(b, '"')
	e.comma = true
}

// appendPrimitive writes a singleton primitive: "name" for the value, "_name" for its id
// and extensions.
func (e *encoder) appendPrimitive(name, extName string, p primitiveCodec) {
	if p.hasJSONValue() {
		e.member(name)
		p.appendJSONValue(e)
	}
	if p.hasJSONExt() {
		e.member(extName)
		p.appendJSON(e)
	}
}

func (e *encoder) appendObject(name string, o jsonObject) {
	e.member(name)
	o.appendJSON(e)
}

func (e *encoder) appendResource(name string, r Resource) {
	e.member(name)
	if err := e.resource(r); err != nil && e.err == nil {
		e.err = err
	}
}

func (e *encoder) appendResourceList(name string, list []Resource) {
	if len(list) == 0 {
		return
	}
	e.member(name)
	e.beginArray()
	for _, r := range list {
		e.sep()
		if err := e.resource(r); err != nil && e.err == nil {
			e.err = err
		}
	}
	e.endArray()
}

func appendList[T any, P interface {
	*T
	jsonObject
}](e *encoder, name string, list []*T) {
	if len(list) == 0 {
		return
	}
	e.member(name)
	e.beginArray()
	for _, v := range list {
		e.sep()
		P(v).appendJSON(e)
	}
	e.endArray()
}

// appendPrimList writes a repeating primitive as two aligned arrays, null filling the gaps;
// each array is written only when some item needs it.
func appendPrimList[T any, P interface {
	*T
	primitiveCodec
}](e *encoder, name, extName string, list []*T) {
	var values, exts bool
	for _, v := range list {
		values = values || P(v).hasJSONValue()
		exts = exts || P(v).hasJSONExt()
	}
	if values {
		e.member(name)
		e.beginArray()
		for _, v := range list {
			if P(v).hasJSONValue() {
				P(v).appendJSONValue(e)
			} else {
				e.null()
			}
		}
		e.endArray()
	}
	if exts {
		e.member(extName)
		e.beginArray()
		for _, v := range list {
			if P(v).hasJSONExt() {
				e.sep()
				P(v).appendJSON(e)
			} else {
				e.null()
			}
		}
		e.endArray()
	}
}
