package terminology

import (
	"bytes"
	"compress/gzip"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/joinedup/joinedup/internal/terminology/snomed"
)

//go:embed data/r4.tsv.gz data/ukcore.tsv.gz
var embedded embed.FS

// Errors for errors.Is.
var (
	// ErrNotFound: the value set or code system named is not known to the server.
	ErrNotFound = errors.New("not found")
	// ErrUnknownCode: the code is not in the code system.
	ErrUnknownCode = errors.New("unknown code")
	// ErrNoContent: the server does not hold the content of the code system (SNOMED CT
	// without a loaded release, LOINC, dm+d, ...), so it cannot answer.
	ErrNoContent = errors.New("code system content not available")
	// ErrTooCostly: an expansion would exceed the server's limit.
	ErrTooCostly = errors.New("expansion too large")
)

// Server holds the code systems and value sets and answers terminology operations. The
// embedded R4 and UK Core content is indexed on first use; each resource is parsed the
// first time it is needed. A Server is safe for concurrent use.
type Server struct {
	loadOnce sync.Once
	loadErr  error

	mu          sync.RWMutex
	codeSystems map[string][]*entry // by url; the last entry is the one used without a version
	valueSets   map[string][]*entry
	owned       map[string]*entry // by owner (AddStored)

	snomed *snomed.Store
}

// entry is one CodeSystem or ValueSet resource, parsed on first use.
type entry struct {
	typ, url, version string
	json              []byte
	owner             string // the stored resource it came from (AddStored), "" otherwise

	once sync.Once
	cs   *CodeSystem
	vs   *ValueSet
	err  error
}

// New returns a server over the embedded FHIR R4 and UK Core content.
func New() *Server {
	return &Server{codeSystems: map[string][]*entry{}, valueSets: map[string][]*entry{}, owned: map[string]*entry{}}
}

// UseSnomed makes the server answer SNOMED CT questions from a loaded release.
func (s *Server) UseSnomed(st *snomed.Store) { s.snomed = st }

// Load indexes the embedded content now rather than on first use (a server calls it at
// start so that the first request does not pay for it). It reports how long it took.
func (s *Server) Load() (time.Duration, error) {
	start := time.Now()
	s.loadOnce.Do(func() { s.loadErr = s.loadEmbedded() })
	return time.Since(start), s.loadErr
}

func (s *Server) ensureLoaded() error {
	s.loadOnce.Do(func() { s.loadErr = s.loadEmbedded() })
	return s.loadErr
}

func (s *Server) loadEmbedded() error {
	start := time.Now()
	n := 0
	for _, name := range []string{"data/r4.tsv.gz", "data/ukcore.tsv.gz"} {
		f, err := embedded.Open(name)
		if err != nil {
			return fmt.Errorf("terminology: %w", err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return fmt.Errorf("terminology: %s: %w", name, err)
		}
		data, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			return fmt.Errorf("terminology: %s: %w", name, err)
		}
		k, err := s.index(data)
		if err != nil {
			return fmt.Errorf("terminology: %s: %w", name, err)
		}
		n += k
	}
	slog.Debug("terminology content indexed", "resources", n, "ms", time.Since(start).Milliseconds())
	return nil
}

// index adds the lines of an embedded bundle (type TAB url TAB version TAB json). The
// entries keep slices of data, which is never modified.
func (s *Server) index(data []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		fields := bytes.SplitN(line, []byte{'\t'}, 4)
		if len(fields) != 4 {
			return n, fmt.Errorf("line %d: want 4 tab-separated fields", n+1)
		}
		s.addEntryLocked(&entry{typ: string(fields[0]), url: string(fields[1]), version: string(fields[2]), json: fields[3]})
		n++
	}
	return n, nil
}

func (s *Server) addEntryLocked(e *entry) {
	switch e.typ {
	case "CodeSystem":
		s.codeSystems[e.url] = append(s.codeSystems[e.url], e)
	case "ValueSet":
		s.valueSets[e.url] = append(s.valueSets[e.url], e)
	}
}

// AddResource adds a CodeSystem or ValueSet given as FHIR JSON (from an implementation
// guide or a client), parsed now so that a bad resource is refused at once. It takes
// precedence over an earlier resource with the same url when no version is asked for.
func (s *Server) AddResource(data []byte) error {
	return s.add("", data)
}

// AddStored adds a CodeSystem or ValueSet stored on a server as the resource owner
// ("ValueSet/123"), replacing what owner added before, whatever its url: an update may
// change the content or the url. RemoveStored takes it out again.
func (s *Server) AddStored(owner string, data []byte) error {
	if owner == "" {
		return errors.New("terminology: a stored resource without an owner")
	}
	return s.add(owner, data)
}

// RemoveStored takes out what AddStored added for owner, so that a deleted resource is no
// longer used and the resources of the same url added before it are used again.
func (s *Server) RemoveStored(owner string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removeOwnerLocked(owner)
}

func (s *Server) removeOwnerLocked(owner string) {
	e := s.owned[owner]
	if e == nil {
		return
	}
	delete(s.owned, owner)
	m := s.codeSystems
	if e.typ == "ValueSet" {
		m = s.valueSets
	}
	if kept := slices.DeleteFunc(m[e.url], func(x *entry) bool { return x == e }); len(kept) > 0 {
		m[e.url] = kept
	} else {
		delete(m, e.url)
	}
}

func (s *Server) add(owner string, data []byte) error {
	if err := s.ensureLoaded(); err != nil {
		return err
	}
	e, err := newEntry(data)
	if err != nil {
		if owner != "" {
			// The owner's new content is unusable: its old content must not stand in.
			s.RemoveStored(owner)
		}
		return fmt.Errorf("terminology: %w", err)
	}
	e.owner = owner
	s.mu.Lock()
	if owner != "" {
		s.removeOwnerLocked(owner)
		s.owned[owner] = e
	}
	s.addEntryLocked(e)
	s.mu.Unlock()
	return nil
}

// newEntry parses a CodeSystem or ValueSet, which must have a url.
func newEntry(data []byte) (*entry, error) {
	e := &entry{json: bytes.Clone(data)}
	cs, vs, err := decodeResource(e.json)
	if err != nil {
		return nil, err
	}
	e.once.Do(func() {}) // already parsed: parse() must not redo it
	switch {
	case cs != nil:
		e.typ, e.url, e.version, e.cs = "CodeSystem", cs.URL, cs.Version, cs
	case vs != nil:
		e.typ, e.url, e.version, e.vs = "ValueSet", vs.URL, vs.Version, vs
	}
	if e.url == "" {
		return nil, fmt.Errorf("%s without url", e.typ)
	}
	return e, nil
}

func (e *entry) parse() {
	e.once.Do(func() {
		cs, vs, err := decodeResource(e.json)
		switch {
		case err != nil:
			e.err = fmt.Errorf("terminology: %s %s: %w", e.typ, e.url, err)
		case e.typ == "CodeSystem" && cs == nil, e.typ == "ValueSet" && vs == nil:
			e.err = fmt.Errorf("terminology: %s is not a %s", e.url, e.typ)
		}
		e.cs, e.vs = cs, vs
	})
}

// pick chooses the entry for a canonical: the exact version when one is given, otherwise
// the latest added.
func pick(entries []*entry, version string) *entry {
	if len(entries) == 0 {
		return nil
	}
	if version == "" {
		return entries[len(entries)-1]
	}
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].version == version {
			return entries[i]
		}
	}
	return nil
}

// splitCanonical splits "url|version".
func splitCanonical(canonical string) (url, version string) {
	url, version, _ = strings.Cut(canonical, "|")
	return url, version
}

// CodeSystem returns the code system with the given url (and version, "" for the latest).
// It returns an error wrapping ErrNotFound when the server does not have it.
func (s *Server) CodeSystem(url, version string) (*CodeSystem, error) {
	e, err := s.find(s.codeSystems, url, version)
	if err != nil {
		return nil, err
	}
	return e.cs, nil
}

// contentSystem returns the code system whose content answers for codes of url: the held
// code system, unless it is only a stub (content not-present, fragment, ...) of a system
// the server handles by other means — SNOMED CT, dm+d, LOINC and UCUM, whose R4 stubs
// would otherwise hide the form checks and a loaded SNOMED CT release. Such stubs are
// reported as ErrNotFound.
func (s *Server) contentSystem(url, version string) (*CodeSystem, error) {
	cs, err := s.CodeSystem(url, version)
	if err != nil {
		return nil, err
	}
	if !cs.HasContent() {
		if _, ok := externals[url]; ok || url == SystemUCUM || url == SystemURI {
			return nil, fmt.Errorf("%s: %w", url, ErrNotFound)
		}
	}
	return cs, nil
}

// ValueSet returns the value set with the given canonical ("url" or "url|version").
func (s *Server) ValueSet(canonical string) (*ValueSet, error) {
	url, version := splitCanonical(canonical)
	e, err := s.find(s.valueSets, url, version)
	if err != nil {
		return nil, err
	}
	return e.vs, nil
}

func (s *Server) find(m map[string][]*entry, url, version string) (*entry, error) {
	if err := s.ensureLoaded(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	e := pick(m[url], version)
	s.mu.RUnlock()
	if e == nil {
		if version != "" {
			return nil, fmt.Errorf("%s|%s: %w", url, version, ErrNotFound)
		}
		return nil, fmt.Errorf("%s: %w", url, ErrNotFound)
	}
	e.parse()
	if e.err != nil {
		return nil, e.err
	}
	return e, nil
}

// Resources lists, sorted, the canonical urls of the code systems and value sets the server holds.
func (s *Server) Resources() (codeSystems, valueSets []string, err error) {
	if err := s.ensureLoaded(); err != nil {
		return nil, nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for u := range s.codeSystems {
		codeSystems = append(codeSystems, u)
	}
	for u := range s.valueSets {
		valueSets = append(valueSets, u)
	}
	slices.Sort(codeSystems)
	slices.Sort(valueSets)
	return codeSystems, valueSets, nil
}
