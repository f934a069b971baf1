// Package search is joinedup's FHIR R4 search: the SearchParameter registry (the 1,375
// parameters of the specification plus custom SearchParameter resources), index
// extraction with FHIRPath into the typed rows of store.Index, and the parsing of search
// URLs into store.Query (https://hl7.org/fhir/R4/search.html).
//
// Custom parameters are added (Registry.Add) pending until a $reindex has indexed them
// (MarkIndexed), and removed (Registry.Remove) when their SearchParameter is deleted or
// no longer active.
//
// Extraction compiles every expression once per resource type (keeping only the union
// branches that can apply to the type) and normalises values as the store compares them:
// strings lower-cased with accents removed, dates as the instant ranges their precision
// covers, quantities also in UCUM canonical units, references as local Type/id, absolute
// URL or identifier. The store answers queries from those rows alone.
//
// Parse turns URL (or form) parameters into a store.Query with chains, _has, includes,
// sort keys and result parameters; parameters it cannot apply are reported, not guessed
// at (https://hl7.org/fhir/R4/search.html#errors). Each parameter offers the modifiers
// of its type that can apply to the elements its expression selects, by the types the
// FHIRPath compiler infers (fhirpath.Expression.Types): token :text on CodeableConcept,
// Coding and Identifier, :of-type on Identifier, :in, :not-in, :above and :below on
// codes, reference :identifier on Reference (not canonical); the CapabilityStatement
// lists them and any other is refused. Token :in, :not-in, :above and :below
// are expanded by the terminology server into the codes the store matches, once per
// request (https://hl7.org/fhir/R4/search.html#token). Reference :above and :below follow
// the hierarchy of the target type, made by the one of its reference parameters that
// points at its own type (Location partof; see hierarchy for the choice among several),
// down to the parts whether that parameter points a part at its whole (partof) or a
// whole at its parts (Observation has-member); they are offered on the parameters with such a target type and refused as invalid on
// any other.
// Location near takes its distance in any UCUM unit of length (km by default).
//
// _total=accurate counts every match; _total=estimate gives an exact count where that is
// cheap and otherwise an approximate one (store.Query.EstimateTotal: the database
// planner's row estimate or a bounded sample), so Bundle.total is then not exact;
// without _total a total is given only where it is cheap (search.html#total).
package search
