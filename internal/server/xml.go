package server

import (
	"fmt"

	"github.com/joinedup/joinedup/fhir"
)

// XML is the FHIR XML format (https://hl7.org/fhir/R4/xml.html). Stored JSON, including
// bundles spliced from stored bodies and OperationOutcomes, is converted on the way out;
// XML bodies are converted to JSON on the way in, with the model's strict checks.
var XML = &Format{
	MIME:  "application/fhir+xml",
	Names: []string{"xml", "application/xml", "text/xml", "application/xml+fhir", "text/xml+fhir"},
	Encode: func(resource []byte, pretty bool) ([]byte, error) {
		r, err := fhir.ParseResource(resource)
		if err != nil {
			return nil, fmt.Errorf("xml: read stored resource: %w", err)
		}
		if pretty {
			return fhir.MarshalResourceXMLIndent(r, "  ")
		}
		return fhir.MarshalResourceXML(r)
	},
	Decode: fhir.XMLToJSON,
}
