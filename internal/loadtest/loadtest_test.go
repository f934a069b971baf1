package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeServer answers transactions (counting entries, failing bundles that contain "fail")
// and reads of the patients it created.
func fakeServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var stored atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /fhir", func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			Entry []struct {
				Resource map[string]any `json:"resource"`
			} `json:"entry"`
		}
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		type resp struct {
			Location string `json:"location"`
		}
		var out struct {
			Entry []struct {
				Response resp `json:"response"`
			} `json:"entry"`
		}
		for _, e := range b.Entry {
			if e.Resource["id"] == "fail" {
				http.Error(w, `{"resourceType":"OperationOutcome"}`, http.StatusUnprocessableEntity)
				return
			}
		}
		for range b.Entry {
			n := stored.Add(1)
			out.Entry = append(out.Entry, struct {
				Response resp `json:"response"`
			}{resp{fmt.Sprintf("Patient/p%d/_history/1", n)}})
		}
		json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("GET /fhir/Patient/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"resourceType":"Patient","id":%q}`, r.PathValue("id"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &stored
}

func writeBundle(t *testing.T, dir, name string, ids ...string) {
	t.Helper()
	var entries []string
	for _, id := range ids {
		entries = append(entries, fmt.Sprintf(`{"resource":{"resourceType":"Patient","id":%q},"request":{"method":"POST","url":"Patient"}}`, id))
	}
	body := `{"resourceType":"Bundle","type":"transaction","entry":[` + strings.Join(entries, ",") + `]}`
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestIngest(t *testing.T) {
	tests := []struct {
		name          string
		bundles       map[string][]string
		passes        int
		wantResources int
		wantFailed    int
	}{
		{"all good", map[string][]string{"a.json": {"1", "2", "3"}, "b.json": {"4"}}, 3, 12, 0},
		{"one bad bundle", map[string][]string{"a.json": {"1", "2"}, "b.json": {"fail", "x"}}, 2, 4, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, stored := fakeServer(t)
			dir := t.TempDir()
			for name, ids := range tt.bundles {
				writeBundle(t, dir, name, ids...)
			}
			// Not a bundle: must be skipped.
			os.WriteFile(filepath.Join(dir, "c.json"), []byte(`{"resourceType":"Patient"}`), 0o644)
			res, err := Ingest(context.Background(), IngestOptions{BaseURL: srv.URL + "/fhir", Paths: []string{dir}, Passes: tt.passes, Concurrency: 3})
			if err != nil {
				t.Fatal(err)
			}
			if res.Resources != tt.wantResources || res.FailedBundles != tt.wantFailed {
				t.Errorf("resources %d failed %d, want %d and %d (errors %v)", res.Resources, res.FailedBundles, tt.wantResources, tt.wantFailed, res.Errors)
			}
			if int(stored.Load()) != tt.wantResources {
				t.Errorf("server stored %d, want %d", stored.Load(), tt.wantResources)
			}
			if res.ResourcesPerSecond() <= 0 {
				t.Errorf("rate %v", res.ResourcesPerSecond())
			}
		})
	}
}

func TestRead(t *testing.T) {
	srv, _ := fakeServer(t)
	res, err := Read(context.Background(), ReadOptions{BaseURL: srv.URL + "/fhir", Connections: 4, Duration: 200 * time.Millisecond, Seed: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.Failed != 0 || res.Latency.P99 < res.Latency.P50 {
		t.Errorf("unexpected result %+v", res)
	}
}

func TestCeiling(t *testing.T) {
	dir := t.TempDir()
	writeBundle(t, dir, "a.json", "1", "2", "3")
	res, err := Ceiling(context.Background(), CeilingOptions{Paths: []string{dir}, Passes: 5, BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	if res.Resources != 15 {
		t.Errorf("inserted %d, want 15", res.Resources)
	}
}

func TestPeakRSS(t *testing.T) {
	rss, err := PeakRSS(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if rss < 1<<20 {
		t.Errorf("peak RSS %d bytes is implausibly small", rss)
	}
	if _, err := PeakRSS(-1); err == nil {
		t.Error("no error for a process that does not exist")
	}
}

func TestSummarise(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	l := summarise(d)
	if l.P50 != 50*time.Millisecond || l.P99 != 99*time.Millisecond || l.Max != 100*time.Millisecond {
		t.Errorf("got %+v", l)
	}
}
