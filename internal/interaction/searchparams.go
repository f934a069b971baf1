package interaction

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/joinedup/joinedup/internal/search"
	"github.com/joinedup/joinedup/internal/store"
)

// This file is the one place that turns search parameters into store queries: package
// search parses them against the service's SearchParameter registry.

// SearchParam is one search parameter the store can answer.
type SearchParam struct {
	Code       string
	Kind       store.ParamKind
	Type       string // the SearchParameter type: token, uri, date ...
	Definition string // canonical URL of its SearchParameter
	Modifiers  []string
}

// SearchParams lists the parameters a search on typ supports ("" for a system search).
func (s *Service) SearchParams(typ string) []SearchParam {
	var out []SearchParam
	for _, p := range s.opt.Search.Params(typ) {
		out = append(out, SearchParam{Code: p.Code, Kind: p.Kind, Type: p.Type, Definition: p.URL, Modifiers: p.Modifiers})
	}
	return out
}

// searchQuery is a search translated for the store.
type searchQuery struct {
	*search.Request
	// skipped reports parameters that were not applied (lenient handling).
	skipped []Issue
}

// parseSearch translates the query parameters of a search on typ. Unknown or unsupported
// parameters are errors when strict, and reported in skipped otherwise.
func (s *Service) parseSearch(ctx context.Context, typ, base string, q url.Values, strict bool) (*searchQuery, error) {
	r, err := s.opt.Search.Parse(typ, q, search.Options{Base: base, DefaultCount: s.opt.DefaultCount, MaxCount: s.opt.MaxCount,
		Terminology: s.opt.Terminology, Context: ctx})
	if errors.Is(err, search.ErrInvalid) {
		return nil, invalid("", "%s", strings.TrimPrefix(err.Error(), search.ErrInvalid.Error()+": "))
	}
	if err != nil {
		return nil, err
	}
	sq := &searchQuery{Request: r}
	for _, u := range r.Unknown {
		is := Issue{Severity: "warning", Code: "not-supported", Text: "the search parameter " + u.Param + " was not applied: " + u.Reason}
		if strict {
			is.Severity = "error"
			return nil, &Error{Status: http.StatusBadRequest, Issues: []Issue{is}}
		}
		sq.skipped = append(sq.skipped, is)
	}
	return sq, nil
}
