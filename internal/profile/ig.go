package profile

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/joinedup/joinedup/fhir"
)

// Bounds on a FHIR NPM package, so that a corrupt or hostile archive cannot exhaust
// memory: the largest definitions (R4's own StructureDefinitions with snapshots) are a
// few MiB, and the largest published guides a few hundred MiB unpacked.
const (
	maxPackageFile  = 64 << 20  // one entry
	maxPackageTotal = 1 << 30   // all entries read
	maxPackageFiles = 1_000_000 // entries, of any kind
)

// LoadIG adds the definitions of an implementation guide given either as a folder
// (loadDir) or as a FHIR NPM package, a gzipped tar ending .tgz or .tar.gz (loadPackage).
// It returns the ValueSets and CodeSystems found, as JSON, for the terminology server.
func (r *Registry) LoadIG(p string) (terminology [][]byte, err error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	if fi.IsDir() {
		return r.loadDir(p)
	}
	lower := strings.ToLower(p)
	if !strings.HasSuffix(lower, ".tgz") && !strings.HasSuffix(lower, ".tar.gz") {
		return nil, fmt.Errorf("profile: %s is neither a folder nor a FHIR package (.tgz)", p)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	defer f.Close()
	return r.loadPackage(f)
}

// loadPackage reads a FHIR NPM package (https://hl7.org/fhir/packages.html): the
// resources are the JSON files directly in package/. Its subfolders (example/, other/,
// openapi/, xml/ ...) hold examples and other material, not definitions, and
// package.json and .index.json describe the package; top-level JSON without a
// resourceType (a tool's file) is skipped too. A resource that cannot be read, invalid
// JSON, a damaged archive and an entry over the size bounds are errors naming the entry.
func (r *Registry) loadPackage(rd io.Reader) (terminology [][]byte, err error) {
	z, err := gzip.NewReader(rd)
	if err != nil {
		return nil, fmt.Errorf("profile: package: %w", err)
	}
	defer z.Close()
	tr := tar.NewReader(z)
	total := int64(0)
	for n := 0; ; n++ {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return terminology, nil
		}
		if err != nil {
			return nil, fmt.Errorf("profile: package: %w", err)
		}
		if n >= maxPackageFiles {
			return nil, fmt.Errorf("profile: package: more than %d entries", maxPackageFiles)
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if h.Typeflag != tar.TypeReg || path.Dir(name) != "package" || !strings.EqualFold(path.Ext(name), ".json") {
			continue
		}
		if base := path.Base(name); base == "package.json" || base == ".index.json" {
			continue
		}
		if h.Size > maxPackageFile {
			return nil, fmt.Errorf("profile: package: %s: %d bytes, more than the %d allowed", h.Name, h.Size, maxPackageFile)
		}
		if total += h.Size; total > maxPackageTotal {
			return nil, fmt.Errorf("profile: package: %s: the files add up to more than the %d bytes allowed", h.Name, maxPackageTotal)
		}
		data, err := io.ReadAll(io.LimitReader(tr, h.Size))
		if err != nil {
			return nil, fmt.Errorf("profile: package: %s: %w", h.Name, err)
		}
		var head struct {
			ResourceType *string `json:"resourceType"`
		}
		if err := json.Unmarshal(data, &head); err != nil {
			return nil, fmt.Errorf("profile: package: %s: %w", h.Name, err)
		}
		if head.ResourceType == nil {
			continue // JSON that is not a resource: a tool's file
		}
		res, err := ParseDefinition(data)
		if err != nil {
			return nil, fmt.Errorf("profile: package: %s: %w", h.Name, err)
		}
		tx, err := r.addResource(res)
		if err != nil {
			return nil, fmt.Errorf("profile: package: %s: %w", h.Name, err)
		}
		if tx != nil {
			terminology = append(terminology, tx)
		}
	}
}

// addResource adds a StructureDefinition to the registry and returns a ValueSet or
// CodeSystem as JSON for the terminology server; other resources are ignored.
func (r *Registry) addResource(res fhir.Resource) (terminology []byte, err error) {
	switch v := res.(type) {
	case *fhir.StructureDefinition:
		return nil, r.Add(v)
	case *fhir.ValueSet, *fhir.CodeSystem:
		return fhir.MarshalResource(res)
	}
	return nil, nil
}

// loadDir adds every StructureDefinition found in the JSON and XML files of dir
// (recursively), and returns the ValueSets and CodeSystems found, as JSON, for the
// terminology server. Files that are not FHIR resources are skipped.
func (r *Registry) loadDir(dir string) (terminology [][]byte, err error) {
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		ext := strings.ToLower(filepath.Ext(p))
		if d.IsDir() || ext != ".json" && ext != ".xml" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("profile: %w", err)
		}
		res, perr := ParseDefinition(data)
		if perr != nil {
			return nil
		}
		tx, err := r.addResource(res)
		if err != nil {
			return fmt.Errorf("profile: %s: %w", p, err)
		}
		if tx != nil {
			terminology = append(terminology, tx)
		}
		return nil
	})
	return terminology, err
}
