package validate

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/profile"
	"github.com/joinedup/joinedup/internal/terminology"
)

// primitive checks a primitive value: maxLength, fixed and pattern, binding.
func (r *run) primitive(d *profile.Element, p fhir.Primitive, path, typ string) {
	s, ok := p.Literal()
	if ok && d.MaxLength > 0 && utf8.RuneCountInString(s) > d.MaxLength {
		r.add(Error, "too-long", path, "The value '%s' exceeds the allowed length of %d characters", s, d.MaxLength)
	}
	if ok && typ != "xhtml" && strings.TrimSpace(s) == "" && s != "" {
		r.add(Error, "value", path, "@value cannot be empty or only white space")
	}
	r.fixedPattern(d, p, path)
	if ok {
		r.binding(d, p, path, typ)
	}
}

// fixedPattern checks fixed[x] (exact) and pattern[x] (at least what the pattern has).
func (r *run) fixedPattern(d *profile.Element, e fhir.Element, path string) {
	if d.Fixed != nil && !matches(d.Fixed, e, true) {
		r.add(Error, "value", path, "The value is not the fixed value %s required here", describe(d.Fixed))
	}
	if d.Pattern != nil && !matches(d.Pattern, e, false) {
		r.add(Error, "value", path, "The value does not match the pattern %s required here", describe(d.Pattern))
	}
}

// matches compares a value with a fixed value (exact) or a pattern.
func matches(want, got fhir.Element, exact bool) bool {
	if wp, ok := want.(fhir.Primitive); ok {
		gp, ok := got.(fhir.Primitive)
		if !ok {
			return false
		}
		w, wok := wp.Literal()
		g, gok := gp.Literal()
		if wok != gok || w != g {
			return false
		}
		if !exact {
			return true
		}
	}
	ok := true
	var buf []fhir.Element
	wantNames := map[string]bool{}
	want.EachChild(func(name string, wc fhir.Element) bool {
		wantNames[name] = true
		buf = got.Children(name, buf[:0])
		found := false
		for _, gc := range buf {
			if matches(wc, gc, exact) {
				found = true
				break
			}
		}
		ok = found
		return ok
	})
	if ok && exact {
		got.EachChild(func(name string, _ fhir.Element) bool {
			if !wantNames[name] {
				ok = false
			}
			return ok
		})
	}
	return ok
}

// describe renders a fixed or pattern value briefly for messages.
func describe(e fhir.Element) string {
	if p, ok := e.(fhir.Primitive); ok {
		s, _ := p.Literal()
		return "'" + s + "'"
	}
	var parts []string
	e.EachChild(func(name string, c fhir.Element) bool {
		parts = append(parts, name+": "+describe(c))
		return true
	})
	return "{" + strings.Join(parts, ", ") + "}"
}

// binding checks a coded value against the element's binding.
func (r *run) binding(d *profile.Element, e fhir.Element, path, typ string) {
	b := d.Binding
	if b == nil || b.ValueSet == "" || (b.Strength != "required" && b.Strength != "extensible") {
		return
	}
	switch typ {
	case "code", "Coding", "CodeableConcept":
	default:
		return // string, uri and Quantity bindings are not checked
	}
	codings := codingsOf(e)
	if len(codings) == 0 {
		if cc, ok := e.(*fhir.CodeableConcept); ok && b.Strength == "required" && cc.Text != nil {
			r.add(Error, "code-invalid", path, "No code provided, and a code is required from the value set %s", b.ValueSet)
		}
		return
	}
	if typ == "code" {
		codings = r.withSystems(codings[0].Code, b.ValueSet)
	}
	res, err := r.v.term.ValidateCode(r.ctx, terminology.ValidateRequest{ValueSet: b.ValueSet, Codings: codings, Abstract: true})
	if err != nil {
		if errors.Is(err, terminology.ErrNotFound) {
			sev := Warning
			if b.Strength != "required" {
				sev = Information
			}
			r.add(sev, "not-found", path, "The value set %s is not known, so the code could not be checked", b.ValueSet)
			return
		}
		r.add(Warning, "processing", path, "The code could not be checked against %s: %v", b.ValueSet, err)
		return
	}
	switch res.Verdict {
	case terminology.Invalid:
		sev := Error
		if b.Strength == "extensible" {
			sev = Warning
		}
		msg := res.Message()
		if msg == "" {
			msg = "The code is not in the value set " + b.ValueSet
		}
		r.add(sev, "code-invalid", path, "%s", msg)
	case terminology.NotValidated:
		r.add(Information, "not-supported", path, "%s", res.Message())
	}
}

// withSystems turns a bare code into codings of the systems its value set draws on, so
// that a code element's value can be checked.
func (r *run) withSystems(code, valueSet string) []terminology.Coding {
	systems := r.v.valueSetSystems(valueSet, 0)
	if len(systems) == 0 {
		return []terminology.Coding{{Code: code}}
	}
	out := make([]terminology.Coding, len(systems))
	for i, s := range systems {
		out[i] = terminology.Coding{System: s, Code: code}
	}
	return out
}

func (v *Validator) valueSetSystems(url string, depth int) []string {
	if s, ok := v.vsSystem.Load(url); ok {
		return s.([]string)
	}
	var out []string
	if vs, err := v.term.ValueSet(url); err == nil && depth < 8 {
		seen := map[string]bool{}
		for _, inc := range vs.Include {
			sys := []string{inc.System}
			if inc.System == "" {
				sys = nil
				for _, imp := range inc.ValueSets {
					sys = append(sys, v.valueSetSystems(imp, depth+1)...)
				}
			}
			for _, s := range sys {
				if s != "" && !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
		}
		for _, c := range vs.Expansion {
			if c.System != "" && !seen[c.System] {
				seen[c.System] = true
				out = append(out, c.System)
			}
		}
	}
	v.vsSystem.Store(url, out)
	return out
}
