package fhir

import (
	"strings"
	"sync"
)

var (
	typeIndexOnce sync.Once
	typeIndex     map[string]*TypeDef
)

// LookupType returns the definition of a type, resource, or backbone element (by its
// definition path, "Patient.contact"); nil when there is none.
func LookupType(name string) *TypeDef {
	typeIndexOnce.Do(func() {
		typeIndex = make(map[string]*TypeDef, len(typeDefs))
		for _, t := range typeDefs {
			typeIndex[t.Name] = t
		}
	})
	return typeIndex[name]
}

// Element returns the element definition of a direct child by name. A choice element
// answers to its base name ("value") and to each of its JSON names ("valueQuantity").
func (t *TypeDef) Element(name string) *ElementDef {
	for _, e := range t.Elements {
		if e.Name == name {
			return e
		}
	}
	for _, e := range t.Elements {
		if !e.Choice || !strings.HasPrefix(name, e.Name) {
			continue
		}
		suffix := name[len(e.Name):]
		for _, tr := range e.Types {
			if suffix != "" && tr.Code != "" && suffix == strings.ToUpper(tr.Code[:1])+tr.Code[1:] {
				return e
			}
		}
	}
	return nil
}

// SearchParameters returns all SearchParameters of the specification. The definitions
// are shared: do not modify them.
func SearchParameters() []*SearchParamDef {
	return searchParams
}

// MultipleOr/MultipleAnd point at these.
var boolTrue, boolFalse = true, false
