// Package pgtest gives a test a PostgreSQL schema of its own in the database that
// JOINEDUP_TEST_POSTGRES names, so that test runs can repeat and run side by side. Tests
// that need PostgreSQL skip (or run on SQLite only) when the variable is unset.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// DSN returns the test database's DSN, or "" when JOINEDUP_TEST_POSTGRES is unset.
func DSN() string { return os.Getenv("JOINEDUP_TEST_POSTGRES") }

// Schema names a new schema, prefix followed by random hex, and drops it with everything
// in it when t ends.
func Schema(t testing.TB, dsn, prefix string) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := prefix + hex.EncodeToString(b)
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
	return schema
}
