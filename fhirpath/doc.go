// Package fhirpath is a FHIRPath engine for the FHIR R4 model of package fhir: the
// FHIRPath 2.0.0 language as FHIR R4 uses it (https://hl7.org/fhirpath/N1/), the
// later functions the R4 test suite exercises (lowBoundary, highBoundary, precision,
// comparable, sort, matchesFull, encode, escape, trim, split, join), and the FHIR
// additions of https://hl7.org/fhir/R4/fhirpath.html (resolve(), extension(),
// hasValue(), getValue(), htmlChecks(), checkModifiers(), conformsTo(), memberOf(),
// subsumes(), subsumedBy(), %resource, %rootResource, %context, %ucum, %sct, %loinc,
// %vs-*, %ext-*). elementDefinition() and slice(), which need profile snapshots, are
// not provided.
//
// It passes 934 of the 935 tests of the HL7 R4 test suite (see suite_test.go for the
// one whose input file is not valid FHIR JSON), compiles every expression of the R4
// specification, and evaluates several times faster than HL7's fhirpath.js
// (bench/fhirpath-js).
//
// Compile parses and checks an expression once; the *Expression it returns is
// immutable and safe for concurrent use, and evaluates over any fhir.Element — it
// walks the model through the generic interfaces of fhir/element.go, never by
// reflection. Functions and operators are bound at compile time. Errors carry their
// kind (syntax, semantic, execution) and position.
//
// Values follow the specification: decimals are exact (github.com/cockroachdb/apd/v3),
// dates and times keep their precision (comparing different precisions is empty, not
// false), quantities compare and add across UCUM units (package ucum), and collections
// propagate emptiness with three-valued logic.
//
// Options: Strict checks paths and types against the meta-model (the test suite's
// mode="strict"); Lenient lets `as` filter several items, as R4 SearchParameter
// expressions assume. An Env supplies %resource and friends, user variables, and the
// hooks through which other packages answer resolve(), memberOf() and conformsTo(),
// and the clock of now() and today().
//
// A simple use:
//
//	expr, err := fhirpath.Compile("Patient.name.where(use = 'official').given.first()")
//	if err != nil {
//		return err
//	}
//	result, err := expr.Evaluate(nil, patient) // patient is a fhir.Resource
package fhirpath
