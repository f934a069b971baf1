package fhir

// The compiled meta-model. The tables behind these lookups are generated from the R4
// definitions (see generate.go); this file holds only their shape.

// TypeKind says what sort of type a TypeDef describes.
type TypeKind uint8

const (
	KindPrimitive TypeKind = iota + 1
	KindComplex            // data types: HumanName, Quantity, Extension ...
	KindResource
	KindBackbone // BackboneElement / Element defined inline (Patient.contact)
	KindLogical  // none in R4 core; kept for implementation guides
)

// TypeDef is one type of the model. For backbone elements Name is the definition path
// ("Patient.contact").
type TypeDef struct {
	Name     string
	Kind     TypeKind
	Base     string // "DomainResource", "Element", "BackboneElement" ...
	Abstract bool
	URL      string
	// Elements are the direct children in specification order (inherited ones first:
	// id, extension ... for data types; id, meta ... for resources).
	Elements []*ElementDef
	// Regex is the value pattern of a primitive type (from the definitions), "" if none.
	Regex string
	// Constraints are the invariants on the type itself (its root element: obs-6, dom-2 ...).
	Constraints []Constraint
}

// ElementDef is one element of a type.
type ElementDef struct {
	Path string // "Observation.value[x]", "Patient.contact.name"
	Name string // "value" for value[x], "name"
	Min  int
	Max  int // -1 for *
	// Types lists the allowed types; more than one only for a choice element. Code is
	// the type name ("Quantity", "string", or "BackboneElement" for inline elements).
	Types  []TypeRef
	Choice bool
	// ContentReference is set for elements defined by reference ("#Questionnaire.item").
	ContentReference string
	// Backbone is the TypeDef name of an inline element (same as Path, without [x]).
	Backbone    string
	Binding     *Binding
	Constraints []Constraint
	IsModifier  bool
	IsSummary   bool
	MaxLength   int
}

// TypeRef is one allowed type of an element.
type TypeRef struct {
	Code          string
	Profiles      []string // canonical URLs
	TargetProfile []string // for Reference and canonical
}

// Binding is an element's terminology binding.
type Binding struct {
	Strength string // required | extensible | preferred | example
	ValueSet string // canonical URL, possibly with |version
}

// Constraint is an invariant.
type Constraint struct {
	Key        string
	Severity   string // error | warning
	Human      string
	Expression string // FHIRPath
	XPath      string
}

// SearchParamDef is one SearchParameter of the specification.
type SearchParamDef struct {
	URL         string
	Code        string
	Base        []string
	Type        string // number | date | string | token | reference | composite | quantity | uri | special
	Expression  string
	XPath       string
	Target      []string
	Modifiers   []string
	Comparators []string
	MultipleOr  *bool
	MultipleAnd *bool
	Components  []SearchParamComponent
}

// SearchParamComponent is one part of a composite parameter.
type SearchParamComponent struct {
	Definition string // canonical of the component's SearchParameter
	Expression string
}
