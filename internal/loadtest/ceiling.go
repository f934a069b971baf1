package loadtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // the same pure-Go SQLite the embedded store uses
)

// CeilingOptions configures the raw-insert ceiling: the same resource bytes an ingest run
// sends, inserted as blobs into one SQLite table by one process, with no parsing, indexing
// or HTTP. The server's ingest time divided by this time says how much the server adds.
type CeilingOptions struct {
	Paths  []string
	Passes int
	Dir    string // where to put the scratch database; a temporary folder if empty
	// Synchronous is SQLite's synchronous pragma; use the embedded store's setting so the
	// durability is the same.
	Synchronous string
	BatchSize   int // rows per transaction
}

// CeilingResult is what the raw insert measured.
type CeilingResult struct {
	Resources int
	Elapsed   time.Duration
}

// ResourcesPerSecond is the ceiling figure.
func (r *CeilingResult) ResourcesPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Resources) / r.Elapsed.Seconds()
}

// Ceiling inserts every entry's resource bytes of every bundle Passes times.
func Ceiling(ctx context.Context, o CeilingOptions) (*CeilingResult, error) {
	bundles, err := readBundles(o.Paths)
	if err != nil {
		return nil, err
	}
	if o.Passes < 1 {
		o.Passes = 1
	}
	if o.BatchSize < 1 {
		o.BatchSize = 1000
	}
	if o.Synchronous == "" {
		o.Synchronous = "NORMAL"
	}
	dir := o.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "joinedup-ceiling-"); err != nil {
			return nil, fmt.Errorf("ceiling: %w", err)
		}
		defer os.RemoveAll(dir)
	}
	dsn := fmt.Sprintf("file:%s?_pragma=journal_mode(WAL)&_pragma=synchronous(%s)", filepath.Join(dir, "ceiling.db"), o.Synchronous)
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("ceiling: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE raw (seq INTEGER PRIMARY KEY, body BLOB NOT NULL)`); err != nil {
		return nil, fmt.Errorf("ceiling: %w", err)
	}

	res := &CeilingResult{}
	start := time.Now()
	var (
		tx   *sql.Tx
		stmt *sql.Stmt
		n    int
	)
	flush := func() error {
		if tx == nil {
			return nil
		}
		stmt.Close()
		err := tx.Commit()
		tx, stmt = nil, nil
		return err
	}
	for range o.Passes {
		for _, b := range bundles {
			for _, body := range b.Entries {
				if tx == nil {
					if tx, err = db.BeginTx(ctx, nil); err != nil {
						return nil, fmt.Errorf("ceiling: %w", err)
					}
					if stmt, err = tx.PrepareContext(ctx, `INSERT INTO raw (body) VALUES (?)`); err != nil {
						return nil, fmt.Errorf("ceiling: %w", err)
					}
				}
				if _, err := stmt.ExecContext(ctx, []byte(body)); err != nil {
					return nil, fmt.Errorf("ceiling: %w", err)
				}
				res.Resources++
				if n++; n%o.BatchSize == 0 {
					if err := flush(); err != nil {
						return nil, fmt.Errorf("ceiling: %w", err)
					}
				}
			}
		}
	}
	if err := flush(); err != nil {
		return nil, fmt.Errorf("ceiling: %w", err)
	}
	res.Elapsed = time.Since(start)
	return res, nil
}
