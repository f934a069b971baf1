package fhir

// The model is generated from the FHIR R4 definitions in ../shared/fhir/r4 beside the
// repository; the output is committed, so building needs no generation step.

//go:generate go run ./internal/gen -defs ../../shared/fhir/r4 -out .
