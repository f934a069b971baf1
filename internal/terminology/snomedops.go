package terminology

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/joinedup/joinedup/internal/terminology/snomed"
)

// SNOMED CT operations, answered from a loaded release (Server.UseSnomed), or, without
// one, as far as value set definitions alone allow.

// snomedFilter evaluates a compose filter over SNOMED CT: the hierarchy operators on
// property concept, and the "constraint" property's expression constraints (ECL).
func (s *Server) snomedFilter(ctx context.Context, f Filter, code string) (tri, *Issue, error) {
	hierarchy := f.Property == "concept" && (f.Op == "is-a" || f.Op == "descendent-of" || f.Op == "is-not-a" || f.Op == "generalizes")
	switch {
	case hierarchy && s.snomed == nil:
		return unknown, &Issue{SeverityInformation, CodeNotSupported, fmt.Sprintf("The filter %s %s %s over SNOMED CT was not evaluated: SNOMED CT is not loaded", f.Property, f.Op, f.Value)}, nil
	case hierarchy:
		var ok bool
		var err error
		switch f.Op {
		case "generalizes":
			ok, err = s.snomed.IsA(ctx, f.Value, code)
		default:
			ok, err = s.snomed.IsA(ctx, code, f.Value)
		}
		if err != nil {
			return unknown, nil, fmt.Errorf("terminology: %w", err)
		}
		switch f.Op {
		case "descendent-of":
			ok = ok && code != f.Value
		case "is-not-a":
			ok = !ok
		}
		return triOf(ok), nil, nil
	case f.Property == "concept" && (f.Op == "in" || f.Op == "="):
		for _, v := range strings.Split(f.Value, ",") {
			if strings.TrimSpace(v) == code {
				return yes, nil, nil
			}
		}
		return no, nil, nil
	case f.Property == "constraint" && f.Op == "=":
		e, err := parseECL(f.Value)
		if err != nil {
			return unknown, &Issue{SeverityInformation, CodeNotSupported, fmt.Sprintf("The SNOMED CT constraint %q was not evaluated: %v", f.Value, err)}, nil
		}
		r, err := e.eval(ctx, s.snomed, code)
		if err != nil {
			return unknown, nil, fmt.Errorf("terminology: %w", err)
		}
		if r == unknown {
			return r, &Issue{SeverityInformation, CodeNotSupported, fmt.Sprintf("The SNOMED CT constraint %q could not be decided without SNOMED CT content", f.Value)}, nil
		}
		return r, nil, nil
	}
	return unknown, &Issue{SeverityInformation, CodeNotSupported, fmt.Sprintf("The SNOMED CT filter %s %s %s is not supported", f.Property, f.Op, f.Value)}, nil
}

// expandSnomed lists the SNOMED CT codes passing the filters: a constraint that lists its
// codes (no store needed), or, with a loaded release, a filter that names a subhierarchy
// or a reference set; the other filters then narrow the list.
func (s *Server) expandSnomed(ctx context.Context, filters []Filter, limit int) ([]Contains, error) {
	if len(filters) == 1 && filters[0].Property == "constraint" && filters[0].Op == "=" {
		if e, err := parseECL(filters[0].Value); err == nil {
			if ids, terms, ok := e.enumerate(); ok {
				out := make([]Contains, 0, len(ids))
				for i, id := range ids {
					c := Contains{System: SystemSNOMED, Code: id, Display: terms[i]}
					if s.snomed != nil {
						if sc, err := s.snomed.Concept(ctx, id); err == nil && sc != nil {
							c.Display, c.Inactive = sc.Preferred, !sc.Active
						}
					}
					out = append(out, c)
				}
				return out, nil
			}
		}
	}
	if s.snomed == nil {
		return nil, fmt.Errorf("SNOMED CT is not loaded: %w", ErrNoContent)
	}
	var candidates []string
	found := false
	for _, f := range filters {
		ids, ok, err := s.candidates(ctx, f, limit)
		if err != nil {
			return nil, err
		}
		if ok {
			candidates, found = ids, true
			break
		}
	}
	if !found {
		return nil, fmt.Errorf("SNOMED CT: only value sets that name a subhierarchy or a reference set can be expanded: %w", ErrNoContent)
	}
	var out []Contains
	for _, id := range candidates {
		in := yes
		for _, f := range filters {
			r, issue, err := s.snomedFilter(ctx, f, id)
			if err != nil {
				return nil, err
			}
			if r == unknown {
				return nil, fmt.Errorf("%s: %w", issue.Message, ErrNoContent)
			}
			in = in.and(r)
		}
		if in != yes {
			continue
		}
		c, err := s.snomed.Concept(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("terminology: %w", err)
		}
		if c == nil {
			continue
		}
		out = append(out, Contains{System: SystemSNOMED, Version: s.snomed.Release(), Code: id, Display: c.Preferred, Inactive: !c.Active})
	}
	return out, nil
}

// candidates lists the concepts a filter draws from, when it names a set the release can
// list: a subhierarchy (is-a or descendent-of on concept, or a constraint "<< id" or
// "< id") or a reference set (constraint "^ id"). ok is false for other filters.
func (s *Server) candidates(ctx context.Context, f Filter, limit int) (ids []string, ok bool, err error) {
	var focus eclFocus
	switch {
	case f.Property == "concept" && f.Op == "is-a":
		focus = eclFocus{op: "<<", id: f.Value}
	case f.Property == "concept" && f.Op == "descendent-of":
		focus = eclFocus{op: "<", id: f.Value}
	case f.Property == "constraint" && f.Op == "=":
		e, err := parseECL(f.Value)
		if err != nil {
			return nil, false, nil
		}
		if focus, ok = e.(eclFocus); !ok || focus.id == "*" {
			return nil, false, nil
		}
	default:
		return nil, false, nil
	}
	switch focus.op {
	case "<<", "<":
		ids, err = s.snomed.Descendants(ctx, focus.id, limit)
		if err == nil && focus.op == "<<" {
			ids = append([]string{focus.id}, ids...)
		}
	case "^":
		ids, err = s.snomed.Members(ctx, focus.id, limit)
	default:
		return nil, false, nil
	}
	if errors.Is(err, snomed.ErrTooMany) {
		return nil, false, fmt.Errorf("%w: %v", ErrTooCostly, err)
	}
	if err != nil {
		return nil, false, fmt.Errorf("terminology: %w", err)
	}
	return ids, true, nil
}

func (s *Server) lookupSnomed(ctx context.Context, code string, properties []string) (*LookupResult, error) {
	if err := snomed.CheckConceptID(code); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnknownCode, err)
	}
	c, err := s.snomed.Concept(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("terminology: %w", err)
	}
	if c == nil {
		return nil, fmt.Errorf("SNOMED CT concept %s: %w", code, ErrUnknownCode)
	}
	r := &LookupResult{Name: "SNOMED CT", Version: s.snomed.Release(), Display: c.Preferred, Inactive: !c.Active}
	use := func(code, display string) *Coding {
		return &Coding{System: SystemSNOMED, Code: code, Display: display}
	}
	r.Designations = append(r.Designations, Designation{Language: "en", Use: use(snomed.FSNType, "Fully specified name"), Value: c.FSN})
	for _, syn := range c.Synonyms {
		r.Designations = append(r.Designations, Designation{Language: "en", Use: use(snomed.SynonymType, "Synonym"), Value: syn})
	}
	want := func(code string) bool { return properties == nil || contains(properties, code) }
	if want(propInactive) {
		r.Properties = append(r.Properties, Property{Code: propInactive, Type: "boolean", Value: fmt.Sprint(!c.Active)})
	}
	if want(propParent) {
		for _, p := range c.Parents {
			r.Properties = append(r.Properties, Property{Code: propParent, Type: "code", Value: p})
		}
	}
	if want(propChild) {
		for _, ch := range c.Children {
			r.Properties = append(r.Properties, Property{Code: propChild, Type: "code", Value: ch})
		}
	}
	return r, nil
}

func (s *Server) subsumesSnomed(ctx context.Context, a, b string) (string, error) {
	for _, code := range []string{a, b} {
		c, err := s.snomed.Concept(ctx, code)
		if err != nil {
			return "", fmt.Errorf("terminology: %w", err)
		}
		if c == nil {
			return "", fmt.Errorf("SNOMED CT concept %s: %w", code, ErrUnknownCode)
		}
	}
	if a == b {
		return Equivalent, nil
	}
	if ok, err := s.snomed.IsA(ctx, b, a); err != nil {
		return "", fmt.Errorf("terminology: %w", err)
	} else if ok {
		return Subsumes, nil
	}
	if ok, err := s.snomed.IsA(ctx, a, b); err != nil {
		return "", fmt.Errorf("terminology: %w", err)
	} else if ok {
		return SubsumedBy, nil
	}
	return NotSubsumed, nil
}
