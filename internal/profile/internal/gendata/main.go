// Command gendata compiles the StructureDefinitions that joinedup embeds: the R4 extension
// definitions and constraint profiles (profiles-others), UK Core's profiles and extensions,
// and the root-element invariants of the R4 base types, which the generated meta-model
// does not carry. Narrative, mappings and documentation texts are dropped; differentials
// are kept, since snapshots are generated at run time.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	shared := flag.String("shared", "../../../shared", "path of the shared folder")
	out := flag.String("out", "data", "output folder")
	flag.Parse()
	if err := run(*shared, *out); err != nil {
		log.Fatal(err)
	}
}

func run(shared, out string) error {
	r4 := filepath.Join(shared, "fhir", "r4")
	var r4defs [][]byte
	for _, f := range []string{"extension-definitions.json.gz", "profiles-others.json.gz"} {
		res, err := bundleResources(filepath.Join(r4, f))
		if err != nil {
			return err
		}
		for _, r := range res {
			if r["resourceType"] != "StructureDefinition" {
				continue
			}
			b, err := slim(r)
			if err != nil {
				return err
			}
			r4defs = append(r4defs, b)
		}
	}
	if err := writeLines(filepath.Join(out, "r4.ndjson.gz"), r4defs); err != nil {
		return err
	}

	files, err := filepath.Glob(filepath.Join(shared, "fhir", "uk-core", "json", "structuredefinitions", "*.json"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	var uk [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var r map[string]any
		if err := json.Unmarshal(data, &r); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		b, err := slim(r)
		if err != nil {
			return err
		}
		uk = append(uk, b)
	}
	if err := writeLines(filepath.Join(out, "ukcore.ndjson.gz"), uk); err != nil {
		return err
	}

	roots := map[string]any{}
	for _, f := range []string{"profiles-resources.json.gz", "profiles-types.json.gz"} {
		res, err := bundleResources(filepath.Join(r4, f))
		if err != nil {
			return err
		}
		for _, r := range res {
			if r["resourceType"] != "StructureDefinition" || r["derivation"] != "specialization" {
				continue
			}
			typ, _ := r["type"].(string)
			snap, _ := r["snapshot"].(map[string]any)
			els, _ := snap["element"].([]any)
			if len(els) == 0 {
				continue
			}
			root, _ := els[0].(map[string]any)
			if root["path"] != typ || root["constraint"] == nil {
				continue
			}
			var cs []any
			for _, c := range root["constraint"].([]any) {
				m := c.(map[string]any)
				delete(m, "xpath")
				delete(m, "extension")
				delete(m, "requirements")
				cs = append(cs, m)
			}
			roots[typ] = cs
		}
	}
	b, err := json.Marshal(roots)
	if err != nil {
		return err
	}
	return writeLines(filepath.Join(out, "roots.json.gz"), [][]byte{b})
}

func bundleResources(path string) ([]map[string]any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var b struct {
		Entry []struct {
			Resource map[string]any `json:"resource"`
		} `json:"entry"`
	}
	if err := json.NewDecoder(z).Decode(&b); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]map[string]any, 0, len(b.Entry))
	for _, e := range b.Entry {
		out = append(out, e.Resource)
	}
	return out, nil
}

// slim drops what validation never reads, keeping the resource valid FHIR.
func slim(r map[string]any) ([]byte, error) {
	delete(r, "text")
	delete(r, "mapping")
	if _, ok := r["differential"]; ok {
		delete(r, "snapshot")
	}
	for _, part := range []string{"differential", "snapshot"} {
		p, _ := r[part].(map[string]any)
		els, _ := p["element"].([]any)
		for _, e := range els {
			m := e.(map[string]any)
			for _, k := range []string{"definition", "comment", "requirements", "mapping", "alias", "example"} {
				delete(m, k)
			}
			for k := range m {
				if strings.HasPrefix(k, "_") {
					delete(m, k)
				}
			}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func writeLines(path string, lines [][]byte) error {
	var buf bytes.Buffer
	z, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	for _, l := range lines {
		z.Write(l)
		z.Write([]byte("\n"))
	}
	if err := z.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
