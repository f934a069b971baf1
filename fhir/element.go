package fhir

// This file is the contract between the generated model and the packages that walk it
// generically (fhirpath, search, validate, the XML codec). Generated types implement these
// interfaces with switch statements, never with reflection.

// Element is the generic view of any FHIR value: a resource, a complex data type, a backbone
// element or a primitive.
type Element interface {
	// FHIRType is the FHIR type name: "Patient", "HumanName", "string", "decimal".
	// Backbone elements report "BackboneElement" (or "Element" where the definition says so);
	// their definition path is available through Backbone.
	FHIRType() string
	// EachChild calls fn for every child value present, in specification order, and stops
	// early when fn returns false (EachChild then returns false). name is the element name
	// as the definitions spell it, with a choice element's type suffix resolved (the
	// JSON name: "valueQuantity"); repeating elements call fn once per item. Primitive
	// children are passed even when they carry only an id or extensions.
	EachChild(fn func(name string, child Element) bool) bool
	// Children appends to buf the values of the named child element and returns it. A
	// choice element answers to its base name ("value" finds valueQuantity) as well as to
	// its full JSON name.
	Children(name string, buf []Element) []Element
}

// Primitive is implemented by every primitive type (boolean, integer, string, decimal,
// date, dateTime, instant, time, code, id, uri, url, canonical, oid, uuid, markdown,
// base64Binary, unsignedInt, positiveInt, xhtml).
type Primitive interface {
	Element
	// Literal is the value as it is written in JSON, without quotes for strings (the
	// decimal literal exactly as read, "1.50"); ok is false when the element carries only
	// an id and/or extensions.
	Literal() (lit string, ok bool)
}

// Backbone is implemented by backbone elements (Patient.contact, Bundle.entry, ...).
type Backbone interface {
	Element
	// DefinitionPath is the path of the element that defines this backbone element in the
	// meta-model, e.g. "Patient.contact" or "Bundle.entry.request".
	DefinitionPath() string
}

// Resource is implemented by every resource type.
type Resource interface {
	Element
	ResourceType() string
	ResourceID() string
	SetResourceID(id string)
}
