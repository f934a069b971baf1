package store

import "context"

// Each calls fn for every current, non-deleted resource of type typ visible through f,
// page by page in the store's order, and stops at the first error.
func Each(ctx context.Context, s Store, f *AccessFilter, typ string, fn func(*Resource) error) error {
	q := Query{Type: typ, Count: 500}
	for {
		page, err := s.Search(ctx, f, q)
		if err != nil {
			return err
		}
		for _, r := range page.Resources {
			if err := fn(r); err != nil {
				return err
			}
		}
		if page.NextKey == "" {
			return nil
		}
		q.AfterKey = page.NextKey
	}
}
