// Command gen generates the Go model of FHIR R4 in package fhir from the official
// definitions (profiles-types, profiles-resources and search-parameters of
// https://hl7.org/fhir/R4/downloads.html): a struct per type with the JSON codec and the
// Element interface (https://hl7.org/fhir/R4/json.html), and the meta-model tables
// (https://hl7.org/fhir/R4/elementdefinition.html, https://hl7.org/fhir/R4/searchparameter.html).
//
// It runs from the fhir directory through go generate:
//
//	go run ./internal/gen -defs ../../shared/fhir/r4 -out .
//
// model.go reads the definitions into a format-neutral model (types, elements, Go fields);
// emit.go writes Go from it. Another codec (XML) can be emitted from the same model.
package main
