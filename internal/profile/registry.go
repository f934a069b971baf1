package profile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/joinedup/joinedup/fhir"
)

// The embedded definitions: R4 extensions and constraint profiles, and UK Core (Apache-2.0,
// see data/NOTICE). Regenerate with go generate.
//
//go:generate go run ./internal/gendata -shared ../../../shared -out data
var (
	//go:embed data/r4.ndjson.gz
	r4Gz []byte
	//go:embed data/ukcore.ndjson.gz
	ukcoreGz []byte
)

// ErrUnknown is wrapped by errors for a profile the registry does not hold.
var ErrUnknown = errors.New("unknown profile")

// StructureDefinition is a profile, extension or type definition with its snapshot.
type StructureDefinition struct {
	URL, Version, Name string
	Type               string // the type it constrains: "Observation", "Extension"
	Kind               string // resource | complex-type | primitive-type | logical
	Derivation         string // constraint | specialization
	BaseDefinition     string
	Abstract           bool
	// Contexts say where an extension may be used.
	Contexts []Context
	Root     *Element
}

// Context is one StructureDefinition.context.
type Context struct {
	Type       string // element | extension | fhirpath
	Expression string
}

// Registry holds StructureDefinitions by canonical URL and builds their snapshots on
// first use. A Registry may sit over a parent whose definitions it sees (an implementation
// guide loaded over the embedded content). It is safe for concurrent use.
type Registry struct {
	parent *Registry
	mu     sync.RWMutex
	defs   map[string]*entry // by url and by url|version
	order  []string
}

type entry struct {
	src  *fhir.StructureDefinition
	snap *StructureDefinition
	err  error
}

// NewRegistry returns an empty registry over parent (which may be nil).
func NewRegistry(parent *Registry) *Registry {
	return &Registry{parent: parent, defs: map[string]*entry{}}
}

var (
	defaultOnce sync.Once
	defaultReg  *Registry
	defaultErr  error
)

// Default returns the registry of the embedded definitions: R4 and UK Core. It is shared.
func Default() (*Registry, error) {
	defaultOnce.Do(func() {
		defaultReg = NewRegistry(nil)
		for _, gz := range [][]byte{r4Gz, ukcoreGz} {
			if defaultErr = defaultReg.addNDJSON(gz); defaultErr != nil {
				return
			}
		}
	})
	return defaultReg, defaultErr
}

func (r *Registry) addNDJSON(gz []byte) error {
	z, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return fmt.Errorf("profile: embedded definitions: %w", err)
	}
	sc := bufio.NewScanner(z)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		if err := r.AddJSON(sc.Bytes()); err != nil {
			return fmt.Errorf("profile: embedded definitions: %w", err)
		}
	}
	return sc.Err()
}

// AddJSON adds a StructureDefinition given as JSON or XML (JSON is read leniently:
// definitions from other tools often carry elements of later FHIR versions). Resources of
// other types are ignored.
func (r *Registry) AddJSON(data []byte) error {
	res, err := ParseDefinition(data)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	sd, ok := res.(*fhir.StructureDefinition)
	if !ok {
		return nil
	}
	return r.Add(sd)
}

// Add adds a parsed StructureDefinition, replacing one with the same URL and version.
func (r *Registry) Add(sd *fhir.StructureDefinition) error {
	url := lit(sd.URL)
	if url == "" {
		return errors.New("profile: a StructureDefinition without a url")
	}
	e := &entry{src: sd}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.defs[url]; !ok {
		r.order = append(r.order, url)
	}
	r.defs[url] = e
	if v := lit(sd.Version); v != "" {
		r.defs[url+"|"+v] = e
	}
	// A new definition may change the snapshots of those built on it.
	for _, other := range r.defs {
		if other != e {
			other.snap, other.err = nil, nil
		}
	}
	return nil
}

// Remove takes the definition of a canonical URL, every version of it, out of the
// registry (not its parent's, which it then sees again): a StructureDefinition deleted
// from a server stops being enforced.
func (r *Registry) Remove(url string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.defs[url]; !ok {
		return
	}
	for key := range r.defs {
		if key == url || strings.HasPrefix(key, url+"|") {
			delete(r.defs, key)
		}
	}
	r.order = slices.DeleteFunc(r.order, func(u string) bool { return u == url })
	// Snapshots built on the removed definition must not outlive it.
	for _, other := range r.defs {
		other.snap, other.err = nil, nil
	}
}

// ParseDefinition reads a conformance resource from JSON (leniently) or XML (strictly:
// the XML reader has no lenient mode).
func ParseDefinition(data []byte) (fhir.Resource, error) {
	if t := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf"); len(t) > 0 && t[0] == '<' {
		return fhir.ParseResourceXML(data)
	}
	return fhir.ParseResourceOptions(data, fhir.ParseOptions{Lenient: true})
}

func (r *Registry) lookup(url string) (*Registry, *entry) {
	for reg := r; reg != nil; reg = reg.parent {
		reg.mu.RLock()
		e := reg.defs[url]
		reg.mu.RUnlock()
		if e != nil {
			return reg, e
		}
	}
	return nil, nil
}

// Known reports whether the registry holds a definition for the canonical URL (with or
// without |version), or the URL is a base type of R4.
func (r *Registry) Known(url string) bool {
	if _, e := r.lookup(url); e != nil {
		return true
	}
	return coreType(url) != ""
}

// URLs lists the canonical URLs of the definitions held (not the parent's).
func (r *Registry) URLs() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := append([]string(nil), r.order...)
	sort.Strings(out)
	return out
}

// coreType returns the R4 type a core canonical names ("…/StructureDefinition/Patient"),
// "" otherwise.
func coreType(url string) string {
	url, _, _ = strings.Cut(url, "|")
	name, ok := strings.CutPrefix(url, CorePrefix)
	if !ok || fhir.LookupType(name) == nil {
		return ""
	}
	return name
}

// Snapshot returns the definition with its snapshot for a canonical URL (with or without
// |version). The core URL of an R4 type gives its base definition.
func (r *Registry) Snapshot(url string) (*StructureDefinition, error) {
	return r.snapshot(url, map[string]bool{})
}

func (r *Registry) snapshot(url string, building map[string]bool) (*StructureDefinition, error) {
	reg, e := r.lookup(url)
	if e == nil {
		if t := coreType(url); t != "" {
			return coreDefinition(t), nil
		}
		return nil, fmt.Errorf("%w: %s", ErrUnknown, url)
	}
	reg.mu.RLock()
	snap, err := e.snap, e.err
	reg.mu.RUnlock()
	if snap != nil || err != nil {
		return snap, err
	}
	if reg != r {
		// A parent's definition is built (and cached) by the parent, from its own
		// definitions.
		return reg.snapshot(url, building)
	}
	if building[url] {
		return nil, fmt.Errorf("profile: %s is defined in terms of itself", url)
	}
	building[url] = true
	defer delete(building, url)
	snap, err = r.build(e.src, building)
	r.mu.Lock()
	e.snap, e.err = snap, err
	r.mu.Unlock()
	return snap, err
}

var coreDefs sync.Map // type → *StructureDefinition

func coreDefinition(t string) *StructureDefinition {
	if d, ok := coreDefs.Load(t); ok {
		return d.(*StructureDefinition)
	}
	td := fhir.LookupType(t)
	kind := "complex-type"
	switch td.Kind {
	case fhir.KindResource:
		kind = "resource"
	case fhir.KindPrimitive:
		kind = "primitive-type"
	}
	d := &StructureDefinition{URL: CorePrefix + t, Name: t, Type: t, Kind: kind, Derivation: "specialization", Abstract: td.Abstract, Root: Base(t)}
	if td.Base != "" {
		d.BaseDefinition = CorePrefix + td.Base
	}
	got, _ := coreDefs.LoadOrStore(t, d)
	return got.(*StructureDefinition)
}

// lit returns a primitive's value, "" for nil.
func lit[P interface {
	*T
	fhir.Primitive
}, T any](p P) string {
	if p == nil {
		return ""
	}
	s, _ := p.Literal()
	return s
}
