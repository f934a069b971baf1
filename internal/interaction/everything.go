package interaction

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/joinedup/joinedup/internal/search"
	"github.com/joinedup/joinedup/internal/store"
)

// Everything is Patient/$everything (https://hl7.org/fhir/R4/patient-operation-everything.html):
// the patient id (every patient the caller may see when id is ""), everything in their
// compartments, and the resources those refer to (practitioners, organisations,
// medications ...) as included entries. _since, _type, start, end and _count apply;
// pages follow with _cursor and there is no cap. The caller's AccessFilter restricts it
// like any search: it is one.
func (s *Service) Everything(ctx context.Context, req *Request, id string, params url.Values) ([]byte, error) {
	body, err := s.everything(ctx, req, id, params)
	s.auditErr(ctx, Event{Interaction: "operation", Type: "Patient", ID: id, Status: http.StatusOK}, err)
	return body, err
}

func (s *Service) everything(ctx context.Context, req *Request, id string, params url.Values) ([]byte, error) {
	if id != "" {
		if _, err := s.opt.Store.Read(ctx, req.Filter, "Patient", id); err != nil {
			return nil, s.readError(err, "Patient", id)
		}
	}
	scope := &searchScope{
		path:    "/Patient/$everything",
		clause:  store.Clause{Kind: store.KindCompartment, Values: []store.Value{{TargetType: "Patient", TargetID: id}}},
		include: []store.Include{{Param: "*"}},
		used:    url.Values{},
	}
	if id != "" {
		scope.path = "/Patient/" + id + "/$everything"
	}
	rest := url.Values{}
	var start, end store.Value
	for k, v := range params {
		switch k {
		case "_since":
			lo, _, err := search.DateRange(v[len(v)-1])
			if err != nil {
				return nil, invalid("", "_since: %v", err)
			}
			scope.extra = append(scope.extra, store.Clause{Param: "_lastUpdated", Kind: store.KindLastUpdated,
				Values: []store.Value{{Prefix: "ge", Low: lo, High: lo}}})
			scope.used[k] = v
		case "start":
			lo, _, err := search.DateRange(v[len(v)-1])
			if err != nil {
				return nil, invalid("", "start: %v", err)
			}
			start.Low = lo
			scope.used[k] = v
		case "end":
			_, hi, err := search.DateRange(v[len(v)-1])
			if err != nil {
				return nil, invalid("", "end: %v", err)
			}
			end.High = hi
			scope.used[k] = v
		case "_type", "_count", "_cursor", "_format", "_pretty":
			rest[k] = v
		default:
			rest[k] = v // reported as unknown, or refused when strict, by the search
		}
	}
	if !start.Low.IsZero() || !end.High.IsZero() {
		// The care-date range: resources with a clinical date in it, or without one.
		scope.extra = append(scope.extra, store.Clause{Param: store.AnyDate, Kind: store.KindDate,
			Values: []store.Value{{Low: start.Low, High: end.High, TargetType: "Patient"}}})
	}
	return s.search(ctx, req, "", rest, scope)
}

// readError maps a store read error to the client's answer.
func (s *Service) readError(err error, typ, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFound(typ, id)
	}
	return err
}
