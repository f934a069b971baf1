package validate

import (
	"context"
	"errors"

	"github.com/joinedup/joinedup/fhir"
)

// ValidateJSON parses data strictly and validates the resource. What the parser refuses
// comes back as error issues (the resource cannot then be validated further).
func (v *Validator) ValidateJSON(ctx context.Context, data []byte, profiles ...string) []Issue {
	r, err := fhir.ParseResource(data)
	if err != nil {
		return ParseIssues(err)
	}
	return v.Validate(ctx, r, profiles...)
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
