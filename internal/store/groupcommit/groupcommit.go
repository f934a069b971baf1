package groupcommit

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// Batch is one database transaction that runs a group of write functions. For each
// function in turn the writer calls Savepoint, the function with Tx, Flush, and then
// Release or RollbackTo; finally Commit, or Rollback when nothing succeeded or the
// database itself failed. A group of one function needs no savepoint: the writer then
// calls only the function, Flush, and Commit or Rollback.
type Batch interface {
	Tx() store.Tx
	// Flush sends whatever the function's writes left buffered; its error counts as
	// the function's.
	Flush() error
	Savepoint() error
	Release() error
	RollbackTo() error
	Commit() error
	Rollback() error
}

// Begin opens the transaction for one group.
type Begin func() (Batch, error)

// Writer is the single writer goroutine with its queue.
type Writer struct {
	begin    Begin
	maxGroup int
	observe  store.Observer
	queue    chan *request
	closing  chan struct{}
	done     chan struct{}
	once     sync.Once
}

type request struct {
	ctx    context.Context
	fn     func(store.Tx) error
	err    error
	panicV any
	done   chan struct{}
}

// New starts the writer goroutine. maxGroup caps how many functions share one commit;
// observe (optional) receives each commit's duration as "commit".
func New(begin Begin, maxGroup int, observe store.Observer) *Writer {
	if maxGroup < 1 {
		maxGroup = 1
	}
	w := &Writer{
		begin:    begin,
		maxGroup: maxGroup,
		observe:  observe,
		// Unbuffered: waiting callers queue up in their send, so Close can never strand a
		// request in a buffer that nobody reads.
		queue:   make(chan *request),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
	go w.loop()
	return w
}

// Write queues fn and waits for the group it joined to commit. It returns fn's error,
// or the database's error if the group's commit failed, or store.ErrClosed. A panic in
// fn is re-raised in the caller's goroutine after fn's savepoint has been rolled back.
func (w *Writer) Write(ctx context.Context, fn func(store.Tx) error) error {
	r := &request{ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case w.queue <- r:
	case <-w.closing:
		return store.ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the outcome must be waited for: the commit may already be under way.
	<-r.done
	if r.panicV != nil {
		panic(r.panicV)
	}
	return r.err
}

// Close lets the group in progress finish, refuses new writes and waits for the writer
// goroutine to end.
func (w *Writer) Close() {
	w.once.Do(func() { close(w.closing) })
	<-w.done
}

func (w *Writer) loop() {
	defer close(w.done)
	group := make([]*request, 0, w.maxGroup)
	for {
		select {
		case r := <-w.queue:
			group = append(group[:0], r)
		case <-w.closing:
			return
		}
	collect:
		for len(group) < w.maxGroup {
			select {
			case r := <-w.queue:
				group = append(group, r)
			default:
				break collect
			}
		}
		w.run(group)
		for _, r := range group {
			close(r.done)
		}
		clear(group)
	}
}

// run executes one group in one transaction and sets every request's outcome.
func (w *Writer) run(group []*request) {
	start := time.Now()
	b, err := w.begin()
	if err != nil {
		failAll(group, fmt.Errorf("store: begin write transaction: %w", err))
		return
	}
	committed := false
	// A lone function's failure rolls back the whole transaction, so it needs no
	// savepoint (on PostgreSQL that saves two round trips).
	savepoints := len(group) > 1
	for _, r := range group {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		if savepoints {
			if err := b.Savepoint(); err != nil {
				_ = b.Rollback()
				failAll(group, fmt.Errorf("store: savepoint: %w", err))
				return
			}
		}
		r.err, r.panicV = call(r.fn, b.Tx())
		if r.err == nil && r.panicV == nil {
			r.err = b.Flush()
		}
		if r.err == nil && r.panicV == nil && savepoints {
			r.err = b.Release()
		}
		if r.err == nil && r.panicV == nil {
			committed = true
			continue
		}
		if !savepoints {
			break
		}
		if err := b.RollbackTo(); err != nil {
			_ = b.Rollback()
			failAll(group, fmt.Errorf("store: rollback to savepoint: %w", err))
			return
		}
	}
	if !committed {
		// Nothing to keep: every function failed or was cancelled.
		if err := b.Rollback(); err != nil {
			failAll(group, fmt.Errorf("store: rollback: %w", err))
		}
		return
	}
	if err := b.Commit(); err != nil {
		err = fmt.Errorf("store: commit: %w", err)
		for _, r := range group {
			if r.err == nil && r.panicV == nil {
				r.err = err
			}
		}
		return
	}
	if w.observe != nil {
		w.observe("commit", time.Since(start))
	}
}

func call(fn func(store.Tx) error, tx store.Tx) (err error, panicV any) {
	defer func() {
		if v := recover(); v != nil {
			panicV = v
		}
	}()
	return fn(tx), nil
}

// failAll gives err to every request that has not failed on its own already.
func failAll(group []*request, err error) {
	for _, r := range group {
		if r.err == nil && r.panicV == nil {
			r.err = err
		}
	}
}
