// Command gendata compiles the CodeSystems and ValueSets of FHIR R4 and UK Core from
// ../shared into the gzipped bundles that package terminology embeds, so that the product
// needs no ../shared at run time.
//
// Each output line is one resource: "resourceType TAB url TAB version TAB json", the JSON
// compact and without its narrative (text), which no terminology operation uses. The index
// columns let the server find a resource without parsing JSON; it parses a resource on
// first use. Lines are sorted by type and url so that the output is reproducible.
//
// Usage (from internal/terminology, via go generate):
//
//	go run ./internal/gendata -shared ../../../shared -out data
package main

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

func main() {
	shared := flag.String("shared", "../../../shared", "path of the shared data folder")
	out := flag.String("out", "data", "output folder")
	flag.Parse()
	if err := run(*shared, *out); err != nil {
		slog.Error("gendata failed", "err", err)
		os.Exit(1)
	}
}

// line is one resource of an output bundle.
type line struct {
	typ, url, version string
	json              []byte
}

func run(shared, out string) error {
	var r4 []line
	for _, name := range []string{"valuesets", "v3-codesystems", "v2-tables"} {
		ls, err := readBundle(filepath.Join(shared, "fhir", "r4", name+".json.gz"))
		if err != nil {
			return err
		}
		r4 = append(r4, ls...)
	}
	var uk []line
	for _, dir := range []string{"codesystems", "valuesets"} {
		files, err := filepath.Glob(filepath.Join(shared, "fhir", "uk-core", "json", dir, "*.json"))
		if err != nil {
			return err
		}
		if len(files) == 0 {
			return fmt.Errorf("no UK Core %s under %s", dir, shared)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			l, err := compact(data)
			if err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			uk = append(uk, l)
		}
	}
	if err := write(filepath.Join(out, "r4.tsv.gz"), r4); err != nil {
		return err
	}
	return write(filepath.Join(out, "ukcore.tsv.gz"), uk)
}

// readBundle returns the CodeSystems and ValueSets of a gzipped definitions Bundle.
func readBundle(path string) ([]line, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	dec := jsontext.NewDecoder(zr)
	// Walk Bundle.entry[*].resource without materialising the whole bundle.
	if _, err := dec.ReadToken(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var ls []line
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if name.String() != "entry" {
			if err := dec.SkipValue(); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			continue
		}
		if _, err := dec.ReadToken(); err != nil { // [
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for dec.PeekKind() != ']' {
			if _, err := dec.ReadToken(); err != nil { // {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			for dec.PeekKind() != '}' {
				member, err := dec.ReadToken()
				if err != nil {
					return nil, fmt.Errorf("%s: %w", path, err)
				}
				isResource := member.String() == "resource"
				v, err := dec.ReadValue()
				if err != nil {
					return nil, fmt.Errorf("%s: %w", path, err)
				}
				if !isResource {
					continue
				}
				l, err := compact(v)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", path, err)
				}
				if l.typ == "CodeSystem" || l.typ == "ValueSet" {
					ls = append(ls, l)
				}
			}
			if _, err := dec.ReadToken(); err != nil { // }
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		}
		if _, err := dec.ReadToken(); err != nil { // ]
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return ls, nil
}

// compact rewrites one resource as compact JSON without its top-level text member and
// picks out its index columns. Member order and number literals are kept as they are.
func compact(data []byte) (line, error) {
	var l line
	dec := jsontext.NewDecoder(bytes.NewReader(data))
	var buf bytes.Buffer
	enc := jsontext.NewEncoder(&buf)
	tok, err := dec.ReadToken()
	if err != nil {
		return l, err
	}
	if tok.Kind() != '{' {
		return l, errors.New("resource is not a JSON object")
	}
	if err := enc.WriteToken(tok); err != nil {
		return l, err
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return l, err
		}
		key := name.String()
		v, err := dec.ReadValue()
		if err != nil {
			return l, err
		}
		if key == "text" {
			continue
		}
		switch key {
		case "resourceType", "url", "version":
			var s string
			if err := unquote(v, &s); err != nil {
				return l, fmt.Errorf("%s: %w", key, err)
			}
			switch key {
			case "resourceType":
				l.typ = s
			case "url":
				l.url = s
			case "version":
				l.version = s
			}
		}
		if err := enc.WriteToken(jsontext.String(key)); err != nil {
			return l, err
		}
		if err := enc.WriteValue(v); err != nil {
			return l, err
		}
	}
	if err := enc.WriteToken(jsontext.EndObject); err != nil {
		return l, err
	}
	if l.typ == "" || l.url == "" {
		return l, errors.New("resource without resourceType or url")
	}
	for _, s := range []string{l.typ, l.url, l.version} {
		if strings.ContainsAny(s, "\t\n") {
			return l, fmt.Errorf("index column %q has a tab or newline", s)
		}
	}
	l.json = bytes.TrimSpace(buf.Bytes())
	return l, nil
}

func unquote(v jsontext.Value, s *string) error {
	tok, err := jsontext.NewDecoder(bytes.NewReader(v)).ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != '"' {
		return errors.New("not a string")
	}
	*s = tok.String()
	return nil
}

func write(path string, ls []line) error {
	slices.SortFunc(ls, func(a, b line) int {
		return cmp.Or(cmp.Compare(a.typ, b.typ), cmp.Compare(a.url, b.url), cmp.Compare(a.version, b.version))
	})
	for i := 1; i < len(ls); i++ {
		if ls[i].typ == ls[i-1].typ && ls[i].url == ls[i-1].url && ls[i].version == ls[i-1].version {
			return fmt.Errorf("%s: duplicate %s %s|%s", path, ls[i].typ, ls[i].url, ls[i].version)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(f, gzip.BestCompression)
	if err != nil {
		f.Close()
		return err
	}
	// A fixed header (no name, no time) keeps the output byte-identical between runs.
	for _, l := range ls {
		if _, err := io.WriteString(zw, l.typ+"\t"+l.url+"\t"+l.version+"\t"); err != nil {
			f.Close()
			return err
		}
		if _, err := zw.Write(append(l.json, '\n')); err != nil {
			f.Close()
			return err
		}
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	slog.Info("wrote terminology bundle", "path", path, "resources", len(ls))
	return nil
}
