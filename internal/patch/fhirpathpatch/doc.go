// Package fhirpathpatch applies FHIRPath Patch documents
// (https://hl7.org/fhir/R4/fhirpatch.html): a Parameters resource whose "operation"
// parameters add, insert, delete, replace and move elements located by FHIRPath
// expressions. Operations work on the typed model in place, so a patch costs what its
// paths cost to evaluate, not a re-serialisation of the resource; the caller then writes
// the result through the ordinary validating write path.
package fhirpathpatch
