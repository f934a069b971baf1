package validate

import (
	"strings"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/profile"
)

// extensionURL checks an extension against the definition its url names (unless the
// element's own type profile already did) and that it is used where its contexts allow.
func (r *run) extensionURL(d *profile.Element, e fhir.Element, path string) {
	ext, ok := e.(*fhir.Extension)
	if !ok {
		return
	}
	url := ext.URL
	parent, parentPath := r.parent, r.parentPath
	if url == "" || !strings.Contains(url, ":") {
		if _, inExt := parent.(*fhir.Extension); !inExt && url != "" {
			r.add(Error, "value", path, "Extension.url must be an absolute URL, not '%s'", url)
		}
		return // a complex extension's part: its parent's definition slices it
	}
	sd, err := r.v.reg.Snapshot(url)
	if err != nil {
		// An unknown extension can be ignored by its readers, so it is a warning; one
		// that changes meaning cannot, and example URLs never belong in real data.
		switch {
		case r.v.allowExampleURL && (strings.HasPrefix(url, "http://example.org/") || strings.HasPrefix(url, "https://example.org/")):
			r.add(Information, "structure", path, "The extension %s is an example: accepted without a definition", url)
		case d.Name == "modifierExtension":
			r.add(Error, "structure", path, "The modifier extension %s is unknown, so it cannot be processed safely", url)
		case isExampleURL(url):
			r.add(Error, "structure", path, "The extension %s could not be found, and example URLs are not allowed in this context", url)
		default:
			r.add(Warning, "structure", path, "The extension %s is unknown, so it could not be checked", url)
		}
		return
	}
	if d == sd.Root {
		return // e is being validated against this very definition
	}
	if sd.Type != "Extension" {
		r.add(Error, "structure", path, "The url %s names a %s definition, not an extension", url, sd.Type)
		return
	}
	if parent != nil && !r.contextAllowed(sd, parent, parentPath) {
		var where []string
		for _, c := range sd.Contexts {
			where = append(where, c.Expression)
		}
		r.add(Error, "business-rule", path, "The extension %s is not allowed to be used at this point (allowed: %s)", url, strings.Join(where, ", "))
	}
	for _, t := range d.Types {
		for _, p := range t.Profiles {
			if p == url {
				return // validated through the element's type profile
			}
		}
	}
	r.node(sd.Root, e, path, "Extension")
}

func isExampleURL(u string) bool {
	for _, host := range []string{"://example.org", "://example.com", "://www.example.org", "://www.example.com"} {
		if i := strings.Index(u, host); i > 0 && i < 6 {
			return true
		}
	}
	return false
}

// contextAllowed reports whether an extension may sit on parent.
func (r *run) contextAllowed(sd *profile.StructureDefinition, parent fhir.Element, parentPath string) bool {
	if len(sd.Contexts) == 0 {
		return true
	}
	ptype := parent.FHIRType()
	dpath := defPath(parentPath)
	if r.res != nil && strings.HasPrefix(parentPath, r.resPath) {
		dpath = r.res.ResourceType() + defPath(parentPath[len(r.resPath):])
	}
	if b, ok := parent.(fhir.Backbone); ok {
		ptype = b.DefinitionPath()
	}
	for _, c := range sd.Contexts {
		x := c.Expression
		switch c.Type {
		case "fhirpath":
			if r.onPath(x, parent) {
				return true
			}
			continue
		case "extension":
			for _, u := range r.extensions {
				if u == x {
					return true // inside that extension, at any depth
				}
			}
			continue
		}
		if x == "Element" || x == "Base" || x == dpath || x == ptype || isA(ptype, x) {
			return true
		}
		// "Patient.name" also allows HumanName values reached through other paths of the
		// same element; and a data type context allows that type anywhere.
		if i := strings.IndexByte(x, '.'); i > 0 && strings.HasSuffix(dpath, x[i:]) {
			return true
		}
	}
	return false
}

// onPath reports whether element e is among the results of a FHIRPath context
// expression evaluated on the resource.
func (r *run) onPath(expr string, e fhir.Element) bool {
	if r.res == nil {
		return false
	}
	ce := r.v.compile(expr)
	if ce.err != nil {
		return false
	}
	out, err := ce.expr.Evaluate(&r.env, r.res)
	if err != nil {
		return false
	}
	for _, v := range out {
		if x, ok := v.(fhir.Element); ok && x == e {
			return true
		}
	}
	return false
}

// isA reports whether type t is name or derives from it in the R4 type hierarchy.
func isA(t, name string) bool {
	for i := 0; t != "" && i < 16; i++ {
		if t == name {
			return true
		}
		td := fhir.LookupType(t)
		switch {
		case td != nil:
			t = td.Base
		case t == "DomainResource":
			t = "Resource"
		case t == "BackboneElement":
			t = "Element"
		default:
			t = ""
		}
	}
	return false
}
