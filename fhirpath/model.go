package fhirpath

import "github.com/joinedup/joinedup/fhir"

// lookupType is the meta-model lookup (fhir.LookupType).
func lookupType(name string) *fhir.TypeDef { return fhir.LookupType(name) }
