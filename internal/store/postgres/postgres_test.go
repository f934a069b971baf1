package postgres

import (
	"context"
	"log/slog"
	"testing"

	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/store/postgres/pgtest"
	"github.com/joinedup/joinedup/internal/store/storetest"
)

// testDSN returns the test database's DSN or skips.
func testDSN(t testing.TB) string {
	dsn := pgtest.DSN()
	if dsn == "" {
		t.Skip("JOINEDUP_TEST_POSTGRES is not set: PostgreSQL store tests skipped")
	}
	return dsn
}

// freshSchema names a new schema for one test and drops it when the test ends.
func freshSchema(t testing.TB, dsn string) string {
	t.Helper()
	return pgtest.Schema(t, dsn, "storetest_")
}

func openSchema(t testing.TB, dsn, schema string) *Store {
	t.Helper()
	return openOptions(t, dsn, Options{Schema: schema})
}

// openOptions opens a store with opt, quiet and with a small pool.
func openOptions(t testing.TB, dsn string, opt Options) *Store {
	t.Helper()
	opt.MaxConns, opt.Logger = 4, slog.New(slog.DiscardHandler)
	s, err := Open(context.Background(), dsn, opt)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	dsn := testDSN(t)
	storetest.Run(t, func(t *testing.T) store.Store { return openSchema(t, dsn, freshSchema(t, dsn)) })
}

func TestRangePlans(t *testing.T) {
	dsn := testDSN(t)
	storetest.RunRangePlans(t, func(t *testing.T) store.Store {
		return openOptions(t, dsn, Options{Schema: freshSchema(t, dsn), RangeCap: storetest.SmallRangeCap})
	})
}
