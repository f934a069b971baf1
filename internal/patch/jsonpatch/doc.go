// Package jsonpatch applies JSON Patch documents (RFC 6902,
// https://www.rfc-editor.org/rfc/rfc6902) with JSON Pointers (RFC 6901), as FHIR R4's
// PATCH interaction accepts them in application/json-patch+json
// (https://hl7.org/fhir/R4/http.html#patch). Numbers keep their literal text, so a
// decimal such as 1.50 passes through a patch unchanged.
package jsonpatch
