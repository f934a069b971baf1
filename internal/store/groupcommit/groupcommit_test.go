package groupcommit

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// fakeBatch records the calls the writer makes. Functions in these tests do not use the
// transaction, so Tx is nil.
type fakeBatch struct {
	log        []string
	failCommit error
	failSave   error
	failFlush  error
}

func (b *fakeBatch) Tx() store.Tx { return nil }
func (b *fakeBatch) Flush() error {
	b.log = append(b.log, "flush")
	return b.failFlush
}
func (b *fakeBatch) Savepoint() error {
	b.log = append(b.log, "savepoint")
	return b.failSave
}
func (b *fakeBatch) Release() error    { b.log = append(b.log, "release"); return nil }
func (b *fakeBatch) RollbackTo() error { b.log = append(b.log, "rollbackto"); return nil }
func (b *fakeBatch) Commit() error     { b.log = append(b.log, "commit"); return b.failCommit }
func (b *fakeBatch) Rollback() error   { b.log = append(b.log, "rollback"); return nil }

// TestOneGroup holds the writer while several Write calls queue, so that they share one
// group, and checks the transaction calls and each caller's own outcome.
func TestOneGroup(t *testing.T) {
	errOwn := errors.New("own error")
	tests := []struct {
		name       string
		fail       []bool // which functions fail
		failCommit error
		failSave   error
		failFlush  error
		wantLog    string
		wantErr    []string // per function; "" = success
	}{
		{"all succeed", []bool{false, false, false}, nil, nil, nil,
			"savepoint flush release savepoint flush release savepoint flush release commit", []string{"", "", ""}},
		{"one fails alone", []bool{false, true, false}, nil, nil, nil,
			"savepoint flush release savepoint rollbackto savepoint flush release commit", []string{"", "own error", ""}},
		{"all fail: nothing to commit", []bool{true, true}, nil, nil, nil,
			"savepoint rollbackto savepoint rollbackto rollback", []string{"own error", "own error"}},
		{"commit fails for the successes only", []bool{false, true}, errors.New("disk full"), nil, nil,
			"savepoint flush release savepoint rollbackto commit", []string{"disk full", "own error"}},
		{"savepoint failure fails everyone", []bool{false, false}, nil, errors.New("broken"), nil,
			"savepoint rollback", []string{"broken", "broken"}},
		{"flush failure is the function's", []bool{false, false}, nil, nil, errors.New("unique violation"),
			"savepoint flush rollbackto savepoint flush rollbackto rollback", []string{"unique violation", "unique violation"}},
		{"a lone function needs no savepoint", []bool{false}, nil, nil, nil, "flush commit", []string{""}},
		{"a lone failure rolls back", []bool{true}, nil, nil, nil, "rollback", []string{"own error"}},
		{"a lone flush failure rolls back", []bool{false}, nil, nil, errors.New("unique violation"), "flush rollback", []string{"unique violation"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// A group that splits because a caller was slow to queue is retried with a
			// longer wait; the outcome checks hold on every attempt.
			for attempt := 1; ; attempt++ {
				batches, errs := runHeldGroup(tc.fail, tc.failCommit, tc.failSave, tc.failFlush, errOwn, time.Duration(attempt)*20*time.Millisecond)
				for i, want := range tc.wantErr {
					got := errs[i]
					if (want == "") != (got == nil) || (got != nil && !strings.Contains(got.Error(), want)) {
						t.Errorf("function %d: error %v, want %q", i, got, want)
					}
				}
				if len(batches) == 1 || attempt == 5 {
					if len(batches) != 1 {
						t.Fatalf("%d groups, want 1", len(batches))
					}
					// Callers queue in any order, so compare the calls as a multiset, and
					// the transaction's last call exactly.
					got, want := batches[0].log, strings.Fields(tc.wantLog)
					if !slices.Equal(sorted(got), sorted(want)) || got[len(got)-1] != want[len(want)-1] {
						t.Errorf("calls %q, want (in some order) %q", got, want)
					}
					return
				}
			}
		})
	}
}

// runHeldGroup holds the writer in a first group, queues one Write per entry of fail,
// releases the writer after wait, and returns the groups that followed and each error.
func runHeldGroup(fail []bool, failCommit, failSave, failFlush, errOwn error, wait time.Duration) ([]*fakeBatch, []error) {
	var batches []*fakeBatch
	hold, entered := make(chan struct{}), make(chan struct{})
	first := true
	w := New(func() (Batch, error) {
		if first {
			first = false
			close(entered)
			<-hold
			return &fakeBatch{}, nil
		}
		b := &fakeBatch{failCommit: failCommit, failSave: failSave, failFlush: failFlush}
		batches = append(batches, b)
		return b, nil
	}, 100, nil)
	defer w.Close()
	gate := make(chan error)
	go func() { gate <- w.Write(context.Background(), func(store.Tx) error { return nil }) }()
	<-entered
	errs := make([]error, len(fail))
	var wg sync.WaitGroup
	for i, f := range fail {
		wg.Go(func() {
			errs[i] = w.Write(context.Background(), func(store.Tx) error {
				if f {
					return errOwn
				}
				return nil
			})
		})
	}
	time.Sleep(wait)
	close(hold)
	<-gate
	wg.Wait()
	return batches, errs
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestPanicReachesCaller(t *testing.T) {
	b := &fakeBatch{}
	w := New(func() (Batch, error) { return b, nil }, 10, nil)
	defer w.Close()
	defer func() {
		if v := recover(); v != "boom" {
			t.Fatalf("recovered %v, want the panic", v)
		}
		if got := strings.Join(b.log, " "); got != "rollback" {
			t.Errorf("calls %q", got)
		}
	}()
	_ = w.Write(context.Background(), func(store.Tx) error { panic("boom") })
}

func TestBeginFailure(t *testing.T) {
	w := New(func() (Batch, error) { return nil, errors.New("no connection") }, 10, nil)
	defer w.Close()
	err := w.Write(context.Background(), func(store.Tx) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "no connection") {
		t.Fatalf("got %v, want the begin error", err)
	}
}

func TestObserveAndClose(t *testing.T) {
	var commits int
	w := New(func() (Batch, error) { return &fakeBatch{}, nil }, 10,
		func(op string, _ time.Duration) {
			if op == "commit" {
				commits++
			}
		})
	for range 3 {
		if err := w.Write(context.Background(), func(store.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	w.Close() // idempotent
	if commits != 3 {
		t.Errorf("observed %d commits, want 3", commits)
	}
	if err := w.Write(context.Background(), func(store.Tx) error { return nil }); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("write after close: %v, want ErrClosed", err)
	}
}
