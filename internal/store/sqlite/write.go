package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/store/groupcommit"
	"github.com/joinedup/joinedup/internal/store/sqlgen"
)

// writeStmts are the writer connection's prepared statements.
type writeStmts struct {
	current, currentKey, currentSeq  *sql.Stmt
	lastSeq                          *sql.Stmt
	insertResource, insertCurrent    *sql.Stmt
	updateCurrent                    *sql.Stmt
	deleteRows                       []*sql.Stmt // per sqlgen.WriteTables
	referencedBy                     *sql.Stmt
	expungeResources, expungeCurrent *sql.Stmt
	setParamState, ack               *sql.Stmt

	conn  *sql.Conn
	multi map[[2]int]*sql.Stmt // {table, rows} → multi-row INSERT, prepared when first needed
}

// maxRowsPerInsert bounds a multi-row INSERT (the widest table has 11 columns, far
// below SQLite's 32766 bound variables).
const maxRowsPerInsert = 64

// insert returns the prepared INSERT of n rows into table.
func (ws *writeStmts) insert(ctx context.Context, table, n int) (*sql.Stmt, error) {
	key := [2]int{table, n}
	if st, ok := ws.multi[key]; ok {
		return st, nil
	}
	st, err := ws.conn.PrepareContext(ctx, sqlgen.WriteTables[table].Insert(sqlgen.SQLite, n))
	if err != nil {
		return nil, err
	}
	ws.multi[key] = st
	return st, nil
}

func prepareWrites(ctx context.Context, c *sql.Conn) (*writeStmts, error) {
	ws := &writeStmts{conn: c, multi: map[[2]int]*sql.Stmt{}}
	var errs []error
	prep := func(q string) *sql.Stmt {
		st, err := c.PrepareContext(ctx, q)
		if err != nil {
			errs = append(errs, fmt.Errorf("prepare %q: %w", q, err))
		}
		return st
	}
	ws.current = prep("SELECT " + sqlgen.Columns + " FROM current c JOIN resources r ON r.seq = c.seq WHERE c.type = ? AND c.id = ?")
	ws.currentKey = prep("SELECT rid, version FROM current WHERE type = ? AND id = ?")
	ws.currentSeq = prep("SELECT rid, seq FROM current WHERE type = ? AND id = ?")
	ws.lastSeq = prep("SELECT seq FROM sqlite_sequence WHERE name = 'resources'")
	ws.insertResource = prep("INSERT INTO resources (seq, rid, type, id, version, last_updated, op, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
	ws.insertCurrent = prep("INSERT INTO current (rid, type, id, version, seq, last_updated, deleted) VALUES (?, ?, ?, ?, ?, ?, ?)")
	ws.updateCurrent = prep("UPDATE current SET version = ?, seq = ?, last_updated = ?, deleted = ? WHERE rid = ?")
	for _, t := range sqlgen.WriteTables {
		ws.deleteRows = append(ws.deleteRows, prep("DELETE FROM "+t.Name+" WHERE rid = ?"))
	}
	ws.referencedBy = prep(`SELECT DISTINCT c.type, c.id FROM links l JOIN current c ON c.rid = l.rid
		WHERE l.target_type = ? AND l.target_id = ? AND c.deleted = 0 ORDER BY c.type, c.id LIMIT ?`)
	ws.expungeResources = prep("DELETE FROM resources WHERE rid = ?")
	ws.expungeCurrent = prep("DELETE FROM current WHERE rid = ?")
	ws.setParamState = prep("INSERT INTO param_states (url, state) VALUES (?, ?) ON CONFLICT (url) DO UPDATE SET state = excluded.state")
	ws.ack = prep("INSERT INTO process_acks (process, seq, at) VALUES (?, ?, ?) ON CONFLICT (process) DO UPDATE SET seq = excluded.seq, at = excluded.at")
	if err := errors.Join(errs...); err != nil {
		_ = ws.close()
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	return ws, nil
}

func (ws *writeStmts) close() error {
	all := append([]*sql.Stmt{ws.current, ws.currentKey, ws.currentSeq, ws.lastSeq, ws.insertResource, ws.insertCurrent,
		ws.updateCurrent, ws.referencedBy, ws.expungeResources, ws.expungeCurrent, ws.setParamState, ws.ack}, ws.deleteRows...)
	for _, st := range ws.multi {
		all = append(all, st)
	}
	var errs []error
	for _, st := range all {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

// Write runs fn in the next group commit.
func (s *Store) Write(ctx context.Context, fn func(store.Tx) error) error {
	defer s.observeSince("write", time.Now())
	return s.writer.Write(ctx, fn)
}

// batch is one group's transaction on the writer connection.
type batch struct {
	s   *Store
	ctx context.Context
	tx  *tx
}

// begin opens the group's transaction. The context is not a caller's: cancelling one
// caller must not interrupt a statement (SQLite would roll back the whole group).
func (s *Store) begin() (groupcommit.Batch, error) {
	ctx := context.Background()
	s.restartWAL(ctx)
	if _, err := s.wconn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return nil, err
	}
	var last int64
	if err := s.ws.lastSeq.QueryRowContext(ctx).Scan(&last); err != nil && !errors.Is(err, sql.ErrNoRows) {
		_, _ = s.wconn.ExecContext(ctx, "ROLLBACK")
		return nil, err
	}
	return &batch{s: s, ctx: ctx, tx: &tx{s: s, seq: last}}, nil
}

func (b *batch) Tx() store.Tx { return b.tx }
func (b *batch) exec(q string) error {
	_, err := b.s.wconn.ExecContext(b.ctx, q)
	return err
}
func (b *batch) Flush() error { return b.tx.flush(b.ctx) }

// Savepoints are opened lazily. A function's writes are buffered until it ends, so most
// functions never touch the database before they have succeeded and need no savepoint:
// inside one, SQLite copies every page it modifies to the statement journal, which cost
// a fifth of ingest throughput. A savepoint is opened only when a function reads after
// writing (its buffered writes must then reach the database while it may still fail).
func (b *batch) Savepoint() error { b.tx.spWanted = true; return nil }

func (b *batch) Release() error {
	open := b.tx.spOpen
	b.tx.endScope()
	if open {
		return b.exec("RELEASE w")
	}
	return nil
}

func (b *batch) RollbackTo() error {
	open, unprotected := b.tx.spOpen, b.tx.unprotected
	b.tx.discard()
	b.tx.endScope()
	if open {
		if err := b.exec("ROLLBACK TO w"); err != nil {
			return err
		}
		return b.exec("RELEASE w")
	}
	if unprotected {
		// The function's final flush failed part way with no savepoint to return to: the
		// group's transaction cannot be trusted and rolls back whole.
		return errors.New("a failed write left rows that no savepoint can undo")
	}
	return nil
}
func (b *batch) Commit() error   { return b.exec("COMMIT") }
func (b *batch) Rollback() error { return b.exec("ROLLBACK") }

// tx is store.Tx on the writer connection. A function's writes are buffered — the
// statements for resources and current rows in order, index, link and compartment rows
// many rows per statement — and sent when the function ends, or before it reads. Put
// checks versions with reads of its own, so sending never fails on a conflict.
type tx struct {
	s    *Store
	seq  int64 // the last seq assigned in this group
	ops  []op
	rows [sqlgen.TCompartments + 1]rowBuf
	// pending are the resources this function has written and not yet sent.
	pending map[store.Ref]struct{}

	// spWanted: the function runs in a group and must be undoable on its own; spOpen:
	// its savepoint is open; unprotected: its writes reached the database outside one.
	spWanted, spOpen, unprotected bool
}

// op is one buffered statement.
type op struct {
	st   *sql.Stmt
	args []any
}

func (t *tx) endScope() { t.spWanted, t.spOpen, t.unprotected = false, false, false }

// discard drops what the function has buffered.
func (t *tx) discard() {
	t.ops = t.ops[:0]
	t.rows = [sqlgen.TCompartments + 1]rowBuf{}
	clear(t.pending)
}

// modify opens the function's savepoint, if it needs one, before the function's writes
// reach the database.
func (t *tx) modify(ctx context.Context) error {
	if t.spWanted && !t.spOpen {
		if _, err := t.s.wconn.ExecContext(ctx, "SAVEPOINT w"); err != nil {
			return fmt.Errorf("sqlite store: savepoint: %w", err)
		}
		t.spOpen = true
	}
	return nil
}

// sync sends the buffered writes before a read, inside the function's savepoint.
func (t *tx) sync(ctx context.Context) error {
	if len(t.ops) == 0 && !t.buffered() {
		return nil
	}
	if err := t.modify(ctx); err != nil {
		return err
	}
	return t.flush(ctx)
}

func (t *tx) buffered() bool {
	for i := range t.rows {
		if t.rows[i].n > 0 {
			return true
		}
	}
	return false
}

// rowBuf is one table's buffered rows, their values laid end to end.
type rowBuf struct {
	n    int
	args []any
}

// flush sends every buffered statement and row.
func (t *tx) flush(ctx context.Context) error {
	if t.spWanted && !t.spOpen && (len(t.ops) > 0 || t.buffered()) {
		t.unprotected = true
	}
	clear(t.pending)
	for i, o := range t.ops {
		if _, err := o.st.ExecContext(ctx, o.args...); err != nil {
			t.discard()
			return fmt.Errorf("sqlite store: write: %w", err)
		}
		t.ops[i] = op{}
	}
	t.ops = t.ops[:0]
	for table := range t.rows {
		b := &t.rows[table]
		width := len(sqlgen.WriteTables[table].Columns)
		for b.n > 0 {
			n := min(b.n, maxRowsPerInsert)
			st, err := t.s.ws.insert(ctx, table, n)
			if err == nil {
				_, err = st.ExecContext(ctx, b.args[:n*width]...)
			}
			if err != nil {
				t.rows = [sqlgen.TCompartments + 1]rowBuf{}
				return fmt.Errorf("sqlite store: insert %s rows: %w", sqlgen.WriteTables[table].Name, err)
			}
			b.args = b.args[n*width:]
			b.n -= n
		}
		b.args = nil
	}
	return nil
}

// dbctx checks the caller's context and returns one the statement may run under
// without a cancellation reaching SQLite (see begin).
func dbctx(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

func (t *tx) Current(ctx context.Context, typ, id string) (*store.Resource, error) {
	ctx, err := dbctx(ctx)
	if err != nil {
		return nil, err
	}
	// Only this resource's own buffered write can change the answer.
	if _, ok := t.pending[store.Ref{Type: typ, ID: id}]; ok {
		if err := t.sync(ctx); err != nil {
			return nil, err
		}
	}
	r, err := sqlgen.Scan(t.s.ws.current.QueryRowContext(ctx, typ, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s/%s: %w", typ, id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite store: current %s/%s: %w", typ, id, err)
	}
	return r, nil
}

func (t *tx) Put(ctx context.Context, w *store.Write) error {
	ctx, err := dbctx(ctx)
	if err != nil {
		return err
	}
	ws := t.s.ws
	key := store.Ref{Type: w.Type, ID: w.ID}
	if _, again := t.pending[key]; again {
		// The same resource twice in one function: its first write must be in the
		// database before the second replaces its rows.
		if err := t.sync(ctx); err != nil {
			return err
		}
	}
	var rid, version int64
	switch err := ws.currentKey.QueryRowContext(ctx, w.Type, w.ID).Scan(&rid, &version); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("sqlite store: put %s/%s: %w", w.Type, w.ID, err)
	}
	if w.VersionID != version+1 {
		if w.VersionID == 1 {
			return fmt.Errorf("put %s/%s version 1 over an existing resource: %w", w.Type, w.ID, store.ErrConflict)
		}
		return fmt.Errorf("put %s/%s version %d over version %d: %w", w.Type, w.ID, w.VersionID, version, store.ErrConflict)
	}
	t.seq++
	seq, lu := t.seq, sqlgen.Nanos(w.LastUpdated, false)
	deleted := 0
	if w.Op == store.OpDelete {
		deleted = 1
	}
	if version == 0 {
		rid = seq
		t.ops = append(t.ops, op{ws.insertCurrent, []any{rid, w.Type, w.ID, w.VersionID, seq, lu, deleted}})
	} else {
		t.ops = append(t.ops, op{ws.updateCurrent, []any{w.VersionID, seq, lu, deleted, rid}})
		keep := sqlgen.KeepCompartments(w)
		for i, st := range ws.deleteRows {
			if i == sqlgen.TCompartments && keep {
				continue
			}
			t.ops = append(t.ops, op{st, []any{rid}})
		}
	}
	t.ops = append(t.ops, op{ws.insertResource, []any{seq, rid, w.Type, w.ID, w.VersionID, lu, int64(w.Op), w.Body}})
	// The callback cannot fail, so neither can Rows.
	_ = sqlgen.Rows(w, rid, true, !sqlgen.KeepCompartments(w), func(table int, vals ...any) error {
		b := &t.rows[table]
		b.args = append(b.args, vals...)
		b.n++
		return nil
	})
	if t.pending == nil {
		t.pending = map[store.Ref]struct{}{}
	}
	t.pending[key] = struct{}{}
	w.Seq = seq
	return nil
}

func (t *tx) Search(ctx context.Context, q store.Query) (*store.SearchPage, error) {
	ctx, err := dbctx(ctx)
	if err != nil {
		return nil, err
	}
	if err := t.sync(ctx); err != nil {
		return nil, err
	}
	p, err := sqlgen.Run(ctx, t.s.dialect, rowsOf(t.query), nil, q, time.Now())
	if err != nil {
		return nil, fmt.Errorf("sqlite store: search in write: %w", err)
	}
	return p, nil
}

func (t *tx) query(ctx context.Context, st sqlgen.Stmt) (*sql.Rows, error) {
	return t.s.wconn.QueryContext(ctx, st.SQL, st.Args...)
}

func (t *tx) ReferencedBy(ctx context.Context, typ, id string, limit int) ([]store.Ref, error) {
	ctx, err := dbctx(ctx)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = sqlgen.DefaultCount
	}
	if err := t.sync(ctx); err != nil {
		return nil, err
	}
	rows, err := t.s.ws.referencedBy.QueryContext(ctx, typ, id, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: referenced by %s/%s: %w", typ, id, err)
	}
	defer rows.Close()
	var refs []store.Ref
	for rows.Next() {
		var r store.Ref
		if err := rows.Scan(&r.Type, &r.ID); err != nil {
			return nil, fmt.Errorf("sqlite store: referenced by %s/%s: %w", typ, id, err)
		}
		refs = append(refs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite store: referenced by %s/%s: %w", typ, id, err)
	}
	return refs, nil
}

func (t *tx) Expunge(ctx context.Context, typ, id string) error {
	ctx, err := dbctx(ctx)
	if err != nil {
		return err
	}
	// Expunge and reindex write at once: sync also opens the savepoint they need.
	if err := t.sync(ctx); err != nil {
		return err
	}
	if err := t.modify(ctx); err != nil {
		return err
	}
	ws := t.s.ws
	var rid, version int64
	switch err := ws.currentKey.QueryRowContext(ctx, typ, id).Scan(&rid, &version); {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("expunge %s/%s: %w", typ, id, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("sqlite store: expunge %s/%s: %w", typ, id, err)
	}
	for _, st := range append([]*sql.Stmt{ws.expungeResources, ws.expungeCurrent}, ws.deleteRows...) {
		if _, err := st.ExecContext(ctx, rid); err != nil {
			return fmt.Errorf("sqlite store: expunge %s/%s: %w", typ, id, err)
		}
	}
	return nil
}

func (t *tx) Reindex(ctx context.Context, w *store.Write) error {
	ctx, err := dbctx(ctx)
	if err != nil {
		return err
	}
	// Expunge and reindex write at once: sync also opens the savepoint they need.
	if err := t.sync(ctx); err != nil {
		return err
	}
	if err := t.modify(ctx); err != nil {
		return err
	}
	ws := t.s.ws
	var rid, seq int64
	switch err := ws.currentSeq.QueryRowContext(ctx, w.Type, w.ID).Scan(&rid, &seq); {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("reindex %s/%s: %w", w.Type, w.ID, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("sqlite store: reindex %s/%s: %w", w.Type, w.ID, err)
	case seq != w.Seq:
		return fmt.Errorf("reindex %s/%s at seq %d, current seq %d: %w", w.Type, w.ID, w.Seq, seq, store.ErrConflict)
	}
	for _, st := range ws.deleteRows {
		if _, err := st.ExecContext(ctx, rid); err != nil {
			return fmt.Errorf("sqlite store: reindex %s/%s: %w", w.Type, w.ID, err)
		}
	}
	_ = sqlgen.Rows(w, rid, true, true, func(table int, vals ...any) error {
		b := &t.rows[table]
		b.args = append(b.args, vals...)
		b.n++
		return nil
	})
	return nil
}

func (t *tx) SetParamState(ctx context.Context, url, state string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t.ops = append(t.ops, op{t.s.ws.setParamState, []any{url, state}})
	return nil
}

func (t *tx) Ack(ctx context.Context, process string, seq int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t.ops = append(t.ops, op{t.s.ws.ack, []any{process, seq, time.Now().UnixMilli()}})
	return nil
}

func (t *tx) Acks(ctx context.Context) ([]store.ProcessAck, error) {
	ctx, err := dbctx(ctx)
	if err != nil {
		return nil, err
	}
	if err := t.sync(ctx); err != nil {
		return nil, err
	}
	rows, err := t.s.wconn.QueryContext(ctx, "SELECT process, seq, at FROM process_acks")
	if err != nil {
		return nil, fmt.Errorf("sqlite store: acks: %w", err)
	}
	defer rows.Close()
	now := time.Now()
	var out []store.ProcessAck
	for rows.Next() {
		var a store.ProcessAck
		var at int64
		if err := rows.Scan(&a.Process, &a.Seq, &at); err != nil {
			return nil, fmt.Errorf("sqlite store: acks: %w", err)
		}
		a.Age = now.Sub(time.UnixMilli(at))
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite store: acks: %w", err)
	}
	return out, nil
}
