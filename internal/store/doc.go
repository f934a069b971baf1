// Package store is the contract for versioned FHIR resource storage: every version of
// every resource with its history and deletes (FHIR R4 RESTful API, "history" and
// "vread", https://hl7.org/fhir/R4/http.html#history), the search index rows the search
// layer extracts (https://hl7.org/fhir/R4/search.html), the local references kept for
// referential integrity and the patient compartment memberships an AccessFilter uses
// (https://hl7.org/fhir/R4/compartmentdefinition.html), and which custom
// SearchParameters a completed $reindex indexed (Tx.SetParamState), and which
// SearchParameter versions each server process sharing the store has registered
// (Tx.Ack), so that a $reindex in one process can wait for the others.
//
// Bodies are opaque JSON bytes here: the interaction layer above parses, validates and
// extracts index values. Two backends implement Store: store/sqlite (embedded, the
// default) and store/postgres; store/storetest is the conformance suite both run.
package store
