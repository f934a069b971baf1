// Package xmlpatch applies XML Patch documents (RFC 5261,
// https://www.rfc-editor.org/rfc/rfc5261), as FHIR R4's PATCH interaction accepts them in
// application/xml-patch+xml (https://hl7.org/fhir/R4/http.html#patch): add, replace and
// remove operations whose sel attribute is an XPath selector. The selectors supported are
// the location paths RFC 5261 uses: steps of (prefixed) element names, text(), comment(),
// processing-instruction(), with positional and attribute-equality predicates, ending
// optionally in @attribute or namespace::prefix. The prefix f is bound to the FHIR
// namespace unless the patch binds it otherwise.
package xmlpatch
