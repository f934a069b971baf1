package interaction

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/joinedup/joinedup/internal/store"
)

// Search returns a searchset Bundle of the current resources of typ (all types when typ
// is "") matching params (https://hl7.org/fhir/R4/http.html#search). Parameters this
// server does not support are reported in an OperationOutcome entry (search.mode
// "outcome") and ignored, or refused with 400 when req.Strict.
func (s *Service) Search(ctx context.Context, req *Request, typ string, params url.Values) ([]byte, error) {
	body, err := s.search(ctx, req, typ, params, nil)
	s.auditErr(ctx, Event{Interaction: "search", Type: typ, Status: http.StatusOK}, err)
	return body, err
}

// CompartmentSearch searches typ ("" for every type) within the compartment of
// compType/compID, e.g. Patient/123/Observation
// (https://hl7.org/fhir/R4/compartmentdefinition.html). Only the Patient compartment is
// indexed.
func (s *Service) CompartmentSearch(ctx context.Context, req *Request, compType, compID, typ string, params url.Values) ([]byte, error) {
	body, err := s.compartmentSearch(ctx, req, compType, compID, typ, params)
	s.auditErr(ctx, Event{Interaction: "search", Type: typ, Status: http.StatusOK}, err)
	return body, err
}

func (s *Service) compartmentSearch(ctx context.Context, req *Request, compType, compID, typ string, params url.Values) ([]byte, error) {
	if compType != "Patient" {
		return nil, newError(http.StatusBadRequest, "not-supported", "", "only the Patient compartment can be searched, not %s", compType)
	}
	comp := store.Clause{Kind: store.KindCompartment, Values: []store.Value{{TargetType: compType, TargetID: compID}}}
	path := "/" + compType + "/" + compID
	if typ == "" {
		path += "/*" // every type in the compartment
	}
	return s.search(ctx, req, typ, params, &searchScope{path: path, clause: comp})
}

// searchScope narrows a search (compartment search, $everything) with a clause the
// client did not write, and names the path its links use.
type searchScope struct {
	path   string
	clause store.Clause
	// extra are clauses of the operation's own parameters ($everything's _since, start,
	// end); includes add the resources they need.
	extra   []store.Clause
	include []store.Include
	used    url.Values
}

// entryOverhead is a searchset entry's size besides its URL and resource.
const entryOverhead = len(`,{"fullUrl":"/","resource":,"search":{"mode":"include"}}`)

func (s *Service) search(ctx context.Context, req *Request, typ string, params url.Values, scope *searchScope) ([]byte, error) {
	sq, err := s.parseSearch(ctx, typ, s.base(req), params, req.Strict)
	if err != nil {
		return nil, err
	}
	q := sq.Query
	if sq.Total == "" && q.Count >= 0 {
		q.CheapTotal = true // a total when it costs little (search.html#total)
	}
	path := req.BaseURL
	if scope != nil {
		q.Clauses = append(append([]store.Clause{scope.clause}, q.Clauses...), scope.extra...)
		q.Include = append(q.Include, scope.include...)
		path += scope.path
		for k, v := range scope.used {
			sq.Applied[k] = v
		}
	}
	if typ != "" {
		path += "/" + typ
	}
	page, err := s.opt.Store.Search(ctx, req.Filter, q)
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", typ, err)
	}
	cursor := q.AfterKey
	if q.BeforeKey != "" {
		cursor = "-" + q.BeforeKey
	}
	links := []bundleLink{{"self", withQuery(path, sq.Applied, "_cursor", cursor)}}
	if cursor != "" {
		links = append(links, bundleLink{"first", withQuery(path, sq.Applied, "", "")})
	}
	if page.PrevKey != "" {
		links = append(links, bundleLink{"previous", withQuery(path, sq.Applied, "_cursor", "-"+page.PrevKey)})
	}
	if page.NextKey != "" {
		links = append(links, bundleLink{"next", withQuery(path, sq.Applied, "_cursor", page.NextKey)})
	}
	total := page.Total
	if sq.Total == "none" {
		total = -1
	}
	b := newBundle("searchset", s.now(), total, links)
	size := 0
	for _, v := range page.Resources {
		size += len(v.Body) + len(req.BaseURL) + len(v.Type) + len(v.ID) + entryOverhead
	}
	for _, v := range page.Included {
		size += len(v.Body) + len(req.BaseURL) + len(v.Type) + len(v.ID) + entryOverhead
	}
	b.grow(size)
	sub := newSubsetter(sq.Summary, sq.Elements)
	for _, v := range page.Resources {
		b.entry(req.BaseURL+"/"+v.Type+"/"+v.ID, sub.apply(v.Type, v.Body), "match", nil, nil)
	}
	for _, v := range page.Included {
		b.entry(req.BaseURL+"/"+v.Type+"/"+v.ID, sub.apply(v.Type, v.Body), "include", nil, nil)
	}
	if len(sq.skipped) > 0 {
		b.entry("", OutcomeJSON(sq.skipped), "outcome", nil, nil)
	}
	return b.finish(), nil
}
