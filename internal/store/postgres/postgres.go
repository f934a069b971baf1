package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/store/groupcommit"
	"github.com/joinedup/joinedup/internal/store/sqlgen"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options tune the store; the zero value is sensible.
type Options struct {
	// Schema holds the store's tables (default "public"); it is created if missing.
	Schema string
	// MaxConns bounds the read pool (default pgxpool's: max(4, NumCPU)).
	MaxConns int32
	// MaxGroup caps how many Write calls share one commit (default 1024).
	MaxGroup int
	// Observe, when set, receives operation timings (see store.Observer).
	Observe store.Observer
	// Logger receives lifecycle messages (default slog.Default()).
	Logger *slog.Logger
	// RangeCap bounds the index rows a range criterion (date, number, quantity,
	// _lastUpdated) may select and still drive a search (default sqlgen.RangeCap;
	// negative: range criteria never drive; see sqlgen.Driver).
	RangeCap int
}

// Store is the PostgreSQL implementation of store.Store.
type Store struct {
	pool     *pgxpool.Pool
	connCfg  *pgx.ConnConfig
	wconn    *pgx.Conn // the writer's connection, used only by the writer goroutine
	writer   *groupcommit.Writer
	lockKey  int64
	observe  store.Observer
	log      *slog.Logger
	maxGroup int
	// dialect plans searches: sqlgen.Postgres with Options.RangeCap.
	dialect sqlgen.Dialect
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at dsn (a postgres:// URL or key=value string) and
// migrates its schema to the current version.
func Open(ctx context.Context, dsn string, opt Options) (*Store, error) {
	if opt.Schema == "" {
		opt.Schema = "public"
	}
	if opt.MaxGroup <= 0 {
		opt.MaxGroup = 1024
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	if opt.MaxConns > 0 {
		cfg.MaxConns = opt.MaxConns
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = opt.Schema
	if _, set := cfg.ConnConfig.RuntimeParams["random_page_cost"]; !set {
		// The store's reads are index probes into data that is cached or on SSD; at the
		// default cost of 4 (a spinning disk) the planner hashes all of current rather
		// than probe it 2,000 times for a page's includes (88 ms instead of 26 at 1,000
		// patients). A DSN that names random_page_cost keeps its own.
		cfg.ConnConfig.RuntimeParams["random_page_cost"] = "1.1"
	}
	h := fnv.New64a()
	h.Write([]byte("joinedup store writer:" + opt.Schema))
	s := &Store{connCfg: cfg.ConnConfig.Copy(), lockKey: int64(h.Sum64()), observe: opt.Observe,
		log: opt.Logger, maxGroup: opt.MaxGroup, dialect: sqlgen.Postgres.WithRangeCap(opt.RangeCap)}

	boot, err := pgx.ConnectConfig(ctx, s.connCfg.Copy())
	if err != nil {
		return nil, fmt.Errorf("postgres store: connect: %w", err)
	}
	err = migrate(ctx, boot, opt.Schema, s.log)
	if cerr := boot.Close(ctx); err == nil && cerr != nil {
		err = fmt.Errorf("postgres store: %w", cerr)
	}
	if err != nil {
		return nil, err
	}
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	// The writer pipelines batches that may begin with ROLLBACK TO SAVEPOINT in an
	// aborted transaction. pgx's statement cache prepares a whole batch before running
	// it, which fails there and leaves cache and server disagreeing; unnamed statements
	// (QueryExecModeExec) need no preparing and cost the same single round trip.
	s.connCfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	if s.wconn, err = pgx.ConnectConfig(ctx, s.connCfg.Copy()); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("postgres store: connect writer: %w", err)
	}
	s.writer = groupcommit.New(s.begin, opt.MaxGroup, opt.Observe)
	s.log.Info("store opened", "backend", "postgres", "schema", opt.Schema)
	return s, nil
}

// migrate applies the embedded migrations not yet recorded, holding a session advisory
// lock so that processes starting together apply each once.
func migrate(ctx context.Context, c *pgx.Conn, schema string, log *slog.Logger) (err error) {
	ms, err := sqlgen.Migrations(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("postgres store: %w", err)
	}
	const lock = int64(0x6a6f696e6564) // "joined"
	if _, err := c.Exec(ctx, "SELECT pg_advisory_lock($1)", lock); err != nil {
		return fmt.Errorf("postgres store: migration lock: %w", err)
	}
	defer func() {
		if _, uerr := c.Exec(ctx, "SELECT pg_advisory_unlock($1)", lock); err == nil && uerr != nil {
			err = fmt.Errorf("postgres store: migration unlock: %w", uerr)
		}
	}()
	if _, err := c.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return fmt.Errorf("postgres store: create schema: %w", err)
	}
	if _, err := c.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("postgres store: migrations table: %w", err)
	}
	for _, m := range ms {
		err := pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM schema_migrations WHERE version = $1", m.Version).Scan(&n); err != nil || n > 0 {
				return err
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.Version, m.Name)
			return err
		})
		if err != nil {
			return fmt.Errorf("postgres store: migration %s: %w", m.Name, err)
		}
	}
	log.Debug("schema migrated", "backend", "postgres", "schema", schema, "version", ms[len(ms)-1].Version)
	return nil
}

// Close finishes the writes under way, refuses new ones and closes every connection.
func (s *Store) Close() error {
	s.writer.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.wconn.Close(ctx)
	s.pool.Close()
	if err != nil {
		return fmt.Errorf("postgres store: close: %w", err)
	}
	return nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres store: ping: %w", err)
	}
	return nil
}

// Analyze brings the planner's statistics of the store's tables up to date (ANALYZE), as
// after a bulk load: plans and estimated totals rest on them, and autovacuum refreshes
// them only on its next pass.
func (s *Store) Analyze(ctx context.Context) error {
	tables := []string{"resources", "current"}
	for _, t := range sqlgen.WriteTables {
		tables = append(tables, t.Name)
	}
	if _, err := s.pool.Exec(ctx, "ANALYZE "+strings.Join(tables, ", ")); err != nil {
		return fmt.Errorf("postgres store: analyze: %w", err)
	}
	return nil
}

// ErrNoBackup is what Backup returns: PostgreSQL has its own tools.
var ErrNoBackup = errors.New("postgres store: backup is for the embedded store only; use pg_dump (or your PostgreSQL backup tooling)")

// Backup refuses: see ErrNoBackup.
func (s *Store) Backup(context.Context, string) error { return ErrNoBackup }

func (s *Store) observeSince(op string, start time.Time) {
	if s.observe != nil {
		s.observe(op, time.Since(start))
	}
}
