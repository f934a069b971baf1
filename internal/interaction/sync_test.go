package interaction

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// TestSyncSearchParametersAcrossServices: two services on one store, as two server
// processes on one database, each with its own registry. What one writes of a custom
// SearchParameter (create, $reindex, change, retire, expunge, delete) the other follows after a sync,
// and what the other writes in between carries the parameter's rows.
func TestSyncSearchParametersAcrossServices(t *testing.T) {
	eachRestartable(t, func(t *testing.T, open restartable) {
		st := open(t)
		a, b := startService(t, st), startService(t, st)
		sync := func(step string) {
			t.Helper()
			for _, svc := range []*Service{a, b} {
				if err := svc.SyncSearchParameters(bg); err != nil {
					t.Fatalf("%s: sync: %v", step, err)
				}
			}
		}
		// expect checks b (and a, which wrote everything and must agree).
		expect := func(step string, registered, pending bool, ids ...string) {
			t.Helper()
			for name, svc := range map[string]*Service{"a": a, "b": b} {
				if got := svc.opt.Search.Definition(eyeURL) != nil; got != registered {
					t.Errorf("%s: %s registered %v, want %v", step, name, got, registered)
				}
				if got := svc.PendingSearchParameters(); pending != slices.Contains(got, eyeURL) {
					t.Errorf("%s: %s pending %v, want pending %v", step, name, got, pending)
				}
				got, err := strictEyeSearch(svc, "blue")
				switch {
				case (pending || !registered) && AsError(err) == nil:
					t.Errorf("%s: %s searched a parameter it must not: %v %v", step, name, got, err)
				case registered && !pending && (err != nil || !slices.Equal(sorted(got), sorted(ids))):
					t.Errorf("%s: %s found %v (%v), want %v", step, name, got, err, ids)
				}
			}
		}
		blue := `{"resourceType":"Patient","extension":[{"url":"http://example.org/eye","valueCode":"blue"}]}`
		p := mustCreate(t, a, "Patient", blue).ID
		if _, err := a.Update(bg, anyone, "SearchParameter", "eye", eyeParam("http://example.org/eye"), UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		if b.opt.Search.Definition(eyeURL) != nil {
			t.Fatal("b registered the parameter before any sync")
		}
		sync("created")
		expect("created in a", true, true)

		q := mustCreate(t, b, "Patient", blue).ID
		reindexAndWait(t, a, "Patient")
		sync("reindexed")
		expect("reindexed in a", true, false, p, q)
		sync("again")
		expect("synced again without a change", true, false, p, q)

		// Nothing reindexes r: only b's extraction can have stored its rows.
		r := mustCreate(t, b, "Patient", blue).ID
		expect("written through b", true, false, p, q, r)

		if _, err := a.Update(bg, anyone, "SearchParameter", "eye", eyeParam("http://example.org/eye-colour"), UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		sync("changed")
		expect("expression changed in a", true, true)

		retired := strings.Replace(string(eyeParam("http://example.org/eye")), `"active"`, `"retired"`, 1)
		if _, err := a.Update(bg, anyone, "SearchParameter", "eye", []byte(retired), UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		sync("retired")
		expect("retired in a", false, false)
		if _, err := a.Update(bg, anyone, "SearchParameter", "eye", eyeParam("http://example.org/eye"), UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		sync("active again")
		expect("active again in a", true, true)

		// hair, newer than every version of eye, leaves only the count of current
		// SearchParameters to tell that eye was expunged after the sync.
		const hairURL = "http://example.org/sp/hair"
		hair := strings.NewReplacer(eyeURL, hairURL, `"eye-colour"`, `"hair-colour"`, `"id":"eye"`, `"id":"hair"`).Replace(string(eyeParam("http://example.org/hair")))
		if _, err := a.Update(bg, anyone, "SearchParameter", "hair", []byte(hair), UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		sync("hair created")
		if b.opt.Search.Definition(hairURL) == nil {
			t.Fatal("b did not learn the hair parameter")
		}
		if _, err := a.Expunge(bg, &Request{Admin: true}, "SearchParameter", "eye"); err != nil {
			t.Fatal(err)
		}
		sync("expunged")
		expect("expunged in a", false, false)

		if _, err := a.Delete(bg, anyone, "SearchParameter", "hair", DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		sync("deleted")
		for name, svc := range map[string]*Service{"a": a, "b": b} {
			if svc.opt.Search.Definition(hairURL) != nil || len(svc.opt.Search.Custom()) > 0 {
				t.Errorf("deleted in a: %s still has custom parameters %v", name, svc.opt.Search.Custom())
			}
		}
	})
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// startFollowing opens a service over st as cmd/joinedup does on a shared store:
// loaded, following the store, synced once.
func startFollowing(t *testing.T, st store.Store, ackTimeout time.Duration) *Service {
	t.Helper()
	svc, err := New(Options{Store: st, ReferentialIntegrity: true, FollowStore: true, AckTimeout: ackTimeout})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.LoadSearchParameters(bg); err != nil {
		t.Fatal(err)
	}
	if err := svc.SyncSearchParameters(bg); err != nil {
		t.Fatal(err)
	}
	return svc
}

// TestReindexWaitsForOtherProcesses: a $reindex in a waits, before its pass, until b
// has registered the parameter it covers, or b has been silent for AckTimeout; b then
// refuses writes until it syncs, and writes with the parameter after.
func TestReindexWaitsForOtherProcesses(t *testing.T) {
	eachRestartable(t, func(t *testing.T, open restartable) {
		for _, tc := range []struct {
			name       string
			ackTimeout time.Duration
			bSyncs     bool   // b syncs while the job waits; else b falls silent
			colour     string // the cases share the store: each its own
		}{
			{"b acknowledges", time.Minute, true, "blue"},
			{"b falls silent", 300 * time.Millisecond, false, "green"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				st := open(t)
				a, b := startFollowing(t, st, tc.ackTimeout), startFollowing(t, st, tc.ackTimeout)
				if _, err := a.Update(bg, anyone, "SearchParameter", "eye", eyeParam("http://example.org/eye"), UpdateOptions{}); err != nil {
					t.Fatal(err)
				}
				started := time.Now()
				j, err := a.Reindex(bg, &Request{Admin: true}, "Patient", "")
				if err != nil {
					t.Fatal(err)
				}
				time.Sleep(100 * time.Millisecond)
				if _, _, done, err := j.Status(); done {
					t.Fatalf("the job finished (%v) before b registered the parameter or fell silent", err)
				}
				if tc.bSyncs {
					if err := b.SyncSearchParameters(bg); err != nil {
						t.Fatal(err)
					}
				}
				if err := j.Wait(bg); err != nil {
					t.Fatal(err)
				}
				if !tc.bSyncs {
					if waited := time.Since(started); waited < tc.ackTimeout {
						t.Errorf("the job ignored b after %v, before its AckTimeout %v", waited, tc.ackTimeout)
					}
					_, err := b.Create(bg, anyone, "Patient", []byte(`{"resourceType":"Patient"}`), CreateOptions{})
					if e := AsError(err); e == nil || e.Status != http.StatusServiceUnavailable {
						t.Fatalf("b, silent for AckTimeout, wrote: %v", err)
					}
					if err := b.SyncSearchParameters(bg); err != nil {
						t.Fatal(err)
					}
				}
				q := mustCreate(t, b, "Patient", `{"resourceType":"Patient","extension":[{"url":"http://example.org/eye","valueCode":"`+tc.colour+`"}]}`).ID
				if got, err := strictEyeSearch(a, tc.colour); err != nil || !slices.Equal(got, []string{q}) {
					t.Errorf("a found %v (%v), want b's %s", got, err, q)
				}
			})
		}
	})
}

// TestSyncAfterCountedGone: b, silent for AckTimeout, read its fingerprint before a
// stored a parameter, and acknowledges only after a's job, which did not wait for it,
// passed. That sync must register the parameter although the fingerprint it read says
// nothing changed, or b's next writes would lack the parameter's rows.
func TestSyncAfterCountedGone(t *testing.T) {
	eachRestartable(t, func(t *testing.T, open restartable) {
		const ackTimeout = 200 * time.Millisecond
		st := open(t)
		h := &hookedStore{Store: st}
		a, b := startFollowing(t, st, ackTimeout), startFollowing(t, h, ackTimeout)
		time.Sleep(ackTimeout)
		g := h.holdWrite(t)
		synced := make(chan error, 1)
		go func() { synced <- b.SyncSearchParameters(bg) }()
		<-g.reached
		// a, silent as long, would refuse its writes.
		if err := a.SyncSearchParameters(bg); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Update(bg, anyone, "SearchParameter", "eye", eyeParam("http://example.org/eye"), UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		reindexAndWait(t, a, "Patient")
		g.open()
		if err := <-synced; err != nil {
			t.Fatal(err)
		}
		q := mustCreate(t, b, "Patient", `{"resourceType":"Patient","extension":[{"url":"http://example.org/eye","valueCode":"blue"}]}`).ID
		if got, err := strictEyeSearch(a, "blue"); err != nil || !slices.Equal(got, []string{q}) {
			t.Errorf("a found %v (%v), want b's %s", got, err, q)
		}
	})
}
