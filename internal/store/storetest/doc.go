// Package storetest is the one conformance suite for implementations of store.Store:
// versioned create/update/delete with vread and history (_since, _at, paging) as the
// FHIR RESTful API needs them (https://hl7.org/fhir/R4/http.html), version conflicts,
// serialised concurrent writers, every search clause kind with the prefixes and modifiers
// of https://hl7.org/fhir/R4/search.html, estimated totals, the AccessFilter, expunge,
// referential integrity links and the recorded states of reindexed SearchParameters. Each
// backend's tests call Run with a function that opens an empty store, and RunRangePlans
// with one that opens it with a small range cap (SmallRangeCap), so that the search
// oracle meets range criteria both driving a search and not.
package storetest
