package terminology

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// DefaultExpansionLimit is the most codes an expansion may hold before paging; larger
// ones fail with ErrTooCostly (the client should filter).
const DefaultExpansionLimit = 10000

// ExpandRequest asks for the codes of a value set.
type ExpandRequest struct {
	// ValueSet is the canonical of a known value set; ignored when Inline is set.
	ValueSet string
	// Inline is a value set supplied by the caller (the $expand valueSet parameter).
	Inline *ValueSet
	// Filter keeps codes whose display (or code) has a word starting with each word of
	// the filter, ignoring case.
	Filter string
	// Offset and Count page the result; Count 0 means all codes from Offset on.
	Offset, Count int
	// ActiveOnly leaves out inactive codes.
	ActiveOnly bool
	// IncludeDesignations returns each code's designations.
	IncludeDesignations bool
	// Limit overrides DefaultExpansionLimit.
	Limit int
}

// Expansion is a value set expansion (ValueSet.expansion).
type Expansion struct {
	ValueSet   *ValueSet
	Identifier string
	Timestamp  time.Time
	// Total is the number of codes after filtering, Offset the index of Contains[0].
	Total      int
	Offset     int
	Parameters []ExpansionParameter
	Contains   []Contains
}

// ExpansionParameter records a parameter that shaped the expansion. Type is the FHIR type
// of the value: string, integer, boolean or uri.
type ExpansionParameter struct {
	Name, Type, Value string
}

// Contains is one code of an expansion.
type Contains struct {
	System, Version, Code, Display string
	Abstract, Inactive             bool
	Designations                   []Designation
}

// Expand computes a value set expansion: includes (listed codes, filters, whole code
// systems, imported value sets) minus excludes, then the text filter and paging. It
// returns an error wrapping ErrNotFound for an unknown value set, ErrNoContent when a part
// of it draws on content the server does not hold, and ErrTooCostly when it is too large.
func (s *Server) Expand(ctx context.Context, req ExpandRequest) (*Expansion, error) {
	vs := req.Inline
	if vs == nil {
		var err error
		if vs, err = s.ValueSet(req.ValueSet); err != nil {
			return nil, err
		}
	}
	limit := req.Limit
	if limit <= 0 {
		limit = DefaultExpansionLimit
	}
	x := expander{s: s, limit: limit, used: map[string]bool{}}
	all, err := x.valueSet(ctx, vs, 0)
	if err != nil {
		return nil, fmt.Errorf("expanding %s: %w", canonicalOf(vs.URL, vs.Version), err)
	}
	words := filterWords(req.Filter)
	kept := all[:0]
	for _, c := range all {
		if req.ActiveOnly && c.Inactive || !matchesFilter(c, words) {
			continue
		}
		if !req.IncludeDesignations {
			c.Designations = nil
		}
		kept = append(kept, c)
	}
	exp := &Expansion{ValueSet: vs, Identifier: newUUID(), Timestamp: time.Now().UTC(), Total: len(kept), Offset: req.Offset}
	page := kept[min(req.Offset, len(kept)):]
	if req.Count > 0 && req.Count < len(page) {
		page = page[:req.Count]
	}
	exp.Contains = page
	if req.Filter != "" {
		exp.Parameters = append(exp.Parameters, ExpansionParameter{"filter", "string", req.Filter})
	}
	if req.Offset > 0 {
		exp.Parameters = append(exp.Parameters, ExpansionParameter{"offset", "integer", strconv.Itoa(req.Offset)})
	}
	if req.Count > 0 {
		exp.Parameters = append(exp.Parameters, ExpansionParameter{"count", "integer", strconv.Itoa(req.Count)})
	}
	if req.ActiveOnly {
		exp.Parameters = append(exp.Parameters, ExpansionParameter{"activeOnly", "boolean", "true"})
	}
	for _, u := range x.usedOrder {
		exp.Parameters = append(exp.Parameters, ExpansionParameter{"used-codesystem", "uri", u})
	}
	return exp, nil
}

// newUUID returns a random (version 4) UUID as a urn:uuid URI.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// expander carries the state of one expansion.
type expander struct {
	s         *Server
	limit     int
	used      map[string]bool
	usedOrder []string
}

func (x *expander) use(system, version string) {
	u := canonicalOf(system, version)
	if !x.used[u] {
		x.used[u] = true
		x.usedOrder = append(x.usedOrder, u)
	}
}

func key(system, code string) string { return system + "|" + code }

func (x *expander) valueSet(ctx context.Context, vs *ValueSet, depth int) ([]Contains, error) {
	if depth > maxImportDepth {
		return nil, fmt.Errorf("value set %s imports too deeply", vs.URL)
	}
	if len(vs.Include) == 0 {
		out := make([]Contains, 0, len(vs.Expansion))
		for _, c := range vs.Expansion {
			out = append(out, Contains{System: c.System, Version: c.Version, Code: c.Code, Display: c.Display})
		}
		return out, nil
	}
	var out []Contains
	seen := map[string]bool{}
	for i := range vs.Include {
		items, err := x.conceptSet(ctx, &vs.Include[i], depth)
		if err != nil {
			return nil, err
		}
		for _, c := range items {
			if k := key(c.System, c.Code); !seen[k] {
				seen[k] = true
				out = append(out, c)
			}
		}
		if len(out) > x.limit {
			return nil, fmt.Errorf("more than %d codes: %w", x.limit, ErrTooCostly)
		}
	}
	excluded := map[string]bool{}
	for i := range vs.Exclude {
		items, err := x.conceptSet(ctx, &vs.Exclude[i], depth)
		if err != nil {
			return nil, err
		}
		for _, c := range items {
			excluded[key(c.System, c.Code)] = true
		}
	}
	kept := out[:0]
	for _, c := range out {
		if excluded[key(c.System, c.Code)] || vs.Inactive != nil && !*vs.Inactive && c.Inactive {
			continue
		}
		kept = append(kept, c)
	}
	return kept, nil
}

// conceptSet lists the codes of one include or exclude.
func (x *expander) conceptSet(ctx context.Context, set *ConceptSet, depth int) ([]Contains, error) {
	var items []Contains
	if set.System != "" {
		var err error
		if items, err = x.systemCodes(ctx, set); err != nil {
			return nil, err
		}
	}
	for i, url := range set.ValueSets {
		sub, err := x.s.ValueSet(url)
		if err != nil {
			return nil, err
		}
		codes, err := x.valueSet(ctx, sub, depth+1)
		if err != nil {
			return nil, err
		}
		if set.System == "" && i == 0 {
			items = codes
			continue
		}
		in := make(map[string]bool, len(codes))
		for _, c := range codes {
			in[key(c.System, c.Code)] = true
		}
		kept := items[:0]
		for _, c := range items {
			if in[key(c.System, c.Code)] {
				kept = append(kept, c)
			}
		}
		items = kept
	}
	return items, nil
}

// systemCodes lists the codes a concept set takes from its system.
func (x *expander) systemCodes(ctx context.Context, set *ConceptSet) ([]Contains, error) {
	cs, err := x.s.contentSystem(set.System, set.Version)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if cs == nil {
		switch {
		case len(set.Concepts) > 0:
			// A list of codes is its own expansion, even without the code system.
			x.use(set.System, set.Version)
			out := make([]Contains, 0, len(set.Concepts))
			for _, r := range set.Concepts {
				c := Contains{System: set.System, Version: set.Version, Code: r.Code, Display: r.Display, Designations: r.Designations}
				if set.System == SystemSNOMED && x.s.snomed != nil && c.Display == "" {
					if sc, err := x.s.snomed.Concept(ctx, r.Code); err == nil && sc != nil {
						c.Display = sc.Preferred
					}
				}
				out = append(out, c)
			}
			return out, nil
		case set.System == SystemSNOMED && len(set.Filters) > 0:
			if x.s.snomed != nil {
				x.use(set.System, x.s.snomed.Release())
			} else {
				x.use(set.System, "")
			}
			return x.s.expandSnomed(ctx, set.Filters, x.limit)
		}
		return nil, fmt.Errorf("the content of %s is not available: %w", set.System, ErrNoContent)
	}
	x.use(cs.URL, cs.Version)
	contains := func(c *Concept, display string, designations []Designation) Contains {
		if display == "" {
			display = c.Display
		}
		if designations == nil {
			designations = c.Designations
		}
		return Contains{System: cs.URL, Version: cs.Version, Code: c.Code, Display: display,
			Abstract: c.Abstract, Inactive: c.Inactive, Designations: designations}
	}
	var out []Contains
	if len(set.Concepts) > 0 {
		for _, r := range set.Concepts {
			c := cs.Concept(r.Code)
			if c == nil {
				if cs.HasContent() {
					continue // not a code of the system: it cannot be in the value set
				}
				out = append(out, Contains{System: cs.URL, Version: cs.Version, Code: r.Code, Display: r.Display, Designations: r.Designations})
				continue
			}
			if ok, err := passes(cs, c, set.Filters); err != nil {
				return nil, err
			} else if ok {
				out = append(out, contains(c, r.Display, r.Designations))
			}
		}
		return out, nil
	}
	for _, c := range cs.All {
		ok, err := passes(cs, c, set.Filters)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, contains(c, "", nil))
			if len(out) > x.limit {
				return nil, fmt.Errorf("more than %d codes: %w", x.limit, ErrTooCostly)
			}
		}
	}
	return out, nil
}

// passes reports whether a concept passes every filter; a filter that cannot be evaluated
// makes the expansion impossible.
func passes(cs *CodeSystem, c *Concept, filters []Filter) (bool, error) {
	for _, f := range filters {
		r, issue, err := localFilter(cs, c, f)
		if err != nil {
			return false, err
		}
		switch r {
		case no:
			return false, nil
		case unknown:
			msg := "cannot be evaluated"
			if issue != nil {
				msg = issue.Message
			}
			return false, fmt.Errorf("filter %s %s %s: %s: %w", f.Property, f.Op, f.Value, msg, ErrNoContent)
		}
	}
	return true, nil
}

// filterWords splits a text filter into lower-case words.
func filterWords(filter string) []string {
	return strings.FieldsFunc(strings.ToLower(filter), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// matchesFilter keeps a code when every filter word begins a word of its display, or
// begins its code.
func matchesFilter(c Contains, words []string) bool {
	if len(words) == 0 {
		return true
	}
	display := filterWords(c.Display)
	code := strings.ToLower(c.Code)
	for _, w := range words {
		found := strings.HasPrefix(code, w)
		for _, d := range display {
			if found {
				break
			}
			found = strings.HasPrefix(d, w)
		}
		if !found {
			return false
		}
	}
	return true
}
