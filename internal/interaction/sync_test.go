package interaction

import (
	"slices"
	"strings"
	"testing"
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
