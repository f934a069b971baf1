package loadtest

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// bundleFile is one transaction or batch bundle read into memory before timing starts.
type bundleFile struct {
	Name    string
	Body    []byte
	Entries []json.RawMessage // the entries' resources, for counting and the raw ceiling
}

// readBundles loads every *.json Bundle under the given files and folders (sorted, so runs
// repeat), skipping non-Bundle JSON and bundles that are neither transaction nor batch.
func readBundles(paths []string) ([]bundleFile, error) {
	var names []string
	for _, p := range paths {
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(path, ".json") {
				names = append(names, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", p, err)
		}
	}
	slices.Sort(names)
	var out []bundleFile
	for _, name := range names {
		body, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("reading bundle: %w", err)
		}
		var b struct {
			ResourceType string `json:"resourceType"`
			Type         string `json:"type"`
			Entry        []struct {
				Resource json.RawMessage `json:"resource"`
			} `json:"entry"`
		}
		if err := json.Unmarshal(body, &b); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if b.ResourceType != "Bundle" || (b.Type != "transaction" && b.Type != "batch") {
			continue
		}
		bf := bundleFile{Name: name, Body: body}
		for _, e := range b.Entry {
			if len(e.Resource) > 0 {
				bf.Entries = append(bf.Entries, e.Resource)
			}
		}
		out = append(out, bf)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no transaction or batch bundles under %v", paths)
	}
	return out, nil
}
