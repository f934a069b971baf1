package server

import (
	"context"
	"testing"

	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/store/postgres"
	"github.com/joinedup/joinedup/internal/store/postgres/pgtest"
)

// postgresBackends adds PostgreSQL when JOINEDUP_TEST_POSTGRES is set: each server gets a
// fresh schema, dropped when its test ends.
func postgresBackends(t testing.TB) []backend {
	dsn := pgtest.DSN()
	if dsn == "" {
		t.Log("JOINEDUP_TEST_POSTGRES is not set: REST tests run on SQLite only")
		return nil
	}
	return []backend{{"postgres", func(t testing.TB) store.Store {
		schema := pgtest.Schema(t, dsn, "servertest_")
		st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema, MaxConns: 8, Logger: quiet})
		if err != nil {
			t.Fatalf("open PostgreSQL: %v", err)
		}
		return st
	}}}
}
