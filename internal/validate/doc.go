// Package validate checks FHIR R4 resources against the base specification and profiles,
// and reports what is wrong as OperationOutcome issues, each with severity, issue type
// code, a human message and the FHIRPath expression of the element at fault
// (https://hl7.org/fhir/R4/validation.html).
//
// A resource is walked once per definition it must meet: the base definition of its type,
// each profile it claims in meta.profile, and each profile the caller requires. The
// definitions are snapshots from package profile, built once and shared; each invariant's
// FHIRPath is compiled once and cached. Checked: cardinality, choice types, fixed and
// pattern values, maxLength, bindings through package terminology (required → error,
// extensible → warning, preferred and example → nothing; codes of systems the server does
// not hold are information, never errors), invariants with their severity, slicing (value,
// pattern, exists, type and profile discriminators; ordered, closed and re-sliced),
// extensions (known, allowed in context, of the right value type), references (target
// types, contained resources, urn:uuid in bundles), Bundle rules (fullUrl agreement and
// uniqueness), narrative XHTML safety (https://hl7.org/fhir/R4/narrative.html#xhtml),
// and NHS numbers (Modulus 11).
//
// Policy says which profiles a server requires of each resource type, and which types
// are warn-only; it plugs into the interaction layer's write path.
package validate
