package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/store/groupcommit"
	"github.com/joinedup/joinedup/internal/store/sqlgen"

	_ "modernc.org/sqlite" // registers driver "sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the database file Open creates inside a data directory.
const FileName = "joinedup.db"

// Options tune the store; the zero value is sensible.
type Options struct {
	// Readers is the size of the read connection pool (default max(4, 2×GOMAXPROCS)).
	Readers int
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

// Store is the SQLite implementation of store.Store.
type Store struct {
	path  string
	rdb   *sql.DB // read-only pool
	wdb   *sql.DB // the writer's single connection
	wconn *sql.Conn
	cdb   *sql.DB // the checkpointer's connection

	stopCkpt, ckptDone chan struct{}
	// walFull asks the writer to restart the WAL before its next group (see checkpointer).
	walFull atomic.Bool
	ws      *writeStmts
	writer  *groupcommit.Writer
	observe store.Observer
	stmts   stmtCache
	log     *slog.Logger
	// dialect plans searches: sqlgen.SQLite with Options.RangeCap.
	dialect sqlgen.Dialect
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the store at path: a directory, in which the store
// keeps FileName, or a database file (one that exists, or a path ending in an
// extension such as .db — a restored backup opens this way). The schema is migrated to
// the current version.
func Open(path string, opt Options) (*Store, error) {
	file, err := dbFile(path)
	if err != nil {
		return nil, err
	}
	if opt.Readers <= 0 {
		opt.Readers = max(4, 2*runtime.GOMAXPROCS(0))
	}
	if opt.MaxGroup <= 0 {
		opt.MaxGroup = 1024
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	s := &Store{path: file, observe: opt.Observe, log: opt.Logger, dialect: sqlgen.SQLite.WithRangeCap(opt.RangeCap)}
	if err := s.open(opt); err != nil {
		s.closeDBs()
		return nil, err
	}
	s.log.Info("store opened", "backend", "sqlite", "file", file, "readers", opt.Readers)
	return s, nil
}

func dbFile(path string) (string, error) {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
	case err == nil:
		return path, nil
	case !errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("sqlite store: %w", err)
	case filepath.Ext(path) != "":
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return "", fmt.Errorf("sqlite store: create directory: %w", err)
		}
		return path, nil
	default:
		if err := os.MkdirAll(path, 0o750); err != nil {
			return "", fmt.Errorf("sqlite store: create data directory: %w", err)
		}
	}
	return filepath.Join(path, FileName), nil
}

// dsn builds the connection string; every connection gets the same pragmas, readers
// also query_only so that a bug can never write through them.
func dsn(file string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "temp_store(MEMORY)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
		q.Add("_pragma", "cache_size(-8000)")
	} else {
		q.Add("_pragma", "cache_size(-32000)")
	}
	return "file:" + file + "?" + q.Encode()
}

func (s *Store) open(opt Options) error {
	ctx := context.Background()
	var err error
	if s.wdb, err = sql.Open("sqlite", dsn(s.path, false)); err != nil {
		return fmt.Errorf("sqlite store: %w", err)
	}
	s.wdb.SetMaxOpenConns(1)
	s.wdb.SetConnMaxIdleTime(0)
	s.wdb.SetConnMaxLifetime(0)
	if s.wconn, err = s.wdb.Conn(ctx); err != nil {
		return fmt.Errorf("sqlite store: open %s: %w", s.path, err)
	}
	// WAL is a property of the file (readers need not set it). The writer never
	// checkpoints: the checkpointer goroutine does, on its own connection, so that copying
	// the WAL into the database runs beside the writer rather than inside its commits.
	// journal_size_limit: a WAL the writer restarts (see restartWAL) is cut back to the
	// limit, so that its file stays bounded while its blocks are reused.
	for _, p := range []string{"PRAGMA journal_mode = WAL", "PRAGMA wal_autocheckpoint = 0",
		fmt.Sprintf("PRAGMA journal_size_limit = %d", restartFrames*4096)} {
		if _, err := s.wconn.ExecContext(ctx, p); err != nil {
			return fmt.Errorf("sqlite store: %s: %w", p, err)
		}
	}
	if err := migrate(ctx, s.wconn, s.log); err != nil {
		return err
	}
	if s.ws, err = prepareWrites(ctx, s.wconn); err != nil {
		return err
	}
	if s.rdb, err = sql.Open("sqlite", dsn(s.path, true)); err != nil {
		return fmt.Errorf("sqlite store: %w", err)
	}
	s.rdb.SetMaxOpenConns(opt.Readers)
	s.rdb.SetMaxIdleConns(opt.Readers)
	if s.cdb, err = sql.Open("sqlite", dsn(s.path, false)); err != nil {
		return fmt.Errorf("sqlite store: %w", err)
	}
	s.cdb.SetMaxOpenConns(1)
	s.stopCkpt = make(chan struct{})
	s.ckptDone = make(chan struct{})
	go s.checkpointer()
	s.writer = groupcommit.New(s.begin, opt.MaxGroup, opt.Observe)
	return nil
}

// Checkpoint pacing: a passive checkpoint (never blocks the writer or readers) every
// interval. A passive checkpoint copies frames but cannot restart the WAL while the
// writer keeps appending to it, so under sustained writes the file would grow without
// end (an import of 10,000 patients left a 40 GB WAL beside a 2 GB database). When the
// WAL has grown past restartFrames, the writer therefore restarts it between two groups
// (restartWAL), the one moment when no write transaction is open. Restarting reuses the
// file's blocks where truncating it had the next commits grow it again, which cost 7%
// of ingest; journal_size_limit cuts a file that overshot back to restartFrames.
// restartWait bounds how long the writer waits for readers of older snapshots before it
// gives up the restart until the next signal.
const restartWait = 250 * time.Millisecond

// The checkpointer's interval, and the WAL size that triggers a restart: 64 MiB of 4 KiB
// pages (variables so that a test can shrink them).
var (
	checkpointInterval = 200 * time.Millisecond
	restartFrames      = 64 << 20 / 4096
)

func (s *Store) checkpointer() {
	defer close(s.ckptDone)
	t := time.NewTicker(checkpointInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stopCkpt:
			return
		case <-t.C:
		}
		var busy, frames, done int
		err := s.cdb.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &done)
		if err != nil {
			s.log.Warn("wal checkpoint failed", "backend", "sqlite", "err", err)
			continue
		}
		if frames > restartFrames {
			s.walFull.Store(true)
		}
	}
}

// restartWAL runs on the writer's connection between groups when the checkpointer has
// found the WAL over its limit: most frames are already copied by then, so the writer
// pays for the rest and for waiting (at most restartWait) until readers have left the
// old snapshots; its next commit then writes from the start of the WAL.
func (s *Store) restartWAL(ctx context.Context) {
	if !s.walFull.CompareAndSwap(true, false) {
		return
	}
	var busy, frames, done int
	err := s.wconn.QueryRowContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", restartWait.Milliseconds())).Scan(new(int))
	if err == nil {
		err = s.wconn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(RESTART)").Scan(&busy, &frames, &done)
		if _, rerr := s.wconn.ExecContext(ctx, "PRAGMA busy_timeout = 10000"); err == nil {
			err = rerr
		}
	}
	if err != nil {
		s.log.Warn("wal restart failed", "backend", "sqlite", "err", err)
	}
}

// migrate applies the embedded migrations not yet recorded, each in its own immediate
// transaction so that two processes opening one file cannot both apply it.
func migrate(ctx context.Context, c *sql.Conn, log *slog.Logger) error {
	ms, err := sqlgen.Migrations(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("sqlite store: %w", err)
	}
	if _, err := c.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("sqlite store: migrations table: %w", err)
	}
	for _, m := range ms {
		if err := applyMigration(ctx, c, m); err != nil {
			return fmt.Errorf("sqlite store: migration %s: %w", m.Name, err)
		}
	}
	log.Debug("schema migrated", "backend", "sqlite", "version", ms[len(ms)-1].Version)
	return nil
}

func applyMigration(ctx context.Context, c *sql.Conn, m sqlgen.Migration) (err error) {
	if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_, _ = c.ExecContext(ctx, "ROLLBACK")
		}
	}()
	var n int
	if err := c.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = ?", m.Version).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		if _, err := c.ExecContext(ctx, m.SQL); err != nil {
			return err
		}
		if _, err := c.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			m.Version, m.Name, time.Now().Unix()); err != nil {
			return err
		}
	}
	_, err = c.ExecContext(ctx, "COMMIT")
	return err
}

// Close finishes the writes under way, refuses new ones and closes the database.
func (s *Store) Close() error {
	if s.writer != nil {
		s.writer.Close()
	}
	if s.stopCkpt != nil {
		close(s.stopCkpt)
		<-s.ckptDone
	}
	return s.closeDBs()
}

func (s *Store) closeDBs() error {
	var errs []error
	s.stmts.close()
	if s.ws != nil {
		errs = append(errs, s.ws.close())
	}
	if s.wconn != nil {
		errs = append(errs, s.wconn.Close())
	}
	if s.wdb != nil {
		errs = append(errs, s.wdb.Close())
	}
	if s.rdb != nil {
		errs = append(errs, s.rdb.Close())
	}
	if s.cdb != nil {
		errs = append(errs, s.cdb.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite store: close: %w", err)
	}
	return nil
}

// Ping checks that a read connection answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite store: ping: %w", err)
	}
	return nil
}

// Backup writes a consistent copy of the database to path (which must not exist) with
// VACUUM INTO; writes carry on meanwhile.
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("sqlite store: backup: %s already exists", path)
	}
	// A separate connection: the read pool's are query_only, and the writer must not
	// be held for the length of a copy.
	db, err := sql.Open("sqlite", dsn(s.path, false))
	if err != nil {
		return fmt.Errorf("sqlite store: backup: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("sqlite store: backup to %s: %w", path, err)
	}
	return nil
}

func (s *Store) observeSince(op string, start time.Time) {
	if s.observe != nil {
		s.observe(op, time.Since(start))
	}
}

// stmtCache keeps prepared read statements by SQL text. Query shapes are few (they
// vary with the clauses, not the values), but a bound keeps a hostile client from
// growing it without end.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

const maxCachedStmts = 512

// get returns the prepared statement for query, or nil when the cache is full (the
// caller then runs the query unprepared).
func (c *stmtCache) get(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st, nil
	}
	if len(c.m) >= maxCachedStmts {
		return nil, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		_ = st.Close()
	}
	c.m = nil
}
