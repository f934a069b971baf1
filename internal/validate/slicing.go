package validate

import (
	"strings"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/profile"
)

// slicing assigns each value of a sliced element to its slice and checks each slice's
// cardinality, closed slicing and ordering; re-slices are assigned recursively.
func (r *run) slicing(c *profile.Element, items []fhir.Element, paths []string, assigned []*profile.Element) {
	var discs []profile.Discriminator
	rules, ordered := "open", false
	if c.Slicing != nil {
		discs, rules, ordered = c.Slicing.Discriminators, c.Slicing.Rules, c.Slicing.Ordered
	}
	counts := make([]int, len(c.Slices))
	last := -1
	seenUnmatched := false
	for i, it := range items {
		idx := -1
		for si, s := range c.Slices {
			if r.sliceMatches(c, s, discs, it) {
				idx = si
				break
			}
		}
		if idx < 0 {
			seenUnmatched = true
			if rules == "closed" {
				r.add(Error, "structure", paths[i], "This element does not match any known slice defined in the profile and slicing is closed")
			}
			continue
		}
		if rules == "openAtEnd" && seenUnmatched {
			r.add(Error, "structure", paths[i], "The slice %s is matched after other content, but the slicing is open only at the end", c.Slices[idx].SliceName)
		}
		if ordered && idx < last {
			r.add(Error, "structure", paths[i], "As specified by the profile, the elements are out of order: slice %s comes after slice %s", c.Slices[idx].SliceName, c.Slices[last].SliceName)
		}
		last = idx
		counts[idx]++
		assigned[i] = c.Slices[idx]
	}
	parent := defPath(paths[0])
	if i := strings.LastIndexByte(parent, '.'); i >= 0 {
		parent = parent[:i]
	}
	for si, s := range c.Slices {
		if counts[si] < s.Min {
			r.add(Error, "structure", defPath(paths[0]), "Slice '%s': minimum required = %d, but only found %d", s.SliceName, s.Min, counts[si])
		}
		if s.Max >= 0 && counts[si] > s.Max {
			r.add(Error, "structure", defPath(paths[0]), "Slice '%s': max allowed = %d, but found %d", s.SliceName, s.Max, counts[si])
		}
		if len(s.Slices) > 0 && counts[si] > 0 {
			var sub []fhir.Element
			var subPaths []string
			var idx []int
			for i := range items {
				if assigned[i] == s {
					sub, subPaths, idx = append(sub, items[i]), append(subPaths, paths[i]), append(idx, i)
				}
			}
			subAssigned := make([]*profile.Element, len(sub))
			r.slicing(s, sub, subPaths, subAssigned)
			for j, a := range subAssigned {
				if a != nil {
					assigned[idx[j]] = a
				}
			}
		}
	}
}

// sliceMatches reports whether a value belongs to slice s of c.
func (r *run) sliceMatches(c, s *profile.Element, discs []profile.Discriminator, it fhir.Element) bool {
	if len(discs) == 0 {
		// Implicit discriminators: extensions by url, choice elements by type.
		switch {
		case c.Name == "extension" || c.Name == "modifierExtension":
			return extensionURLOf(it) == sliceURL(s)
		case c.Choice:
			return len(s.Types) == 1 && typeMatches(s.Types[0].Code, it.FHIRType())
		}
		return r.trial(func() { r.node(s, it, "", it.FHIRType()) })
	}
	for _, d := range discs {
		if !r.discriminator(s, d, it) {
			return false
		}
	}
	return true
}

func typeMatches(code, typ string) bool {
	return code == typ || typ == "Quantity" && isQuantityProfile(code)
}

func extensionURLOf(e fhir.Element) string {
	if x, ok := e.(*fhir.Extension); ok {
		return x.URL
	}
	return ""
}

// sliceURL is the url an extension slice requires: its fixed url or its type profile.
func sliceURL(s *profile.Element) string {
	if u := s.Child("url"); u != nil {
		for _, v := range []fhir.Element{u.Fixed, u.Pattern} {
			if p, ok := v.(fhir.Primitive); ok {
				if l, ok := p.Literal(); ok {
					return l
				}
			}
		}
	}
	for _, t := range s.Types {
		if len(t.Profiles) > 0 {
			return t.Profiles[0]
		}
	}
	return ""
}

// discriminator evaluates one discriminator for a value against a slice.
func (r *run) discriminator(s *profile.Element, d profile.Discriminator, it fhir.Element) bool {
	path := strings.TrimSpace(d.Path)
	target := s
	var values []fhir.Element
	if path == "$this" || path == "" {
		values = []fhir.Element{it}
	} else {
		target = r.definitionAt(s, path)
		values = r.valuesAt(it, path)
	}
	switch d.Type {
	case "exists":
		if target == nil {
			return false
		}
		if target.Min >= 1 {
			return len(values) > 0
		}
		if target.Max == 0 {
			return len(values) == 0
		}
		return true
	case "type":
		if target == nil || len(target.Types) == 0 {
			return false
		}
		for _, v := range values {
			t := v.FHIRType()
			if res, ok := v.(fhir.Resource); ok {
				t = res.ResourceType()
			}
			for _, tt := range target.Types {
				if typeMatches(tt.Code, t) {
					return true
				}
			}
		}
		return false
	case "profile":
		if target == nil {
			return false
		}
		var profiles []string
		for _, t := range target.Types {
			profiles = append(profiles, t.Profiles...)
			profiles = append(profiles, t.TargetProfiles...)
		}
		if len(profiles) == 0 {
			return true // the slice does not constrain this element's profile
		}
		for _, v := range values {
			for _, p := range profiles {
				sd, err := r.v.reg.Snapshot(p)
				if err != nil {
					continue
				}
				if r.trial(func() { r.node(sd.Root, v, "", sd.Type) }) {
					return true
				}
			}
		}
		return false
	default: // value, pattern
		if path == "url" && target == nil || path == "url" && target.Fixed == nil && target.Pattern == nil {
			u := sliceURL(s)
			return u != "" && extensionURLOf(it) == u
		}
		if target == nil {
			return false
		}
		want, exact := target.Fixed, true
		if want == nil {
			want, exact = target.Pattern, false
		}
		if want == nil {
			if target.Binding != nil && target.Binding.Strength == "required" {
				for _, v := range values {
					if r.trial(func() { r.binding(target, v, "", v.FHIRType()) }) {
						return true
					}
				}
			}
			return false
		}
		for _, v := range values {
			if matches(want, v, exact) {
				return true
			}
		}
		return false
	}
}

// definitionAt follows a discriminator path through a slice's definition.
func (r *run) definitionAt(s *profile.Element, path string) *profile.Element {
	cur := s
	for _, step := range splitPath(path) {
		switch {
		case step == "resolve()":
			// The target of a reference: its definition is the type profile's root.
			var sd *profile.StructureDefinition
			for _, t := range cur.Types {
				for _, p := range t.TargetProfiles {
					if got, err := r.v.reg.Snapshot(p); err == nil {
						sd = got
					}
				}
			}
			if sd == nil {
				return nil
			}
			cur = sd.Root
			continue
		case strings.HasPrefix(step, "extension(") && strings.HasSuffix(step, ")"):
			url := strings.Trim(step[len("extension("):len(step)-1], "'\"")
			var next *profile.Element
			if ext := cur.Child("extension"); ext != nil {
				for _, sl := range ext.Slices {
					if sliceURL(sl) == url {
						next = sl
					}
				}
			}
			if next == nil {
				return nil
			}
			cur = next
			continue
		case step == "$this" || strings.HasPrefix(step, "ofType(") || strings.HasPrefix(step, "as("):
			continue
		}
		var next *profile.Element
		for _, c := range profile.ChildrenOf(cur, firstType(cur)) {
			if c.Name == step {
				next = c
			}
		}
		if next == nil {
			return nil
		}
		cur = next
	}
	return cur
}

func firstType(e *profile.Element) string {
	if len(e.Types) > 0 {
		return e.Types[0].Code
	}
	return ""
}

// valuesAt evaluates a discriminator path on a value.
func (r *run) valuesAt(it fhir.Element, path string) []fhir.Element {
	ce := r.v.compile(path)
	if ce.err != nil {
		return nil
	}
	out, err := ce.expr.Evaluate(&r.env, it)
	if err != nil {
		return nil
	}
	var els []fhir.Element
	for _, v := range out {
		if e, ok := v.(fhir.Element); ok {
			els = append(els, e)
		}
	}
	return els
}

// splitPath splits a discriminator path on dots outside parentheses.
func splitPath(p string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '(':
			depth++
		case ')':
			depth--
		case '.':
			if depth == 0 {
				out = append(out, p[start:i])
				start = i + 1
			}
		}
	}
	return append(out, p[start:])
}
