package fhir

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/go-json-experiment/json/jsontext"
)

// ParseOptions changes how JSON is read.
type ParseOptions struct {
	// Lenient keeps unknown members (they are written back, unchanged, at the end of their
	// object) and accepts primitive values that break their type's lexical rules (empty
	// strings, codes with stray white space, malformed dates). Malformed JSON, wrong JSON
	// types and unknown resource types are still errors.
	Lenient bool
}

// ParseIssue is one problem found while reading.
type ParseIssue struct {
	Path    string // FHIRPath-style location, e.g. "Patient.name[0].given[1]"
	Message string
}

// ParseError is returned by the readers: it lists every issue found before reading stopped.
type ParseError struct {
	Issues []ParseIssue
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("fhir: invalid JSON resource: ")
	for i, is := range e.Issues {
		if i > 0 {
			b.WriteString("; ")
		}
		if is.Path != "" {
			b.WriteString(is.Path)
			b.WriteString(": ")
		}
		b.WriteString(is.Message)
	}
	return b.String()
}

// maxIssues bounds the list so that a hostile document cannot make the error huge.
const maxIssues = 100

// ParseResource reads one resource strictly, as a server must.
func ParseResource(data []byte) (Resource, error) {
	return ParseResourceOptions(data, ParseOptions{})
}

// ParseResourceOptions reads one resource with the given options.
func ParseResourceOptions(data []byte, opts ParseOptions) (Resource, error) {
	d := getDecoder(data, opts)
	defer putDecoder(d)
	r, err := d.readResource(true)
	if err == nil && len(d.issues) == 0 {
		if _, err2 := d.dec.ReadToken(); err2 != io.EOF {
			d.path = d.path[:0]
			d.issue("unexpected data after the resource")
		}
	}
	if err != nil {
		return nil, err
	}
	if len(d.issues) > 0 {
		return nil, &ParseError{Issues: append([]ParseIssue(nil), d.issues...)}
	}
	return r, nil
}

// Parse reads one resource strictly and checks that it is of type T
// (fhir.Parse[*fhir.Patient](data)).
func Parse[T Resource](data []byte) (T, error) {
	var zero T
	r, err := ParseResource(data)
	if err != nil {
		return zero, err
	}
	t, ok := r.(T)
	if !ok {
		return zero, &ParseError{Issues: []ParseIssue{{Path: r.ResourceType(), Message: fmt.Sprintf("resource is a %s, not the type asked for", r.ResourceType())}}}
	}
	return t, nil
}

// jsonObject is implemented by every generated type: resources, data types, backbone
// elements, and primitives (for their "_name" object).
type jsonObject interface {
	// decodeJSONMember reads the value of the member name (raw, unquoted bytes).
	decodeJSONMember(d *decoder, name []byte) error
	appendJSON(e *encoder)
}

// primitiveCodec is implemented by every primitive type.
type primitiveCodec interface {
	jsonObject
	decodeJSONValue(d *decoder) error
	hasJSONValue() bool
	hasJSONExt() bool
	appendJSONValue(e *encoder)
}

// listChecker is implemented by types with repeating primitive elements, whose items are
// complete only once both "name" and "_name" have been read.
type listChecker interface {
	checkJSONLists(d *decoder)
}

// emptyKeeper is implemented by primitives: lenient mode keeps an empty "_name" object
// (invalid, but found in converted data) so that it is written back.
type emptyKeeper interface {
	keepEmpty()
}

// rawMember is an unknown member kept in lenient mode.
type rawMember struct {
	name  string
	value []byte
}

// unknownMembers holds the unknown members of one object. Generated structs point to it,
// nil in the usual case, so that it costs one word per value.
type unknownMembers struct {
	list []rawMember
}

type pathSeg struct {
	name  []byte
	index int // -1 when the segment is not an array item
}

type decoder struct {
	dec     *jsontext.Decoder
	input   bytes.Buffer // lets jsontext read the input in place, without copying it
	lenient bool
	path    []pathSeg
	issues  []ParseIssue
	// src is the input as one string: values without escapes are substrings of it, so
	// reading a string value does not allocate. base is the offset in src of the input
	// of dec (a nested decoder reads part of it).
	src  string
	base int
	root []byte // the resource type, first segment of every path
	// strs hands out *string slots in blocks, fewer allocations than one per value. It is
	// dropped after each parse so that resources never share a block.
	strs []string
}

var resourceTypeName = []byte("resourceType")

var decoderPool = sync.Pool{New: func() any { return &decoder{dec: new(jsontext.Decoder)} }}

func getDecoder(data []byte, opts ParseOptions) *decoder {
	d := decoderPool.Get().(*decoder)
	d.input = *bytes.NewBuffer(data)
	d.dec.Reset(&d.input)
	d.src, d.base, d.strs = string(data), 0, nil
	d.lenient = opts.Lenient
	d.path = d.path[:0]
	d.issues = d.issues[:0]
	return d
}

func putDecoder(d *decoder) {
	d.input = bytes.Buffer{}
	d.dec.Reset(&d.input)
	d.src, d.strs = "", nil
	clear(d.path)
	d.path = d.path[:0]
	decoderPool.Put(d)
}

func (d *decoder) push(name []byte) {
	d.path = append(d.path, pathSeg{name: name, index: -1})
}

func (d *decoder) pop() { d.path = d.path[:len(d.path)-1] }

func (d *decoder) setIndex(i int) { d.path[len(d.path)-1].index = i }

// pathString renders the current location the FHIRPath way: "_given" is "given".
func (d *decoder) pathString() string {
	var b []byte
	for i, s := range d.path {
		if i > 0 {
			b = append(b, '.')
		}
		b = append(b, bytes.TrimPrefix(s.name, []byte("_"))...)
		if s.index >= 0 {
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(s.index), 10)
			b = append(b, ']')
		}
	}
	return string(b)
}

var errTooManyIssues = errors.New("too many issues")

// issue records a problem at the current path; reading goes on.
func (d *decoder) issue(msg string) {
	if len(d.issues) < maxIssues {
		d.issues = append(d.issues, ParseIssue{Path: d.pathString(), Message: msg})
	}
}

// fatal turns an error that stops reading (malformed JSON, duplicate keys, invalid UTF-8)
// into a ParseError carrying the issues found so far.
func (d *decoder) fatal(err error) error {
	msg := err.Error()
	var se *jsontext.SyntacticError
	if errors.As(err, &se) && se.Err != nil {
		msg = se.Err.Error()
		switch {
		case strings.HasPrefix(msg, "duplicate object member name"):
			msg = fmt.Sprintf("%s %q", msg, se.JSONPointer.LastToken())
		case se.JSONPointer != "":
			msg += " (at JSON pointer " + string(se.JSONPointer) + ")"
		}
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		msg = "unexpected end of JSON input"
	}
	msg = strings.TrimPrefix(msg, "jsontext: ")
	issues := append([]ParseIssue(nil), d.issues...)
	issues = append(issues, ParseIssue{Path: d.pathString(), Message: msg})
	return &ParseError{Issues: issues}
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "nothing"
}

// wrongKind reports a value of the wrong JSON type and skips it.
func (d *decoder) wrongKind(got jsontext.Kind, want string) error {
	if got == 0 || got == '}' || got == ']' {
		_, err := d.dec.ReadToken()
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return d.fatal(err)
	}
	if got == 'n' {
		d.issue("null is not allowed here")
	} else {
		d.issue(fmt.Sprintf("expected %s, found %s", want, kindName(got)))
	}
	if err := d.dec.SkipValue(); err != nil {
		return d.fatal(err)
	}
	return nil
}

// readName reads a member name as raw bytes without allocating, unless it has escapes.
func (d *decoder) readName() ([]byte, error) {
	v, err := d.dec.ReadValue()
	if err != nil {
		return nil, d.fatal(err)
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return v[1 : len(v)-1], nil
	}
	u, err := jsontext.AppendUnquote(nil, v)
	if err != nil {
		return nil, d.fatal(err)
	}
	return u, nil
}

// readObject reads a JSON object into o.
func (d *decoder) readObject(o jsonObject) error {
	if k := d.dec.PeekKind(); k != '{' {
		return d.wrongKind(k, "an object")
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return d.fatal(err)
	}
	return d.readMembers(o, "", 0)
}

// readMembers reads the members of an object whose '{' has been read. In a resource,
// resourceType names the type already chosen, and n counts members already read.
func (d *decoder) readMembers(o jsonObject, resourceType string, n int) error {
	issues := len(d.issues)
	for d.dec.PeekKind() != '}' {
		name, err := d.readName()
		if err != nil {
			return err
		}
		d.push(name)
		if resourceType != "" && string(name) == "resourceType" {
			err = d.checkResourceType(resourceType)
		} else {
			err = o.decodeJSONMember(d, name)
		}
		d.pop()
		if err != nil {
			return err
		}
		if len(d.issues) >= maxIssues {
			return d.fatal(errTooManyIssues)
		}
		n++
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return d.fatal(err)
	}
	if n == 0 {
		if k, ok := o.(emptyKeeper); ok && d.lenient {
			k.keepEmpty()
		} else {
			d.issue("empty object")
		}
	}
	// An invalid item leaves a gap that is already reported: check alignment only when
	// the object read cleanly.
	if c, ok := o.(listChecker); ok && len(d.issues) == issues {
		c.checkJSONLists(d)
	}
	return nil
}

func (d *decoder) checkResourceType(want string) error {
	s, ok, err := d.readString()
	if err != nil || !ok {
		return err
	}
	if s != want {
		d.issue(fmt.Sprintf("resourceType %q does not match %q", s, want))
	}
	return nil
}

// readResource reads an inline or top-level resource, choosing its type by resourceType.
func (d *decoder) readResource(root bool) (Resource, error) {
	if k := d.dec.PeekKind(); k != '{' {
		if root && k != 0 {
			d.issue(fmt.Sprintf("expected a resource (an object), found %s", kindName(k)))
			return nil, nil
		}
		return nil, d.wrongKind(k, "a resource (an object)")
	}
	if startsWithResourceType(d.dec.UnreadBuffer()) {
		// The usual case: resourceType comes first, so the type is known before any other member.
		if _, err := d.dec.ReadToken(); err != nil {
			return nil, d.fatal(err)
		}
		if _, err := d.readName(); err != nil {
			return nil, err
		}
		d.push(resourceTypeName)
		rt, ok, err := d.readString()
		d.pop()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, d.skipRest(d.dec)
		}
		return d.resourceBody(rt, root, d.dec, 1)
	}
	// resourceType comes later: read the object whole, find it, then decode the copy.
	raw, err := d.dec.ReadValue()
	if err != nil {
		return nil, d.fatal(err)
	}
	rt, err := findResourceType(raw)
	if err != nil {
		return nil, d.fatal(err)
	}
	if rt == "" {
		d.issue("missing resourceType")
		return nil, nil
	}
	sub := jsontext.NewDecoder(bytes.NewBuffer(raw))
	if _, err := sub.ReadToken(); err != nil {
		return nil, d.fatal(err)
	}
	saved := d.base
	d.base += int(d.dec.InputOffset()) - len(raw)
	r, err := d.resourceBody(rt, root, sub, 0)
	d.base = saved
	return r, err
}

func (d *decoder) resourceBody(rt string, root bool, dec *jsontext.Decoder, n int) (Resource, error) {
	r, ok := NewResource(rt)
	if !ok {
		d.push(resourceTypeName)
		d.issue(fmt.Sprintf("unknown resourceType %q", rt))
		d.pop()
		if err := d.skipRest(dec); err != nil {
			return nil, err
		}
		return nil, nil
	}
	saved := d.dec
	d.dec = dec
	if root {
		// The pooled decoder keeps the buffer, so naming the root costs no allocation.
		d.root = append(d.root[:0], rt...)
		d.push(d.root)
	}
	err := d.readMembers(r.(jsonObject), rt, n)
	if root {
		d.pop()
	}
	d.dec = saved
	return r, err
}

// skipRest skips the remaining members of an object whose '{' has been read.
func (d *decoder) skipRest(dec *jsontext.Decoder) error {
	depth := dec.StackDepth()
	for dec.StackDepth() >= depth {
		if _, err := dec.ReadToken(); err != nil {
			return d.fatal(err)
		}
	}
	return nil
}

func startsWithResourceType(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n:,")
	if len(b) == 0 || b[0] != '{' {
		return false
	}
	return bytes.HasPrefix(bytes.TrimLeft(b[1:], " \t\r\n"), []byte(`"resourceType"`))
}

// findResourceType returns the top-level resourceType of a raw object, "" when absent.
func findResourceType(raw []byte) (string, error) {
	dec := jsontext.NewDecoder(bytes.NewBuffer(raw))
	if _, err := dec.ReadToken(); err != nil {
		return "", err
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return "", err
		}
		if name.String() == "resourceType" && dec.PeekKind() == '"' {
			v, err := dec.ReadToken()
			if err != nil {
				return "", err
			}
			return v.String(), nil
		}
		if err := dec.SkipValue(); err != nil {
			return "", err
		}
	}
	return "", nil
}

// readString reads a JSON string. ok is false when the value was not a non-empty string
// (the issue is recorded; lenient mode accepts empty strings).
func (d *decoder) readString() (s string, ok bool, err error) {
	if k := d.dec.PeekKind(); k != '"' {
		return "", false, d.wrongKind(k, "a string")
	}
	v, err := d.dec.ReadValue()
	if err != nil {
		return "", false, d.fatal(err)
	}
	if bytes.IndexByte(v, '\\') < 0 {
		s = d.substr(v)
		s = s[1 : len(s)-1]
	} else {
		u, err := jsontext.AppendUnquote(nil, v)
		if err != nil {
			return "", false, d.fatal(err)
		}
		s = string(u)
	}
	if s == "" && !d.lenient {
		d.issue("empty string")
		return "", false, nil
	}
	return s, true, nil
}

// readNumber reads a JSON number as its literal.
func (d *decoder) readNumber() (string, bool, error) {
	if k := d.dec.PeekKind(); k != '0' {
		return "", false, d.wrongKind(k, "a number")
	}
	v, err := d.dec.ReadValue()
	if err != nil {
		return "", false, d.fatal(err)
	}
	return d.substr(v), true, nil
}

// substr returns the value just read, v, as a substring of the input.
func (d *decoder) substr(v []byte) string {
	end := d.base + int(d.dec.InputOffset())
	return d.src[end-len(v) : end]
}

// newString returns a pointer to a copy of s.
func (d *decoder) newString(s string) *string {
	if len(d.strs) == 0 {
		d.strs = make([]string, 32)
	}
	p := &d.strs[0]
	d.strs = d.strs[1:]
	*p = s
	return p
}

func (d *decoder) readBool() (bool, bool, error) {
	if k := d.dec.PeekKind(); k != 't' && k != 'f' {
		return false, false, d.wrongKind(k, "true or false")
	}
	t, err := d.dec.ReadToken()
	if err != nil {
		return false, false, d.fatal(err)
	}
	return t.Bool(), true, nil
}

// readInt reads an integer-valued primitive and checks its pattern and range.
func (d *decoder) readInt(check func(string) string) (int64, bool, error) {
	lit, ok, err := d.readNumber()
	if err != nil || !ok {
		return 0, false, err
	}
	if msg := check(lit); msg != "" {
		d.issue(msg)
		return 0, false, nil
	}
	n, _ := strconv.ParseInt(lit, 10, 64)
	return n, true, nil
}

// readChecked reads a string primitive and checks it with check (which returns a message,
// "" when valid). Lenient mode keeps invalid values as written.
func (d *decoder) readChecked(check func(string) string) (string, bool, error) {
	s, ok, err := d.readString()
	if err != nil || !ok {
		return s, ok, err
	}
	if msg := check(s); msg != "" && !d.lenient {
		d.issue(msg)
		return "", false, nil
	}
	return s, true, nil
}

// readPlain reads a plain string member (an element id, Extension.url) into *p.
func (d *decoder) readPlain(p *string, check func(string) string) error {
	s, ok, err := d.readChecked(check)
	if ok {
		*p = s
	}
	return err
}

// readPrimitive reads the "name" (ext false) or "_name" (ext true) part of a singleton
// primitive.
func (d *decoder) readPrimitive(p primitiveCodec, ext bool) error {
	if ext {
		return d.readObject(p)
	}
	return p.decodeJSONValue(d)
}

// unknown handles a member that is not an element of the type.
func (d *decoder) unknown(name []byte, keep **unknownMembers) error {
	if !d.lenient {
		d.issue(fmt.Sprintf("unknown element %q", name))
		if err := d.dec.SkipValue(); err != nil {
			return d.fatal(err)
		}
		return nil
	}
	v, err := d.dec.ReadValue()
	if err != nil {
		return d.fatal(err)
	}
	if *keep == nil {
		*keep = new(unknownMembers)
	}
	(*keep).list = append((*keep).list, rawMember{name: string(name), value: bytes.Clone(v)})
	return nil
}

// choice checks that no other type of a choice element has been read already. Lenient
// mode keeps them all.
func (d *decoder) choice(current, name string) {
	if current != "" && current != name && !d.lenient {
		d.issue(fmt.Sprintf("several types of one choice element: %q and %q", current, name))
	}
}

// beginArray reads '[' or reports a wrong type (ok false, value skipped).
func (d *decoder) beginArray() (bool, error) {
	if k := d.dec.PeekKind(); k != '[' {
		return false, d.wrongKind(k, "an array")
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return false, d.fatal(err)
	}
	return true, nil
}

func (d *decoder) endArray(n int) error {
	if _, err := d.dec.ReadToken(); err != nil {
		return d.fatal(err)
	}
	if n == 0 {
		d.issue("empty array")
	}
	return nil
}

// decodeList reads an array of complex values.
func decodeList[T any, P interface {
	*T
	jsonObject
}](d *decoder, p *[]*T) error {
	ok, err := d.beginArray()
	if err != nil || !ok {
		return err
	}
	n := 0
	for d.dec.PeekKind() != ']' {
		d.setIndex(n)
		v := new(T)
		*p = append(*p, v)
		if err := d.readObject(P(v)); err != nil {
			return err
		}
		n++
	}
	d.setIndex(-1)
	return d.endArray(n)
}

// decodePrimList reads "name" (ext false) or "_name" (ext true) of a repeating primitive.
// The two arrays are aligned item by item; null fills the gaps.
func decodePrimList[T any, P interface {
	*T
	primitiveCodec
}](d *decoder, p *[]*T, ext bool) error {
	ok, err := d.beginArray()
	if err != nil || !ok {
		return err
	}
	have := len(*p)
	n, nulls := 0, 0
	for d.dec.PeekKind() != ']' {
		d.setIndex(n)
		var v *T
		if n < have {
			v = (*p)[n]
		} else {
			v = new(T)
			*p = append(*p, v)
		}
		switch {
		case d.dec.PeekKind() == 'n':
			nulls++
			if _, err := d.dec.ReadToken(); err != nil {
				return d.fatal(err)
			}
		case ext:
			err = d.readObject(P(v))
		default:
			err = P(v).decodeJSONValue(d)
		}
		if err != nil {
			return err
		}
		n++
	}
	d.setIndex(-1)
	if have > 0 && n != have && !d.lenient {
		// Lenient reading takes the shorter array as padded with nulls, as writers that
		// forget the padding mean it (the arrays are written back aligned).
		d.issue("the value array and its \"_\" array have different lengths")
	}
	if n > 0 && nulls == n {
		// It would not be written back: an array of nulls says nothing.
		d.issue("array holds only nulls")
	}
	return d.endArray(n)
}

// checkPrimList reports items that ended up with neither a value nor an id/extension.
func checkPrimList[T any, P interface {
	*T
	primitiveCodec
}](d *decoder, name string, list []*T) {
	for i, v := range list {
		if !P(v).hasJSONValue() && !P(v).hasJSONExt() {
			d.push([]byte(name))
			d.setIndex(i)
			d.issue("null with no matching value or extension")
			d.pop()
		}
	}
}

// readResourceList reads contained resources.
func (d *decoder) readResourceList(p *[]Resource) error {
	ok, err := d.beginArray()
	if err != nil || !ok {
		return err
	}
	n := 0
	for d.dec.PeekKind() != ']' {
		d.setIndex(n)
		r, err := d.readResource(false)
		if err != nil {
			return err
		}
		if r != nil {
			*p = append(*p, r)
		}
		n++
	}
	d.setIndex(-1)
	return d.endArray(n)
}
