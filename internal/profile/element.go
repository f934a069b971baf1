package profile

import (
	"strings"
	"sync"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/fhirpath"
)

// Element is one element definition of a snapshot, with its children and slices.
type Element struct {
	Path string // ElementDefinition.path: "Observation.value[x]"
	// Name is the last step of Path without "[x]" ("value"); Choice says it had "[x]".
	Name      string
	Choice    bool
	SliceName string
	Min, Max  int // Max -1 for *
	Types     []Type
	// Fixed and Pattern are fixed[x] and pattern[x], nil when absent.
	Fixed, Pattern fhir.Element
	// MinValue and MaxValue are minValue[x] and maxValue[x], nil when absent.
	MinValue, MaxValue fhir.Element
	// NarrativeLanguages are the values of the narrative-language-control extension:
	// "_yes" (language sections required), "_no" (none allowed), "_resource" (one for
	// the resource's language), or language codes that must each have a section.
	NarrativeLanguages []string
	// MustHaveValue (the R5 mustHaveValue, by its cross-version extension) requires a
	// primitive's value, not just extensions; ValueAlternatives are the extensions that
	// may stand in for a missing value; MinLength is the minLength extension.
	MustHaveValue     bool
	ValueAlternatives []string
	MinLength         int
	Binding           *Binding
	Constraints       []Constraint
	MaxLength         int
	// ContentReference names the element whose definition this one reuses
	// ("#Questionnaire.item").
	ContentReference string
	// Backbone is the meta-model definition path of an inline element ("Patient.contact"),
	// whose children apply when Children is nil.
	Backbone string
	Slicing  *Slicing
	Slices   []*Element
	// Children are the element's children when the snapshot constrains inside it; nil
	// means the children are those of its type, unchanged (the validator then uses the
	// type's base definition).
	Children []*Element
}

// Type is one allowed type of an element.
type Type struct {
	Code           string
	Profiles       []string
	TargetProfiles []string
}

// Binding is a terminology binding.
type Binding struct {
	Strength string
	ValueSet string
}

// Constraint is an invariant. Source is the StructureDefinition that introduced it.
type Constraint struct {
	Key, Severity, Human, Expression, Source string
	// Compiled is Expression compiled once when the definition was built (nil with
	// CompileErr set when it does not compile).
	Compiled   *fhirpath.Expression
	CompileErr error
}

var compiledExprs sync.Map // FHIRPath source → *compiledExpr

type compiledExpr struct {
	x   *fhirpath.Expression
	err error
}

// compile fills in c.Compiled; expressions shared by many elements compile once.
func (c *Constraint) compile() {
	if c.Expression == "" {
		return
	}
	got, ok := compiledExprs.Load(c.Expression)
	if !ok {
		x, err := fhirpath.Compile(c.Expression, fhirpath.Lenient())
		got, _ = compiledExprs.LoadOrStore(c.Expression, &compiledExpr{x, err})
	}
	ce := got.(*compiledExpr)
	c.Compiled, c.CompileErr = ce.x, ce.err
}

// Slicing says how an element's repetitions are divided into slices.
type Slicing struct {
	Discriminators []Discriminator
	Ordered        bool
	Rules          string // closed | open | openAtEnd
}

// Discriminator is one discriminator of a slicing.
type Discriminator struct {
	Type string // value | exists | pattern | type | profile
	Path string
}

// Child returns the child definition named name: the element name, "value" for value[x],
// or a choice's JSON name ("valueQuantity").
func (e *Element) Child(name string) *Element {
	for _, c := range e.Children {
		if c.Name == name {
			return c
		}
	}
	for _, c := range e.Children {
		if c.Choice && strings.HasPrefix(name, c.Name) && c.choiceType(name[len(c.Name):]) != "" {
			return c
		}
	}
	return nil
}

// Slice returns the slice named name, nil when there is none.
func (e *Element) Slice(name string) *Element {
	for _, s := range e.Slices {
		if s.SliceName == name {
			return s
		}
	}
	return nil
}

// choiceType returns the type code whose capitalised name is suffix ("Quantity",
// "String" for string), "" when none of the element's types is.
func (e *Element) choiceType(suffix string) string {
	for _, t := range e.Types {
		if TypeSuffix(t.Code) == suffix {
			return t.Code
		}
	}
	if len(e.Types) == 0 {
		return suffix
	}
	return ""
}

// TypeSuffix is the suffix a type gives a choice element's JSON name ("string" → "String").
func TypeSuffix(code string) string {
	if code == "" {
		return ""
	}
	return strings.ToUpper(code[:1]) + code[1:]
}

// clone copies the element and everything under it.
func (e *Element) clone() *Element {
	if e == nil {
		return nil
	}
	c := *e
	c.Types = cloneTypes(e.Types)
	c.Constraints = append([]Constraint(nil), e.Constraints...)
	if e.Slicing != nil {
		s := *e.Slicing
		s.Discriminators = append([]Discriminator(nil), e.Slicing.Discriminators...)
		c.Slicing = &s
	}
	if e.Binding != nil {
		b := *e.Binding
		c.Binding = &b
	}
	c.Children = cloneAll(e.Children)
	c.Slices = cloneAll(e.Slices)
	return &c
}

func cloneAll(es []*Element) []*Element {
	if es == nil {
		return nil
	}
	out := make([]*Element, len(es))
	for i, e := range es {
		out[i] = e.clone()
	}
	return out
}

func cloneTypes(ts []Type) []Type {
	out := make([]Type, len(ts))
	for i, t := range ts {
		out[i] = Type{Code: t.Code, Profiles: append([]string(nil), t.Profiles...), TargetProfiles: append([]string(nil), t.TargetProfiles...)}
	}
	return out
}
