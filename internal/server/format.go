package server

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"strings"
)

// Format is a wire format of FHIR resources. Stored resources are FHIR JSON; a format
// other than JSON converts them on the way out and request bodies on the way in. The
// formats work adds XML here.
type Format struct {
	// MIME is the media type the server answers with.
	MIME string
	// Names are the other names clients use for it: in _format, Accept and Content-Type.
	Names []string
	// Encode converts FHIR JSON to this format; nil serves the JSON as it is.
	Encode func(resource []byte, pretty bool) ([]byte, error)
	// Decode converts a request body in this format to FHIR JSON; nil takes it as is.
	Decode func(body []byte) ([]byte, error)
}

// JSON is the FHIR JSON format.
var JSON = &Format{
	MIME:  "application/fhir+json",
	Names: []string{"json", "application/json", "application/json+fhir", "text/json"},
	Encode: func(resource []byte, pretty bool) ([]byte, error) {
		if !pretty {
			return resource, nil
		}
		// Indent works on the bytes: decimal literals stay exactly as stored.
		var b bytes.Buffer
		if err := json.Indent(&b, resource, "", "  "); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	},
}

// formatByName finds a format by MIME type or alias ("json", "application/fhir+json").
func (s *Server) formatByName(name string) *Format {
	name = strings.ToLower(strings.TrimSpace(name))
	if mt, _, err := mime.ParseMediaType(name); err == nil {
		name = mt
	}
	for _, f := range s.formats {
		if f.MIME == name {
			return f
		}
		for _, n := range f.Names {
			if n == name {
				return f
			}
		}
	}
	return nil
}

// responseFormat chooses the response format from _format, then Accept; nil means none
// the client accepts is available (406).
func (s *Server) responseFormat(r *http.Request) *Format {
	if f := r.URL.Query().Get("_format"); f != "" {
		return s.formatByName(f)
	}
	accept := r.Header.Get("Accept")
	if accept == "" {
		return s.formats[0]
	}
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if params["q"] == "0" {
			continue
		}
		switch mt {
		case "*/*", "application/*":
			return s.formats[0]
		}
		if f := s.formatByName(mt); f != nil {
			return f
		}
	}
	return nil
}

// requestFormat is the format of a request body from its Content-Type; a body without
// one is taken as JSON. nil means unsupported (415).
func (s *Server) requestFormat(r *http.Request) *Format {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return s.formats[0]
	}
	return s.formatByName(ct)
}

// pretty reports whether _pretty=true was asked for.
func pretty(r *http.Request) bool {
	return r.URL.Query().Get("_pretty") == "true"
}
