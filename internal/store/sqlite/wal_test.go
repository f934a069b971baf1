package sqlite

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// TestWALBoundedUnderSustainedWrites keeps the writer busy, with readers beside it, and
// samples the WAL's size: passive checkpoints alone cannot restart a WAL that the writer
// never stops appending to, so without the writer's restarts the file grows with
// every group.
func TestWALBoundedUnderSustainedWrites(t *testing.T) {
	oldFrames, oldInterval := restartFrames, checkpointInterval
	restartFrames, checkpointInterval = 64, 10*time.Millisecond // 256 KiB, checked often
	t.Cleanup(func() { restartFrames, checkpointInterval = oldFrames, oldInterval })
	ctx := context.Background()
	s := openTemp(t, Options{})
	const writers, perWriter = 4, 1500
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range perWriter {
				id := fmt.Sprintf("g%d-%d", g, i)
				if err := createBasic(ctx, s, id); err != nil {
					t.Errorf("write: %v", err)
					return
				}
				if _, err := s.Read(ctx, nil, "Basic", id); err != nil {
					t.Errorf("read: %v", err)
					return
				}
			}
		})
	}
	writing := make(chan struct{})
	go func() { wg.Wait(); close(writing) }()
	var largest int64
	for sampling := true; sampling; {
		if fi, err := os.Stat(s.path + "-wal"); err == nil {
			largest = max(largest, fi.Size())
		}
		select {
		case <-writing:
			sampling = false
		case <-time.After(10 * time.Millisecond):
		}
	}
	if t.Failed() {
		return
	}
	// The limit plus what the writer adds between two checkpointer ticks; without the
	// restarts this run leaves a WAL of over a hundred megabytes.
	const bound = 16 << 20
	if largest > bound {
		t.Errorf("the WAL grew to %d bytes under sustained writes; want at most %d", largest, bound)
	}
	n := 0
	if err := store.Each(ctx, s, nil, "Basic", func(*store.Resource) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != writers*perWriter {
		t.Errorf("%d resources read back after restarts, want %d", n, writers*perWriter)
	}
}
