package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/store/sqlgen"
)

// querier is the pool, a read transaction or the writer's transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Read returns the current version of typ/id.
func (s *Store) Read(ctx context.Context, f *store.AccessFilter, typ, id string) (*store.Resource, error) {
	defer s.observeSince("read", time.Now())
	r, err := one(ctx, s.pool, sqlgen.Read(sqlgen.Postgres, f, typ, id))
	if err != nil {
		return nil, fmt.Errorf("postgres store: read %s/%s: %w", typ, id, err)
	}
	return r, nil
}

// VRead returns one version of typ/id.
func (s *Store) VRead(ctx context.Context, f *store.AccessFilter, typ, id string, version int64) (*store.Resource, error) {
	defer s.observeSince("vread", time.Now())
	r, err := one(ctx, s.pool, sqlgen.VRead(sqlgen.Postgres, f, typ, id, version))
	if err != nil {
		return nil, fmt.Errorf("postgres store: vread %s/%s/_history/%d: %w", typ, id, version, err)
	}
	return r, nil
}

func one(ctx context.Context, q querier, st sqlgen.Stmt) (*store.Resource, error) {
	rows, err := q.Query(ctx, st.SQL, st.Args...)
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
	rows.Close()
	return r, rows.Err()
}

// History lists versions newest first.
func (s *Store) History(ctx context.Context, f *store.AccessFilter, q store.HistoryQuery) (*store.HistoryPage, error) {
	defer s.observeSince("history", time.Now())
	page, limit, count := sqlgen.History(sqlgen.Postgres, f, q)
	var p *store.HistoryPage
	err := s.snapshot(ctx, count != nil, func(qr querier) error {
		var err error
		p, err = history(ctx, qr, page, limit, count)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres store: history: %w", err)
	}
	return p, nil
}

// Search returns one page of current resources matching q.
func (s *Store) Search(ctx context.Context, f *store.AccessFilter, q store.Query) (*store.SearchPage, error) {
	defer s.observeSince("search", time.Now())
	var p *store.SearchPage
	err := s.snapshot(ctx, q.CountTotal || q.CheapTotal || len(q.Include) > 0, func(qr querier) error {
		var err error
		p, err = sqlgen.Run(ctx, s.dialect, rowsOf(qr), f, q, time.Now())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres store: search: %w", err)
	}
	return p, nil
}

// ParamStates returns the recorded states of custom SearchParameters by URL.
func (s *Store) ParamStates(ctx context.Context) (map[string]string, error) {
	rows, err := s.pool.Query(ctx, "SELECT url, state FROM param_states")
	if err != nil {
		return nil, fmt.Errorf("postgres store: param states: %w", err)
	}
	out := map[string]string{}
	var url, state string
	_, err = pgx.ForEachRow(rows, []any{&url, &state}, func() error {
		out[url] = state
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres store: param states: %w", err)
	}
	return out, nil
}

// rowsOf adapts a querier to sqlgen.Run.
func rowsOf(q querier) sqlgen.Querier {
	return func(ctx context.Context, st sqlgen.Stmt, row func(sqlgen.Scanner) error) error {
		rows, err := q.Query(ctx, st.SQL, st.Args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := row(rows); err != nil {
				return err
			}
		}
		rows.Close()
		return rows.Err()
	}
}

// snapshot runs fn on the pool, or when several statements must agree inside one
// read-only REPEATABLE READ transaction.
func (s *Store) snapshot(ctx context.Context, needed bool, fn func(querier) error) error {
	if !needed {
		return fn(s.pool)
	}
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error { return fn(tx) })
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
	rows, err := q.Query(ctx, page.SQL, page.Args...)
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
	rows, err := q.Query(ctx, st.SQL, st.Args...)
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
	var n int64
	if err := rows.Scan(&n); err != nil {
		return 0, err
	}
	rows.Close()
	return int(n), rows.Err()
}
