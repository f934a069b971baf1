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
	body, err := s.search(ctx, req, typ, params)
	s.auditErr(ctx, Event{Interaction: "search", Type: typ, Status: http.StatusOK}, err)
	return body, err
}

func (s *Service) search(ctx context.Context, req *Request, typ string, params url.Values) ([]byte, error) {
	sq, err := s.parseSearch(typ, params, req.Strict)
	if err != nil {
		return nil, err
	}
	page, err := s.opt.Store.Search(ctx, req.Filter, store.Query{
		Type: typ, Clauses: sq.clauses, Count: sq.count, AfterKey: sq.cursor, CountTotal: sq.total,
	})
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", typ, err)
	}
	path := req.BaseURL
	if typ != "" {
		path += "/" + typ
	}
	links := []bundleLink{{"self", withQuery(path, sq.used, "_cursor", sq.cursor)}}
	if page.NextKey != "" {
		links = append(links, bundleLink{"next", withQuery(path, sq.used, "_cursor", page.NextKey)})
	}
	total := -1
	if sq.total {
		total = page.Total
	}
	b := newBundle("searchset", s.now(), total, links)
	for _, v := range page.Resources {
		b.entry(req.BaseURL+"/"+v.Type+"/"+v.ID, v.Body, "match", nil, nil)
	}
	if len(sq.skipped) > 0 {
		b.entry("", OutcomeJSON(sq.skipped), "outcome", nil, nil)
	}
	return b.finish(), nil
}
