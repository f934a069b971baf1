package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Target is where resources go: the local interaction layer or a remote server.
type Target interface {
	// Bundle runs a transaction or batch bundle, returning one outcome per entry; an error
	// means the whole bundle failed (a transaction that rolled back).
	Bundle(ctx context.Context, body []byte) ([]Outcome, error)
	// Put updates (or creates) typ/id.
	Put(ctx context.Context, typ, id string, body []byte) Outcome
	// Post creates a resource of type typ.
	Post(ctx context.Context, typ string, body []byte) Outcome
}

// Outcome is what happened to one resource.
type Outcome struct {
	Status int    // HTTP status of the entry: 201 created, 200 updated or matched
	Err    string // empty when it succeeded
}

// Summary counts what an import did.
type Summary struct {
	Files, Created, Updated, Failed int
	// Failures names each failure (file and entry) with its reason, first ones first.
	Failures []string
}

// MaxFailures bounds Summary.Failures; Failed still counts them all.
const MaxFailures = 100

// Options configures an import.
type Options struct {
	Target Target
	Paths  []string
	// Concurrency is how many files load at once (the store commits concurrent writes
	// together, so a few workers load faster than one).
	Concurrency int
	// Progress, when set, is told the bytes processed so far of the total.
	Progress func(done, total int64)
}

// Run imports every .json, .ndjson and .jsonl file under Paths (folders recursively, in
// name order). Unreadable or malformed files count as failures; Run's own error is only
// for a path that cannot be listed or a cancelled context.
func Run(ctx context.Context, o Options) (*Summary, error) {
	files, total, err := list(o.Paths)
	if err != nil {
		return nil, err
	}
	if o.Concurrency < 1 {
		o.Concurrency = 4
	}
	var (
		mu   sync.Mutex
		sum  = &Summary{Files: len(files)}
		done int64
		wg   sync.WaitGroup
	)
	record := func(file string, size int64, outs []fileOutcome) {
		mu.Lock()
		defer mu.Unlock()
		for _, out := range outs {
			switch {
			case out.Err != "":
				sum.Failed++
				if !out.unlisted && len(sum.Failures) < MaxFailures {
					sum.Failures = append(sum.Failures, fmt.Sprintf("%s%s: %s", file, out.where, out.Err))
				}
			case out.Status == 201:
				sum.Created++
			default:
				sum.Updated++
			}
		}
		done += size
		if o.Progress != nil {
			o.Progress(done, total)
		}
	}
	work := make(chan fileInfo)
	for range o.Concurrency {
		wg.Go(func() {
			for f := range work {
				record(f.path, f.size, loadFile(ctx, o.Target, f.path))
			}
		})
	}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		work <- f
	}
	close(work)
	wg.Wait()
	return sum, ctx.Err()
}

type fileInfo struct {
	path string
	size int64
}

func list(paths []string) ([]fileInfo, int64, error) {
	var files []fileInfo
	var total int64
	for _, p := range paths {
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !importable(path) {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			files = append(files, fileInfo{path, info.Size()})
			total += info.Size()
			return nil
		})
		if err != nil {
			return nil, 0, fmt.Errorf("import: %w", err)
		}
	}
	slices.SortFunc(files, func(a, b fileInfo) int { return strings.Compare(a.path, b.path) })
	return files, total, nil
}

func importable(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json", ".ndjson", ".jsonl":
		return true
	}
	return false
}

// fileOutcome is an Outcome with where in the file it happened (" entry 3", " line 7").
type fileOutcome struct {
	Outcome
	where string
	// unlisted failures count but are not listed: the entries of a rolled-back
	// transaction share its one reason.
	unlisted bool
}

func loadFile(ctx context.Context, t Target, path string) []fileOutcome {
	data, err := os.ReadFile(path)
	if err != nil {
		return []fileOutcome{{Outcome: Outcome{Err: err.Error()}}}
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".ndjson", ".jsonl":
		return loadNDJSON(ctx, t, data)
	}
	return loadJSON(ctx, t, data)
}

// head is the part of a resource the importer looks at to route it.
type head struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Type         string `json:"type"` // Bundle.type
}

func loadJSON(ctx context.Context, t Target, data []byte) []fileOutcome {
	var h head
	if err := json.Unmarshal(data, &h); err != nil {
		return []fileOutcome{{Outcome: Outcome{Err: "not a FHIR JSON resource: " + err.Error()}}}
	}
	if h.ResourceType == "Bundle" && (h.Type == "transaction" || h.Type == "batch") {
		outs, err := t.Bundle(ctx, data)
		if err != nil {
			// The bundle stored nothing: every entry failed with the bundle's reason.
			n := max(countEntries(data), 1)
			fail := make([]fileOutcome, n)
			fail[0] = fileOutcome{Outcome: Outcome{Err: err.Error()}}
			for i := 1; i < n; i++ {
				fail[i] = fileOutcome{Outcome: Outcome{Err: "rolled back with the bundle"}, unlisted: true}
			}
			return fail
		}
		res := make([]fileOutcome, len(outs))
		for i, o := range outs {
			res[i] = fileOutcome{Outcome: o, where: fmt.Sprintf(" entry %d", i)}
		}
		return res
	}
	if h.ResourceType == "Bundle" {
		var b struct {
			Entry []struct {
				Resource json.RawMessage `json:"resource"`
			} `json:"entry"`
		}
		if err := json.Unmarshal(data, &b); err != nil {
			return []fileOutcome{{Outcome: Outcome{Err: err.Error()}}}
		}
		var res []fileOutcome
		for i, e := range b.Entry {
			if len(e.Resource) == 0 {
				continue
			}
			res = append(res, fileOutcome{Outcome: one(ctx, t, e.Resource), where: fmt.Sprintf(" entry %d", i)})
		}
		return res
	}
	return []fileOutcome{{Outcome: one(ctx, t, data)}}
}

func loadNDJSON(ctx context.Context, t Target, data []byte) []fileOutcome {
	var res []fileOutcome
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for line := 1; sc.Scan(); line++ {
		l := bytes.TrimSpace(sc.Bytes())
		if len(l) == 0 {
			continue
		}
		res = append(res, fileOutcome{Outcome: one(ctx, t, bytes.Clone(l)), where: fmt.Sprintf(" line %d", line)})
	}
	if err := sc.Err(); err != nil {
		res = append(res, fileOutcome{Outcome: Outcome{Err: err.Error()}})
	}
	return res
}

// one writes a single resource: PUT when it has an id, POST otherwise.
func one(ctx context.Context, t Target, body []byte) Outcome {
	var h head
	if err := json.Unmarshal(body, &h); err != nil {
		return Outcome{Err: "not a FHIR JSON resource: " + err.Error()}
	}
	if h.ResourceType == "" {
		return Outcome{Err: "no resourceType"}
	}
	if h.ID != "" {
		return t.Put(ctx, h.ResourceType, h.ID, body)
	}
	return t.Post(ctx, h.ResourceType, body)
}

func countEntries(data []byte) int {
	var b struct {
		Entry []json.RawMessage `json:"entry"`
	}
	if json.Unmarshal(data, &b) != nil {
		return 0
	}
	return len(b.Entry)
}
