// Package profile holds joinedup's StructureDefinitions and turns them into snapshots that
// the validator can walk: the R4 base types (from the generated meta-model of package fhir,
// plus the root invariants it lacks), the R4 extension definitions and constraint profiles
// (vital signs ...), UK Core's profiles and extensions (embedded, see data/NOTICE), and
// any implementation guide (a folder, or a FHIR NPM package .tgz) or StructureDefinition a
// user adds.
//
// UK Core ships differentials only, so snapshots are generated here (FHIR R4 section
// 2.26.0.5 "Snapshot generation", https://hl7.org/fhir/R4/profiling.html#snapshot): the
// base's snapshot is copied, each differential element is located by its id (slice names,
// re-slices "a:b/c", choice renames "valueQuantity" and "value[x]:valueQuantity"), complex
// types are unfolded where the differential reaches inside them, and cardinality, types,
// fixed and pattern values, bindings, maxLength, slicing and constraints are applied;
// constraints are inherited from the base and added to, never replaced. A snapshot is a
// tree of *Element, built once per profile and then shared read-only.
package profile
