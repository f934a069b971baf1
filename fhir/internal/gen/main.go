package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	defs := flag.String("defs", "../../shared/fhir/r4", "directory holding profiles-types.json.gz, profiles-resources.json.gz and search-parameters.json.gz")
	out := flag.String("out", ".", "output directory (the fhir package)")
	flag.Parse()
	if err := run(*defs, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(defs, out string) error {
	m, err := loadModel(defs)
	if err != nil {
		return err
	}
	old, err := filepath.Glob(filepath.Join(out, "*_gen.go"))
	if err != nil {
		return fmt.Errorf("list old files: %w", err)
	}
	for _, f := range old {
		// Only files this generator wrote: others may use the same suffix.
		b, err := os.ReadFile(f)
		if err != nil || !bytes.HasPrefix(b, []byte(header)) {
			continue
		}
		if err := os.Remove(f); err != nil {
			return fmt.Errorf("remove old file: %w", err)
		}
	}
	return (&gen{m: m, out: out}).run()
}
