package fhirpath

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// The lexer follows the FHIRPath grammar's lexical rules
// (https://hl7.org/fhirpath/N1/grammar.html): identifiers, `delimited` identifiers,
// 'strings' with escapes, numbers, @date/time literals, operators and comments.

type tokenKind uint8

const (
	tokEOF tokenKind = iota
	tokIdent
	tokDelimited // `...`: an identifier that is never a keyword
	tokString
	tokNumber
	tokDate // @2014-01-01 / @2014-01-01T10:00 / @T10:00; text without '@'
	tokOp   // punctuation and symbolic operators
	tokThis // $this, $index, $total: text without '$'
	tokEnv  // %name; text without '%'
)

type token struct {
	kind tokenKind
	text string
	pos  int
}

type lexer struct {
	src  string
	pos  int
	toks []token
}

func lex(src string) ([]token, error) {
	l := &lexer{src: src}
	for {
		if err := l.skipSpace(); err != nil {
			return nil, err
		}
		if l.pos >= len(l.src) {
			l.toks = append(l.toks, token{kind: tokEOF, pos: l.pos})
			return l.toks, nil
		}
		if err := l.next(); err != nil {
			return nil, err
		}
	}
}

func (l *lexer) errorf(pos int, format string, args ...any) error {
	return newError(SyntaxError, l.src, pos, format, args...)
}

func (l *lexer) skipSpace() error {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f':
			l.pos++
		case strings.HasPrefix(l.src[l.pos:], "//"):
			end := strings.IndexByte(l.src[l.pos:], '\n')
			if end < 0 {
				l.pos = len(l.src)
			} else {
				l.pos += end + 1
			}
		case strings.HasPrefix(l.src[l.pos:], "/*"):
			end := strings.Index(l.src[l.pos+2:], "*/")
			if end < 0 {
				return l.errorf(l.pos, "unterminated comment")
			}
			l.pos += 2 + end + 2
		default:
			return nil
		}
	}
	return nil
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (l *lexer) emit(k tokenKind, text string, pos int) {
	l.toks = append(l.toks, token{kind: k, text: text, pos: pos})
}

func (l *lexer) next() error {
	start := l.pos
	c := l.src[l.pos]
	switch {
	case isIdentStart(c):
		l.pos++
		for l.pos < len(l.src) && (isIdentStart(l.src[l.pos]) || isDigit(l.src[l.pos])) {
			l.pos++
		}
		l.emit(tokIdent, l.src[start:l.pos], start)
	case isDigit(c):
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
		}
		// A '.' belongs to the number only when a digit follows: 1.convertsToInteger().
		if l.pos+1 < len(l.src) && l.src[l.pos] == '.' && isDigit(l.src[l.pos+1]) {
			l.pos++
			for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
				l.pos++
			}
		}
		l.emit(tokNumber, l.src[start:l.pos], start)
	case c == '`':
		s, err := l.quoted('`')
		if err != nil {
			return err
		}
		l.emit(tokDelimited, s, start)
	case c == '\'':
		s, err := l.quoted('\'')
		if err != nil {
			return err
		}
		l.emit(tokString, s, start)
	case c == '@':
		l.pos++
		n := scanDateTime(l.src[l.pos:])
		if n == 0 {
			return l.errorf(start, "invalid date/time literal")
		}
		l.emit(tokDate, l.src[l.pos:l.pos+n], start)
		l.pos += n
	case c == '$':
		l.pos++
		s := l.pos
		for l.pos < len(l.src) && (isIdentStart(l.src[l.pos]) || isDigit(l.src[l.pos])) {
			l.pos++
		}
		l.emit(tokThis, l.src[s:l.pos], start)
	case c == '%':
		l.pos++
		if l.pos >= len(l.src) {
			return l.errorf(start, "missing variable name after %%")
		}
		switch l.src[l.pos] {
		case '`':
			s, err := l.quoted('`')
			if err != nil {
				return err
			}
			l.emit(tokEnv, s, start)
		case '\'':
			s, err := l.quoted('\'')
			if err != nil {
				return err
			}
			l.emit(tokEnv, s, start)
		default:
			s := l.pos
			for l.pos < len(l.src) && (isIdentStart(l.src[l.pos]) || isDigit(l.src[l.pos]) || l.src[l.pos] == '-') {
				l.pos++
			}
			if s == l.pos {
				return l.errorf(start, "missing variable name after %%")
			}
			l.emit(tokEnv, l.src[s:l.pos], start)
		}
	default:
		for _, op := range []string{"<=", ">=", "!=", "!~"} {
			if strings.HasPrefix(l.src[l.pos:], op) {
				l.pos += 2
				l.emit(tokOp, op, start)
				return nil
			}
		}
		if strings.IndexByte(".,()[]{}+-*/&|<>=~", c) >= 0 {
			l.pos++
			l.emit(tokOp, l.src[start:l.pos], start)
			return nil
		}
		r, _ := utf8.DecodeRuneInString(l.src[l.pos:])
		return l.errorf(start, "unexpected character %q", r)
	}
	return nil
}

// quoted reads a 'string' or `identifier` with FHIRPath escapes; l.pos is at the quote.
func (l *lexer) quoted(q byte) (string, error) {
	start := l.pos
	l.pos++
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch c {
		case q:
			l.pos++
			return b.String(), nil
		case '\\':
			if l.pos+1 >= len(l.src) {
				return "", l.errorf(l.pos, "unterminated escape")
			}
			e := l.src[l.pos+1]
			l.pos += 2
			switch e {
			case '\'', '"', '`', '\\', '/':
				b.WriteByte(e)
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				if l.pos+4 > len(l.src) {
					return "", l.errorf(l.pos-2, "invalid \\u escape")
				}
				n, err := strconv.ParseUint(l.src[l.pos:l.pos+4], 16, 32)
				if err != nil {
					return "", l.errorf(l.pos-2, "invalid \\u escape")
				}
				b.WriteRune(rune(n))
				l.pos += 4
			default:
				return "", l.errorf(l.pos-2, "invalid escape \\%c", e)
			}
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	return "", l.errorf(start, "unterminated %c", q)
}

// scanDateTime returns the length of the date, dateTime or time literal at the start of
// s (after '@'), or 0. Shapes: YYYY[-MM[-DD]][T[hh[:mm[:ss[.fff]]]][tz]] and
// Thh[:mm[:ss[.fff]]] (a time has no time zone).
func scanDateTime(s string) int {
	i := 0
	digits := func(n int) bool {
		if i+n > len(s) {
			return false
		}
		for k := 0; k < n; k++ {
			if !isDigit(s[i+k]) {
				return false
			}
		}
		i += n
		return true
	}
	timePart := func() {
		if !digits(2) {
			return
		}
		if i+2 < len(s) && s[i] == ':' && isDigit(s[i+1]) {
			i++
			digits(2)
			if i+2 < len(s) && s[i] == ':' && isDigit(s[i+1]) {
				i++
				digits(2)
				if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
					i++
					for i < len(s) && isDigit(s[i]) {
						i++
					}
				}
			}
		}
	}
	zone := func() {
		if i < len(s) && s[i] == 'Z' {
			i++
		} else if i+5 < len(s) && (s[i] == '+' || s[i] == '-') && isDigit(s[i+1]) && isDigit(s[i+2]) && s[i+3] == ':' {
			i += 4
			digits(2)
		}
	}
	if len(s) > 0 && s[0] == 'T' {
		i++
		timePart()
		if i == 1 {
			return 0
		}
		// A time has no zone, but the zone is read here so that the literal fails
		// as a whole (the suite expects an execution error, not a syntax error).
		zone()
		return i
	}
	if !digits(4) {
		return 0
	}
	if i+2 < len(s) && s[i] == '-' && isDigit(s[i+1]) {
		i++
		digits(2)
		if i+2 < len(s) && s[i] == '-' && isDigit(s[i+1]) {
			i++
			digits(2)
		}
	}
	if i < len(s) && s[i] == 'T' {
		i++
		timePart()
		zone()
	}
	return i
}
