package fhirpath

import (
	"encoding/base64"
	"encoding/hex"
	"html"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// String functions (FHIRPath section 5.6): the input is a single string; an empty input
// or argument gives an empty result. Positions count characters, not bytes.

// inputString reads the single string input; ok is false for an empty input.
func inputString(c *evalCtx, n *funcNode, in []Value) (string, bool, error) {
	v, err := c.singleton(in, n.pos)
	if err != nil || v == nil {
		return "", false, err
	}
	s, ok := stringValue(v)
	if !ok {
		return "", false, c.errorf(n.pos, "expected a string, found %s", typeName(v))
	}
	return s, true, nil
}

func stringArg(c *evalCtx, n *funcNode, i int) (string, bool, error) {
	v, err := n.argSingle(c, i)
	if err != nil || v == nil {
		return "", false, err
	}
	s, ok := stringValue(v)
	if !ok {
		return "", false, c.errorf(n.pos, "expected a string argument, found %s", typeName(v))
	}
	return s, true, nil
}

// stringCall reads the single string input and the first k (at most 2) arguments as
// strings; ok is false when the input or an argument is empty, which makes the
// result empty.
func stringCall(c *evalCtx, n *funcNode, in []Value, k int) (s string, args [2]string, ok bool, err error) {
	if s, ok, err = inputString(c, n, in); err != nil || !ok {
		return "", args, false, err
	}
	for i := 0; i < k; i++ {
		if args[i], ok, err = stringArg(c, n, i); err != nil || !ok {
			return "", args, false, err
		}
	}
	return s, args, true, nil
}

func stringPredicate(f func(s, arg string) bool) func(*evalCtx, *funcNode, []Value) ([]Value, error) {
	return func(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
		s, args, ok, err := stringCall(c, n, in, 1)
		if err != nil || !ok {
			return nil, err
		}
		return boolColl(f(s, args[0])), nil
	}
}

func hasPrefix(s, p string) bool      { return strings.HasPrefix(s, p) }
func hasSuffix(s, p string) bool      { return strings.HasSuffix(s, p) }
func containsString(s, p string) bool { return strings.Contains(s, p) }

func stringMap(f func(string) string) func(*evalCtx, *funcNode, []Value) ([]Value, error) {
	return func(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
		s, ok, err := inputString(c, n, in)
		if err != nil || !ok {
			return nil, err
		}
		return []Value{String(f(s))}, nil
	}
}

func upper(s string) string { return strings.ToUpper(s) }
func lower(s string) string { return strings.ToLower(s) }
func trim(s string) string  { return strings.TrimSpace(s) }

func fnIndexOf(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	s, args, ok, err := stringCall(c, n, in, 1)
	if err != nil || !ok {
		return nil, err
	}
	i := strings.Index(s, args[0])
	if i > 0 {
		i = utf8.RuneCountInString(s[:i])
	}
	return []Value{Integer(i)}, nil
}

func fnSubstring(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	s, ok, err := inputString(c, n, in)
	if err != nil || !ok {
		return nil, err
	}
	start, ok, err := intArg(c, n, 0)
	if err != nil || !ok {
		return nil, err
	}
	r := []rune(s)
	if start < 0 || start >= int64(len(r)) {
		return nil, nil
	}
	end := int64(len(r))
	if len(n.args) > 1 {
		l, ok, err := intArg(c, n, 1)
		if err != nil {
			return nil, err
		}
		if ok {
			end = min(end, start+max(l, 0))
		}
	}
	return []Value{String(string(r[start:end]))}, nil
}

func fnReplace(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	s, args, ok, err := stringCall(c, n, in, 2)
	if err != nil || !ok {
		return nil, err
	}
	return []Value{String(strings.ReplaceAll(s, args[0], args[1]))}, nil
}

var regexCache sync.Map // pattern → *regexp.Regexp

// compileRegex compiles a FHIRPath regular expression: '.' matches new lines
// (single-line mode), as the specification's examples require.
func compileRegex(pattern string) (*regexp.Regexp, error) {
	if re, ok := regexCache.Load(pattern); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile("(?s)" + pattern)
	if err != nil {
		return nil, err
	}
	regexCache.Store(pattern, re)
	return re, nil
}

func fnMatches(full bool) func(*evalCtx, *funcNode, []Value) ([]Value, error) {
	return func(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
		s, args, ok, err := stringCall(c, n, in, 1)
		if err != nil || !ok {
			return nil, err
		}
		pattern := args[0]
		if full {
			pattern = "^(?:" + pattern + ")$"
		}
		re, err := compileRegex(pattern)
		if err != nil {
			return nil, c.errorf(n.pos, "invalid regular expression: %v", err)
		}
		return boolColl(re.MatchString(s)), nil
	}
}

func fnReplaceMatches(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	s, args, ok, err := stringCall(c, n, in, 2)
	if err != nil || !ok {
		return nil, err
	}
	pattern, subst := args[0], args[1]
	if pattern == "" {
		return []Value{String(s)}, nil
	}
	re, err := compileRegex(pattern)
	if err != nil {
		return nil, c.errorf(n.pos, "invalid regular expression: %v", err)
	}
	return []Value{String(re.ReplaceAllString(s, subst))}, nil
}

func fnLength(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	s, ok, err := inputString(c, n, in)
	if err != nil || !ok {
		return nil, err
	}
	return []Value{Integer(utf8.RuneCountInString(s))}, nil
}

func fnToChars(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	s, ok, err := inputString(c, n, in)
	if err != nil || !ok {
		return nil, err
	}
	var out []Value
	for _, r := range s {
		out = append(out, String(string(r)))
	}
	return out, nil
}

func fnSplit(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	s, args, ok, err := stringCall(c, n, in, 1)
	if err != nil || !ok {
		return nil, err
	}
	parts := strings.Split(s, args[0])
	out := make([]Value, len(parts))
	for i, p := range parts {
		out[i] = String(p)
	}
	return out, nil
}

func fnJoin(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	sep := ""
	if len(n.args) > 0 {
		s, ok, err := stringArg(c, n, 0)
		if err != nil {
			return nil, err
		}
		if ok {
			sep = s
		}
	}
	parts := make([]string, 0, len(in))
	for _, v := range in {
		s, ok := stringValue(v)
		if !ok {
			return nil, c.errorf(n.pos, "join() needs strings, found %s", typeName(v))
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return nil, nil
	}
	return []Value{String(strings.Join(parts, sep))}, nil
}

func fnEncode(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	s, args, ok, err := stringCall(c, n, in, 1)
	if err != nil || !ok {
		return nil, err
	}
	format := args[0]
	switch format {
	case "base64":
		return []Value{String(base64.StdEncoding.EncodeToString([]byte(s)))}, nil
	case "urlbase64":
		return []Value{String(base64.URLEncoding.EncodeToString([]byte(s)))}, nil
	case "hex":
		return []Value{String(hex.EncodeToString([]byte(s)))}, nil
	}
	return nil, c.errorf(n.pos, "unknown encoding %q", format)
}

func fnDecode(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	s, args, ok, err := stringCall(c, n, in, 1)
	if err != nil || !ok {
		return nil, err
	}
	format := args[0]
	var b []byte
	switch format {
	case "base64":
		b, err = base64.StdEncoding.DecodeString(s)
	case "urlbase64":
		b, err = base64.URLEncoding.DecodeString(s)
	case "hex":
		b, err = hex.DecodeString(s)
	default:
		return nil, c.errorf(n.pos, "unknown encoding %q", format)
	}
	if err != nil {
		return nil, nil
	}
	return []Value{String(b)}, nil
}

func fnEscape(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	s, args, ok, err := stringCall(c, n, in, 1)
	if err != nil || !ok {
		return nil, err
	}
	target := args[0]
	switch target {
	case "html":
		r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")
		return []Value{String(r.Replace(s))}, nil
	case "json":
		q := strconv.Quote(s)
		return []Value{String(q[1 : len(q)-1])}, nil
	}
	return nil, c.errorf(n.pos, "unknown escape target %q", target)
}

func fnUnescape(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	s, args, ok, err := stringCall(c, n, in, 1)
	if err != nil || !ok {
		return nil, err
	}
	target := args[0]
	switch target {
	case "html":
		return []Value{String(html.UnescapeString(s))}, nil
	case "json":
		u, ok := unescapeJSON(s)
		if !ok {
			return nil, nil
		}
		return []Value{String(u)}, nil
	}
	return nil, c.errorf(n.pos, "unknown escape target %q", target)
}

// unescapeJSON undoes the escapes of a JSON string body; unescaped quotes stay.
func unescapeJSON(s string) (string, bool) {
	if !strings.Contains(s, `\`) {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 >= len(s) {
			return "", false
		}
		i++
		switch s[i] {
		case '"', '\\', '/':
			b.WriteByte(s[i])
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			if i+4 >= len(s) {
				return "", false
			}
			n, err := strconv.ParseUint(s[i+1:i+5], 16, 32)
			if err != nil {
				return "", false
			}
			b.WriteRune(rune(n))
			i += 4
		default:
			return "", false
		}
	}
	return b.String(), true
}
