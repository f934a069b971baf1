package snomed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"

	_ "modernc.org/sqlite" // registers driver "sqlite"
)

// Well-known concept ids of the SNOMED CT metadata hierarchy.
const (
	IsA            = "116680003"
	FSNType        = "900000000000003001"
	SynonymType    = "900000000000013009"
	DefinitionType = "900000000000550004"
	Preferred      = "900000000000548007"
	Acceptable     = "900000000000549004"
	// UK English language reference sets, in order of preference, then GB English.
	UKClinicalLanguage = "999001261000000100"
	UKDrugLanguage     = "999000691000001104"
	GBLanguage         = "900000000000508004"
)

// FileName is the store's file name inside its folder.
const FileName = "snomed.sqlite"

// ErrTooMany: a query would return more concepts than the caller allowed.
var ErrTooMany = errors.New("too many concepts")

// Store is a loaded SNOMED CT release, read only. It is safe for concurrent use.
type Store struct {
	db      *sql.DB
	release string
}

// Concept is a SNOMED CT concept with its terms and direct is-a neighbours.
type Concept struct {
	ID     string
	Active bool
	// FSN is the fully specified name, Preferred the preferred term (UK English where
	// the release has a UK language reference set).
	FSN, Preferred string
	// Synonyms are the other active synonyms.
	Synonyms []string
	// Parents and Children are the direct active is-a neighbours.
	Parents, Children []string
}

// Open opens a store written by Load.
func Open(path string) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("snomed: %w", err)
	}
	q := url.Values{}
	q.Add("mode", "ro")
	q.Add("_pragma", "query_only(1)")
	q.Add("_pragma", "busy_timeout(5000)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("snomed: %w", err)
	}
	s := &Store{db: db}
	if err := db.QueryRow(`SELECT value FROM meta WHERE key = 'release'`).Scan(&s.release); err != nil {
		db.Close()
		return nil, fmt.Errorf("snomed: %s is not a SNOMED CT store: %w", path, err)
	}
	return s, nil
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

// Release names the loaded release (its folder name and latest effective time).
func (s *Store) Release() string { return s.release }

// Concept returns the concept with the given id, or nil when the release has none.
func (s *Store) Concept(ctx context.Context, id string) (*Concept, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil, nil
	}
	c := &Concept{ID: id}
	err = s.db.QueryRowContext(ctx, `SELECT active FROM concept WHERE id = ?`, n).Scan(&c.Active)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("snomed: concept %s: %w", id, err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT type, term, preferred FROM description
		WHERE concept = ? AND active = 1 ORDER BY preferred DESC, id`, n)
	if err != nil {
		return nil, fmt.Errorf("snomed: concept %s: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var typ int64
		var term string
		var preferred bool
		if err := rows.Scan(&typ, &term, &preferred); err != nil {
			return nil, fmt.Errorf("snomed: concept %s: %w", id, err)
		}
		switch strconv.FormatInt(typ, 10) {
		case FSNType:
			c.FSN = term
		case SynonymType:
			if preferred && c.Preferred == "" {
				c.Preferred = term
			} else {
				c.Synonyms = append(c.Synonyms, term)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("snomed: concept %s: %w", id, err)
	}
	if c.Preferred == "" && len(c.Synonyms) > 0 {
		// No language reference set marks a preferred term: the first synonym stands in.
		c.Preferred, c.Synonyms = c.Synonyms[0], c.Synonyms[1:]
	}
	if c.Parents, err = s.ids(ctx, `SELECT parent FROM isa WHERE child = ? ORDER BY parent`, n); err != nil {
		return nil, err
	}
	if c.Children, err = s.ids(ctx, `SELECT child FROM isa WHERE parent = ? ORDER BY child`, n); err != nil {
		return nil, err
	}
	return c, nil
}

func (s *Store) ids(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("snomed: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("snomed: %w", err)
		}
		out = append(out, strconv.FormatInt(id, 10))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("snomed: %w", err)
	}
	return out, nil
}

// IsA reports whether id is ancestor or one of its descendants over active is-a
// relationships.
func (s *Store) IsA(ctx context.Context, id, ancestor string) (bool, error) {
	if id == ancestor {
		return true, nil
	}
	a, err1 := strconv.ParseInt(id, 10, 64)
	b, err2 := strconv.ParseInt(ancestor, 10, 64)
	if err1 != nil || err2 != nil {
		return false, nil
	}
	var one int
	err := s.db.QueryRowContext(ctx, `WITH RECURSIVE up(id) AS (
			SELECT ? UNION SELECT isa.parent FROM isa JOIN up ON isa.child = up.id)
		SELECT 1 FROM up WHERE id = ? LIMIT 1`, a, b).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("snomed: is-a %s %s: %w", id, ancestor, err)
	}
	return true, nil
}

// MemberOf reports whether the concept id is an active member of the simple reference set
// refset.
func (s *Store) MemberOf(ctx context.Context, id, refset string) (bool, error) {
	a, err1 := strconv.ParseInt(id, 10, 64)
	b, err2 := strconv.ParseInt(refset, 10, 64)
	if err1 != nil || err2 != nil {
		return false, nil
	}
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM refset WHERE refset = ? AND component = ?`, b, a).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("snomed: memberOf %s %s: %w", id, refset, err)
	}
	return true, nil
}

// Members returns the active members of a simple reference set, failing with ErrTooMany
// when there are more than limit.
func (s *Store) Members(ctx context.Context, refset string, limit int) ([]string, error) {
	n, err := strconv.ParseInt(refset, 10, 64)
	if err != nil {
		return nil, nil
	}
	out, err := s.ids(ctx, `SELECT component FROM refset WHERE refset = ? ORDER BY component LIMIT ?`, n, limit+1)
	if err != nil {
		return nil, err
	}
	if len(out) > limit {
		return nil, fmt.Errorf("members of %s: more than %d: %w", refset, limit, ErrTooMany)
	}
	return out, nil
}

// Descendants returns the proper descendants of id over active is-a relationships,
// failing with ErrTooMany when there are more than limit.
func (s *Store) Descendants(ctx context.Context, id string, limit int) ([]string, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil, nil
	}
	out, err := s.ids(ctx, `WITH RECURSIVE down(id) AS (
			SELECT ? UNION SELECT isa.child FROM isa JOIN down ON isa.parent = down.id)
		SELECT id FROM down WHERE id != ? ORDER BY id LIMIT ?`, n, n, limit+1)
	if err != nil {
		return nil, err
	}
	if len(out) > limit {
		return nil, fmt.Errorf("descendants of %s: more than %d: %w", id, limit, ErrTooMany)
	}
	return out, nil
}
