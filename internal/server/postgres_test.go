package server

import "testing"

// postgresBackends adds PostgreSQL when JOINEDUP_TEST_POSTGRES is set and the backend
// exists.
func postgresBackends(t *testing.T) []backend { return nil }
