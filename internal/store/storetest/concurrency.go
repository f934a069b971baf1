package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// testConcurrentCounter: N goroutines each read the counter resource and write the
// next version. Writes are serialised, so none is lost: the last version is N.
func testConcurrentCounter(t *testing.T, s store.Store) {
	const n = 40
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			errs <- s.Write(ctx, func(tx store.Tx) error {
				next := int64(1)
				cur, err := tx.Current(ctx, "Basic", "counter")
				switch {
				case err == nil:
					next = cur.VersionID + 1
				case !errors.Is(err, store.ErrNotFound):
					return err
				}
				return tx.Put(ctx, &store.Write{Resource: store.Resource{Type: "Basic", ID: "counter", VersionID: next,
					Op: store.OpUpdate, LastUpdated: time.Now().UTC(), Body: body("Basic", "counter", next, "")}})
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("increment: %v", err)
		}
	}
	if r := read(t, s, nil, "Basic", "counter"); r.VersionID != n {
		t.Fatalf("counter at version %d, want %d", r.VersionID, n)
	}
	h, err := s.History(ctx, nil, store.HistoryQuery{Type: "Basic", ID: "counter", Count: 1000})
	if err != nil || len(h.Versions) != n {
		t.Fatalf("history: %v, %d versions", err, len(h.Versions))
	}
	for i, v := range h.Versions {
		if v.VersionID != int64(n-i) || (i > 0 && v.Seq >= h.Versions[i-1].Seq) {
			t.Fatalf("history entry %d: version %d seq %d", i, v.VersionID, v.Seq)
		}
	}
}

// testConcurrentMixedOutcomes: concurrent writes, sharing groups, of which some fail
// after their rows have reached the database and some hit a version conflict; each
// failure rolls back alone and every other write commits.
func testConcurrentMixedOutcomes(t *testing.T, s store.Store) {
	const n = 60
	ctx := context.Background()
	put(t, s, store.Write{Resource: store.Resource{Type: "Basic", ID: "taken"}})
	errFail := errors.New("refused")
	var wg sync.WaitGroup
	results := make([]error, n)
	for i := range n {
		wg.Go(func() {
			results[i] = s.Write(ctx, func(tx store.Tx) error {
				id := fmt.Sprintf("r%d", i)
				if err := tx.Put(ctx, &store.Write{Resource: store.Resource{Type: "Basic", ID: id, VersionID: 1,
					Op: store.OpCreate, LastUpdated: time.Now().UTC(), Body: body("Basic", id, 1, "")}}); err != nil {
					return err
				}
				if i%7 == 1 {
					// A failure while the rows are still buffered.
					return errFail
				}
				// Reading sends the buffered rows; a failure after that must still undo them.
				if _, err := tx.Current(ctx, "Basic", id); err != nil {
					return err
				}
				switch {
				case i%5 == 0:
					// A create over an existing resource, with nothing read first.
					return tx.Put(ctx, &store.Write{Resource: store.Resource{Type: "Basic", ID: "taken", VersionID: 1,
						Op: store.OpCreate, LastUpdated: time.Now().UTC(), Body: body("Basic", "taken", 1, "")}})
				case i%3 == 0:
					return errFail
				}
				return nil
			})
		})
	}
	wg.Wait()
	for i, err := range results {
		_, rerr := s.Read(ctx, nil, "Basic", fmt.Sprintf("r%d", i))
		var want error
		switch {
		case i%7 == 1:
			want = errFail
		case i%5 == 0:
			want = store.ErrConflict
		case i%3 == 0:
			want = errFail
		}
		if want == nil {
			if err != nil || rerr != nil {
				t.Errorf("write %d: %v; read: %v", i, err, rerr)
			}
			continue
		}
		if !errors.Is(err, want) {
			t.Errorf("write %d: got %v, want %v", i, err, want)
		}
		if !errors.Is(rerr, store.ErrNotFound) {
			t.Errorf("failed write %d is readable: %v", i, rerr)
		}
	}
	if r := read(t, s, nil, "Basic", "taken"); r.VersionID != 1 {
		t.Errorf("taken: version %d, want 1", r.VersionID)
	}
}

// testConditionalCreateRace: N goroutines each create the resource with one identifier
// unless a search finds it. Exactly one may succeed in creating it.
func testConditionalCreateRace(t *testing.T, s store.Store) {
	const n = 30
	ctx := context.Background()
	ident := store.Clause{Param: "identifier", Kind: store.KindToken,
		Values: []store.Value{{System: "https://fhir.nhs.uk/Id/nhs-number", HasSystem: true, Code: "9434765919"}}}
	var wg sync.WaitGroup
	created := make(chan string, n)
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- s.Write(ctx, func(tx store.Tx) error {
				page, err := tx.Search(ctx, store.Query{Type: "Patient", Clauses: []store.Clause{ident}})
				if err != nil || len(page.Resources) > 0 {
					return err
				}
				id := fmt.Sprintf("p%d", i)
				created <- id
				return tx.Put(ctx, &store.Write{Resource: store.Resource{Type: "Patient", ID: id, VersionID: 1,
					Op: store.OpCreate, LastUpdated: time.Now().UTC(), Body: body("Patient", id, 1, "")},
					Index: store.Index{Tokens: []store.TokenEntry{{Param: "identifier",
						System: ident.Values[0].System, Code: ident.Values[0].Code}}}})
			})
		})
	}
	wg.Wait()
	close(errs)
	close(created)
	for err := range errs {
		if err != nil {
			t.Errorf("conditional create: %v", err)
		}
	}
	if len(created) != 1 {
		t.Errorf("%d functions created the resource, want 1", len(created))
	}
	page, err := s.Search(ctx, nil, store.Query{Type: "Patient", Clauses: []store.Clause{ident}, CountTotal: true})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 1 || len(page.Resources) != 1 {
		t.Fatalf("after the race: total %d, %d resources, want 1", page.Total, len(page.Resources))
	}
}
