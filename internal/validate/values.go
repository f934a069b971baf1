package validate

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
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
	if ok && d.MinLength > 0 && utf8.RuneCountInString(s) < d.MinLength {
		r.add(Error, "value", path, "The value '%s' is shorter than the permitted minimum length of %d characters", s, d.MinLength)
	}
	if !ok {
		r.valueAbsent(d, p, path)
	}
	if ok && typ != "xhtml" && strings.TrimSpace(s) == "" && s != "" {
		r.add(Error, "value", path, "@value cannot be empty or only white space")
	}
	r.fixedPattern(d, p, path)
	if ok {
		r.binding(d, p, path, typ)
		r.bounds(d, p, path)
	} else if typ == "code" && d.Binding != nil && d.Binding.Strength == "required" {
		r.add(Error, "code-invalid", path, "No code provided, and a code is required from the value set %s", d.Binding.ValueSet)
	}
}

// valueAbsent checks a primitive that carries extensions but no value against the
// profile's mustHaveValue and valueAlternatives.
func (r *run) valueAbsent(d *profile.Element, p fhir.Primitive, path string) {
	if d.MustHaveValue {
		r.add(Error, "required", path, "The profile requires a value in this element, not only extensions")
		return
	}
	if len(d.ValueAlternatives) == 0 {
		return
	}
	for _, x := range p.Children("extension", nil) {
		if ext, ok := x.(*fhir.Extension); ok {
			for _, alt := range d.ValueAlternatives {
				if ext.URL == alt {
					return
				}
			}
		}
	}
	r.add(Error, "required", path, "Without a value, this element must carry one of the extensions %s", strings.Join(d.ValueAlternatives, ", "))
}

// bounds checks minValue and maxValue of numbers, dates, times and Quantities.
func (r *run) bounds(d *profile.Element, e fhir.Element, path string) {
	if d.MinValue == nil && d.MaxValue == nil {
		return
	}
	got, ok := comparable(e)
	if !ok {
		return
	}
	if lo, ok := comparable(d.MinValue); ok && less(got, lo) {
		r.add(Error, "value", path, "The value %s is less than the permitted minimum value %s", got.s, lo.s)
	}
	if hi, ok := comparable(d.MaxValue); ok && less(hi, got) {
		r.add(Error, "value", path, "The value %s is greater than the permitted maximum value %s", got.s, hi.s)
	}
}

// bound is a value that minValue/maxValue compare: a number, or a date/time literal
// (compared as text, which orders ISO 8601 values of the same precision).
type bound struct {
	s      string
	num    float64
	number bool
}

func comparable(e fhir.Element) (bound, bool) {
	if e == nil {
		return bound{}, false
	}
	if q, ok := e.(*fhir.Quantity); ok {
		if q.Value == nil || q.Value.Value == nil {
			return bound{}, false
		}
		e = q.Value
	}
	p, ok := e.(fhir.Primitive)
	if !ok {
		return bound{}, false
	}
	s, ok := p.Literal()
	if !ok {
		return bound{}, false
	}
	switch e.FHIRType() {
	case "integer", "decimal", "positiveInt", "unsignedInt":
		f, err := strconv.ParseFloat(s, 64)
		return bound{s: s, num: f, number: true}, err == nil
	case "date", "dateTime", "instant", "time":
		return bound{s: s}, true
	}
	return bound{}, false
}

func less(a, b bound) bool {
	if a.number != b.number {
		return false
	}
	if a.number {
		return a.num < b.num
	}
	return a.s < b.s
}

// codingSystem checks a Coding against its code system where the server holds that
// system's content: an unknown code is an error whatever the binding.
func (r *run) codingSystem(d *profile.Element, e fhir.Element, path string) {
	c, ok := e.(*fhir.Coding)
	if !ok || c.Code == nil || c.System == nil || c.Code.Value == nil || c.System.Value == nil {
		return
	}
	if cs, err := r.v.term.CodeSystem(lit(c.System), ""); err == nil && cs.Content == "supplement" {
		r.add(Error, "business-rule", path+".system", "The code system %s is a supplement, so it cannot be used as a Coding's system", lit(c.System))
		return
	}
	if d.Binding != nil && d.Binding.Strength == "required" {
		return // binding() has checked it against the value set
	}
	res, err := r.v.validateCode(r.ctx, "", []terminology.Coding{coding(c)})
	if err != nil || res.Verdict != terminology.Invalid {
		return
	}
	r.add(Error, "code-invalid", path+".code", "%s", res.Message())
}

// attachment checks that a stated size and hash agree with inline data.
func (r *run) attachment(e fhir.Element, path string) {
	a, ok := e.(*fhir.Attachment)
	if !ok || a.Data == nil || a.Data.Value == nil || a.Size == nil || a.Size.Value == nil {
		return
	}
	data, err := base64.StdEncoding.DecodeString(*a.Data.Value)
	if err != nil {
		return // the parser checks base64Binary
	}
	if int64(len(data)) != *a.Size.Value {
		r.add(Error, "structure", path, "The stated attachment size %d does not match the actual size %d", *a.Size.Value, len(data))
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
	var codings []terminology.Coding
	switch typ {
	case "code", "Coding", "CodeableConcept":
		codings = codingsOf(e)
	case "Quantity", "Age", "Distance", "Duration", "Count", "MoneyQuantity", "SimpleQuantity":
		q, ok := e.(*fhir.Quantity)
		if !ok || q.Code == nil {
			return
		}
		codings = []terminology.Coding{{System: lit(q.System), Code: lit(q.Code)}}
	default:
		return // string and uri bindings are not checked
	}
	if len(codings) == 0 {
		if cc, ok := e.(*fhir.CodeableConcept); ok && b.Strength == "required" && cc.Text != nil {
			r.add(Error, "code-invalid", path, "No code provided, and a code is required from the value set %s", b.ValueSet)
		}
		return
	}
	if typ == "code" {
		codings = r.withSystems(codings[0].Code, b.ValueSet)
	}
	res, err := r.v.validateCode(r.ctx, b.ValueSet, codings)
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

// maxCachedCodes bounds the memory the code cache may take.
const maxCachedCodes = 100_000

type codeResult struct {
	res *terminology.ValidateResult
	err error
}

// validateCode asks the terminology server, remembering the answers: the same codes
// come again and again (every Observation.status is "final").
func (v *Validator) validateCode(ctx context.Context, valueSet string, codings []terminology.Coding) (*terminology.ValidateResult, error) {
	var kb strings.Builder
	kb.WriteString(valueSet)
	for _, c := range codings {
		kb.WriteString("\x00" + c.System + "|" + c.Version + "|" + c.Code + "|" + c.Display)
	}
	key := kb.String()
	if got, ok := v.codes.Load(key); ok {
		cr := got.(codeResult)
		return cr.res, cr.err
	}
	res, err := v.term.ValidateCode(ctx, terminology.ValidateRequest{ValueSet: valueSet, Codings: codings, Abstract: true})
	if ctx.Err() == nil && v.cached.Add(1) <= maxCachedCodes {
		v.codes.Store(key, codeResult{res, err})
	}
	return res, err
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
