package fhirpath

import (
	"strings"
	"sync"

	"github.com/joinedup/joinedup/fhir"
)

// Types (FHIRPath section 10 "Types and Reflection"): System types for values produced
// by the language, FHIR types for model elements, with the FHIR type hierarchy from the
// meta-model (Age is a Quantity, Patient a DomainResource, code a string).

var systemTypes = map[string]bool{
	"Any": true, "Boolean": true, "Integer": true, "Decimal": true, "String": true,
	"Date": true, "DateTime": true, "Time": true, "Quantity": true,
}

// primitiveBase is the base of each FHIR primitive type (R4 StructureDefinitions'
// baseDefinition); the ones not listed derive from Element directly.
var primitiveBase = map[string]string{
	"code": "string", "id": "string", "markdown": "string",
	"url": "uri", "canonical": "uri", "oid": "uri", "uuid": "uri",
	"unsignedInt": "integer", "positiveInt": "integer",
}

var fhirPrimitives = map[string]bool{
	"boolean": true, "integer": true, "string": true, "decimal": true, "uri": true, "url": true,
	"canonical": true, "base64Binary": true, "instant": true, "date": true, "dateTime": true,
	"time": true, "code": true, "oid": true, "id": true, "markdown": true, "unsignedInt": true,
	"positiveInt": true, "uuid": true, "xhtml": true,
}

// baseType returns the parent of a FHIR type, "" at the top of the hierarchy.
func baseType(name string) string {
	if b, ok := primitiveBase[name]; ok {
		return b
	}
	if fhirPrimitives[name] {
		return "Element"
	}
	if quantityTypes[name] && name != "Quantity" {
		return "Quantity"
	}
	if td := fhir.LookupType(name); td != nil {
		return td.Base
	}
	switch name {
	case "BackboneElement":
		return "Element"
	case "DomainResource":
		return "Resource"
	case "Element", "Resource":
		return ""
	}
	if fhir.IsResourceType(name) {
		return "DomainResource"
	}
	return ""
}

// isA reports whether FHIR type t is name or derives from it.
func isA(t, name string) bool {
	if t == name {
		return true
	}
	for _, a := range ancestors(t) {
		if a == name {
			return true
		}
	}
	return false
}

var ancestorCache sync.Map // type name → []string

// ancestors lists the bases of a type, nearest first; computed once per type.
func ancestors(t string) []string {
	if a, ok := ancestorCache.Load(t); ok {
		return a.([]string)
	}
	var list []string
	for b := baseType(t); b != "" && len(list) < 16; b = baseType(b) {
		list = append(list, b)
	}
	ancestorCache.Store(t, list)
	return list
}

func isUpper(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

// knownFHIRType reports whether name is a type of the FHIR model.
func knownFHIRType(name string) bool {
	return fhirPrimitives[name] || quantityTypes[name] || fhir.LookupType(name) != nil ||
		fhir.IsResourceType(name) || name == "Element" || name == "BackboneElement" ||
		name == "Resource" || name == "DomainResource"
}

// typeSpec is a resolved type specifier: namespace "System" or "FHIR", or "" when the
// name was not qualified (it then matches FHIR types for model elements and System
// types for System values).
type typeSpec struct {
	ns, name string
}

func parseTypeSpec(qualified string) (typeSpec, bool) {
	ns, name := "", qualified
	if i := strings.IndexByte(qualified, '.'); i >= 0 {
		ns, name = qualified[:i], qualified[i+1:]
		if ns != "System" && ns != "FHIR" {
			return typeSpec{}, false
		}
	}
	ts := typeSpec{ns: ns, name: name}
	switch ns {
	case "System":
		// Any System name is a valid specifier; one that is not a System type simply
		// matches nothing (Patient.is(System.Patient) is false).
		return ts, true
	case "FHIR":
		return ts, knownFHIRType(name)
	}
	return ts, systemTypes[name] || knownFHIRType(name)
}

// matches reports whether v is of the type. exact asks for the type itself, not a
// subtype, for primitives: as() and ofType() on a code do not answer to string, as
// the test suite requires, while is() does.
func (ts typeSpec) matches(v Value, exact bool) bool {
	if e, ok := v.(fhir.Element); ok {
		if ts.ns == "System" {
			return false
		}
		t := e.FHIRType()
		if exact && fhirPrimitives[t] {
			return t == ts.name
		}
		return isA(t, ts.name)
	}
	if ts.ns == "FHIR" {
		return false
	}
	return ts.name == "Any" || systemTypeName(v) == ts.name
}

// typeInfo is type()'s answer for a value.
func typeInfo(v Value) TypeInfo {
	if e, ok := v.(fhir.Element); ok {
		return TypeInfo{Namespace: "FHIR", Name: e.FHIRType()}
	}
	return TypeInfo{Namespace: "System", Name: systemTypeName(v)}
}
