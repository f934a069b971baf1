package interaction

import (
	"context"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/store/postgres"
	"github.com/joinedup/joinedup/internal/store/postgres/pgtest"
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
		dsn := pgtest.DSN()
		if dsn == "" {
			t.Skip("JOINEDUP_TEST_POSTGRES is not set")
		}
		schema := pgtest.Schema(t, dsn, "interactiontest_")
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

// strictEyeSearch searches Patient?eye-colour=colour strictly: the ids found, or an
// error when the parameter is not searchable.
func strictEyeSearch(svc *Service, colour string) ([]string, error) {
	body, err := svc.Search(bg, &Request{BaseURL: "http://test/fhir", Strict: true}, "Patient", url.Values{"eye-colour": {colour}})
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
			got, err := strictEyeSearch(svc, "blue")
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

// gate stops one call until it is opened.
type gate struct {
	reached chan struct{} // closed when the call arrives
	release chan struct{}
	once    sync.Once
}

func newGate(t *testing.T) *gate {
	g := &gate{reached: make(chan struct{}), release: make(chan struct{})}
	t.Cleanup(g.open) // a failed test leaves no call stopped
	return g
}

func (g *gate) open() { g.once.Do(func() { close(g.release) }) }

// pass is where the stopped call waits; a nil gate stops nothing.
func (g *gate) pass() {
	if g != nil {
		close(g.reached)
		<-g.release
	}
}

// hookedStore stops chosen writes as if the process stalled there: the next Write before
// it reaches the store (holdWrite) or the next Put inside a transaction function
// (holdPut); afterWrite runs a function once the next Write has returned.
type hookedStore struct {
	store.Store
	mu         sync.Mutex
	write, put *gate
	after      func()
}

func (h *hookedStore) holdWrite(t *testing.T) *gate {
	g := newGate(t)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.write = g
	return g
}

func (h *hookedStore) holdPut(t *testing.T) *gate {
	g := newGate(t)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.put = g
	return g
}

func (h *hookedStore) afterWrite(fn func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.after = fn
}

// take returns the hook at p and clears it: each runs once.
func take[T any](h *hookedStore, p *T) T {
	h.mu.Lock()
	defer h.mu.Unlock()
	v := *p
	var zero T
	*p = zero
	return v
}

func (h *hookedStore) Write(ctx context.Context, fn func(tx store.Tx) error) error {
	take(h, &h.write).pass()
	after := take(h, &h.after)
	err := h.Store.Write(ctx, func(tx store.Tx) error { return fn(hookedTx{Tx: tx, h: h}) })
	if after != nil {
		after()
	}
	return err
}

type hookedTx struct {
	store.Tx
	h *hookedStore
}

func (t hookedTx) Put(ctx context.Context, w *store.Write) error {
	take(t.h, &t.h.put).pass()
	return t.Tx.Put(ctx, w)
}

// TestInterruptedReindexLeavesPending: a job that a restart interrupts records nothing,
// and the restarted process does not know it.
func TestInterruptedReindexLeavesPending(t *testing.T) {
	eachRestartable(t, func(t *testing.T, open restartable) {
		st := open(t)
		h := &hookedStore{Store: st}
		svc := startService(t, h)
		mustCreate(t, svc, "Patient", string(eyePatient("", "blue")))
		if _, err := svc.Update(bg, anyone, "SearchParameter", "eye", eyeParam("http://example.org/eye"), UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		stalled := h.holdWrite(t)
		j, err := svc.Reindex(bg, &Request{Admin: true}, "", "")
		if err != nil {
			t.Fatal(err)
		}
		<-stalled.reached
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
		stalled.open()
		if err := j.Wait(bg); err == nil {
			t.Error("a job whose store closed under it succeeded")
		}
	})
}

// eyePatient is a Patient (with id, unless "") whose eye colour the eye parameter
// indexes.
func eyePatient(id, colour string) []byte {
	idField := ""
	if id != "" {
		idField = `"id":"` + id + `",`
	}
	return []byte(`{"resourceType":"Patient",` + idField + `"extension":[{"url":"http://example.org/eye","valueCode":"` + colour + `"}]}`)
}

// expectEyes checks which Patients strict searches for each eye colour find.
func expectEyes(t *testing.T, svc *Service, want map[string][]string) {
	t.Helper()
	for colour, ids := range want {
		got, err := strictEyeSearch(svc, colour)
		if err != nil || !slices.Equal(got, ids) {
			t.Errorf("eye-colour=%s: %v (%v), want %v", colour, got, err, ids)
		}
	}
}

// TestReindexCoversWritePreparedBeforeRegistration: a create whose rows were extracted
// before a custom parameter was registered, and that commits only after a $reindex
// covering the parameter has completed, is found by the parameter.
func TestReindexCoversWritePreparedBeforeRegistration(t *testing.T) {
	eachRestartable(t, func(t *testing.T, open restartable) {
		h := &hookedStore{Store: open(t)}
		svc := startService(t, h)
		stalled := h.holdWrite(t)
		created := make(chan *store.Resource, 1)
		go func() {
			res, err := svc.Create(bg, anyone, "Patient", eyePatient("", "blue"), CreateOptions{})
			if err != nil {
				t.Errorf("create: %v", err)
				created <- nil
				return
			}
			created <- res.Version
		}()
		<-stalled.reached
		if _, err := svc.Update(bg, anyone, "SearchParameter", "eye", eyeParam("http://example.org/eye"), UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		reindexAndWait(t, svc, "Patient")
		stalled.open()
		p := <-created
		if p == nil {
			return
		}
		if got := svc.PendingSearchParameters(); len(got) > 0 {
			t.Errorf("pending after $reindex: %v", got)
		}
		expectEyes(t, svc, map[string][]string{"blue": {p.ID}})
	})
}

// TestReindexKeepsRowsOfLaterVersion: a version committed after the job read the
// previous one, and before it stored that one's rows, keeps its own rows.
func TestReindexKeepsRowsOfLaterVersion(t *testing.T) {
	eachRestartable(t, func(t *testing.T, open restartable) {
		h := &hookedStore{Store: open(t)}
		svc := startService(t, h)
		p := mustCreate(t, svc, "Patient", string(eyePatient("", "blue"))).ID
		if _, err := svc.Update(bg, anyone, "SearchParameter", "eye", eyeParam("http://example.org/eye"), UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		stalled := h.holdWrite(t)
		j, err := svc.Reindex(bg, &Request{Admin: true}, "Patient", "")
		if err != nil {
			t.Fatal(err)
		}
		<-stalled.reached // holding the rows of the blue version
		if _, err := svc.Update(bg, anyone, "Patient", p, eyePatient(p, "green"), UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		stalled.open()
		if err := j.Wait(bg); err != nil {
			t.Fatalf("reindex: %v", err)
		}
		expectEyes(t, svc, map[string][]string{"blue": nil, "green": {p}})
	})
}

// TestRegistrationWaitsForWriteInProgress: a write whose transaction function extracted
// its rows before a SearchParameter was registered commits before the registration
// completes, so a $reindex started after it reads that write's version.
func TestRegistrationWaitsForWriteInProgress(t *testing.T) {
	eachRestartable(t, func(t *testing.T, open restartable) {
		h := &hookedStore{Store: open(t)}
		svc := startService(t, h)
		p := mustCreate(t, svc, "Patient", `{"resourceType":"Patient"}`).ID
		var put, registration *gate
		hooked := make(chan struct{})
		updated := make(chan error, 1)
		// Once the SearchParameter is stored, and before it is registered, an update of
		// the Patient stops in its transaction function, its rows extracted without it.
		h.afterWrite(func() {
			put = h.holdPut(t)
			go func() {
				_, err := svc.Update(bg, anyone, "Patient", p, eyePatient(p, "blue"), UpdateOptions{})
				updated <- err
			}()
			<-put.reached
			registration = h.holdWrite(t)
			close(hooked)
		})
		registered := make(chan error, 1)
		go func() {
			_, err := svc.Update(bg, anyone, "SearchParameter", "eye", eyeParam("http://example.org/eye"), UpdateOptions{})
			registered <- err
		}()
		<-hooked
		select {
		case err := <-registered:
			t.Errorf("the SearchParameter write returned (%v) while a write that extracted its rows before the registration was uncommitted", err)
			registered <- err
		case <-registration.reached:
		}
		put.open()
		registration.open()
		for _, c := range []chan error{updated, registered} {
			if err := <-c; err != nil {
				t.Fatal(err)
			}
		}
		reindexAndWait(t, svc, "Patient")
		expectEyes(t, svc, map[string][]string{"blue": {p}})
	})
}
