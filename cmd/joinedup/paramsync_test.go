package main

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/joinedup/joinedup/internal/store/postgres/pgtest"
)

// TestServersFollowEachOthersSearchParameters runs two servers on one PostgreSQL
// database, as behind a load balancer: a SearchParameter stored and reindexed through
// one becomes searchable through the other within its --param-sync interval, and once
// deleted through the first is no longer searched by the second.
func TestServersFollowEachOthersSearchParameters(t *testing.T) {
	dsn := pgtest.DSN()
	if dsn == "" {
		t.Skip("JOINEDUP_TEST_POSTGRES is not set")
	}
	// The database's default schema outlives the test: names of this run's own.
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	tag := hex.EncodeToString(b)
	cfg := serveConfig{database: dsn, adminToken: "secret", paramSync: 20 * time.Millisecond}
	s1, s2 := startServe(t, cfg), startServe(t, cfg)

	send := func(method, url, body string) int {
		t.Helper()
		req, err := http.NewRequest(method, url, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/fhir+json")
		req.Header.Set("Authorization", "Bearer secret")
		req.Header.Set("Prefer", "handling=strict")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	// eventually waits until a strict search through s2 answers want.
	eventually := func(step string, want int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			got := send("GET", s2.base+"/Patient?colour-"+tag+"=blue", "")
			if got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the search through the second server answers %d, want %d", step, got, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	sp := `{"resourceType":"SearchParameter","id":"colour-` + tag + `","url":"http://example.org/sp/colour-` + tag + `",
		"name":"colour","status":"active","description":"colour","code":"colour-` + tag + `","base":["Patient"],
		"type":"token","expression":"Patient.extension('http://example.org/colour').value"}`
	if got := send("PUT", s1.base+"/SearchParameter/colour-"+tag, sp); got != http.StatusCreated {
		t.Fatalf("PUT SearchParameter: %d", got)
	}
	if got := send("POST", s1.base+"/Patient/$reindex", ""); got != http.StatusAccepted {
		t.Fatalf("$reindex: %d", got)
	}
	eventually("reindexed through the first server", http.StatusOK)
	if got := send("DELETE", s1.base+"/SearchParameter/colour-"+tag, ""); got != http.StatusOK && got != http.StatusNoContent {
		t.Fatalf("DELETE SearchParameter: %d", got)
	}
	eventually("deleted through the first server", http.StatusBadRequest)
}
