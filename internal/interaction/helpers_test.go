package interaction

import (
	"context"
	"testing"

	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/store/sqlite"
)

// newTestService returns a service over a fresh SQLite store with referential integrity on.
func newTestService(t testing.TB) *Service {
	t.Helper()
	st, err := sqlite.Open(t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := New(Options{Store: st, ReferentialIntegrity: true})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

var bg = context.Background()

var anyone = &Request{BaseURL: "http://test/fhir"}

func mustCreate(t *testing.T, svc *Service, typ, body string) *store.Resource {
	t.Helper()
	res, err := svc.Create(bg, anyone, typ, []byte(body), CreateOptions{})
	if err != nil {
		t.Fatalf("create %s: %v", typ, err)
	}
	return res.Version
}

func storeHistory(n int) store.HistoryQuery { return store.HistoryQuery{Count: n} }
