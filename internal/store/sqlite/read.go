package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/store/sqlgen"
)

// querier runs one generated statement: on the read pool, in a read transaction, or on
// the writer's connection inside a Write.
type querier func(ctx context.Context, st sqlgen.Stmt) (*sql.Rows, error)

// pool runs st on the read pool with a cached prepared statement.
func (s *Store) pool(ctx context.Context, st sqlgen.Stmt) (*sql.Rows, error) {
	ps, err := s.stmts.get(ctx, s.rdb, st.SQL)
	if err != nil {
		return nil, err
	}
	if ps == nil {
		return s.rdb.QueryContext(ctx, st.SQL, st.Args...)
	}
	return ps.QueryContext(ctx, st.Args...)
}

// inTx runs st inside the read transaction tx, reusing the cached statement.
func (s *Store) inTx(tx *sql.Tx) querier {
	return func(ctx context.Context, st sqlgen.Stmt) (*sql.Rows, error) {
		ps, err := s.stmts.get(ctx, s.rdb, st.SQL)
		if err != nil {
			return nil, err
		}
		if ps == nil {
			return tx.QueryContext(ctx, st.SQL, st.Args...)
		}
		return tx.StmtContext(ctx, ps).QueryContext(ctx, st.Args...)
	}
}

// Read returns the current version of typ/id.
func (s *Store) Read(ctx context.Context, f *store.AccessFilter, typ, id string) (*store.Resource, error) {
	defer s.observeSince("read", time.Now())
	r, err := one(ctx, s.pool, sqlgen.Read(sqlgen.SQLite, f, typ, id))
	if err != nil {
		return nil, fmt.Errorf("sqlite store: read %s/%s: %w", typ, id, err)
	}
	return r, nil
}

// VRead returns one version of typ/id.
func (s *Store) VRead(ctx context.Context, f *store.AccessFilter, typ, id string, version int64) (*store.Resource, error) {
	defer s.observeSince("vread", time.Now())
	r, err := one(ctx, s.pool, sqlgen.VRead(sqlgen.SQLite, f, typ, id, version))
	if err != nil {
		return nil, fmt.Errorf("sqlite store: vread %s/%s/_history/%d: %w", typ, id, version, err)
	}
	return r, nil
}

// one runs a statement that selects at most one version; ErrNotFound if none.
func one(ctx context.Context, q querier, st sqlgen.Stmt) (*store.Resource, error) {
	rows, err := q(ctx, st)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, store.ErrNotFound
	}
	r, err := sqlgen.Scan(rows)
	if err != nil {
		return nil, err
	}
	return r, rows.Close()
}

// History lists versions newest first.
func (s *Store) History(ctx context.Context, f *store.AccessFilter, q store.HistoryQuery) (*store.HistoryPage, error) {
	defer s.observeSince("history", time.Now())
	page, limit, count := sqlgen.History(sqlgen.SQLite, f, q)
	var p *store.HistoryPage
	err := s.readTx(ctx, count != nil, func(qr querier) error {
		var err error
		p, err = history(ctx, qr, page, limit, count)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite store: history: %w", err)
	}
	return p, nil
}

// Search returns one page of current resources matching q.
func (s *Store) Search(ctx context.Context, f *store.AccessFilter, q store.Query) (*store.SearchPage, error) {
	defer s.observeSince("search", time.Now())
	var p *store.SearchPage
	err := s.readTx(ctx, q.CountTotal || q.CheapTotal || len(q.Include) > 0, func(qr querier) error {
		var err error
		p, err = sqlgen.Run(ctx, s.dialect, rowsOf(qr), f, q, time.Now())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite store: search: %w", err)
	}
	return p, nil
}

// ParamStates returns the recorded states of custom SearchParameters by URL.
func (s *Store) ParamStates(ctx context.Context) (map[string]string, error) {
	rows, err := s.rdb.QueryContext(ctx, "SELECT url, state FROM param_states")
	if err != nil {
		return nil, fmt.Errorf("sqlite store: param states: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var url, state string
		if err := rows.Scan(&url, &state); err != nil {
			return nil, fmt.Errorf("sqlite store: param states: %w", err)
		}
		out[url] = state
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite store: param states: %w", err)
	}
	return out, nil
}

// rowsOf adapts a querier to sqlgen.Run.
func rowsOf(q querier) sqlgen.Querier {
	return func(ctx context.Context, st sqlgen.Stmt, row func(sqlgen.Scanner) error) error {
		rows, err := q(ctx, st)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := row(rows); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return rows.Close()
	}
}

// readTx runs fn with a querier; when several statements must see one snapshot (a page
// and its total) it opens a read transaction for them.
func (s *Store) readTx(ctx context.Context, snapshot bool, fn func(querier) error) error {
	if !snapshot {
		return fn(s.pool)
	}
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to undo
	return fn(s.inTx(tx))
}

func history(ctx context.Context, q querier, page sqlgen.Stmt, limit int, count *sqlgen.Stmt) (*store.HistoryPage, error) {
	p := &store.HistoryPage{Total: -1}
	if count != nil {
		n, err := countRows(ctx, q, *count)
		if err != nil {
			return nil, err
		}
		p.Total = n
	}
	rows, err := q(ctx, page)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := sqlgen.Scan(rows)
		if err != nil {
			return nil, err
		}
		p.Versions = append(p.Versions, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(p.Versions) > limit {
		p.Versions = p.Versions[:limit]
		p.NextSeq = p.Versions[limit-1].Seq
	}
	return p, nil
}

func countRows(ctx context.Context, q querier, st sqlgen.Stmt) (int, error) {
	rows, err := q(ctx, st)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return 0, err
		}
		return 0, errors.New("count returned no row")
	}
	var n int
	if err := rows.Scan(&n); err != nil {
		return 0, err
	}
	return n, rows.Close()
}
