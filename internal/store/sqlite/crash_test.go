package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// crashChildEnv selects the child mode of TestCrash: the value is the data directory.
const crashChildEnv = "JOINEDUP_STORE_CRASH_CHILD"

// crashBody is the body the child writes for id; the parent recomputes it to check.
func crashBody(id string) []byte {
	return fmt.Appendf(nil, `{"resourceType":"Basic","id":%q,"meta":{"versionId":"1"},"text":%q}`, id, strings.Repeat(id, 40))
}

// TestCrash writes from a child process as fast as it can, kills it with SIGKILL after
// some acknowledgements, reopens the store and reads back every acknowledged write.
func TestCrash(t *testing.T) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(t, dir)
		return
	}
	if testing.Short() {
		t.Skip("crash test runs a child process; skipped in -short mode")
	}
	dir := t.TempDir()
	for round := range 3 {
		acked := crashRound(t, dir, round)
		s, err := Open(dir, Options{Logger: quiet})
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		for _, id := range acked {
			r, err := s.Read(context.Background(), nil, "Basic", id)
			if err != nil {
				t.Fatalf("round %d: acknowledged %s lost: %v", round, id, err)
			}
			if string(r.Body) != string(crashBody(id)) || r.VersionID != 1 {
				t.Fatalf("round %d: acknowledged %s damaged: version %d body %q", round, id, r.VersionID, r.Body)
			}
		}
		var check string
		if err := s.rdb.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			t.Fatalf("round %d: integrity check: %q %v", round, check, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: %d acknowledged writes all read back", round, len(acked))
	}
}

// crashRound runs one child until it has acknowledged enough writes, kills it and
// returns every id it acknowledged.
func crashRound(t *testing.T, dir string, round int) []string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrash$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, fmt.Sprintf("JOINEDUP_STORE_CRASH_ROUND=%d", round))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	sc := bufio.NewScanner(out)
	deadline := time.Now().Add(20 * time.Second)
	killed := false
	for sc.Scan() {
		id, ok := strings.CutPrefix(sc.Text(), "ack ")
		if !ok {
			continue
		}
		acked = append(acked, id)
		// Kill mid-stream, after a different number of acks each round.
		if !killed && (len(acked) >= 1500+700*round || time.Now().After(deadline)) {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	if !killed || err == nil {
		t.Fatalf("round %d: child ended by itself (%v) after %d acks", round, err, len(acked))
	}
	if len(acked) == 0 {
		t.Fatalf("round %d: child acknowledged nothing", round)
	}
	return acked
}

// crashChild writes new resources from several goroutines forever, printing each id
// only after Write has returned.
func crashChild(t *testing.T, dir string) {
	s, err := Open(dir, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	round := os.Getenv("JOINEDUP_STORE_CRASH_ROUND")
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := 0; ; i++ {
				id := fmt.Sprintf("r%s-g%d-%d", round, g, i)
				err := s.Write(context.Background(), func(tx store.Tx) error {
					return tx.Put(context.Background(), &store.Write{
						Resource: store.Resource{Type: "Basic", ID: id, VersionID: 1, Op: store.OpCreate,
							LastUpdated: time.Now().UTC(), Body: crashBody(id)},
						Index: store.Index{Tokens: []store.TokenEntry{{Param: "code", System: "s", Code: id}}},
					})
				})
				if err != nil {
					fmt.Fprintln(os.Stderr, "child write:", err)
					os.Exit(3)
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ack %s\n", id)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}
