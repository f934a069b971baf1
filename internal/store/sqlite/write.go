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

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// writeStmts are the writer connection's prepared statements.
type writeStmts struct {
	current, currentKey, lastSeq     *sql.Stmt
	insertResource, insertCurrent    *sql.Stmt
	updateCurrent                    *sql.Stmt
	deleteRows                       []*sql.Stmt // per sqlgen.WriteTables
	referencedBy                     *sql.Stmt
	expungeResources, expungeCurrent *sql.Stmt

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
	if err := errors.Join(errs...); err != nil {
		_ = ws.close()
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	return ws, nil
}

func (ws *writeStmts) close() error {
	all := append([]*sql.Stmt{ws.current, ws.currentKey, ws.lastSeq, ws.insertResource, ws.insertCurrent,
		ws.updateCurrent, ws.referencedBy, ws.expungeResources, ws.expungeCurrent}, ws.deleteRows...)
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
func (b *batch) Flush() error     { return b.tx.flush(b.ctx) }
func (b *batch) Savepoint() error { return b.exec("SAVEPOINT w") }
func (b *batch) Release() error   { return b.exec("RELEASE w") }
func (b *batch) RollbackTo() error {
	b.tx.rows = [sqlgen.TCompartments + 1]rowBuf{}
	if err := b.exec("ROLLBACK TO w"); err != nil {
		return err
	}
	return b.exec("RELEASE w")
}
func (b *batch) Commit() error   { return b.exec("COMMIT") }
func (b *batch) Rollback() error { return b.exec("ROLLBACK") }

// tx is store.Tx on the writer connection. Index, link and compartment rows are
// buffered and inserted many rows per statement: before anything in the transaction
// reads or deletes them, and when the function ends.
type tx struct {
	s    *Store
	seq  int64 // the last seq assigned in this group
	rows [sqlgen.TCompartments + 1]rowBuf
}

// rowBuf is one table's buffered rows, their values laid end to end.
type rowBuf struct {
	n    int
	args []any
}

// flush inserts every buffered row.
func (t *tx) flush(ctx context.Context) error {
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
	var rid, version int64
	// A create needs no lookup: inserting its current row fails on the unique (type, id)
	// index if the resource exists.
	if w.VersionID != 1 {
		switch err := ws.currentKey.QueryRowContext(ctx, w.Type, w.ID).Scan(&rid, &version); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("sqlite store: put %s/%s: %w", w.Type, w.ID, err)
		}
	}
	if w.VersionID != version+1 {
		return fmt.Errorf("put %s/%s version %d over version %d: %w", w.Type, w.ID, w.VersionID, version, store.ErrConflict)
	}
	t.seq++
	seq, lu := t.seq, sqlgen.Nanos(w.LastUpdated, false)
	deleted := 0
	if w.Op == store.OpDelete {
		deleted = 1
	}
	fail := func(err error) error { return fmt.Errorf("sqlite store: put %s/%s: %w", w.Type, w.ID, err) }
	if version == 0 {
		rid = seq
		if _, err := ws.insertCurrent.ExecContext(ctx, rid, w.Type, w.ID, w.VersionID, seq, lu, deleted); err != nil {
			var se *sqlite.Error
			if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
				return fmt.Errorf("put %s/%s version 1 over an existing resource: %w", w.Type, w.ID, store.ErrConflict)
			}
			return fail(err)
		}
	} else {
		// The rows about to be deleted may still be in the buffer.
		if err := t.flush(ctx); err != nil {
			return err
		}
		if _, err := ws.updateCurrent.ExecContext(ctx, w.VersionID, seq, lu, deleted, rid); err != nil {
			return fail(err)
		}
		keep := sqlgen.KeepCompartments(w)
		for i, st := range ws.deleteRows {
			if i == sqlgen.TCompartments && keep {
				continue
			}
			if _, err := st.ExecContext(ctx, rid); err != nil {
				return fail(err)
			}
		}
	}
	if _, err := ws.insertResource.ExecContext(ctx, seq, rid, w.Type, w.ID, w.VersionID, lu, int64(w.Op), w.Body); err != nil {
		return fail(err)
	}
	// The callback cannot fail, so neither can Rows.
	_ = sqlgen.Rows(w, rid, true, !sqlgen.KeepCompartments(w), func(table int, vals ...any) error {
		b := &t.rows[table]
		b.args = append(b.args, vals...)
		b.n++
		return nil
	})
	w.Seq = seq
	return nil
}

func (t *tx) Search(ctx context.Context, q store.Query) (*store.SearchPage, error) {
	ctx, err := dbctx(ctx)
	if err != nil {
		return nil, err
	}
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	p, err := sqlgen.Run(ctx, sqlgen.SQLite, rowsOf(t.query), nil, q, time.Now())
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
	if err := t.flush(ctx); err != nil {
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
	if err := t.flush(ctx); err != nil {
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
	if err := t.flush(ctx); err != nil {
		return err
	}
	ws := t.s.ws
	var rid, version int64
	switch err := ws.currentKey.QueryRowContext(ctx, w.Type, w.ID).Scan(&rid, &version); {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("reindex %s/%s: %w", w.Type, w.ID, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("sqlite store: reindex %s/%s: %w", w.Type, w.ID, err)
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
