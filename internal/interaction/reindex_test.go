package interaction

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/store/postgres"
	"github.com/joinedup/joinedup/internal/store/sqlite"
)

// restartable opens a store over the same data on every call, as a restarted server
// does; the test closes each store it opens (once, see closeOnce).
type restartable func(t *testing.T) store.Store

// eachRestartable runs fn on SQLite and, when JOINEDUP_TEST_POSTGRES is set, PostgreSQL,
// each with data of its own.
func eachRestartable(t *testing.T, fn func(t *testing.T, open restartable)) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		fn(t, func(t *testing.T) store.Store {
			st, err := sqlite.Open(dir, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			return closeOnce(t, st)
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("JOINEDUP_TEST_POSTGRES")
		if dsn == "" {
			t.Skip("JOINEDUP_TEST_POSTGRES is not set")
		}
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		schema := "interactiontest_" + hex.EncodeToString(b)
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
		fn(t, func(t *testing.T) store.Store {
			st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema, MaxConns: 4,
				Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			return closeOnce(t, st)
		})
	})
}

// onceClosed is a store whose Close may be called again (the test's, then cleanup's).
type onceClosed struct {
	store.Store
	once sync.Once
	err  error
}

func (s *onceClosed) Close() error {
	s.once.Do(func() { s.err = s.Store.Close() })
	return s.err
}

func closeOnce(t *testing.T, st store.Store) store.Store {
	c := &onceClosed{Store: st}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return c
}

// startService opens a service over st as cmd/joinedup does at start-up.
func startService(t *testing.T, st store.Store) *Service {
	t.Helper()
	svc, err := New(Options{Store: st, ReferentialIntegrity: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.LoadSearchParameters(bg); err != nil {
		t.Fatal(err)
	}
	return svc
}

const eyeURL = "http://example.org/sp/eye"

// eyeParam is a custom token parameter over the extension ext of Patient.
func eyeParam(ext string) []byte {
	return []byte(`{"resourceType":"SearchParameter","id":"eye","url":"` + eyeURL + `","name":"eye","status":"active",
		"description":"eye colour","code":"eye-colour","base":["Patient"],"type":"token",
		"expression":"Patient.extension('` + ext + `').value"}`)
}

// strictEyeSearch searches Patient?eye-colour=blue strictly: the ids found, or an error
// when the parameter is not searchable.
func strictEyeSearch(svc *Service) ([]string, error) {
	body, err := svc.Search(bg, &Request{BaseURL: "http://test/fhir", Strict: true}, "Patient", url.Values{"eye-colour": {"blue"}})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, part := range strings.Split(string(body), `"fullUrl":"http://test/fhir/Patient/`)[1:] {
		ids = append(ids, part[:strings.IndexByte(part, '"')])
	}
	return ids, nil
}

func reindexAndWait(t *testing.T, svc *Service, typ string) *ReindexJob {
	t.Helper()
	j, err := svc.Reindex(bg, &Request{Admin: true}, typ, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Wait(bg); err != nil {
		t.Fatalf("reindex: %v", err)
	}
	return j
}

// TestReindexStateSurvivesRestart: a parameter a completed $reindex indexed is
// searchable at once after a restart; one never indexed, or changed since, is pending
// until the next $reindex.
func TestReindexStateSurvivesRestart(t *testing.T) {
	eachRestartable(t, func(t *testing.T, open restartable) {
		st := open(t)
		svc := startService(t, st)
		p := mustCreate(t, svc, "Patient", `{"resourceType":"Patient","extension":[{"url":"http://example.org/eye","valueCode":"blue"}]}`).ID
		if _, err := svc.Update(bg, anyone, "SearchParameter", "eye", eyeParam("http://example.org/eye"), UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		restart := func() {
			t.Helper()
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			st = open(t)
			svc = startService(t, st)
		}
		expect := func(step string, pending bool, ids ...string) {
			t.Helper()
			if got := svc.PendingSearchParameters(); pending != slices.Equal(got, []string{eyeURL}) || !pending && len(got) > 0 {
				t.Errorf("%s: pending %v, want pending %v", step, got, pending)
			}
			got, err := strictEyeSearch(svc)
			switch {
			case pending && AsError(err) == nil:
				t.Errorf("%s: a pending parameter was searched: %v %v", step, got, err)
			case !pending && (err != nil || !slices.Equal(got, ids)):
				t.Errorf("%s: search found %v (%v), want %v", step, got, err, ids)
			}
		}
		expect("stored, never indexed", true)
		restart()
		expect("restarted before any $reindex", true)

		j := reindexAndWait(t, svc, "Patient")
		expect("after $reindex", false, p)
		restart()
		expect("restarted after $reindex", false, p)
		if _, ok := svc.Job(j.ID); ok {
			t.Error("a job of the previous process is known after the restart")
		}

		// The same resource, also indexed in the new version, proves the pending state
		// comes from the change and not from stale rows.
		if _, err := svc.Update(bg, anyone, "SearchParameter", "eye", eyeParam("http://example.org/eye-colour"), UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		expect("expression changed", true)
		restart()
		expect("restarted after the change", true)
		reindexAndWait(t, svc, "")
		expect("reindexed after the change", false) // the new expression finds no one
		q := mustCreate(t, svc, "Patient", `{"resourceType":"Patient","extension":[{"url":"http://example.org/eye-colour","valueCode":"blue"}]}`).ID
		restart()
		expect("restarted after reindexing the change", false, q)
	})
}

// gatedStore holds every Write once armed until released, as if the process stopped
// there.
type gatedStore struct {
	store.Store
	armed   bool
	reached chan struct{} // closed when the first gated Write arrives
	release chan struct{}
	once    sync.Once
}

func (g *gatedStore) Write(ctx context.Context, fn func(tx store.Tx) error) error {
	if g.armed {
		g.once.Do(func() { close(g.reached) })
		<-g.release
	}
	return g.Store.Write(ctx, fn)
}

// TestInterruptedReindexLeavesPending: a job that a restart interrupts records nothing,
// and the restarted process does not know it.
func TestInterruptedReindexLeavesPending(t *testing.T) {
	eachRestartable(t, func(t *testing.T, open restartable) {
		st := open(t)
		g := &gatedStore{Store: st, reached: make(chan struct{}), release: make(chan struct{})}
		svc := startService(t, g)
		mustCreate(t, svc, "Patient", `{"resourceType":"Patient","extension":[{"url":"http://example.org/eye","valueCode":"blue"}]}`)
		if _, err := svc.Update(bg, anyone, "SearchParameter", "eye", eyeParam("http://example.org/eye"), UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		g.armed = true
		j, err := svc.Reindex(bg, &Request{Admin: true}, "", "")
		if err != nil {
			t.Fatal(err)
		}
		<-g.reached
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}

		svc2 := startService(t, open(t))
		if got := svc2.PendingSearchParameters(); !slices.Equal(got, []string{eyeURL}) {
			t.Errorf("after an interrupted job pending = %v, want [%s]", got, eyeURL)
		}
		if _, ok := svc2.Job(j.ID); ok {
			t.Error("the interrupted job is known after the restart")
		}
		close(g.release)
		if err := j.Wait(bg); err == nil {
			t.Error("a job whose store closed under it succeeded")
		}
	})
}
