package terminology

import (
	"context"
	"errors"
	"fmt"
)

// Binding strengths (https://hl7.org/fhir/R4/terminologies.html#strength).
const (
	Required   = "required"
	Extensible = "extensible"
	Preferred  = "preferred"
	Example    = "example"
)

// CheckBinding returns the issues a validator reports for coded data (a code, Coding or
// the codings of a CodeableConcept) bound to a value set with the given strength:
//
//   - A code that is not a code of its own system (unknown in a complete code system, a
//     malformed SNOMED CT id) is an error whatever the strength.
//   - A valid code outside the value set is an error for a required binding, a warning
//     for an extensible one, and information for preferred and example bindings.
//   - A code that could not be validated is never an error: its issues stay
//     information or warnings.
//   - No coding at all is an error only for a required binding (text alone is allowed
//     otherwise); a value set the server does not know is a warning.
//
// Display mismatches come back as warnings.
func (s *Server) CheckBinding(ctx context.Context, strength, valueSet string, codings []Coding) ([]Issue, error) {
	if len(codings) == 0 {
		if strength == Required {
			return []Issue{{SeverityError, CodeInvalid, fmt.Sprintf("A code from the value set %s is required", valueSet)}}, nil
		}
		return nil, nil
	}
	r, err := s.ValidateCode(ctx, ValidateRequest{ValueSet: valueSet, Codings: codings})
	if errors.Is(err, ErrNotFound) {
		if strength == Required || strength == Extensible {
			return []Issue{{SeverityWarning, CodeNotFound, fmt.Sprintf("The value set %s is not known to joinedup, so the %s binding was not checked", valueSet, strength)}}, nil
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	switch r.Verdict {
	case Valid:
		return r.Issues, nil
	case NotValidated:
		return downgrade(r.Issues, SeverityWarning), nil
	}
	// Invalid: tell apart codes that are wrong in themselves from valid codes outside the
	// value set.
	var issues []Issue
	for _, c := range codings {
		own, err := s.ValidateCode(ctx, ValidateRequest{Codings: []Coding{c}})
		if err != nil {
			return nil, err
		}
		if own.Verdict == Invalid {
			issues = append(issues, own.Issues...)
		}
	}
	if len(issues) > 0 {
		return issues, nil
	}
	switch strength {
	case Required:
		return r.Issues, nil
	case Extensible:
		return downgrade(r.Issues, SeverityWarning), nil
	default:
		return downgrade(r.Issues, SeverityInformation), nil
	}
}

// downgrade lowers error issues (and, to information, warnings) to the given severity.
func downgrade(issues []Issue, to string) []Issue {
	out := make([]Issue, len(issues))
	for i, is := range issues {
		if is.Severity == SeverityError || to == SeverityInformation {
			is.Severity = to
		}
		out[i] = is
	}
	return out
}
