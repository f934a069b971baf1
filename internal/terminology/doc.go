// Package terminology is joinedup's terminology server: the CodeSystems and ValueSets of
// FHIR R4 and UK Core, compiled into the binary, and the terminology operations over them
// as Go calls — $lookup, $validate-code, $expand and $subsumes — with their Parameters
// mappings for the REST layer, and MemberOf for FHIRPath's memberOf().
//
// Code systems whose content is licensed or too large to embed — SNOMED CT, dm+d, LOINC —
// are checked for form where a rule exists (SNOMED CT and dm+d identifiers carry a Verhoeff
// check digit, LOINC codes a mod 10 check digit; BCP 47 language tags and Read Codes
// have a syntax) and are otherwise reported as NotValidated, a verdict distinct from Valid
// and Invalid: such a code is never reported valid. UCUM units (package ucum's grammar and
// table) and urn:ietf:rfc:3986 URIs are systems defined by a grammar, and are checked by it. A SNOMED CT release loaded
// with `joinedup terminology load-snomed` (package snomed) lets the server answer for
// SNOMED CT codes too.
//
// Specification: FHIR R4 Terminology Service (https://hl7.org/fhir/R4/terminology-service.html),
// CodeSystem (https://hl7.org/fhir/R4/codesystem.html), ValueSet
// (https://hl7.org/fhir/R4/valueset.html), the operations $lookup
// (https://hl7.org/fhir/R4/codesystem-operation-lookup.html), $validate-code
// (https://hl7.org/fhir/R4/valueset-operation-validate-code.html), $expand
// (https://hl7.org/fhir/R4/valueset-operation-expand.html) and $subsumes
// (https://hl7.org/fhir/R4/codesystem-operation-subsumes.html).
package terminology

//go:generate go run ./internal/gendata -shared ../../../shared -out data
