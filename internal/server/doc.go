// Package server is joinedup's HTTP layer: the FHIR RESTful API under /fhir
// (https://hl7.org/fhir/R4/http.html) and the operational endpoints /healthz, /readyz and
// /metrics. It only routes, negotiates formats, reads headers and writes status codes;
// every interaction is a call into package interaction.
//
// Errors are OperationOutcome resources with the status codes of the FHIR http page.
// Absolute URLs (Location, fullUrl, links) use Config.BaseURL, or the request's host
// when it is not set.
package server
