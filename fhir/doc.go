// Package fhir is the HL7 FHIR R4 (4.0.1) model: Go types for every resource and data type,
// generated from the official definitions, with an exact JSON round trip and a compiled
// meta-model (element paths, types, cardinality, choice types, bindings, constraints and
// search parameters) that FHIRPath, search and validation use.
//
// Specification: https://hl7.org/fhir/R4/ (resources, data types:
// https://hl7.org/fhir/R4/datatypes.html, JSON format: https://hl7.org/fhir/R4/json.html).
package fhir
