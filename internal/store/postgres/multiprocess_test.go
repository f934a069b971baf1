package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// TestWritersAcrossStores runs writers on two Store values over one schema — two
// processes as far as PostgreSQL can tell: separate pools, writer connections and group
// commits. The advisory lock must still serialise them: no lost increment, one
// conditional create.
func TestWritersAcrossStores(t *testing.T) {
	dsn := testDSN(t)
	schema := freshSchema(t, dsn)
	stores := []*Store{openSchema(t, dsn, schema), openSchema(t, dsn, schema)}
	ctx := context.Background()
	const perStore = 25
	ident := store.Clause{Param: "identifier", Kind: store.KindToken,
		Values: []store.Value{{System: "urn:x", HasSystem: true, Code: "42"}}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	errs := make(chan error, 4*perStore)
	for si, s := range stores {
		for i := range perStore {
			wg.Go(func() { // increment the shared counter
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
						Op: store.OpUpdate, LastUpdated: time.Now().UTC(), Body: []byte(`{"resourceType":"Basic"}`)}})
				})
			})
			wg.Go(func() { // create the patient with identifier urn:x|42 unless it exists
				errs <- s.Write(ctx, func(tx store.Tx) error {
					page, err := tx.Search(ctx, store.Query{Type: "Patient", Clauses: []store.Clause{ident}})
					if err != nil || len(page.Resources) > 0 {
						return err
					}
					mu.Lock()
					created++
					mu.Unlock()
					id := fmt.Sprintf("s%d-%d", si, i)
					return tx.Put(ctx, &store.Write{Resource: store.Resource{Type: "Patient", ID: id, VersionID: 1,
						Op: store.OpCreate, LastUpdated: time.Now().UTC(), Body: []byte(`{"resourceType":"Patient"}`)},
						Index: store.Index{Tokens: []store.TokenEntry{{Param: "identifier", System: "urn:x", Code: "42"}}}})
				})
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("write: %v", err)
		}
	}
	r, err := stores[1].Read(ctx, nil, "Basic", "counter")
	if err != nil || r.VersionID != 2*perStore {
		t.Fatalf("counter: %v, want version %d", err, 2*perStore)
	}
	if created != 1 {
		t.Errorf("%d conditional creates ran, want 1", created)
	}
	// Seq order is commit order across both stores: history is strictly decreasing.
	h, err := stores[0].History(ctx, nil, store.HistoryQuery{Count: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(h.Versions); i++ {
		if h.Versions[i].Seq >= h.Versions[i-1].Seq {
			t.Fatalf("history seq not strictly decreasing at %d", i)
		}
	}
}

func TestBackupRefused(t *testing.T) {
	dsn := testDSN(t)
	s := openSchema(t, dsn, freshSchema(t, dsn))
	if err := s.Backup(context.Background(), t.TempDir()+"/x.db"); !errors.Is(err, ErrNoBackup) {
		t.Fatalf("backup: %v, want ErrNoBackup", err)
	}
}
