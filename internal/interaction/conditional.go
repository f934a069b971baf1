package interaction

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/joinedup/joinedup/internal/store"
)

// conditionalQuery parses the criteria of a conditional create, update or delete
// ("identifier=http://x|1" or "Patient?identifier=..."), with every search parameter
// of the type. Unknown parameters are always errors here: ignoring one would match
// resources the client did not mean. base makes absolute references under it local.
func (s *Service) conditionalQuery(typ, base, raw string) (*searchQuery, error) {
	if t, q, ok := strings.Cut(raw, "?"); ok {
		if t != "" && t != typ {
			return nil, invalid("", "the condition %q is for %s, not %s", raw, t, typ)
		}
		raw = q
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, invalid("", "the condition %q is not a query string: %v", raw, err)
	}
	sq, err := s.parseSearch(context.Background(), typ, base, q, true)
	if err != nil {
		return nil, err
	}
	if len(sq.Query.Clauses) == 0 {
		return nil, invalid("", "the condition %q has no search criteria", raw)
	}
	return sq, nil
}

// match runs a conditional query inside the write transaction, so that no concurrent
// writer can create a match between the search and the write. It returns at most limit
// matches.
func (t *txn) match(ctx context.Context, typ string, q *searchQuery, limit int) ([]*store.Resource, error) {
	page, err := t.tx.Search(ctx, store.Query{Type: typ, Clauses: q.Query.Clauses, Count: limit})
	if err != nil {
		return nil, fmt.Errorf("conditional search on %s: %w", typ, err)
	}
	return page.Resources, nil
}
