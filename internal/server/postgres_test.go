package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/store/postgres"
)

// postgresBackends adds PostgreSQL when JOINEDUP_TEST_POSTGRES is set: each server gets a
// fresh schema, dropped when its test ends.
func postgresBackends(t testing.TB) []backend {
	dsn := os.Getenv("JOINEDUP_TEST_POSTGRES")
	if dsn == "" {
		t.Log("JOINEDUP_TEST_POSTGRES is not set: REST tests run on SQLite only")
		return nil
	}
	return []backend{{"postgres", func(t testing.TB) store.Store {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		schema := "servertest_" + hex.EncodeToString(b)
		t.Cleanup(func() {
			ctx := context.Background()
			c, err := pgx.Connect(ctx, dsn)
			if err != nil {
				t.Errorf("drop schema: %v", err)
				return
			}
			defer c.Close(ctx)
			if _, err := c.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
				t.Errorf("drop schema: %v", err)
			}
		})
		st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema, MaxConns: 8, Logger: quiet})
		if err != nil {
			t.Fatalf("open PostgreSQL: %v", err)
		}
		return st
	}}}
}
