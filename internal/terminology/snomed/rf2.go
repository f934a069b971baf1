package snomed

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// LoadOptions tune Load.
type LoadOptions struct {
	// Progress, when set, is called as the RF2 files are read, with bytes done and the
	// total size of the files.
	Progress func(done, total int64)
}

// The RF2 snapshot files Load reads. A release holds several packages (the UK edition
// folder has the International and the UK clinical ones), each with its own
// Snapshot/Terminology folder; stated relationships and concrete values are not needed.
var (
	conceptFile      = regexp.MustCompile(`^sct2_Concept_.*Snapshot.*\.txt$`)
	descriptionFile  = regexp.MustCompile(`^sct2_Description_.*Snapshot.*\.txt$`)
	relationshipFile = regexp.MustCompile(`^sct2_Relationship_.*Snapshot.*\.txt$`)
	languageFile     = regexp.MustCompile(`^der2_cRefset_Language.*Snapshot.*\.txt$`)
	simpleRefsetFile = regexp.MustCompile(`^der2_Refset_Simple.*Snapshot.*\.txt$`)
)

// rf2Files are the files of one kind found under a release folder.
type rf2Files struct {
	concepts, descriptions, relationships, languages, simpleRefsets []string
}

func findRF2(dir string) (rf2Files, error) {
	var f rf2Files
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.Contains(filepath.ToSlash(path), "Snapshot") {
			return nil
		}
		switch name := d.Name(); {
		case conceptFile.MatchString(name):
			f.concepts = append(f.concepts, path)
		case descriptionFile.MatchString(name):
			f.descriptions = append(f.descriptions, path)
		case relationshipFile.MatchString(name):
			f.relationships = append(f.relationships, path)
		case languageFile.MatchString(name):
			f.languages = append(f.languages, path)
		case simpleRefsetFile.MatchString(name):
			f.simpleRefsets = append(f.simpleRefsets, path)
		}
		return nil
	})
	if err != nil {
		return f, err
	}
	if len(f.concepts) == 0 || len(f.descriptions) == 0 || len(f.relationships) == 0 {
		return f, fmt.Errorf("%s: no RF2 snapshot (Snapshot/Terminology/sct2_Concept_*, sct2_Description_*, sct2_Relationship_*) found", dir)
	}
	return f, nil
}

const schema = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE concept (id INTEGER PRIMARY KEY, effective INTEGER NOT NULL, active INTEGER NOT NULL);
CREATE TABLE description (id INTEGER PRIMARY KEY, effective INTEGER NOT NULL, active INTEGER NOT NULL,
	concept INTEGER NOT NULL, type INTEGER NOT NULL, term TEXT NOT NULL, preferred INTEGER NOT NULL DEFAULT 0);
CREATE TABLE relationship (id INTEGER PRIMARY KEY, effective INTEGER NOT NULL, active INTEGER NOT NULL,
	source INTEGER NOT NULL, destination INTEGER NOT NULL, type INTEGER NOT NULL);
CREATE TABLE language (id TEXT PRIMARY KEY, effective INTEGER NOT NULL, active INTEGER NOT NULL,
	refset INTEGER NOT NULL, description INTEGER NOT NULL, acceptability INTEGER NOT NULL);
CREATE TABLE member (id TEXT PRIMARY KEY, effective INTEGER NOT NULL, active INTEGER NOT NULL,
	refset INTEGER NOT NULL, component INTEGER NOT NULL);
`

// Indexes and derived tables, built once the rows are in.
const finish = `
CREATE INDEX description_concept ON description(concept);
CREATE TABLE isa (child INTEGER NOT NULL, parent INTEGER NOT NULL, PRIMARY KEY (parent, child)) WITHOUT ROWID;
INSERT OR IGNORE INTO isa SELECT source, destination FROM relationship WHERE active = 1 AND type = 116680003;
CREATE INDEX isa_child ON isa(child, parent);
DROP TABLE relationship;
CREATE TABLE refset (refset INTEGER NOT NULL, component INTEGER NOT NULL, PRIMARY KEY (refset, component)) WITHOUT ROWID;
INSERT OR IGNORE INTO refset SELECT refset, component FROM member WHERE active = 1;
DROP TABLE member;
`

// Load reads the RF2 snapshot files under dir (a release folder in the UK edition layout,
// or any folder containing Snapshot/Terminology folders), with the language and simple
// reference sets found under Snapshot/Refset, into a new store file at path,
// replacing any store there only once the load has succeeded.
func Load(ctx context.Context, dir, path string, opt LoadOptions) error {
	files, err := findRF2(dir)
	if err != nil {
		return fmt.Errorf("snomed: %w", err)
	}
	var total int64
	for _, list := range [][]string{files.concepts, files.descriptions, files.relationships, files.languages, files.simpleRefsets} {
		for _, f := range list {
			st, err := os.Stat(f)
			if err != nil {
				return fmt.Errorf("snomed: %w", err)
			}
			total += st.Size()
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("snomed: %w", err)
	}
	tmp := path + ".loading"
	os.Remove(tmp)
	q := url.Values{}
	q.Add("_pragma", "journal_mode(OFF)")
	q.Add("_pragma", "synchronous(OFF)")
	q.Add("_pragma", "cache_size(-128000)")
	db, err := sql.Open("sqlite", "file:"+tmp+"?"+q.Encode())
	if err != nil {
		return fmt.Errorf("snomed: %w", err)
	}
	db.SetMaxOpenConns(1)
	l := &loader{db: db, total: total, progress: opt.Progress}
	err = l.load(ctx, dir, files)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("snomed: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("snomed: %w", err)
	}
	return nil
}

type loader struct {
	db       *sql.DB
	total    int64
	done     int64
	progress func(done, total int64)
	latest   int64 // latest effective time seen
}

func (l *loader) load(ctx context.Context, dir string, files rf2Files) error {
	if _, err := l.db.ExecContext(ctx, schema); err != nil {
		return err
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// A later row for the same id (from another package of the release) wins only when
	// it is at least as recent.
	steps := []struct {
		files  []string
		header string
		insert string
		cols   []int // RF2 columns bound to the insert, in order
		keep   func(fields []string) bool
	}{
		{files.concepts, "id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId",
			`INSERT INTO concept VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET effective = excluded.effective, active = excluded.active
			WHERE excluded.effective >= concept.effective`, []int{0, 1, 2}, nil},
		{files.descriptions, "id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\tcaseSignificanceId",
			`INSERT INTO description (id, effective, active, concept, type, term) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET effective = excluded.effective, active = excluded.active, concept = excluded.concept,
			type = excluded.type, term = excluded.term WHERE excluded.effective >= description.effective`, []int{0, 1, 2, 4, 6, 7}, nil},
		{files.relationships, "id\teffectiveTime\tactive\tmoduleId\tsourceId\tdestinationId\trelationshipGroup\ttypeId\tcharacteristicTypeId\tmodifierId",
			`INSERT INTO relationship VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET effective = excluded.effective,
			active = excluded.active, source = excluded.source, destination = excluded.destination, type = excluded.type
			WHERE excluded.effective >= relationship.effective`, []int{0, 1, 2, 4, 5, 7},
			// Only the hierarchy is needed: attribute relationships (most of the file) are skipped.
			func(fields []string) bool { return fields[7] == IsA }},
		{files.languages, "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId\tacceptabilityId",
			`INSERT INTO language VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET effective = excluded.effective,
			active = excluded.active, refset = excluded.refset, description = excluded.description,
			acceptability = excluded.acceptability WHERE excluded.effective >= language.effective`, []int{0, 1, 2, 4, 5, 6}, nil},
		// Simple reference sets give ECL's memberOf (^) its members.
		{files.simpleRefsets, "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId",
			`INSERT INTO member VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET effective = excluded.effective,
			active = excluded.active, refset = excluded.refset, component = excluded.component
			WHERE excluded.effective >= member.effective`, []int{0, 1, 2, 4, 5}, nil},
	}
	for _, st := range steps {
		stmt, err := tx.PrepareContext(ctx, st.insert)
		if err != nil {
			return err
		}
		for _, f := range st.files {
			n, err := l.readFile(ctx, f, st.header, stmt, st.cols, st.keep)
			if err != nil {
				stmt.Close()
				return err
			}
			slog.Info("snomed: loaded RF2 file", "file", filepath.Base(f), "rows", n)
		}
		stmt.Close()
	}
	if _, err := tx.ExecContext(ctx, finish); err != nil {
		return err
	}
	if err := l.markPreferred(ctx, tx); err != nil {
		return err
	}
	release := fmt.Sprintf("%s (%d)", filepath.Base(filepath.Clean(dir)), l.latest)
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta VALUES ('release', ?)`, release); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE language`); err != nil {
		return err
	}
	return tx.Commit()
}

// markPreferred flags each concept's preferred synonym from the language reference sets,
// taking the first of UK clinical, UK drug and GB English that marks one.
func (l *loader) markPreferred(ctx context.Context, tx *sql.Tx) error {
	for _, refset := range []string{UKClinicalLanguage, UKDrugLanguage, GBLanguage} {
		_, err := tx.ExecContext(ctx, `UPDATE description SET preferred = 1
			WHERE type = `+SynonymType+` AND active = 1
			AND id IN (SELECT description FROM language WHERE active = 1 AND refset = ? AND acceptability = `+Preferred+`)
			AND NOT EXISTS (SELECT 1 FROM description d WHERE d.concept = description.concept AND d.preferred = 1)`, refset)
		if err != nil {
			return fmt.Errorf("marking preferred terms: %w", err)
		}
	}
	return nil
}

// readFile inserts the rows of one RF2 file that keep accepts (all when nil), checking
// its header.
func (l *loader) readFile(ctx context.Context, path, header string, stmt *sql.Stmt, cols []int, keep func([]string) bool) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	names := strings.Split(header, "\t")
	// The language refset's row id is a UUID; every other id is an SCTID.
	textID := strings.Contains(header, "refsetId")
	args := make([]any, len(cols))
	n := 0
	for lineNo := 1; ; lineNo++ {
		line, err := r.ReadString('\n')
		if err != nil && err != io.EOF {
			return n, fmt.Errorf("%s: %w", path, err)
		}
		l.done += int64(len(line))
		text := strings.TrimRight(line, "\r\n")
		switch {
		case lineNo == 1:
			if text != header {
				return n, fmt.Errorf("%s: unexpected header %q (want %q)", path, text, header)
			}
		case text != "":
			fields := strings.Split(text, "\t")
			if len(fields) != len(names) {
				return n, fmt.Errorf("%s:%d: %d fields, want %d", path, lineNo, len(fields), len(names))
			}
			if keep != nil && !keep(fields) {
				break // skip the row (leaves the switch)
			}
			for i, c := range cols {
				args[i], err = l.value(names[c], textID, fields[c])
				if err != nil {
					return n, fmt.Errorf("%s:%d: %w", path, lineNo, err)
				}
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return n, fmt.Errorf("%s:%d: %w", path, lineNo, err)
			}
			n++
			if l.progress != nil && n%10000 == 0 {
				l.progress(l.done, l.total)
			}
		}
		if err == io.EOF {
			break
		}
	}
	if l.progress != nil {
		l.progress(l.done, l.total)
	}
	return n, nil
}

// value converts an RF2 field named name: ids and times to integers (except a UUID row
// id, textID), the term as is.
func (l *loader) value(name string, textID bool, field string) (any, error) {
	switch name {
	case "term":
		return field, nil
	case "id":
		if textID {
			return field, nil
		}
	case "effectiveTime":
		t, err := strconv.ParseInt(field, 10, 64)
		if err != nil || len(field) != 8 {
			return nil, fmt.Errorf("effectiveTime %q is not YYYYMMDD", field)
		}
		l.latest = max(l.latest, t)
		return t, nil
	case "active":
		if field != "0" && field != "1" {
			return nil, fmt.Errorf("active %q is not 0 or 1", field)
		}
		return field == "1", nil
	}
	v, err := strconv.ParseInt(field, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%s %q is not an SCTID", name, field)
	}
	return v, nil
}
