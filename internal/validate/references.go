package validate

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/nhsnumber"
	"github.com/joinedup/joinedup/internal/profile"
)

// reference checks a Reference: a contained target exists, a urn:uuid resolves inside
// the bundle, and the target's type is one the element allows.
func (r *run) reference(d *profile.Element, e fhir.Element, path string) {
	ref, ok := e.(*fhir.Reference)
	if !ok || ref.Reference == nil || ref.Reference.Value == nil {
		return
	}
	s := *ref.Reference.Value
	rpath := path + ".reference"
	targetType := ""
	switch {
	case s == "#":
		return
	case strings.HasPrefix(s, "#"):
		if !r.contained[s[1:]] {
			r.add(Error, "structure", rpath, "Unable to resolve the reference to the contained resource '%s'", s)
		}
		if c := r.containedType(s[1:]); c != "" {
			targetType = c
		}
	case strings.HasPrefix(s, "urn:uuid:") || strings.HasPrefix(s, "urn:oid:"):
		if r.bundle != nil {
			if !r.fullUrls[s] {
				r.add(Warning, "not-found", rpath, "The reference '%s' does not resolve to any entry in the Bundle", s)
			}
			targetType = r.bundleEntryType(s)
		}
	case strings.Contains(s, "?") && fhir.IsResourceType(s[:strings.IndexByte(s, '?')]):
		// A conditional reference ("Patient?identifier=…"), resolved by a transaction.
		targetType = s[:strings.IndexByte(s, '?')]
	default:
		t, ok := refType(s)
		if !ok {
			if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "urn:") {
				r.add(Error, "structure", rpath, "The reference '%s' is not a valid reference: a relative reference is Type/id", s)
			}
			return
		}
		targetType = t
		if r.bundle != nil && !strings.Contains(s, "://") {
			matches := r.bundleMatches(s)
			if len(matches) > 1 && lit(r.bundle.(*fhir.Bundle).Type) == "document" {
				// A document's references must each name one of its resources.
				r.add(Error, "structure", rpath, "The reference '%s' matches %d entries of the Bundle", s, len(matches))
			} else if len(matches) == 1 {
				if got := r.bundleEntryType(matches[0]); got != "" && got != t {
					r.add(Error, "structure", rpath, "The reference '%s' resolves in the Bundle to a %s", s, got)
				}
			}
		}
	}
	if ref.Type != nil && ref.Type.Value != nil && targetType != "" && *ref.Type.Value != targetType {
		r.add(Error, "structure", rpath, "The reference's type %s does not match the target's type %s", *ref.Type.Value, targetType)
	}
	if targetType == "" {
		return
	}
	allowed := r.targetTypes(d)
	if len(allowed) == 0 || allowed["Resource"] || allowed[targetType] {
		return
	}
	var list []string
	for t := range allowed {
		list = append(list, t)
	}
	r.add(Error, "structure", rpath, "The type '%s' of the reference '%s' is not a valid target for this element (must be one of %s)", targetType, s, strings.Join(slices.Sorted(slices.Values(list)), ", "))
}

// refType extracts the resource type of a literal reference: "Patient/1",
// "http://x/fhir/Patient/1/_history/2".
func refType(s string) (string, bool) {
	s, _, _ = strings.Cut(s, "?")
	absolute := strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
	parts := strings.Split(s, "/")
	if len(parts) >= 4 && parts[len(parts)-2] == "_history" {
		parts = parts[:len(parts)-2]
	}
	if len(parts) < 2 || !absolute && len(parts) != 2 {
		return "", false
	}
	t := parts[len(parts)-2]
	if fhir.IsResourceType(t) {
		return t, true
	}
	return "", false
}

// targetTypes are the resource types the element's Reference type allows.
func (r *run) targetTypes(d *profile.Element) map[string]bool {
	out := map[string]bool{}
	for _, t := range d.Types {
		if t.Code != "Reference" {
			continue
		}
		for _, p := range t.TargetProfiles {
			if name, ok := strings.CutPrefix(p, profile.CorePrefix); ok && fhir.IsResourceType(name) || name == "Resource" {
				out[name] = true
				continue
			}
			if sd, err := r.v.reg.Snapshot(p); err == nil {
				out[sd.Type] = true
			} else {
				out["Resource"] = true // an unknown profile: do not guess
			}
		}
	}
	return out
}

func (r *run) containedType(id string) string {
	if r.res == nil {
		return ""
	}
	for _, c := range r.res.Children("contained", nil) {
		if cr, ok := c.(fhir.Resource); ok && cr.ResourceID() == id {
			return cr.ResourceType()
		}
	}
	return ""
}

func (r *run) bundleEntryType(fullURL string) string {
	b, ok := r.bundle.(*fhir.Bundle)
	if !ok {
		return ""
	}
	for _, e := range b.Entry {
		if lit(e.FullURL) == fullURL && e.Resource != nil {
			return e.Resource.ResourceType()
		}
	}
	return ""
}

// bundleMatches finds the entries a relative reference "Type/id" resolves to in the
// bundle: the fullUrls that end with it, counted once per entry.
func (r *run) bundleMatches(ref string) []string {
	b, ok := r.bundle.(*fhir.Bundle)
	if !ok {
		return nil
	}
	_, id, _ := strings.Cut(ref, "/")
	var out []string
	for _, e := range b.Entry {
		// "Type/id" also names the entry "urn:uuid:id": the type must then agree.
		if u := lit(e.FullURL); strings.HasSuffix(u, "/"+ref) || u == "urn:uuid:"+id {
			out = append(out, u)
		}
	}
	return out
}

func bundleFullUrls(res fhir.Resource) map[string]bool {
	out := map[string]bool{}
	if b, ok := res.(*fhir.Bundle); ok {
		for _, e := range b.Entry {
			if u := lit(e.FullURL); u != "" {
				out[u] = true
			}
		}
	}
	return out
}

// bundleRules checks what the Bundle invariants do not: each entry's fullUrl agrees with
// its resource's id, and no two entries carry the same resource version.
func (r *run) bundleRules(res fhir.Resource, path string) {
	b, ok := res.(*fhir.Bundle)
	if !ok {
		return
	}
	seen := map[string]int{}
	needFullURL := true
	switch lit(b.Type) {
	case "transaction", "batch", "transaction-response", "batch-response", "history":
		needFullURL = false
	}
	for i, e := range b.Entry {
		epath := path + ".entry[" + strconv.Itoa(i) + "]"
		u := lit(e.FullURL)
		if u == "" && e.Resource != nil && needFullURL {
			r.add(Error, "required", epath, "Except in transactions, batches and histories, each entry in a Bundle must have a fullUrl, the identity of its resource")
		}
		if e.Resource == nil || u == "" {
			continue
		}
		if !strings.Contains(u, ":") {
			r.add(Error, "value", epath, "The fullUrl must be an absolute URL (not '%s')", u)
		}
		id := e.Resource.ResourceID()
		if id != "" && (strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")) {
			if !strings.HasSuffix(u, "/"+id) {
				r.add(Error, "value", epath+".fullUrl", "The fullUrl '%s' does not match the resource's id %s", u, id)
			}
		}
		key := u
		if m := metaOf(e.Resource); m != nil && m.VersionID != nil && m.VersionID.Value != nil {
			key += "|" + *m.VersionID.Value
		}
		if j, dup := seen[key]; dup {
			r.add(Error, "invariant", epath, "The entry has the same fullUrl '%s' as entry %d", u, j)
		} else {
			seen[key] = i
		}
	}
}

// identifier checks NHS numbers, and that a URI identifier's value is a URI.
func (r *run) identifier(e fhir.Element, path string) {
	id, ok := e.(*fhir.Identifier)
	if !ok || id.Value == nil || id.Value.Value == nil {
		return
	}
	if lit(id.System) == "urn:ietf:rfc:3986" && !strings.Contains(*id.Value.Value, ":") {
		r.add(Error, "value", path+".value", "An identifier whose system is urn:ietf:rfc:3986 must have a URI as its value, not '%s'", *id.Value.Value)
	}
	if lit(id.System) != nhsnumber.System {
		return
	}
	if err := nhsnumber.Validate(*id.Value.Value); err != nil {
		var ne *nhsnumber.Error
		msg := err.Error()
		if errors.As(err, &ne) {
			msg = ne.Error() + ". Check the number against the patient's record: it may have been mistyped."
		}
		r.add(Error, "value", path+".value", "%s", msg)
	}
}
