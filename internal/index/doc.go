// Package index extracts from a parsed resource what the store needs to index one version:
// search index rows, the local references it makes (for referential integrity) and the
// patient compartments it belongs to.
//
// The foundation extractor covers the parameters every resource has
// (https://hl7.org/fhir/R4/resource.html#search: _tag, _profile, _security, _source) and
// "identifier"; the Patient compartment follows the R4 CompartmentDefinition
// (https://hl7.org/fhir/R4/compartmentdefinition-patient.html), compiled into
// compartments_gen.go by internal/gencompartments. The search work replaces the token
// extraction with FHIRPath over every SearchParameter behind the same Extractor interface.
package index

//go:generate go run ./internal/gencompartments -r4 ../../../shared/fhir/r4 -out compartments_gen.go
