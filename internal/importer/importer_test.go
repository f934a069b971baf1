package importer

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/joinedup/joinedup/internal/interaction"
	"github.com/joinedup/joinedup/internal/server"
	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/store/sqlite"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newService(t *testing.T) (*interaction.Service, store.Store) {
	t.Helper()
	st, err := sqlite.Open(t.TempDir(), sqlite.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := interaction.New(interaction.Options{Store: st, ReferentialIntegrity: true})
	if err != nil {
		t.Fatal(err)
	}
	return svc, st
}

// fixture writes a folder with each kind of input the importer takes.
func fixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"a-transaction.json": `{"resourceType":"Bundle","type":"transaction","entry":[
			{"fullUrl":"urn:uuid:8f6c4c5e-0000-4000-8000-000000000001","resource":{"resourceType":"Patient","name":[{"family":"Jones"}]},"request":{"method":"POST","url":"Patient"}},
			{"resource":{"resourceType":"Observation","status":"final","code":{"text":"pulse"},"subject":{"reference":"urn:uuid:8f6c4c5e-0000-4000-8000-000000000001"}},"request":{"method":"POST","url":"Observation"}}]}`,
		"b-batch.json": `{"resourceType":"Bundle","type":"batch","entry":[
			{"resource":{"resourceType":"Patient","id":"p1","gender":"female"},"request":{"method":"PUT","url":"Patient/p1"}},
			{"resource":{"resourceType":"Patient","id":"x"},"request":{"method":"PUT","url":"Patient/y"}}]}`,
		"c-collection.json": `{"resourceType":"Bundle","type":"collection","entry":[
			{"resource":{"resourceType":"Organization","id":"org1","name":"Leeds Teaching Hospitals"}},
			{"resource":{"resourceType":"Organization","name":"A GP practice"}}]}`,
		"d-single.json":  `{"resourceType":"Practitioner","id":"dr1","name":[{"family":"Patel"}]}`,
		"e-lines.ndjson": "{\"resourceType\":\"Patient\",\"id\":\"p2\"}\n\n{\"resourceType\":\"Patient\",\"birthDate\":\"1970-13-01\"}\n{\"resourceType\":\"Patient\"}\n",
		"f-broken.json":  `{"resourceType":`,
		"g-rollback.json": `{"resourceType":"Bundle","type":"transaction","entry":[
			{"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}},
			{"resource":{"resourceType":"Patient","id":"x"},"request":{"method":"PUT","url":"Patient/y"}}]}`,
		"notes.txt": "not imported",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func checkSummary(t *testing.T, sum *Summary) {
	t.Helper()
	// created: transaction 2, batch POST fails, collection 1 POST (+1 PUT), single PUT,
	// ndjson PUT p2 + POST; updated counts the PUTs that created with a client id as
	// created too (201), so: 2 + 1(PUT p1) + 2 (org1 PUT, org POST) + 1 (dr1) + 2 (p2, POST).
	if sum.Files != 7 {
		t.Errorf("files %d, want 7", sum.Files)
	}
	if sum.Created != 8 || sum.Updated != 0 {
		t.Errorf("created %d updated %d, want 8 and 0", sum.Created, sum.Updated)
	}
	// failed: batch's bad gender, ndjson's bad date, the broken file, the rolled-back
	// transaction's two entries.
	if sum.Failed != 5 {
		t.Errorf("failed %d, want 5: %v", sum.Failed, sum.Failures)
	}
	joined := strings.Join(sum.Failures, "\n")
	for _, want := range []string{"b-batch.json entry 1", "e-lines.ndjson line 3", "f-broken.json", "g-rollback.json"} {
		if !strings.Contains(joined, want) {
			t.Errorf("failures do not mention %q:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, "rolled back with the bundle") {
		t.Errorf("rolled-back entries are listed one by one:\n%s", joined)
	}
}

func TestLocal(t *testing.T) {
	svc, st := newService(t)
	dir := fixture(t)
	var lastDone, lastTotal int64
	sum, err := Run(context.Background(), Options{Target: &Local{Service: svc, BaseURL: "http://localhost/fhir"}, Paths: []string{dir},
		Progress: func(done, total int64) { lastDone, lastTotal = done, total }})
	if err != nil {
		t.Fatal(err)
	}
	checkSummary(t, sum)
	if lastDone != lastTotal || lastTotal == 0 {
		t.Errorf("progress ended at %d of %d", lastDone, lastTotal)
	}
	for _, ref := range []store.Ref{{Type: "Patient", ID: "p1"}, {Type: "Organization", ID: "org1"}, {Type: "Practitioner", ID: "dr1"}} {
		if _, err := st.Read(context.Background(), nil, ref.Type, ref.ID); err != nil {
			t.Errorf("%s/%s: %v", ref.Type, ref.ID, err)
		}
	}

	// Importing again updates what has ids and creates new copies of the rest.
	sum, err = Run(context.Background(), Options{Target: &Local{Service: svc}, Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Updated != 4 || sum.Created != 4 {
		t.Errorf("second import: created %d updated %d, want 4 and 4", sum.Created, sum.Updated)
	}
}

func TestHTTP(t *testing.T) {
	svc, _ := newService(t)
	srv, err := server.New(server.Config{Service: svc, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	sum, err := Run(context.Background(), Options{Target: NewHTTP(hs.URL + "/fhir"), Paths: []string{fixture(t)}, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	checkSummary(t, sum)
}

func TestMissingPath(t *testing.T) {
	if _, err := Run(context.Background(), Options{Target: &HTTP{}, Paths: []string{filepath.Join(t.TempDir(), "nope")}}); err == nil {
		t.Error("no error for a path that does not exist")
	}
}
