package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/store/groupcommit"
	"github.com/joinedup/joinedup/internal/store/sqlgen"
)

// Write runs fn in the next group commit.
func (s *Store) Write(ctx context.Context, fn func(store.Tx) error) error {
	defer s.observeSince("write", time.Now())
	return s.writer.Write(ctx, fn)
}

// batch is one group's transaction on the writer connection. Statements run under a
// context no caller can cancel: pgx closes a connection whose query is cancelled, which
// would fail every function in the group.
//
// Round trips are what a serialised writer pays for, so transaction control travels
// with other statements in pipelined batches: BEGIN, the lock and the counter read go
// together; SAVEPOINT and RELEASE wait in tx.pending for the next statement the
// transaction sends; the counter update goes with COMMIT.
type batch struct {
	ctx   context.Context
	t     *tx
	first int64 // the seq counter when the group began
}

func (s *Store) begin() (groupcommit.Batch, error) {
	ctx := context.Background()
	if s.wconn.IsClosed() {
		c, err := pgx.ConnectConfig(ctx, s.connCfg.Copy())
		if err != nil {
			return nil, fmt.Errorf("reconnect writer: %w", err)
		}
		s.wconn = c
		s.log.Warn("writer connection re-established", "backend", "postgres")
	}
	var last int64
	pb := &pgx.Batch{}
	pb.Queue("BEGIN")
	pb.Queue("SELECT pg_advisory_xact_lock($1)", s.lockKey)
	// A statement of its own, after the lock: under READ COMMITTED its snapshot includes
	// every writer that held the lock before us.
	pb.Queue("SELECT last FROM seq_counter").QueryRow(func(row pgx.Row) error { return row.Scan(&last) })
	if err := s.wconn.SendBatch(ctx, pb).Close(); err != nil {
		_, _ = s.wconn.Exec(ctx, "ROLLBACK")
		return nil, err
	}
	return &batch{ctx: ctx, first: last, t: &tx{conn: s.wconn, dialect: s.dialect, seq: last, known: map[store.Ref]known{}}}, nil
}

func (b *batch) Tx() store.Tx { return b.t }

func (b *batch) Savepoint() error {
	b.t.pending = append(b.t.pending, "SAVEPOINT w")
	return nil
}

func (b *batch) Flush() error { return b.t.flush(b.ctx) }

func (b *batch) Release() error {
	b.t.pending = append(b.t.pending, "RELEASE SAVEPOINT w")
	return nil
}

func (b *batch) RollbackTo() error {
	t := b.t
	t.reset()
	if n := len(t.pending); n > 0 && t.pending[n-1] == "SAVEPOINT w" {
		// The function sent nothing: there is nothing to undo.
		t.pending = t.pending[:n-1]
		return nil
	}
	t.pending = append(t.pending, "ROLLBACK TO SAVEPOINT w", "RELEASE SAVEPOINT w")
	return nil
}

func (b *batch) Commit() error {
	t := b.t
	pb := t.batch()
	if t.seq != b.first {
		pb.Queue("UPDATE seq_counter SET last = $1", t.seq)
	}
	pb.Queue("COMMIT").Exec(func(ct pgconn.CommandTag) error {
		// COMMIT of an aborted transaction answers ROLLBACK rather than an error.
		if ct.String() != "COMMIT" {
			return errors.New("transaction was rolled back")
		}
		return nil
	})
	if err := t.send(b.ctx, pb); err != nil {
		_, _ = t.conn.Exec(b.ctx, "ROLLBACK")
		return err
	}
	return nil
}

func (b *batch) Rollback() error {
	b.t.pending = nil
	_, err := b.t.conn.Exec(b.ctx, "ROLLBACK")
	return err
}

// known is what the transaction knows of a resource's current row; valid for the whole
// group because the advisory lock keeps every other writer out.
type known struct {
	rid, version, seq int64
	pending           bool // written to the buffer, not yet flushed
}

// tx is store.Tx on the writer's transaction.
type tx struct {
	conn    *pgx.Conn
	dialect sqlgen.Dialect // the store's, for searches
	seq     int64
	known   map[store.Ref]known
	buf     buffer
	pending []string // transaction control to send ahead of the next statement
}

// batch starts a pipelined batch with the pending transaction control.
func (t *tx) batch() *pgx.Batch {
	pb := &pgx.Batch{}
	for _, q := range t.pending {
		pb.Queue(q)
	}
	return pb
}

// send runs a batch made by t.batch: the pending statements have then been sent,
// whatever the outcome.
func (t *tx) send(ctx context.Context, pb *pgx.Batch) error {
	t.pending = t.pending[:0]
	return t.conn.SendBatch(ctx, pb).Close()
}

// sync sends the pending transaction control before a statement that cannot join a
// batch.
func (t *tx) sync(ctx context.Context) error {
	if len(t.pending) == 0 {
		return nil
	}
	return t.send(ctx, t.batch())
}

// buffer holds the rows of Puts not yet sent, column by column for unnest.
type buffer struct {
	n                                                      int // Puts buffered
	resSeq, resRID, resVersion, resLU, resOp               []int64
	resType, resID                                         []string
	resBody                                                [][]byte
	newRID, newVersion, newSeq, newLU, newDeleted          []int64
	newType, newID                                         []string
	updRID, updVersion, updSeq, updLU, updDeleted, delRows []int64
	delCompartments                                        []int64
	rows                                                   [sqlgen.TCompartments + 1]columns
}

// columns is one table's buffered rows: one typed slice per column.
type columns struct {
	n    int
	cols []any // *[]int64, *[]string or *[]float64
}

func (c *columns) add(vals []any) {
	if c.cols == nil {
		for _, v := range vals {
			switch v.(type) {
			case int64:
				c.cols = append(c.cols, new([]int64))
			case float64:
				c.cols = append(c.cols, new([]float64))
			default:
				c.cols = append(c.cols, new([]string))
			}
		}
	}
	c.n++
	for i, v := range vals {
		switch col := c.cols[i].(type) {
		case *[]int64:
			*col = append(*col, v.(int64))
		case *[]float64:
			*col = append(*col, v.(float64))
		case *[]string:
			*col = append(*col, v.(string))
		}
	}
}

// insert renders INSERT ... SELECT FROM unnest(...) for t and returns the arrays.
func (c *columns) insert(t sqlgen.Table) (string, []any) {
	var sb strings.Builder
	sb.WriteString("INSERT INTO " + t.Name + " (" + strings.Join(t.Columns, ", ") + ") SELECT * FROM unnest(")
	args := make([]any, len(c.cols))
	for i, col := range c.cols {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("$" + strconv.Itoa(i+1))
		switch col := col.(type) {
		case *[]int64:
			sb.WriteString("::bigint[]")
			args[i] = *col
		case *[]float64:
			sb.WriteString("::float8[]")
			args[i] = *col
		case *[]string:
			sb.WriteString("::text[]")
			args[i] = *col
		}
	}
	sb.WriteString(")")
	return sb.String(), args
}

func (t *tx) reset() {
	t.buf = buffer{}
	clear(t.known)
}

// flush sends every buffered row in one round trip.
func (t *tx) flush(ctx context.Context) error {
	b := &t.buf
	if b.n == 0 {
		return nil
	}
	pb := t.batch()
	if len(b.delRows) > 0 {
		for i, tb := range sqlgen.WriteTables {
			if i != sqlgen.TCompartments {
				pb.Queue("DELETE FROM "+tb.Name+" WHERE rid = ANY($1)", b.delRows)
			}
		}
		pb.Queue(`UPDATE current c SET version = u.version, seq = u.seq, last_updated = u.lu, deleted = u.deleted
			FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::smallint[]) AS u(rid, version, seq, lu, deleted)
			WHERE c.rid = u.rid`, b.updRID, b.updVersion, b.updSeq, b.updLU, b.updDeleted)
	}
	if len(b.delCompartments) > 0 {
		pb.Queue("DELETE FROM compartments WHERE rid = ANY($1)", b.delCompartments)
	}
	if len(b.newRID) > 0 {
		pb.Queue(`INSERT INTO current (rid, type, id, version, seq, last_updated, deleted)
			SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::smallint[])`,
			b.newRID, b.newType, b.newID, b.newVersion, b.newSeq, b.newLU, b.newDeleted)
	}
	pb.Queue(`INSERT INTO resources (seq, rid, type, id, version, last_updated, op, body)
		SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::smallint[], $8::bytea[])`,
		b.resSeq, b.resRID, b.resType, b.resID, b.resVersion, b.resLU, b.resOp, b.resBody)
	for i := range b.rows {
		if b.rows[i].n > 0 {
			q, args := b.rows[i].insert(sqlgen.WriteTables[i])
			pb.Queue(q, args...)
		}
	}
	err := t.send(ctx, pb)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" /* unique_violation */ && pe.ConstraintName == "current_type_id" {
		err = fmt.Errorf("a create (version 1) of a resource that exists: %w", store.ErrConflict)
	}
	for ref, k := range t.known {
		if k.pending {
			k.pending = false
			t.known[ref] = k
		}
	}
	t.buf = buffer{}
	if err != nil {
		return fmt.Errorf("postgres store: write rows: %w", err)
	}
	return nil
}

// dbctx checks the caller's context and returns one that cannot be cancelled (see batch).
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
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	var (
		rid int64
		r   *store.Resource
	)
	pb := t.batch()
	pb.Queue("SELECT c.rid, "+sqlgen.Columns+" FROM current c JOIN resources r ON r.seq = c.seq WHERE c.type = $1 AND c.id = $2",
		typ, id).QueryRow(func(row pgx.Row) (err error) {
		r, err = sqlgen.ScanWith(row, &rid)
		return err
	})
	err = t.send(ctx, pb)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%s/%s: %w", typ, id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres store: current %s/%s: %w", typ, id, err)
	}
	t.known[store.Ref{Type: typ, ID: id}] = known{rid: rid, version: r.VersionID, seq: r.Seq}
	return r, nil
}

// lookup returns the resource's rid, current version and its seq (all 0 if it does not
// exist).
func (t *tx) lookup(ctx context.Context, ref store.Ref) (known, error) {
	if k, ok := t.known[ref]; ok {
		return k, nil
	}
	var k known
	pb := t.batch()
	pb.Queue("SELECT rid, version, seq FROM current WHERE type = $1 AND id = $2", ref.Type, ref.ID).
		QueryRow(func(row pgx.Row) error { return row.Scan(&k.rid, &k.version, &k.seq) })
	if err := t.send(ctx, pb); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return known{}, err
	}
	t.known[ref] = k
	return k, nil
}

func (t *tx) Put(ctx context.Context, w *store.Write) error {
	ctx, err := dbctx(ctx)
	if err != nil {
		return err
	}
	ref := store.Ref{Type: w.Type, ID: w.ID}
	fail := func(err error) error { return fmt.Errorf("postgres store: put %s/%s: %w", w.Type, w.ID, err) }
	if t.known[ref].pending {
		// Its rows are still buffered: send them before replacing them.
		if err := t.flush(ctx); err != nil {
			return err
		}
	}
	k, seen := t.known[ref]
	// A create of a resource the transaction has not read needs no round trip: its
	// current row is inserted when the buffer is flushed, and the unique (type, id) index
	// refuses it there if the resource exists (see flush).
	if !seen && w.VersionID != 1 {
		if k, err = t.lookup(ctx, ref); err != nil {
			return fail(err)
		}
	}
	if w.VersionID != k.version+1 {
		return fmt.Errorf("put %s/%s version %d over version %d: %w", w.Type, w.ID, w.VersionID, k.version, store.ErrConflict)
	}
	t.seq++
	seq, lu := t.seq, sqlgen.Nanos(w.LastUpdated, false)
	var deleted int64
	if w.Op == store.OpDelete {
		deleted = 1
	}
	b := &t.buf
	keep := sqlgen.KeepCompartments(w)
	if k.version == 0 {
		k.rid = seq
		b.newRID = append(b.newRID, k.rid)
		b.newType = append(b.newType, w.Type)
		b.newID = append(b.newID, w.ID)
		b.newVersion = append(b.newVersion, w.VersionID)
		b.newSeq = append(b.newSeq, seq)
		b.newLU = append(b.newLU, lu)
		b.newDeleted = append(b.newDeleted, deleted)
	} else {
		b.updRID = append(b.updRID, k.rid)
		b.updVersion = append(b.updVersion, w.VersionID)
		b.updSeq = append(b.updSeq, seq)
		b.updLU = append(b.updLU, lu)
		b.updDeleted = append(b.updDeleted, deleted)
		b.delRows = append(b.delRows, k.rid)
		if !keep {
			b.delCompartments = append(b.delCompartments, k.rid)
		}
	}
	b.resSeq = append(b.resSeq, seq)
	b.resRID = append(b.resRID, k.rid)
	b.resType = append(b.resType, w.Type)
	b.resID = append(b.resID, w.ID)
	b.resVersion = append(b.resVersion, w.VersionID)
	b.resLU = append(b.resLU, lu)
	b.resOp = append(b.resOp, int64(w.Op))
	b.resBody = append(b.resBody, w.Body)
	// The callback cannot fail, so neither can Rows.
	_ = sqlgen.Rows(w, k.rid, true, !keep, func(table int, vals ...any) error {
		b.rows[table].add(vals)
		return nil
	})
	b.n++
	t.known[ref] = known{rid: k.rid, version: w.VersionID, seq: seq, pending: true}
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
	if err := t.sync(ctx); err != nil {
		return nil, err
	}
	p, err := sqlgen.Run(ctx, t.dialect, rowsOf(t.conn), nil, q, time.Now())
	if err != nil {
		return nil, fmt.Errorf("postgres store: search in write: %w", err)
	}
	return p, nil
}

func (t *tx) ReferencedBy(ctx context.Context, typ, id string, limit int) ([]store.Ref, error) {
	ctx, err := dbctx(ctx)
	if err != nil {
		return nil, err
	}
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = sqlgen.DefaultCount
	}
	if err := t.sync(ctx); err != nil {
		return nil, err
	}
	rows, err := t.conn.Query(ctx, `SELECT DISTINCT c.type, c.id FROM links l JOIN current c ON c.rid = l.rid
		WHERE l.target_type = $1 AND l.target_id = $2 AND c.deleted = 0 ORDER BY c.type, c.id LIMIT $3`, typ, id, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres store: referenced by %s/%s: %w", typ, id, err)
	}
	refs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Ref, error) {
		var ref store.Ref
		err := r.Scan(&ref.Type, &ref.ID)
		return ref, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres store: referenced by %s/%s: %w", typ, id, err)
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
	ref := store.Ref{Type: typ, ID: id}
	k, err := t.lookup(ctx, ref)
	if err != nil {
		return fmt.Errorf("postgres store: expunge %s/%s: %w", typ, id, err)
	}
	if k.version == 0 {
		return fmt.Errorf("expunge %s/%s: %w", typ, id, store.ErrNotFound)
	}
	pb := t.batch()
	pb.Queue("DELETE FROM resources WHERE rid = $1", k.rid)
	pb.Queue("DELETE FROM current WHERE rid = $1", k.rid)
	for _, tb := range sqlgen.WriteTables {
		pb.Queue("DELETE FROM "+tb.Name+" WHERE rid = $1", k.rid)
	}
	if err := t.send(ctx, pb); err != nil {
		return fmt.Errorf("postgres store: expunge %s/%s: %w", typ, id, err)
	}
	delete(t.known, ref)
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
	k, err := t.lookup(ctx, store.Ref{Type: w.Type, ID: w.ID})
	if err != nil {
		return fmt.Errorf("postgres store: reindex %s/%s: %w", w.Type, w.ID, err)
	}
	if k.version == 0 {
		return fmt.Errorf("reindex %s/%s: %w", w.Type, w.ID, store.ErrNotFound)
	}
	if k.seq != w.Seq {
		return fmt.Errorf("reindex %s/%s at seq %d, current seq %d: %w", w.Type, w.ID, w.Seq, k.seq, store.ErrConflict)
	}
	pb := t.batch()
	for _, tb := range sqlgen.WriteTables {
		pb.Queue("DELETE FROM "+tb.Name+" WHERE rid = $1", k.rid)
	}
	var rows [sqlgen.TCompartments + 1]columns
	_ = sqlgen.Rows(w, k.rid, true, true, func(table int, vals ...any) error {
		rows[table].add(vals)
		return nil
	})
	for i := range rows {
		if rows[i].n > 0 {
			q, args := rows[i].insert(sqlgen.WriteTables[i])
			pb.Queue(q, args...)
		}
	}
	if err := t.send(ctx, pb); err != nil {
		return fmt.Errorf("postgres store: reindex %s/%s: %w", w.Type, w.ID, err)
	}
	return nil
}

func (t *tx) SetParamState(ctx context.Context, url, state string) error {
	err := t.upsert(ctx, "INSERT INTO param_states (url, state) VALUES ($1, $2) ON CONFLICT (url) DO UPDATE SET state = excluded.state", url, state)
	if err != nil {
		return fmt.Errorf("postgres store: set state of %s: %w", url, err)
	}
	return nil
}

func (t *tx) Ack(ctx context.Context, process string, seq int64) error {
	err := t.upsert(ctx, `INSERT INTO process_acks (process, seq, at) VALUES ($1, $2, clock_timestamp())
		ON CONFLICT (process) DO UPDATE SET seq = excluded.seq, at = excluded.at`, process, seq)
	if err != nil {
		return fmt.Errorf("postgres store: ack of %s: %w", process, err)
	}
	return nil
}

// upsert sends the function's buffered rows, then one statement of its own, in order.
func (t *tx) upsert(ctx context.Context, sql string, args ...any) error {
	ctx, err := dbctx(ctx)
	if err != nil {
		return err
	}
	if err := t.flush(ctx); err != nil {
		return err
	}
	pb := t.batch()
	pb.Queue(sql, args...)
	return t.send(ctx, pb)
}

func (t *tx) Acks(ctx context.Context) ([]store.ProcessAck, error) {
	ctx, err := dbctx(ctx)
	if err != nil {
		return nil, err
	}
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	var out []store.ProcessAck
	pb := t.batch()
	pb.Queue("SELECT process, seq, (EXTRACT(EPOCH FROM clock_timestamp() - at) * 1000)::bigint FROM process_acks").Query(func(rows pgx.Rows) error {
		var a store.ProcessAck
		var ms int64
		_, err := pgx.ForEachRow(rows, []any{&a.Process, &a.Seq, &ms}, func() error {
			a.Age = time.Duration(ms) * time.Millisecond
			out = append(out, a)
			return nil
		})
		return err
	})
	if err := t.send(ctx, pb); err != nil {
		return nil, fmt.Errorf("postgres store: acks: %w", err)
	}
	return out, nil
}
