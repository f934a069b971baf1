package interaction

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/joinedup/joinedup/internal/index"
	"github.com/joinedup/joinedup/internal/store"
)

// History returns a history Bundle (https://hl7.org/fhir/R4/http.html#history) for the
// system (typ == ""), a type (id == "") or an instance, newest first. Parameters: _count,
// _since, _at and _cursor (the next page, from the Bundle's next link).
func (s *Service) History(ctx context.Context, req *Request, typ, id string, params url.Values) ([]byte, error) {
	body, err := s.history(ctx, req, typ, id, params)
	s.auditErr(ctx, Event{Interaction: "history", Type: typ, ID: id, Status: http.StatusOK}, err)
	return body, err
}

func (s *Service) history(ctx context.Context, req *Request, typ, id string, params url.Values) ([]byte, error) {
	if id != "" && !index.ValidID(id) {
		return nil, notFound(typ, id)
	}
	q := store.HistoryQuery{Type: typ, ID: id, Count: s.opt.DefaultCount}
	used := url.Values{}
	for key, values := range params {
		v := values[len(values)-1]
		switch key {
		case "_count":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, invalid("", "_count must be a positive integer, not %q", v)
			}
			q.Count = min(n, s.opt.MaxCount)
			used.Set(key, strconv.Itoa(q.Count))
		case "_since", "_at":
			t, err := time.Parse(time.RFC3339Nano, v)
			if key == "_at" && err != nil {
				// _at is a dateTime of any precision: the versions current at its end.
				_, t, err = dateRange(v)
			}
			if err != nil {
				return nil, invalid("", "%s must be an instant, not %q", key, v)
			}
			if key == "_since" {
				q.Since = t
			} else {
				q.At = t
			}
			used.Set(key, v)
		case "_cursor":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 {
				return nil, invalid("", "_cursor %q is not a history page cursor", v)
			}
			q.BeforeSeq = n
		case "_format", "_pretty":
		default:
			if req.Strict {
				return nil, invalid("", "the history parameter %s is not supported", key)
			}
		}
	}
	page, err := s.opt.Store.History(ctx, req.Filter, q)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	if id != "" && len(page.Versions) == 0 && q.BeforeSeq == 0 {
		if _, err := s.opt.Store.Read(ctx, req.Filter, typ, id); errors.Is(err, store.ErrNotFound) {
			return nil, notFound(typ, id)
		}
	}

	path := req.BaseURL + "/"
	if typ != "" {
		path += typ + "/"
	}
	if id != "" {
		path += id + "/"
	}
	path += "_history"
	links := []bundleLink{{"self", withQuery(path, used, "_cursor", params.Get("_cursor"))}}
	if page.NextSeq != 0 {
		links = append(links, bundleLink{"next", withQuery(path, used, "_cursor", strconv.FormatInt(page.NextSeq, 10))})
	}
	b := newBundle("history", s.now(), page.Total, links)
	for _, v := range page.Versions {
		er := &entryRequest{method: "PUT", url: v.Type + "/" + v.ID}
		status := http.StatusOK
		switch v.Op {
		case store.OpCreate:
			er.method, er.url = "POST", v.Type
		case store.OpDelete:
			er.method, status = "DELETE", http.StatusNoContent
		}
		if v.VersionID == 1 && v.Op != store.OpDelete {
			status = http.StatusCreated
		}
		b.entry(req.BaseURL+"/"+v.Type+"/"+v.ID, v.Body, "", er, versionResponse(status, v))
	}
	return b.finish(), nil
}

// withQuery renders path?used&extra=value (extra left out when value is "").
func withQuery(path string, used url.Values, extra, value string) string {
	q := url.Values{}
	for k, v := range used {
		q[k] = v
	}
	if value != "" {
		q.Set(extra, value)
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
