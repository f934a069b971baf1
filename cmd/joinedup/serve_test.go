package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/joinedup/joinedup/internal/store/sqlite"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// started is a server run by runServe in the background.
type started struct {
	base string
	stop func() error // cancels and waits for runServe to return
}

func startServe(t *testing.T, cfg serveConfig) *started {
	t.Helper()
	if cfg.addr == "" {
		cfg.addr = "127.0.0.1:0"
	}
	if cfg.maxBody == 0 {
		cfg.maxBody = 1 << 20
	}
	if cfg.shutdownTimeout == 0 {
		cfg.shutdownTimeout = 10 * time.Second
	}
	cfg.referentialIntegrity = true
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, cfg, quiet, func(a string) { addr <- a }) }()
	select {
	case a := <-addr:
		s := &started{base: "http://" + a + "/fhir"}
		stopped := false
		var stopErr error
		s.stop = func() error {
			if !stopped {
				stopped = true
				cancel()
				stopErr = <-done
			}
			return stopErr
		}
		t.Cleanup(func() { _ = s.stop() })
		return s
	case err := <-done:
		cancel()
		t.Fatalf("runServe: %v", err)
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("runServe did not start")
	}
	return nil
}

func post(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	res, err := http.Post(url, "application/fhir+json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

func get(t *testing.T, url string) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestGracefulShutdown starts a write, shuts the server down while the request body is
// still arriving, and checks that the write completes, is acknowledged, and is in the
// store after the restart.
func TestGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	s := startServe(t, serveConfig{data: dir})

	pr, pw := io.Pipe()
	type result struct {
		code int
		id   string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		res, err := http.Post(s.base+"/Patient", "application/fhir+json", pr)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer res.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(res.Body).Decode(&m)
		id, _ := m["id"].(string)
		done <- result{code: res.StatusCode, id: id}
	}()
	// More than the client's write buffer, so that the request reaches the handler now.
	first := `{"resourceType":"Patient","name":[{"family":"` + strings.Repeat("x", 16<<10) + `"}],`
	if _, err := pw.Write([]byte(first)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the handler is reading the body
	stopped := make(chan error, 1)
	go func() { stopped <- s.stop() }()
	time.Sleep(200 * time.Millisecond) // the shutdown is waiting for the request
	select {
	case err := <-stopped:
		pw.CloseWithError(err)
		t.Fatalf("the server stopped with a request in flight: %v", err)
	default:
	}
	if _, err := pw.Write([]byte(`"active":true}`)); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	r := <-done
	if r.err != nil || r.code != http.StatusCreated {
		t.Fatalf("in-flight write: %d %v", r.code, r.err)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("shutdown: %v", err)
	}

	s2 := startServe(t, serveConfig{data: dir})
	if code := get(t, s2.base+"/Patient/"+r.id); code != 200 {
		t.Fatalf("the acknowledged write is not in the store after restart: %d", code)
	}
}

// TestBackupRestore backs the store up while the server runs, then serves the copy.
func TestBackupRestore(t *testing.T) {
	dir := t.TempDir()
	s := startServe(t, serveConfig{data: dir})
	code, m := post(t, s.base+"/Patient", `{"resourceType":"Patient","active":true}`)
	if code != 201 {
		t.Fatalf("create: %d", code)
	}
	id := m["id"].(string)

	backup := filepath.Join(t.TempDir(), "copy.db")
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs([]string{"backup", backup, "--data", dir})
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("backup: %v: %s", err, out.String())
	}
	// Written after the backup: not in the copy.
	if code, _ := post(t, s.base+"/Patient", `{"resourceType":"Patient"}`); code != 201 {
		t.Fatalf("create: %d", code)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}

	// Restore by serving the file, and by placing it in a fresh data directory.
	restored := t.TempDir()
	data, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(restored, sqlite.FileName), data, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, from := range []string{backup, restored} {
		s := startServe(t, serveConfig{data: from})
		if code := get(t, s.base+"/Patient/"+id); code != 200 {
			t.Errorf("serve --data %s: read %d", from, code)
		}
		res, err := http.Get(s.base + "/Patient/_history")
		if err != nil {
			t.Fatal(err)
		}
		var h map[string]any
		_ = json.NewDecoder(res.Body).Decode(&h)
		res.Body.Close()
		if n := len(h["entry"].([]any)); n != 1 {
			t.Errorf("serve --data %s: %d versions, want the 1 backed up", from, n)
		}
		if err := s.stop(); err != nil {
			t.Fatal(err)
		}
	}

	root = newRootCmd()
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	root.SetArgs([]string{"backup", backup, "--data", dir})
	if err := root.ExecuteContext(context.Background()); err == nil {
		t.Error("backup over an existing file succeeded")
	}
}

// TestDemo loads synthetic patients into an empty store, and nothing into a full one.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	s := startServe(t, serveConfig{data: dir, demo: true, demoPatients: 3})
	count := func(base string) int {
		res, err := http.Get(base + "/Patient?_total=accurate&_count=1")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b map[string]any
		_ = json.NewDecoder(res.Body).Decode(&b)
		n, _ := b["total"].(float64)
		return int(n)
	}
	if n := count(s.base); n != 3 {
		t.Fatalf("demo loaded %d patients, want 3", n)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	s = startServe(t, serveConfig{data: dir, demo: true, demoPatients: 3})
	if n := count(s.base); n != 3 {
		t.Fatalf("demo on a full store: %d patients, want 3", n)
	}
}

func TestLoopback(t *testing.T) {
	cases := []struct {
		ip   string
		want bool
	}{{"127.0.0.1", true}, {"::1", true}, {"0.0.0.0", false}, {"192.168.1.10", false}, {"::", false}}
	for _, c := range cases {
		if got := loopback(&net.TCPAddr{IP: net.ParseIP(c.ip)}); got != c.want {
			t.Errorf("loopback(%s) = %v, want %v", c.ip, got, c.want)
		}
	}
}
