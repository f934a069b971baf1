package fhir

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Validators for the lexical space of each primitive type
// (https://hl7.org/fhir/R4/datatypes.html#primitive). Each is written to accept exactly
// what its type's regex in the definitions accepts (the tests compare them with the
// generated TypeDef.Regex on random input); hand-written because a regexp per value is
// several times slower than the rest of reading. They return "" when valid, else why not.

// isSpace is \s in the definitions' regexes (RE2 syntax: [\t\n\f\r ]).
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// checkString: [ \r\n\t\S]+ — anything but a form feed.
func checkString(s string) string {
	if strings.IndexByte(s, '\f') >= 0 {
		return "string contains a form feed"
	}
	return ""
}

// checkCode: [^\s]+(\s[^\s]+)* — no leading, trailing or doubled white space.
func checkCode(s string) string {
	if s == "" || isSpace(s[0]) || isSpace(s[len(s)-1]) {
		return "code has leading or trailing white space"
	}
	for i := 1; i < len(s); i++ {
		if isSpace(s[i]) && isSpace(s[i-1]) {
			return "code has doubled white space"
		}
	}
	return ""
}

// checkID: [A-Za-z0-9\-\.]{1,64}
func checkID(s string) string {
	if len(s) == 0 || len(s) > 64 {
		return "id must be 1 to 64 characters"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return "id may hold only letters, digits, '-' and '.'"
		}
	}
	return ""
}

// checkURI: \S* (uri, url, canonical).
func checkURI(s string) string {
	for i := 0; i < len(s); i++ {
		if isSpace(s[i]) {
			return "uri contains white space"
		}
	}
	return ""
}

// checkOID: urn:oid:[0-2](\.(0|[1-9][0-9]*))+
func checkOID(s string) string {
	const bad = "oid must look like urn:oid:1.2.3"
	rest, ok := strings.CutPrefix(s, "urn:oid:")
	if !ok || len(rest) < 3 || rest[0] < '0' || rest[0] > '2' {
		return bad
	}
	parts := strings.Split(rest[1:], ".")
	if parts[0] != "" {
		return bad
	}
	for _, p := range parts[1:] {
		if p == "" || (p[0] == '0' && len(p) > 1) || !allDigits(p) {
			return bad
		}
	}
	return ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkUUID: urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
func checkUUID(s string) string {
	const bad = "uuid must be urn:uuid: and a lower-case UUID"
	rest, ok := strings.CutPrefix(s, "urn:uuid:")
	if !ok || len(rest) != 36 {
		return bad
	}
	for i := 0; i < 36; i++ {
		c := rest[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return bad
			}
		} else if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return bad
		}
	}
	return ""
}

// checkBase64: (\s*([0-9a-zA-Z\+/=]){4}\s*)+ and decodable: groups of four characters,
// white space only between groups.
func checkBase64(s string) string {
	if msg := checkBase64Pattern(s); msg != "" {
		return msg
	}
	compact := strings.Map(func(r rune) rune {
		if r < 0x80 && isSpace(byte(r)) {
			return -1
		}
		return r
	}, s)
	if _, err := base64.StdEncoding.DecodeString(compact); err != nil {
		return "base64Binary is not valid base64"
	}
	return ""
}

func checkBase64Pattern(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isSpace(c):
			if n%4 != 0 {
				return "base64Binary has white space inside a group of four"
			}
		case c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '+' || c == '/' || c == '=':
			n++
		default:
			return "base64Binary has a character outside the base64 alphabet"
		}
	}
	if n == 0 || n%4 != 0 {
		return "base64Binary length is not a multiple of four"
	}
	return ""
}

// Integers: JSON number literals matching the type's pattern, in 32-bit range, and not -0.
func checkInteger(lit string) string {
	return checkIntRange(lit, -1<<31, 1<<31-1, "integer")
}

func checkUnsignedInt(lit string) string {
	return checkIntRange(lit, 0, 1<<31-1, "unsignedInt")
}

func checkPositiveInt(lit string) string {
	return checkIntRange(lit, 1, 1<<31-1, "positiveInt")
}

func checkIntRange(lit string, lo, hi int64, typ string) string {
	digits := strings.TrimPrefix(lit, "-")
	if digits == "" || !allDigits(digits) || (digits[0] == '0' && len(digits) > 1) || (lo >= 0 && digits != lit) {
		return typ + " must be a whole number without fraction or exponent"
	}
	if lit == "-0" {
		// The pattern allows it, but the value is held as a number and would be written
		// back as 0.
		return typ + " -0 is not allowed: write 0"
	}
	n, err := strconv.ParseInt(lit, 10, 64)
	if err != nil || n < lo || n > hi {
		return typ + " is out of range"
	}
	return ""
}

// checkDecimal: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? (the JSON number grammar).
func checkDecimal(lit string) string {
	const bad = "decimal is not a number"
	s := strings.TrimPrefix(lit, "-")
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || (s[0] == '0' && i > 1) {
		return bad
	}
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i+1 {
			return bad
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i {
			return bad
		}
		i = j
	}
	if i != len(s) {
		return bad
	}
	return ""
}

// scanner walks a date/time literal.
type scanner struct {
	s string
	i int
}

func (c *scanner) digits(n int) (int, bool) {
	if c.i+n > len(c.s) {
		return 0, false
	}
	v := 0
	for k := 0; k < n; k++ {
		ch := c.s[c.i+k]
		if ch < '0' || ch > '9' {
			return 0, false
		}
		v = v*10 + int(ch-'0')
	}
	c.i += n
	return v, true
}

func (c *scanner) lit(b byte) bool {
	if c.i < len(c.s) && c.s[c.i] == b {
		c.i++
		return true
	}
	return false
}

func (c *scanner) more() bool { return c.i < len(c.s) }

// year: four digits, not 0000.
func (c *scanner) year() bool {
	y, ok := c.digits(4)
	return ok && y > 0
}

func (c *scanner) twoIn(lo, hi int) bool {
	v, ok := c.digits(2)
	return ok && v >= lo && v <= hi
}

// timeOfDay: hh:mm:ss(.f+)? with hours 00-23 and seconds 00-60.
func (c *scanner) timeOfDay() bool {
	if !c.twoIn(0, 23) || !c.lit(':') || !c.twoIn(0, 59) || !c.lit(':') || !c.twoIn(0, 60) {
		return false
	}
	if c.lit('.') {
		start := c.i
		for c.i < len(c.s) && c.s[c.i] >= '0' && c.s[c.i] <= '9' {
			c.i++
		}
		return c.i > start
	}
	return true
}

// zone: Z or ±hh:mm with hh 00-13 (mm 00-59), or ±14:00.
func (c *scanner) zone() bool {
	if c.lit('Z') {
		return true
	}
	if !c.lit('+') && !c.lit('-') {
		return false
	}
	h, ok := c.digits(2)
	if !ok || !c.lit(':') {
		return false
	}
	m, ok := c.digits(2)
	return ok && (h <= 13 && m <= 59 || h == 14 && m == 0)
}

// checkDate: YYYY, YYYY-MM or YYYY-MM-DD.
func checkDate(s string) string {
	c := scanner{s: s}
	if !c.year() {
		return "date must be YYYY, YYYY-MM or YYYY-MM-DD"
	}
	if c.lit('-') {
		if !c.twoIn(1, 12) {
			return "date has an invalid month"
		}
		if c.lit('-') && !c.twoIn(1, 31) {
			return "date has an invalid day"
		}
	}
	if c.more() {
		return "date must be YYYY, YYYY-MM or YYYY-MM-DD"
	}
	return ""
}

// checkDateTime: a date, or a full date with a time and a zone.
func checkDateTime(s string) string {
	const bad = "dateTime must be YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss(.sss)(Z|±hh:mm)"
	c := scanner{s: s}
	if !c.year() {
		return bad
	}
	if c.lit('-') {
		if !c.twoIn(1, 12) {
			return bad
		}
		if c.lit('-') {
			if !c.twoIn(1, 31) {
				return bad
			}
			if c.lit('T') && (!c.timeOfDay() || !c.zone()) {
				return bad
			}
		}
	}
	if c.more() {
		return bad
	}
	return ""
}

// checkInstant: YYYY-MM-DDThh:mm:ss(.sss)(Z|±hh:mm), all parts required.
func checkInstant(s string) string {
	c := scanner{s: s}
	if !c.year() || !c.lit('-') || !c.twoIn(1, 12) || !c.lit('-') || !c.twoIn(1, 31) ||
		!c.lit('T') || !c.timeOfDay() || !c.zone() || c.more() {
		return "instant must be YYYY-MM-DDThh:mm:ss(.sss)(Z|±hh:mm)"
	}
	return ""
}

// checkTime: hh:mm:ss(.f+)?
func checkTime(s string) string {
	c := scanner{s: s}
	if !c.timeOfDay() || c.more() {
		return "time must be hh:mm:ss(.sss)"
	}
	return ""
}
