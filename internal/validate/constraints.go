package validate

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/fhirpath"
	"github.com/joinedup/joinedup/internal/profile"
	"github.com/joinedup/joinedup/internal/terminology"
)

// Invariants that have a native check: evaluating them through FHIRPath on every element
// would dominate the cost of validation.
const (
	ele1Expr = "hasValue() or (children().count() > id.count())"
	ext1Expr = "extension.exists() != value.exists()"
)

// skipped are invariants whose R4 expressions are known to be wrong or that the native
// narrative check replaces.
var skipped = map[string]bool{
	"txt-1": true, // htmlChecks(): done natively by narrative()
	"txt-2": true,
}

// constraints evaluates d's invariants on e.
func (r *run) constraints(d *profile.Element, e fhir.Element, path string) {
	for i := range d.Constraints {
		c := &d.Constraints[i]
		if skipped[c.Key] || c.Expression == "" {
			continue
		}
		var ok bool
		switch {
		case c.Expression == ele1Expr:
			ok = hasValueOrChildren(e)
		case c.Expression == ext1Expr:
			ok = extOK(e)
		case c.Key == "dom-3":
			ok = containedReferenced(e)
		default:
			if c.CompileErr != nil || c.Compiled == nil {
				r.add(Warning, "invariant", path, "Invariant %s could not be compiled, so it was not checked: %v", c.Key, c.CompileErr)
				continue
			}
			var err error
			ok, err = holds(c.Compiled, &r.env, e)
			if err != nil {
				r.add(Warning, "invariant", path, "Invariant %s could not be evaluated: %v", c.Key, err)
				continue
			}
		}
		if !ok {
			sev := c.Severity
			if sev != Warning {
				sev = Error
			}
			r.add(sev, "invariant", path, "Constraint failed: %s: '%s'", c.Key, c.Human)
		}
	}
}

// holds evaluates an invariant: it fails only when it yields false. An empty result
// means the expression did not apply (bdl-8 on an entry without a fullUrl, ref-1 on a
// Reference without a literal reference) and passes, as in the reference validator.
func holds(x *fhirpath.Expression, env *fhirpath.Env, e fhir.Element) (bool, error) {
	out, err := x.Evaluate(env, e)
	if err != nil {
		return false, err
	}
	switch len(out) {
	case 0:
		return true, nil
	case 1:
		if b, ok := out[0].(fhirpath.Boolean); ok {
			return bool(b), nil
		}
		return true, nil
	}
	return false, fmt.Errorf("the expression returned %d values, not one Boolean", len(out))
}

func (v *Validator) compile(src string) *compiled {
	if c, ok := v.exprs.Load(src); ok {
		return c.(*compiled)
	}
	e, err := fhirpath.Compile(src, fhirpath.Lenient())
	c, _ := v.exprs.LoadOrStore(src, &compiled{expr: e, err: err})
	return c.(*compiled)
}

// narrativeRef finds local references in narrative: <img src="#x">, <a href="#x">.
var narrativeRef = regexp.MustCompile(`(?:src|href)\s*=\s*["']#([^"']+)["']`)

// containedReferenced is dom-3: every contained resource is referred to from elsewhere
// in the resource (narrative included, as the reference validator counts it) or refers
// to its container ("#").
func containedReferenced(e fhir.Element) bool {
	var contained []fhir.Resource
	for _, c := range e.Children("contained", nil) {
		if r, ok := c.(fhir.Resource); ok {
			contained = append(contained, r)
		}
	}
	if len(contained) == 0 {
		return true
	}
	refs := map[string]bool{}
	var walk func(fhir.Element)
	walk = func(x fhir.Element) {
		if p, ok := x.(fhir.Primitive); ok {
			if s, ok := p.Literal(); ok && strings.HasPrefix(s, "#") {
				refs[s[1:]] = true
			}
			if x.FHIRType() == "xhtml" {
				if s, ok := p.Literal(); ok {
					for _, m := range narrativeRef.FindAllStringSubmatch(s, -1) {
						refs[m[1]] = true
					}
				}
			}
		}
		x.EachChild(func(_ string, c fhir.Element) bool {
			walk(c)
			return true
		})
	}
	walk(e)
	for _, c := range contained {
		if !refs[c.ResourceID()] && !refs[""] {
			return false
		}
	}
	return true
}

func hasValueOrChildren(e fhir.Element) bool {
	if p, ok := e.(fhir.Primitive); ok {
		if _, has := p.Literal(); has {
			return true
		}
	}
	found := false
	e.EachChild(func(name string, _ fhir.Element) bool {
		if name != "id" {
			found = true
			return false
		}
		return true
	})
	return found
}

func extOK(e fhir.Element) bool {
	hasExt, hasValue := false, false
	e.EachChild(func(name string, _ fhir.Element) bool {
		switch {
		case name == "extension":
			hasExt = true
		case strings.HasPrefix(name, "value"):
			hasValue = true
		}
		return true
	})
	return hasExt != hasValue
}

// memberOf answers FHIRPath's memberOf() from the terminology server; a code the server
// cannot decide is treated as a member, so that content the server does not hold never
// fails an invariant.
func (r *run) memberOf(ctx context.Context, code fhirpath.Value, valueSet string) (bool, error) {
	e, ok := code.(fhir.Element)
	if !ok {
		return false, nil
	}
	for _, c := range codingsOf(e) {
		member, known := r.v.term.MemberOf(ctx, c, valueSet)
		if member || !known {
			return true, nil
		}
	}
	return false, nil
}

// conformsTo answers FHIRPath's conformsTo() by validating quietly.
func (r *run) conformsTo(ctx context.Context, e fhir.Element, url string) (bool, error) {
	sd, err := r.v.reg.Snapshot(url)
	if err != nil {
		return false, err
	}
	return r.trial(func() { r.node(sd.Root, e, "", e.FHIRType()) }), nil
}

// trial runs fn and reports whether it added no error; its issues are discarded.
func (r *run) trial(fn func()) bool {
	n := len(r.issues)
	r.quiet++
	fn()
	r.quiet--
	ok := !HasErrors(r.issues[n:])
	r.issues = r.issues[:n]
	return ok
}

// codingsOf returns the codes of a code, Coding or CodeableConcept value.
func codingsOf(e fhir.Element) []terminology.Coding {
	switch v := e.(type) {
	case *fhir.Coding:
		return []terminology.Coding{coding(v)}
	case *fhir.CodeableConcept:
		var out []terminology.Coding
		for _, c := range v.Coding {
			out = append(out, coding(c))
		}
		return out
	case fhir.Primitive:
		if s, ok := v.Literal(); ok {
			return []terminology.Coding{{Code: s}}
		}
	}
	return nil
}

func coding(c *fhir.Coding) terminology.Coding {
	return terminology.Coding{System: lit(c.System), Version: lit(c.Version), Code: lit(c.Code), Display: lit(c.Display)}
}

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
