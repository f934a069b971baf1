package index

import (
	"strconv"
	"strings"

	"github.com/joinedup/joinedup/fhir"
)

// EachReference calls fn for every Reference element in r, contained resources included,
// in document order. path renders the element's FHIRPath ("Observation.subject",
// "Patient.generalPractitioner[1]"); it is a function so that a caller only pays for the
// paths it needs.
func EachReference(r fhir.Resource, fn func(ref *fhir.Reference, path func() string)) {
	w := &walker{root: r.ResourceType(), fn: fn, stack: make([]step, 0, 16), frames: make([]frame, 0, 16)}
	// Bound once: a closure per element would cost an allocation per element.
	w.visit, w.pathFn = w.child, w.path
	w.enter(r)
}

// PathOf returns the FHIRPath of the Reference element ref inside r, "" if it is not there.
func PathOf(r fhir.Resource, ref *fhir.Reference) string {
	path := ""
	EachReference(r, func(x *fhir.Reference, p func() string) {
		if x == ref && path == "" {
			path = p()
		}
	})
	return path
}

// walker keeps the path to the current element so that a path is rendered only on
// demand, never for every element.
type walker struct {
	root   string
	stack  []step  // the steps from the root to the current element
	frames []frame // the elements whose children are being visited
	fn     func(ref *fhir.Reference, path func() string)
	visit  func(name string, child fhir.Element) bool
	pathFn func() string
}

type step struct {
	parent fhir.Element
	name   string
	idx    int
}

// frame counts the items of the repeating element being visited.
type frame struct {
	el   fhir.Element
	prev string
	idx  int
}

// enter visits el's children.
func (w *walker) enter(el fhir.Element) {
	w.frames = append(w.frames, frame{el: el})
	el.EachChild(w.visit)
	w.frames = w.frames[:len(w.frames)-1]
}

func (w *walker) child(name string, child fhir.Element) bool {
	f := &w.frames[len(w.frames)-1]
	if name == f.prev {
		f.idx++
	} else {
		f.prev, f.idx = name, 0
	}
	w.stack = append(w.stack, step{parent: f.el, name: name, idx: f.idx})
	if ref, ok := child.(*fhir.Reference); ok {
		w.fn(ref, w.pathFn)
	}
	w.enter(child) // may grow w.frames: f is not used after this
	w.stack = w.stack[:len(w.stack)-1]
	return true
}

// path renders the current position as FHIRPath, indexing repeating elements.
func (w *walker) path() string {
	var b strings.Builder
	b.WriteString(w.root)
	for _, s := range w.stack {
		b.WriteByte('.')
		b.WriteString(s.name)
		if s.idx > 0 || Repeats(s.parent, s.name) {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.idx))
			b.WriteByte(']')
		}
	}
	return b.String()
}

// Repeats reports whether the child element name of parent may repeat, according to the
// meta-model; unknown elements are taken as singletons.
func Repeats(parent fhir.Element, name string) bool {
	td := fhir.LookupType(TypeName(parent))
	if td == nil {
		return false
	}
	ed := td.Element(name)
	// A choice element resolved to its type ("valueQuantity") is not found by that name;
	// choice elements never repeat.
	return ed != nil && ed.Max != 1
}

// TypeName is the meta-model name of el's type: the resource type, the definition path of
// a backbone element, or the data type name.
func TypeName(el fhir.Element) string {
	switch v := el.(type) {
	case fhir.Resource:
		return v.ResourceType()
	case fhir.Backbone:
		return v.DefinitionPath()
	}
	return el.FHIRType()
}
