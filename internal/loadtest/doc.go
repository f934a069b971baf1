// Package loadtest is joinedup's load driver (`joinedup bench`): it drives a running FHIR
// server over HTTP the way the issues' figures are defined — bundle ingest with several
// concurrent uploaders, reads by id over many connections — and measures the raw SQLite
// ceiling the ingest figure is compared against.
//
// It speaks only the FHIR RESTful API (https://hl7.org/fhir/R4/http.html), so it can measure
// any FHIR server, not just joinedup.
package loadtest
