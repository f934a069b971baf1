package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/store/sqlgen"
)

func createBasic(ctx context.Context, s store.Store, id string) error {
	return s.Write(ctx, func(tx store.Tx) error {
		return tx.Put(ctx, &store.Write{Resource: store.Resource{Type: "Basic", ID: id, VersionID: 1, Op: store.OpCreate,
			LastUpdated: time.Now().UTC(), Body: crashBody(id)},
			Links: []store.Ref{{Type: "Patient", ID: "p"}}})
	})
}

// TestBackupDuringWrites takes a backup while writers run, then opens the copy as a
// store: everything acknowledged before the backup began is in it, and the copy is
// consistent (every resource it lists reads back whole).
func TestBackupDuringWrites(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t, Options{})
	var acked atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := createBasic(ctx, s, fmt.Sprintf("g%d-%d", g, i)); err != nil {
					t.Errorf("write: %v", err)
					return
				}
				acked.Add(1)
			}
		})
	}
	for acked.Load() < 500 {
		time.Sleep(time.Millisecond)
	}
	before := acked.Load()
	target := filepath.Join(t.TempDir(), "backup.db")
	if err := s.Backup(ctx, target); err != nil {
		t.Fatalf("backup: %v", err)
	}
	close(stop)
	wg.Wait()
	if err := s.Backup(ctx, target); err == nil {
		t.Errorf("backup over an existing file succeeded")
	}

	c, err := Open(target, Options{Logger: quiet})
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	defer c.Close()
	page, err := c.Search(ctx, nil, store.Query{Type: "Basic", Count: 100000, CountTotal: true})
	if err != nil {
		t.Fatal(err)
	}
	if int64(page.Total) < before || page.Total != len(page.Resources) {
		t.Fatalf("backup holds %d resources (page %d), want at least the %d acknowledged before it", page.Total, len(page.Resources), before)
	}
	for _, r := range page.Resources {
		if string(r.Body) != string(crashBody(r.ID)) {
			t.Fatalf("backup: %s damaged", r.ID)
		}
	}
	h, err := c.History(ctx, nil, store.HistoryQuery{Count: 100000})
	if err != nil || len(h.Versions) != page.Total {
		t.Fatalf("backup history: %v, %d versions for %d resources", err, len(h.Versions), page.Total)
	}
	// The copy is a working store: it takes writes.
	if err := createBasic(ctx, c, "after-restore"); err != nil {
		t.Fatalf("write to the restored copy: %v", err)
	}
	t.Logf("backup taken after %d acks holds %d resources", before, page.Total)
}

func TestOpenPaths(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	tests := []struct {
		name, path, file string
	}{
		{"new directory", filepath.Join(dir, "data"), filepath.Join(dir, "data", FileName)},
		{"existing directory", filepath.Join(dir, "data"), filepath.Join(dir, "data", FileName)},
		{"file path", filepath.Join(dir, "copy", "store.db"), filepath.Join(dir, "copy", "store.db")},
		{"existing file", filepath.Join(dir, "copy", "store.db"), filepath.Join(dir, "copy", "store.db")},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(tc.path, Options{Logger: quiet})
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer s.Close()
			if s.path != tc.file {
				t.Errorf("database file %s, want %s", s.path, tc.file)
			}
			// Reopening keeps the data and re-applies no migration.
			if err := createBasic(ctx, s, fmt.Sprintf("r%d", i)); err != nil {
				t.Fatal(err)
			}
			page, err := s.Search(ctx, nil, store.Query{Type: "Basic", CountTotal: true, Count: -1})
			if err != nil {
				t.Fatal(err)
			}
			if want := i%2 + 1; page.Total != want {
				t.Errorf("%d resources, want %d", page.Total, want)
			}
			ms, err := sqlgen.Migrations(migrations, "migrations")
			if err != nil {
				t.Fatal(err)
			}
			var applied int
			if err := s.rdb.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&applied); err != nil || applied != len(ms) {
				t.Errorf("schema_migrations rows %d (%v), want %d (each migration once)", applied, err, len(ms))
			}
		})
	}
}

func TestObserveAndClose(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	seen := map[string]int{}
	s, err := Open(t.TempDir(), Options{Logger: quiet, Observe: func(op string, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		seen[op]++
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := createBasic(ctx, s, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Read(ctx, nil, "Basic", "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.VRead(ctx, nil, "Basic", "a", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.History(ctx, nil, store.HistoryQuery{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Search(ctx, nil, store.Query{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	for _, op := range []string{"write", "commit", "read", "vread", "history", "search"} {
		if seen[op] != 1 {
			t.Errorf("observed %q %d times, want 1", op, seen[op])
		}
	}
	mu.Unlock()
	if err := createBasic(ctx, s, "b"); !errors.Is(err, store.ErrClosed) {
		t.Errorf("write after close: %v, want ErrClosed", err)
	}
}
