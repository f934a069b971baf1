package validate

import (
	"bytes"
	"context"
	"errors"

	"github.com/joinedup/joinedup/fhir"
)

// ValidateBytes parses a resource in JSON or XML strictly and validates it. What the
// parser refuses comes back as error issues (the resource cannot then be validated
// further).
func (v *Validator) ValidateBytes(ctx context.Context, data []byte, profiles ...string) []Issue {
	r, err := Parse(data)
	if err != nil {
		return ParseIssues(err)
	}
	return v.Validate(ctx, r, profiles...)
}

// Parse reads a resource strictly from JSON or, when it starts with '<', XML.
func Parse(data []byte) (fhir.Resource, error) {
	if t := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf"); len(t) > 0 && t[0] == '<' {
		return fhir.ParseResourceXML(data)
	}
	return fhir.ParseResource(data)
}

// ParseIssues turns a read error of package fhir into issues naming each element.
func ParseIssues(err error) []Issue {
	var pe *fhir.ParseError
	if !errors.As(err, &pe) || len(pe.Issues) == 0 {
		return []Issue{{Severity: Error, Code: "structure", Text: "The content is not a valid FHIR resource: " + err.Error()}}
	}
	out := make([]Issue, 0, len(pe.Issues))
	for _, is := range pe.Issues {
		out = append(out, Issue{Severity: Error, Code: "structure", Text: is.Message, Expression: is.Path})
	}
	return out
}
