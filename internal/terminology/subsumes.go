package terminology

import (
	"context"
	"errors"
	"fmt"
)

// Outcomes of Subsumes (https://hl7.org/fhir/R4/valueset-concept-subsumption-outcome.html).
const (
	Equivalent  = "equivalent"
	Subsumes    = "subsumes"
	SubsumedBy  = "subsumed-by"
	NotSubsumed = "not-subsumed"
)

// Subsumes tests the subsumption relationship between codeA and codeB of one code system:
// Subsumes when A is an ancestor of B, SubsumedBy when B is an ancestor of A.
func (s *Server) Subsumes(ctx context.Context, system, version, codeA, codeB string) (string, error) {
	cs, err := s.contentSystem(system, version)
	if errors.Is(err, ErrNotFound) && system == SystemSNOMED && s.snomed != nil {
		return s.subsumesSnomed(ctx, codeA, codeB)
	}
	if errors.Is(err, ErrNotFound) {
		if ext, ok := externals[system]; ok {
			return "", fmt.Errorf("%s: %w", ext.name, ErrNoContent)
		}
	}
	if err != nil {
		return "", err
	}
	a, b := cs.Concept(codeA), cs.Concept(codeB)
	for _, x := range []struct {
		c    *Concept
		code string
	}{{a, codeA}, {b, codeB}} {
		if x.c == nil {
			return "", fmt.Errorf("code %q in %s: %w", x.code, system, ErrUnknownCode)
		}
	}
	switch {
	case a == b:
		return Equivalent, nil
	case b.IsA(a):
		return Subsumes, nil
	case a.IsA(b):
		return SubsumedBy, nil
	default:
		return NotSubsumed, nil
	}
}
