// Package interaction is joinedup's one write path and one read path: every FHIR RESTful
// interaction (https://hl7.org/fhir/R4/http.html) as a Go call, independent of HTTP, used by
// the REST server, import, the HL7 v2 bridge and the web pages.
//
// Every write runs parse → validate (Options.Validate) → assign id, version and meta →
// extract index rows (Options.Extractor) → one store.Write → audit (Options.Audit) → notify
// (Options.Notify; Options.Expunged for what $expunge erased). Every read runs authorize
// (Request.Filter, a store.AccessFilter) → query → stored bytes as they are: a read never
// unmarshals a resource.
//
// Errors are *Error values carrying a status code with the meaning the FHIR http page gives
// it and OperationOutcome issues whose expression is the FHIRPath of the element at fault.
//
// A bulk loader calls Bundle with each transaction or batch bundle's bytes:
//
//	svc, err := interaction.New(interaction.Options{Store: st, ReferentialIntegrity: true})
//	res, err := svc.Bundle(ctx, &interaction.Request{BaseURL: base}, data)
//	// res.Body is the transaction-response or batch-response Bundle; res.Entries the
//	// per-entry outcome (status, error) for a summary.
//
// and Create or Update for single resources (NDJSON lines).
//
// Custom SearchParameters are registered by the process that writes them and, in every
// other process on the same store, by SyncSearchParameters, which a process sharing the
// store runs at start-up and every few seconds (Options.FollowStore,
// SyncSearchParametersEvery). It also acknowledges in the store what the process has
// registered, so that a $reindex in any process waits until every live process writes
// a new parameter's index rows before it marks the parameter searchable; reindex.go and
// sync.go give the argument.
package interaction
