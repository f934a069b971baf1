// Package sqlgen writes the SQL that both SQL backends of package store run for reads:
// search over the typed index tables with the FHIR search semantics of
// https://hl7.org/fhir/R4/search.html (prefixes over ranges, token system|code forms,
// string starts-with/:exact/:contains, :missing, :not, :text, :of-type, uri :above and
// :below, reference :above and :below through a hierarchy whose links point at wholes or
// at parts (a recursive query that ends on cycles), composites, Location near by great-circle distance, full text), chains to any
// depth and nested _has,
// multi-key _sort with keyset cursors, _include/_revinclude (:iterate, *), totals, history
// (https://hl7.org/fhir/R4/http.html#history) and the AccessFilter predicate, which every
// statement (chains, _has and includes too) carries. Run executes a search the same way
// for both backends. The two share one logical schema (see their migrations); a Dialect
// carries what differs.
//
// A search is planned around one driving clause (the most selective equality on an
// indexed value) whose index yields rids in order, so that a page stops after Count
// rows; every other criterion is a correlated EXISTS probe on a covering (rid, param,
// value) index. Without such a clause the type is scanned in rid order.
//
// Totals are exact when asked for (store.Query.CountTotal), exact within a budget
// (CheapTotal), or exact within that budget and otherwise estimated (EstimateTotal):
// approximate, from the planner's row estimate or a bounded sample (see estimate.go).
package sqlgen
