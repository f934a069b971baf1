package terminology

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// maxImportDepth bounds value set imports, which could otherwise loop.
const maxImportDepth = 16

// membership is the answer to "is this code in this value set?".
type membership struct {
	in tri
	// ref is the value set's own entry for the code when it lists it (its display counts
	// as a valid display).
	ref    *ConceptRef
	issues []Issue
}

// member decides whether the coding is in vs, using what is known about the code (chk).
func (s *Server) member(ctx context.Context, vs *ValueSet, c Coding, chk codeCheck, depth int) (membership, error) {
	if depth > maxImportDepth {
		return membership{in: unknown, issues: []Issue{{SeverityWarning, CodeNotSupported, fmt.Sprintf("Value set %s imports too deeply", vs.URL)}}}, nil
	}
	if len(vs.Include) == 0 && len(vs.Expansion) > 0 {
		for i := range vs.Expansion {
			e := &vs.Expansion[i]
			if e.System == c.System && sameCode(chk.cs, e.Code, c.Code) {
				return membership{in: yes, ref: &ConceptRef{Code: e.Code, Display: e.Display}}, nil
			}
		}
		return membership{in: no}, nil
	}
	var m membership
	for i := range vs.Include {
		r, err := s.inSet(ctx, &vs.Include[i], c, chk, depth)
		if err != nil {
			return m, err
		}
		m.issues = append(m.issues, r.issues...)
		if r.in == yes && m.in != yes {
			m.ref = r.ref
		}
		m.in = m.in.or(r.in)
		if m.in == yes {
			break
		}
	}
	if m.in == no {
		return m, nil
	}
	for i := range vs.Exclude {
		r, err := s.inSet(ctx, &vs.Exclude[i], c, chk, depth)
		if err != nil {
			return m, err
		}
		m.issues = append(m.issues, r.issues...)
		m.in = m.in.and(r.in.not())
		if m.in == no {
			break
		}
	}
	if m.in == yes && vs.Inactive != nil && !*vs.Inactive && chk.inactive {
		m.in = no
		m.issues = append(m.issues, Issue{SeverityError, CodeBusinessRule, fmt.Sprintf("The code %q is inactive, and the value set %s excludes inactive codes", c.Code, vs.URL)})
	}
	return m, nil
}

// inSet decides whether the coding is in one include or exclude.
func (s *Server) inSet(ctx context.Context, cs *ConceptSet, c Coding, chk codeCheck, depth int) (membership, error) {
	m := membership{in: yes}
	if cs.System != "" {
		if cs.System != c.System {
			return membership{in: no}, nil
		}
		switch {
		case len(cs.Concepts) > 0:
			m.in = no
			for i := range cs.Concepts {
				if sameCode(chk.cs, cs.Concepts[i].Code, c.Code) {
					m.in, m.ref = yes, &cs.Concepts[i]
					break
				}
			}
			if m.in == no {
				return m, nil
			}
		case len(cs.Filters) == 0:
			// The whole code system: membership is the code's own validity.
			switch chk.verdict {
			case Valid:
				m.in = yes
			case Invalid:
				return membership{in: no}, nil
			default:
				m.in = unknown
			}
		}
		for _, f := range cs.Filters {
			r, issue, err := s.filterMatch(ctx, cs.System, cs.Version, f, c.Code)
			if err != nil {
				return m, err
			}
			if issue != nil {
				m.issues = append(m.issues, *issue)
			}
			m.in = m.in.and(r)
			if m.in == no {
				return m, nil
			}
		}
	}
	for _, url := range cs.ValueSets {
		sub, err := s.ValueSet(url)
		if errors.Is(err, ErrNotFound) {
			m.in = m.in.and(unknown)
			m.issues = append(m.issues, Issue{SeverityWarning, CodeNotFound, fmt.Sprintf("The value set %s is not known to joinedup, so membership in it was not checked", url)})
			continue
		}
		if err != nil {
			return m, err
		}
		r, err := s.member(ctx, sub, c, chk, depth+1)
		if err != nil {
			return m, err
		}
		m.issues = append(m.issues, r.issues...)
		m.in = m.in.and(r.in)
		if m.ref == nil {
			m.ref = r.ref
		}
		if m.in == no {
			return m, nil
		}
	}
	return m, nil
}

// sameCode compares codes as the code system does: folding case when it is not case
// sensitive, exactly otherwise (and when the code system is not held).
func sameCode(cs *CodeSystem, a, b string) bool {
	if a == b {
		return true
	}
	return cs != nil && !cs.CaseSensitive && strings.EqualFold(a, b)
}

// filterMatch decides whether code passes a compose filter over system. issue explains an
// unknown answer.
func (s *Server) filterMatch(ctx context.Context, system, version string, f Filter, code string) (tri, *Issue, error) {
	cs, err := s.contentSystem(system, version)
	if err == nil {
		c := cs.Concept(code)
		if c == nil {
			if cs.HasContent() {
				return no, nil, nil
			}
			return unknown, nil, nil
		}
		return localFilter(cs, c, f)
	}
	if !errors.Is(err, ErrNotFound) {
		return unknown, nil, err
	}
	if system == SystemSNOMED {
		return s.snomedFilter(ctx, f, code)
	}
	return unknown, &Issue{SeverityInformation, CodeNotSupported,
		fmt.Sprintf("The filter %s %s %s over %s was not evaluated: its content is not loaded", f.Property, f.Op, f.Value, system)}, nil
}

// localFilter evaluates a filter on a concept of a code system held in memory.
func localFilter(cs *CodeSystem, c *Concept, f Filter) (tri, *Issue, error) {
	switch f.Op {
	case "is-a", "descendent-of", "is-not-a", "generalizes":
		target := cs.Concept(f.Value)
		if target == nil {
			return no, &Issue{SeverityWarning, CodeNotFound, fmt.Sprintf("The filter %s %s %s names a code that is not in %s", f.Property, f.Op, f.Value, cs.URL)}, nil
		}
		switch f.Op {
		case "is-a":
			return triOf(c.IsA(target)), nil, nil
		case "descendent-of":
			return triOf(c != target && c.IsA(target)), nil, nil
		case "is-not-a":
			return triOf(!c.IsA(target)), nil, nil
		default:
			return triOf(target.IsA(c)), nil, nil
		}
	}
	values, hasProp := conceptValues(cs, c, f.Property)
	switch f.Op {
	case "=":
		return triOf(contains(values, f.Value)), nil, nil
	case "in", "not-in":
		in := false
		for _, v := range strings.Split(f.Value, ",") {
			if contains(values, strings.TrimSpace(v)) {
				in = true
				break
			}
		}
		return triOf(in == (f.Op == "in")), nil, nil
	case "regex":
		re, err := compileFilterRegex(f.Value)
		if err != nil {
			return unknown, &Issue{SeverityWarning, CodeNotSupported, fmt.Sprintf("The regex filter %q is not a valid expression: %v", f.Value, err)}, nil
		}
		for _, v := range values {
			if re.MatchString(v) {
				return yes, nil, nil
			}
		}
		return no, nil, nil
	case "exists":
		return triOf(hasProp == (f.Value == "true")), nil, nil
	}
	return unknown, &Issue{SeverityWarning, CodeNotSupported, fmt.Sprintf("The filter operator %q is not supported", f.Op)}, nil
}

// conceptValues returns the values a filter property has on a concept: the code itself
// for "concept" and "code", the display for "display", parent and child codes from the
// hierarchy, otherwise the concept's property values (a Coding value by its code).
func conceptValues(cs *CodeSystem, c *Concept, property string) (values []string, ok bool) {
	switch property {
	case "concept", "code":
		return []string{c.Code}, true
	case "display":
		return []string{c.Display}, c.Display != ""
	case propParent:
		for _, p := range c.Parents {
			values = append(values, p.Code)
		}
		return values, len(values) > 0
	case propChild:
		for _, p := range c.Children {
			values = append(values, p.Code)
		}
		return values, len(values) > 0
	}
	for _, p := range c.Properties {
		if p.Code != property {
			continue
		}
		if p.Coding != nil {
			values = append(values, p.Coding.Code)
		} else {
			values = append(values, p.Value)
		}
	}
	return values, len(values) > 0
}

var regexCache sync.Map // string → *regexp.Regexp

// compileFilterRegex compiles a filter's regular expression, which must match the whole
// value.
func compileFilterRegex(expr string) (*regexp.Regexp, error) {
	if re, ok := regexCache.Load(expr); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile("^(?:" + expr + ")$")
	if err != nil {
		return nil, err
	}
	regexCache.Store(expr, re)
	return re, nil
}
