// Package sqlgen writes the SQL that both SQL backends of package store run for reads:
// search over the typed index tables with the FHIR search semantics of
// https://hl7.org/fhir/R4/search.html (prefixes over ranges, token system|code forms,
// string starts-with/:exact/:contains, :missing, :not), history
// (https://hl7.org/fhir/R4/http.html#history) and the AccessFilter predicate. The two
// backends share one logical schema (see their migrations); a Dialect carries what differs.
package sqlgen
