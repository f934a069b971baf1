package index

import (
	"strings"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/store"
)

// Extractor computes the index rows, links and compartments of one resource version.
type Extractor interface {
	// Extract indexes r; base is the absolute FHIR base of the server as the client
	// addressed it ("" when unknown): absolute references under it are local.
	Extract(r fhir.Resource, base string) (*Entry, error)
}

// Entry is what Extract found in one resource.
type Entry struct {
	Index store.Index
	// Links are the local references the resource makes, in document order; a target may
	// appear more than once.
	Links        []Link
	Compartments []store.Ref
}

// Link is one local reference and the element that makes it (PathOf names it when an
// error needs to).
type Link struct {
	Target  store.Ref
	Element *fhir.Reference
}

// Refs returns the distinct link targets, as store.Write.Links wants them.
func (e *Entry) Refs() []store.Ref {
	refs := make([]store.Ref, 0, len(e.Links))
	for _, l := range e.Links {
		dup := false
		for _, r := range refs {
			if r == l.Target {
				dup = true
				break
			}
		}
		if !dup {
			refs = append(refs, l.Target)
		}
	}
	return refs
}

// LocalRef reports whether reference names a resource on this server: a relative
// "Type/id" (optionally "/_history/n") or an absolute URL under baseURL. Contained
// ("#x"), urn: and foreign absolute references are not local.
func LocalRef(reference, baseURL string) (store.Ref, bool) {
	if reference == "" || reference[0] == '#' {
		return store.Ref{}, false
	}
	if strings.Contains(reference, "://") || strings.HasPrefix(reference, "urn:") {
		if baseURL == "" {
			return store.Ref{}, false
		}
		rest, ok := strings.CutPrefix(reference, strings.TrimSuffix(baseURL, "/")+"/")
		if !ok {
			return store.Ref{}, false
		}
		reference = rest
	}
	typ, rest, ok := strings.Cut(reference, "/")
	if !ok || !fhir.IsResourceType(typ) {
		return store.Ref{}, false
	}
	id, history, _ := strings.Cut(rest, "/")
	if history != "" && !strings.HasPrefix(history, "_history/") {
		return store.Ref{}, false
	}
	if !ValidID(id) {
		return store.Ref{}, false
	}
	return store.Ref{Type: typ, ID: id}, true
}

// ValidID reports whether id is a legal FHIR id: 1 to 64 of [A-Za-z0-9-.].
func ValidID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
