package terminology

import (
	"context"
	"errors"
	"fmt"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/fhirpath"
)

// ErrUndecided: whether a code is in a value set could not be decided, because the value
// set is unknown or depends on content the server does not hold.
var ErrUndecided = errors.New("membership could not be decided")

// MemberOf reports whether the coding is in the value set, for FHIRPath's memberOf(). known
// is false when the server cannot decide (the value set is unknown, or it depends on
// content the server does not hold): the caller must then treat the answer as empty, not
// as false. An invalid code is known not to be a member.
func (s *Server) MemberOf(ctx context.Context, c Coding, valueSet string) (member, known bool) {
	r, err := s.ValidateCode(ctx, ValidateRequest{ValueSet: valueSet, Codings: []Coding{c}, Abstract: true})
	if err != nil {
		return false, false
	}
	switch r.Verdict {
	case Valid:
		return true, true
	case Invalid:
		return false, true
	default:
		return false, false
	}
}

// FHIRPathMemberOf answers memberOf() for the FHIRPath engine (fhirpath.Env.MemberOf): v
// is a Coding, a CodeableConcept (a member when any of its codings is), or a bare code or
// string, whose system is taken from the value set's includes. When the answer cannot be
// decided it returns an error wrapping ErrUndecided, never false.
func (s *Server) FHIRPathMemberOf(ctx context.Context, v fhirpath.Value, valueSet string) (bool, error) {
	var codings []Coding
	switch x := v.(type) {
	case *fhir.Coding:
		codings = []Coding{CodingOf(x)}
	case *fhir.CodeableConcept:
		codings = CodingsOf(x)
	case fhirpath.String:
		return s.bareCodeMemberOf(ctx, string(x), valueSet)
	case fhir.Primitive:
		lit, ok := x.Literal()
		if !ok {
			return false, nil
		}
		return s.bareCodeMemberOf(ctx, lit, valueSet)
	default:
		return false, fmt.Errorf("memberOf() needs a code, Coding or CodeableConcept, not %T", v)
	}
	undecided := false
	for _, c := range codings {
		member, known := s.MemberOf(ctx, c, valueSet)
		if member {
			return true, nil
		}
		undecided = undecided || !known
	}
	if undecided {
		return false, fmt.Errorf("%s: %w", valueSet, ErrUndecided)
	}
	return false, nil
}

// bareCodeMemberOf decides membership of a code given without a system by trying each
// code system the value set draws on.
func (s *Server) bareCodeMemberOf(ctx context.Context, code, valueSet string) (bool, error) {
	vs, err := s.ValueSet(valueSet)
	if err != nil {
		return false, fmt.Errorf("%s: %w", valueSet, ErrUndecided)
	}
	systems := s.systemsOf(vs, map[*ValueSet]bool{})
	undecided := len(systems) == 0
	for _, system := range systems {
		member, known := s.MemberOf(ctx, Coding{System: system, Code: code}, valueSet)
		if member {
			return true, nil
		}
		undecided = undecided || !known
	}
	if undecided {
		return false, fmt.Errorf("%s: %w", valueSet, ErrUndecided)
	}
	return false, nil
}

// systemsOf lists the code systems a value set includes, directly or through imports.
func (s *Server) systemsOf(vs *ValueSet, seen map[*ValueSet]bool) []string {
	if seen[vs] {
		return nil
	}
	seen[vs] = true
	var out []string
	add := func(system string) {
		if system != "" && !contains(out, system) {
			out = append(out, system)
		}
	}
	for _, c := range vs.Expansion {
		add(c.System)
	}
	for _, set := range vs.Include {
		add(set.System)
		for _, url := range set.ValueSets {
			if sub, err := s.ValueSet(url); err == nil {
				for _, system := range s.systemsOf(sub, seen) {
					add(system)
				}
			}
		}
	}
	return out
}
