package index

import (
	"strings"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/store"
)

// Foundation is the extractor of the foundation: identifier, _tag, _profile, _security and
// _source index rows, every local reference, and Patient compartment membership.
type Foundation struct{}

// metaResource is implemented by every generated resource type.
type metaResource interface {
	ResourceMeta() *fhir.Meta
}

// Extract implements Extractor.
func (f Foundation) Extract(r fhir.Resource, base string) (*Entry, error) {
	e := &Entry{}
	var buf []fhir.Element
	for _, el := range r.Children("identifier", buf) {
		if id, ok := el.(*fhir.Identifier); ok && (id.System != nil || id.Value != nil) {
			e.Index.Tokens = append(e.Index.Tokens, store.TokenEntry{
				Param: "identifier", System: lit(id.System), Code: lit(id.Value),
			})
		}
	}
	if mr, ok := r.(metaResource); ok {
		if m := mr.ResourceMeta(); m != nil {
			e.Index.Tokens = appendCodings(e.Index.Tokens, "_tag", m.Tag)
			e.Index.Tokens = appendCodings(e.Index.Tokens, "_security", m.Security)
			for _, p := range m.Profile {
				if v := lit(p); v != "" {
					e.Index.URIs = append(e.Index.URIs, store.URIEntry{Param: "_profile", Value: v})
				}
			}
			if v := lit(m.Source); v != "" {
				e.Index.URIs = append(e.Index.URIs, store.URIEntry{Param: "_source", Value: v})
			}
		}
	}

	EachReference(r, func(ref *fhir.Reference, _ func() string) {
		if t, ok := LocalRef(lit(ref.Reference), base); ok {
			e.Links = append(e.Links, Link{Target: t, Element: ref})
		}
	})
	e.Compartments = compartments(r, base)
	return e, nil
}

func appendCodings(dst []store.TokenEntry, param string, codings []*fhir.Coding) []store.TokenEntry {
	for _, c := range codings {
		if c.System == nil && c.Code == nil {
			continue
		}
		dst = append(dst, store.TokenEntry{Param: param, System: lit(c.System), Code: lit(c.Code), Text: lit(c.Display)})
	}
	return dst
}

// compartments lists the patients whose compartment r is in.
func compartments(r fhir.Resource, base string) []store.Ref {
	var refs []store.Ref
	add := func(ref store.Ref) {
		for _, x := range refs {
			if x == ref {
				return
			}
		}
		refs = append(refs, ref)
	}
	if r.ResourceType() == "Patient" && r.ResourceID() != "" {
		add(store.Ref{Type: "Patient", ID: r.ResourceID()})
	}
	for _, path := range patientCompartment[r.ResourceType()] {
		level := []fhir.Element{r}
		for _, name := range strings.Split(path, ".") {
			var next []fhir.Element
			for _, el := range level {
				next = el.Children(name, next)
			}
			level = next
		}
		for _, el := range level {
			ref, ok := el.(*fhir.Reference)
			if !ok {
				continue
			}
			if t, ok := LocalRef(lit(ref.Reference), base); ok && t.Type == "Patient" {
				add(t)
			}
		}
	}
	return refs
}

// lit returns a primitive's value, "" when absent.
func lit[T any, P interface {
	*T
	fhir.Primitive
}](p P) string {
	if p == nil {
		return ""
	}
	s, _ := p.Literal()
	return s
}
