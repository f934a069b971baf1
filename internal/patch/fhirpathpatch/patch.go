package fhirpathpatch

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/fhirpath"
)

// Operation is one operation of a FHIRPath Patch.
type Operation struct {
	Type        string // add | insert | delete | replace | move
	Path        string
	Name        string
	Value       fhir.Element                // a typed value, or nil when given as parts
	Parts       []*fhir.ParametersParameter // an anonymous (backbone) value given part by part
	Index       int
	Source      int
	Destination int
	has         map[string]bool
}

// Error is a patch that cannot be applied (HTTP 422).
type Error struct{ Msg string }

func (e *Error) Error() string { return "FHIRPath Patch: " + e.Msg }

func fail(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// Parse reads the operations of a FHIRPath Patch document.
func Parse(p *fhir.Parameters) ([]Operation, error) {
	var ops []Operation
	for i, param := range p.Parameter {
		if lit(param.Name) != "operation" {
			return nil, fail("parameter %d is %q, not an operation", i, lit(param.Name))
		}
		op := Operation{has: map[string]bool{}}
		for _, part := range param.Part {
			name := lit(part.Name)
			if op.has[name] {
				return nil, fail("operation %d has the part %q twice", i, name)
			}
			op.has[name] = true
			v := partValue(part)
			switch name {
			case "type":
				op.Type = literal(v)
			case "path":
				op.Path = literal(v)
			case "name":
				op.Name = literal(v)
			case "value":
				op.Value = v
				if v == nil {
					op.Parts = part.Part
				}
			case "index", "source", "destination":
				n, err := strconv.Atoi(literal(v))
				if err != nil || n < 0 {
					return nil, fail("operation %d: %s must be a non-negative integer", i, name)
				}
				switch name {
				case "index":
					op.Index = n
				case "source":
					op.Source = n
				default:
					op.Destination = n
				}
			default:
				return nil, fail("operation %d has an unknown part %q", i, name)
			}
		}
		need := map[string][]string{
			"add":     {"path", "name", "value"},
			"insert":  {"path", "index", "value"},
			"delete":  {"path"},
			"replace": {"path", "value"},
			"move":    {"path", "source", "destination"},
		}[op.Type]
		if need == nil {
			return nil, fail("operation %d has an unknown type %q", i, op.Type)
		}
		for _, n := range need {
			if !op.has[n] {
				return nil, fail("operation %d (%s) lacks the part %q", i, op.Type, n)
			}
		}
		ops = append(ops, op)
	}
	return ops, nil
}

func lit(s *fhir.String) string {
	if s == nil || s.Value == nil {
		return ""
	}
	return *s.Value
}

func literal(e fhir.Element) string {
	if p, ok := e.(fhir.Primitive); ok {
		l, _ := p.Literal()
		return l
	}
	return ""
}

// partValue returns the value[x] or resource of a part, nil when it has neither.
func partValue(p *fhir.ParametersParameter) fhir.Element {
	var v fhir.Element
	p.EachChild(func(name string, c fhir.Element) bool {
		if strings.HasPrefix(name, "value") || name == "resource" {
			v = c
			return false
		}
		return true
	})
	return v
}

// Apply applies the patch to r in place. On error r may be partly changed: callers patch
// a copy and keep it only on success (the server re-reads the stored version).
func Apply(r fhir.Resource, p *fhir.Parameters) error {
	ops, err := Parse(p)
	if err != nil {
		return err
	}
	for i := range ops {
		if err := ops[i].apply(r); err != nil {
			return err
		}
	}
	return nil
}

var exprCache sync.Map // path → *fhirpath.Expression

func eval(r fhir.Resource, path string) ([]fhir.Element, error) {
	var expr *fhirpath.Expression
	if e, ok := exprCache.Load(path); ok {
		expr = e.(*fhirpath.Expression)
	} else {
		var err error
		if expr, err = fhirpath.Compile(path); err != nil {
			return nil, fail("path %q: %v", path, err)
		}
		exprCache.Store(path, expr)
	}
	out, err := expr.Evaluate(nil, r)
	if err != nil {
		return nil, fail("path %q: %v", path, err)
	}
	els := make([]fhir.Element, 0, len(out))
	for _, v := range out {
		e, ok := v.(fhir.Element)
		if !ok {
			return nil, fail("path %q selects a value that is not an element of the resource", path)
		}
		els = append(els, e)
	}
	return els, nil
}

func (op *Operation) apply(r fhir.Resource) error {
	targets, err := eval(r, op.Path)
	if err != nil {
		return err
	}
	switch op.Type {
	case "add":
		if len(targets) != 1 {
			if len(targets) == 0 {
				return fail("No content found at %s when adding", op.Path)
			}
			return fail("path %s matches %d elements when adding; it must match one", op.Path, len(targets))
		}
		return setChild(targets[0], op.Name, op.value(), -1)
	case "delete":
		if len(targets) == 0 {
			return nil // nothing to delete is not an error
		}
		if len(targets) > 1 {
			return fail("path %s matches %d elements; only one can be deleted", op.Path, len(targets))
		}
		loc, err := locateFrom(r, op.Path, targets[0])
		if err != nil {
			return err
		}
		if err := loc.remove(); err != nil {
			return err
		}
		return prune(r, loc.parent)
	case "replace":
		if len(targets) != 1 {
			return fail("path %s matches %d elements when replacing; it must match one", op.Path, len(targets))
		}
		loc, err := locateFrom(r, op.Path, targets[0])
		if err != nil {
			return err
		}
		return loc.replace(op.value())
	case "insert":
		if len(targets) == 0 {
			parent, name, ok := splitPath(op.Path)
			if !ok || op.Index != 0 {
				return fail("No content found at %s when inserting at %d", op.Path, op.Index)
			}
			ps, err := eval(r, parent)
			if err != nil {
				return err
			}
			if len(ps) != 1 {
				return fail("path %s matches %d elements when inserting; it must match one", parent, len(ps))
			}
			return setChild(ps[0], name, op.value(), 0)
		}
		if op.Index > len(targets) {
			return fail("index %d is beyond the %d items at %s", op.Index, len(targets), op.Path)
		}
		loc, err := locateFrom(r, op.Path, targets[0])
		if err != nil {
			return err
		}
		return setChild(loc.parent, loc.name, op.value(), loc.index+op.Index)
	case "move":
		if op.Source >= len(targets) || op.Destination >= len(targets) {
			return fail("source %d or destination %d is beyond the %d items at %s", op.Source, op.Destination, len(targets), op.Path)
		}
		loc, err := locateFrom(r, op.Path, targets[0])
		if err != nil {
			return err
		}
		return loc.move(op.Source, op.Destination)
	}
	return fail("unknown operation %q", op.Type)
}

// value is what the operation adds or puts in place: a typed value, or an anonymous
// element built from parts (valuePart).
func (op *Operation) value() any {
	if op.Value != nil {
		return op.Value
	}
	return partsValue(op.Parts)
}

type partsValue []*fhir.ParametersParameter

// splitPath splits "a.b.c" into "a.b" and "c" when the last step is a plain name.
func splitPath(path string) (parent, name string, ok bool) {
	i := strings.LastIndexByte(path, '.')
	if i <= 0 {
		return "", "", false
	}
	name = path[i+1:]
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return "", "", false
		}
	}
	return path[:i], name, name != ""
}

// location is where an element sits: the field name of its parent, and its index when
// the field repeats (-1 otherwise).
type location struct {
	parent fhir.Element
	name   string
	index  int
	field  reflect.Value
}

var errFound = errors.New("found")

// parentPath returns the expression of the elements holding what path selects when path
// ends in a plain name, optionally narrowed by filters that keep items of that name
// (".where(...)", ".first()", "[2]"...): "Patient.name.where(use = 'official')" is held by
// "Patient". ok is false for any other form.
func parentPath(path string) (string, bool) {
	p := strings.TrimSpace(path)
	for {
		switch {
		case strings.HasSuffix(p, "]"):
			i := matching(p, '[', ']')
			if i < 0 {
				return "", false
			}
			p = p[:i]
			continue
		case strings.HasSuffix(p, ")"):
			i := matching(p, '(', ')')
			if i < 0 {
				return "", false
			}
			dot := strings.LastIndexByte(p[:i], '.')
			if dot < 0 {
				return "", false
			}
			switch p[dot+1 : i] {
			case "where", "first", "last", "single", "tail", "skip", "take", "ofType":
				p = p[:dot]
				continue
			}
			return "", false
		}
		break
	}
	parent, _, ok := splitPath(p)
	return parent, ok
}

// matching returns the index of the bracket open matching the close that ends s, -1
// when there is none (quotes are respected).
func matching(s string, open, close byte) int {
	depth := 0
	var quote byte
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '`':
			quote = c
		case c == close:
			depth++
		case c == open:
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// locateFrom finds target among the children of the elements path's parent expression
// selects, which costs an evaluation instead of a walk over the whole resource; it falls
// back to the walk.
func locateFrom(r fhir.Resource, path string, target fhir.Element) (*location, error) {
	if pp, ok := parentPath(path); ok {
		if parents, err := eval(r, pp); err == nil {
			for _, p := range parents {
				if loc := childOf(p, target); loc != nil {
					return finish(loc, target)
				}
			}
		}
	}
	return locate(r, target)
}

func childOf(parent, target fhir.Element) *location {
	var loc *location
	parent.EachChild(func(name string, c fhir.Element) bool {
		if c == target {
			loc = &location{parent: parent, name: name}
			return false
		}
		return true
	})
	return loc
}

// locate finds the parent of target by walking the resource.
func locate(root fhir.Element, target fhir.Element) (*location, error) {
	var loc *location
	var walk func(parent fhir.Element) bool
	walk = func(parent fhir.Element) bool {
		return parent.EachChild(func(name string, c fhir.Element) bool {
			if c == target {
				loc = &location{parent: parent, name: name}
				return false
			}
			if _, prim := c.(fhir.Primitive); prim {
				return true
			}
			return walk(c)
		})
	}
	walk(root)
	if loc == nil {
		return nil, fail("the element selected cannot be changed by a patch")
	}
	return finish(loc, target)
}

// finish resolves the Go field and list index of a located element.
func finish(loc *location, target fhir.Element) (*location, error) {
	f, err := field(loc.parent, loc.name)
	if err != nil {
		return nil, err
	}
	loc.field = f
	loc.index = -1
	if f.Kind() == reflect.Slice {
		for i := 0; i < f.Len(); i++ {
			if f.Index(i).Interface() == any(target) {
				loc.index = i
				break
			}
		}
	}
	return loc, nil
}

func (l *location) remove() error {
	if l.index < 0 {
		l.field.Set(reflect.Zero(l.field.Type()))
		return nil
	}
	n := l.field.Len()
	if n == 1 {
		l.field.Set(reflect.Zero(l.field.Type()))
		return nil
	}
	s := reflect.MakeSlice(l.field.Type(), 0, n-1)
	s = reflect.AppendSlice(s, l.field.Slice(0, l.index))
	s = reflect.AppendSlice(s, l.field.Slice(l.index+1, n))
	l.field.Set(s)
	return nil
}

// prune removes e, and then its ancestors, while they are left without content: FHIR
// has no empty elements.
func prune(root fhir.Element, e fhir.Element) error {
	for {
		if _, ok := e.(fhir.Resource); ok {
			return nil
		}
		empty := e.EachChild(func(string, fhir.Element) bool { return false })
		if p, ok := e.(fhir.Primitive); ok {
			if _, has := p.Literal(); has {
				empty = false
			}
		}
		if !empty {
			return nil
		}
		loc, err := locate(root, e)
		if err != nil {
			return err
		}
		if err := loc.remove(); err != nil {
			return err
		}
		e = loc.parent
	}
}

func (l *location) replace(v any) error {
	t := l.field.Type()
	if l.index >= 0 {
		t = t.Elem()
	}
	nv, err := convert(v, t)
	if err != nil {
		return fail("replace at %s: %v", l.name, err)
	}
	if l.index < 0 {
		l.field.Set(nv)
	} else {
		l.field.Index(l.index).Set(nv)
	}
	return nil
}

// move moves item source of the list holding the located element (its first item) to
// destination.
func (l *location) move(source, destination int) error {
	if l.index < 0 {
		return fail("move needs a repeating element, %s is not one", l.name)
	}
	src, dst := l.index+source, l.index+destination
	if src >= l.field.Len() || dst >= l.field.Len() {
		return fail("move index out of range")
	}
	item := l.field.Index(src).Interface()
	items := make([]reflect.Value, 0, l.field.Len())
	for i := 0; i < l.field.Len(); i++ {
		if i != src {
			items = append(items, l.field.Index(i))
		}
	}
	s := reflect.MakeSlice(l.field.Type(), 0, l.field.Len())
	for i, it := range items {
		if i == dst {
			s = reflect.Append(s, reflect.ValueOf(item))
		}
		s = reflect.Append(s, it)
	}
	if dst == len(items) {
		s = reflect.Append(s, reflect.ValueOf(item))
	}
	l.field.Set(s)
	return nil
}

// setChild sets parent's element name to v; for a repeating element v is inserted at
// index (appended when index is -1).
func setChild(parent fhir.Element, name string, v any, index int) error {
	if _, prim := parent.(fhir.Primitive); prim && name != "extension" {
		return fail("cannot add %s to a primitive value", name)
	}
	f, err := field(parent, name)
	if err != nil {
		// A choice element named by its base name: the value's type gives the suffix.
		if e, ok := v.(fhir.Element); ok {
			t := e.FHIRType()
			if f2, err2 := field(parent, name+strings.ToUpper(t[:1])+t[1:]); err2 == nil {
				f, err = f2, nil
			}
		}
		if err != nil {
			return err
		}
	}
	if f.Kind() != reflect.Slice {
		if index > 0 {
			return fail("%s does not repeat", name)
		}
		if !f.IsZero() && index < 0 {
			return fail("%s already has a value: use replace", name)
		}
		nv, err := convert(v, f.Type())
		if err != nil {
			return fail("%s: %v", name, err)
		}
		f.Set(nv)
		return nil
	}
	nv, err := convert(v, f.Type().Elem())
	if err != nil {
		return fail("%s: %v", name, err)
	}
	n := f.Len()
	if index < 0 {
		index = n
	}
	if index > n {
		return fail("index %d is beyond the %d items of %s", index, n, name)
	}
	s := reflect.MakeSlice(f.Type(), 0, n+1)
	s = reflect.AppendSlice(s, f.Slice(0, index))
	s = reflect.Append(s, nv)
	s = reflect.AppendSlice(s, f.Slice(index, n))
	f.Set(s)
	return nil
}

var fieldIndex sync.Map // reflect.Type → map[string]int (lower-case element name → field)

// field returns the Go field of parent that holds the element name. The model's field
// names are the element names capitalised, with Id/Url/Uri spelt ID/URL/URI, so a
// case-insensitive match finds them.
func field(parent fhir.Element, name string) (reflect.Value, error) {
	pv := reflect.ValueOf(parent)
	if pv.Kind() != reflect.Pointer || pv.Elem().Kind() != reflect.Struct {
		return reflect.Value{}, fail("cannot change %s here", name)
	}
	st := pv.Elem().Type()
	idx, ok := fieldIndex.Load(st)
	if !ok {
		m := map[string]int{}
		for i := 0; i < st.NumField(); i++ {
			if st.Field(i).IsExported() {
				m[strings.ToLower(st.Field(i).Name)] = i
			}
		}
		idx, _ = fieldIndex.LoadOrStore(st, m)
	}
	i, ok := idx.(map[string]int)[strings.ToLower(name)]
	if !ok {
		return reflect.Value{}, fail("%s has no element %q that a patch can change", parent.FHIRType(), name)
	}
	return pv.Elem().Field(i), nil
}

var resourceType = reflect.TypeFor[fhir.Resource]()

// convert makes a value of Go type t (a pointer to a model struct, or fhir.Resource) from
// v: the value itself when its type fits, a primitive of another primitive type through
// its literal (a date given for a dateTime), or an element built from parts.
func convert(v any, t reflect.Type) (reflect.Value, error) {
	if v == nil {
		return reflect.Value{}, errors.New("no value")
	}
	rv := reflect.ValueOf(v)
	if parts, ok := v.(partsValue); ok {
		if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
			return reflect.Value{}, errors.New("a value given as parts must be a complex element")
		}
		nv := reflect.New(t.Elem())
		el, ok := nv.Interface().(fhir.Element)
		if !ok {
			return reflect.Value{}, fmt.Errorf("%s is not an element", t)
		}
		for _, p := range parts {
			var pv any = partValue(p)
			if pv == nil {
				pv = partsValue(p.Part)
			}
			if err := setChild(el, lit(p.Name), pv, -1); err != nil {
				return reflect.Value{}, err
			}
		}
		return nv, nil
	}
	if t.Kind() == reflect.String {
		// Element ids and Extension.url are plain strings in the model.
		p, ok := v.(fhir.Primitive)
		if !ok {
			return reflect.Value{}, fmt.Errorf("a %s cannot stand where a string is needed", typeName(v))
		}
		l, _ := p.Literal()
		return reflect.ValueOf(l), nil
	}
	if rv.Type().AssignableTo(t) {
		if t == resourceType {
			if _, ok := v.(fhir.Resource); !ok {
				return reflect.Value{}, errors.New("a resource is needed")
			}
		}
		return rv, nil
	}
	src, ok := v.(fhir.Primitive)
	if !ok || t.Kind() != reflect.Pointer {
		return reflect.Value{}, fmt.Errorf("a %s cannot stand where a %s is needed", typeName(v), t.Elem().Name())
	}
	nv := reflect.New(t.Elem())
	if _, ok := nv.Interface().(fhir.Primitive); !ok {
		return reflect.Value{}, fmt.Errorf("a %s cannot stand where a %s is needed", typeName(v), t.Elem().Name())
	}
	// Copy the id and extensions, and the value through its literal.
	sv := rv.Elem()
	dv := nv.Elem()
	for _, f := range []string{"ID", "Extension"} {
		dv.FieldByName(f).Set(sv.FieldByName(f))
	}
	if l, ok := src.Literal(); ok {
		val := dv.FieldByName("Value")
		switch val.Type().Elem().Kind() {
		case reflect.String:
			val.Set(reflect.ValueOf(&l))
		case reflect.Bool:
			b, err := strconv.ParseBool(l)
			if err != nil {
				return reflect.Value{}, fmt.Errorf("%q is not a boolean", l)
			}
			val.Set(reflect.ValueOf(&b))
		case reflect.Int64:
			n, err := strconv.ParseInt(l, 10, 64)
			if err != nil {
				return reflect.Value{}, fmt.Errorf("%q is not an integer", l)
			}
			val.Set(reflect.ValueOf(&n))
		}
	}
	return nv, nil
}

func typeName(v any) string {
	if e, ok := v.(fhir.Element); ok {
		return e.FHIRType()
	}
	return fmt.Sprintf("%T", v)
}
