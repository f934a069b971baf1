package search

import (
	"errors"
	"fmt"

	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/terminology"
)

// terminologyModifiers are the token modifiers answered by expanding a value set or a
// code hierarchy into the codes the store matches (search.html#token).
var terminologyModifiers = map[string]bool{"in": true, "not-in": true, "above": true, "below": true}

// codes expands one value of a token :in, :not-in, :above or :below into the codes the
// clause matches. Expansions are kept for the request, so a value set used twice is
// expanded once.
func (p *parser) codes(mod, v string) ([]store.TokenCode, error) {
	var req terminology.ExpandRequest
	subject := "value set " + v
	if mod == "above" || mod == "below" {
		sys, code, ok := cutEscaped(v, '|')
		if !ok || unescape(sys) == "" || unescape(code) == "" {
			return nil, fmt.Errorf(":%s takes system|code, not %q", mod, v)
		}
		sys, code = unescape(sys), unescape(code)
		// is-a is the code and its descendants, generalizes the code and its ancestors.
		op := map[string]string{"below": "is-a", "above": "generalizes"}[mod]
		req.Inline = &terminology.ValueSet{Include: []terminology.ConceptSet{{
			System: sys, Filters: []terminology.Filter{{Property: "concept", Op: op, Value: code}}}}}
		subject = "the hierarchy of " + sys
	} else {
		req.ValueSet = unescape(v)
	}
	key := mod + " " + v
	if got, ok := p.expanded[key]; ok {
		return got, nil
	}
	exp, err := p.o.Terminology.Expand(p.o.Context, req)
	switch {
	case errors.Is(err, terminology.ErrNotFound) || errors.Is(err, terminology.ErrNoContent):
		return nil, fmt.Errorf("%s is unknown to this server: %w", subject, err)
	case errors.Is(err, terminology.ErrTooCostly):
		return nil, fmt.Errorf("%s has more than %d codes: search with fewer", subject, terminology.DefaultExpansionLimit)
	case err != nil:
		return nil, fmt.Errorf("expanding %s: %w", subject, err)
	}
	if len(exp.Contains) > terminology.DefaultExpansionLimit {
		return nil, fmt.Errorf("%s has %d codes, more than %d: search with fewer", subject, len(exp.Contains), terminology.DefaultExpansionLimit)
	}
	out := make([]store.TokenCode, 0, len(exp.Contains))
	bare := map[string]bool{}
	for _, c := range exp.Contains {
		out = append(out, store.TokenCode{System: c.System, Code: c.Code})
		bare[c.Code] = true
	}
	// Elements of type code (Observation.status) are indexed without a system: the
	// binding implies it, so a code with no system matches when the set has that code.
	for _, c := range exp.Contains {
		if bare[c.Code] {
			out = append(out, store.TokenCode{Code: c.Code})
			delete(bare, c.Code)
		}
	}
	if p.expanded == nil {
		p.expanded = map[string][]store.TokenCode{}
	}
	p.expanded[key] = out
	return out, nil
}
