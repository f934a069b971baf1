package fhirpath

import (
	"regexp"
	"strings"

	"github.com/joinedup/joinedup/fhir"
)

// The FHIR additions to FHIRPath (FHIR R4 section 2.1.9.0.4 "Additional functions").

func fnExtension(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	url, ok, err := stringArg(c, n, 0)
	if err != nil || !ok {
		return nil, err
	}
	var out []Value
	var exts, urls []fhir.Element
	for _, v := range in {
		e, ok := v.(fhir.Element)
		if !ok {
			continue
		}
		exts = e.Children("extension", exts[:0])
		for _, x := range exts {
			urls = x.Children("url", urls[:0])
			if len(urls) == 1 {
				if p, ok := urls[0].(fhir.Primitive); ok {
					if lit, _ := p.Literal(); lit == url {
						out = append(out, x)
					}
				}
			}
		}
	}
	return out, nil
}

func fnHasValue(c *evalCtx, _ *funcNode, in []Value) ([]Value, error) {
	if len(in) != 1 {
		return boolColl(false), nil
	}
	if p, ok := in[0].(fhir.Primitive); ok {
		_, has := p.Literal()
		return boolColl(has), nil
	}
	return boolColl(false), nil
}

func fnGetValue(c *evalCtx, _ *funcNode, in []Value) ([]Value, error) {
	if len(in) != 1 {
		return nil, nil
	}
	if p, ok := in[0].(fhir.Primitive); ok {
		if v, ok := primitiveValue(p); ok {
			return []Value{v}, nil
		}
	}
	return nil, nil
}

// fnResolve finds the resources that references point at: contained resources
// ("#id"), entries of the Bundle that holds the resource (by fullUrl or by type/id),
// then the Resolve hook.
func fnResolve(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	var out []Value
	var buf []fhir.Element
	for _, v := range in {
		var ref string
		switch x := v.(type) {
		case String:
			ref = string(x)
		case fhir.Primitive:
			ref, _ = x.Literal()
		case fhir.Element:
			buf = x.Children("reference", buf[:0])
			if len(buf) == 1 {
				if p, ok := buf[0].(fhir.Primitive); ok {
					ref, _ = p.Literal()
				}
			}
		}
		if ref == "" {
			continue
		}
		r, err := c.resolve(ref)
		if err != nil {
			return nil, c.errorf(n.pos, "resolve(%s): %v", ref, err)
		}
		if r == nil && c.expr.cfg.lenient {
			r = referenceStub(ref)
		}
		if r != nil {
			out = append(out, r)
		}
	}
	return out, nil
}

func (c *evalCtx) resolve(ref string) (fhir.Element, error) {
	if id, ok := strings.CutPrefix(ref, "#"); ok {
		if res, ok := c.resource().(fhir.Element); ok {
			var found fhir.Element
			res.EachChild(func(name string, ch fhir.Element) bool {
				if r, ok := ch.(fhir.Resource); ok && name == "contained" && r.ResourceID() == id {
					found = r
					return false
				}
				return true
			})
			if found != nil {
				return found, nil
			}
		}
	}
	root := c.env.RootResource
	if root == nil {
		if r, ok := c.input.(fhir.Element); ok {
			root = r
		}
	}
	if b, ok := root.(fhir.Resource); ok && b.ResourceType() == "Bundle" {
		if r := findInBundle(b, ref); r != nil {
			return r, nil
		}
	}
	if c.env.Resolve != nil {
		r, err := c.env.Resolve(c.ctx, ref)
		if err != nil || r == nil {
			return nil, err
		}
		return r, nil
	}
	return nil, nil
}

// referenceStub is what resolve() gives, in the lenient mode, for a reference it cannot
// find: an empty resource of the referenced type with its id, so that search
// parameters such as Observation.subject.where(resolve() is Patient) can tell the
// type of a reference from its URL ("Patient/123", ".../fhir/Patient/123/_history/2").
func referenceStub(ref string) fhir.Element {
	if i := strings.Index(ref, "/_history/"); i >= 0 {
		ref = ref[:i]
	}
	parts := strings.Split(ref, "/")
	if len(parts) < 2 {
		return nil
	}
	typ, id := parts[len(parts)-2], parts[len(parts)-1]
	r, ok := fhir.NewResource(typ)
	if !ok || id == "" {
		return nil
	}
	r.SetResourceID(id)
	return r
}

func findInBundle(b fhir.Element, ref string) fhir.Element {
	var found fhir.Element
	var buf []fhir.Element
	b.EachChild(func(name string, entry fhir.Element) bool {
		if name != "entry" {
			return true
		}
		buf = entry.Children("resource", buf[:0])
		if len(buf) != 1 {
			return true
		}
		res, ok := buf[0].(fhir.Resource)
		if !ok {
			return true
		}
		full := childLiteral(entry, "fullUrl", nil)
		typed := res.ResourceType() + "/" + res.ResourceID()
		if full == ref || typed == ref || strings.HasSuffix(full, "/"+ref) || strings.HasSuffix(ref, "/"+typed) {
			found = res
			return false
		}
		return true
	})
	return found
}

// unsafeHTML finds what FHIR narrative must not contain (R4 section 2.5 "Narrative"):
// scripts, event handlers, frames, forms and style sheets.
var unsafeHTML = regexp.MustCompile(`(?i)<\s*(script|iframe|frame|frameset|form|object|embed|applet|link|meta|style|base)\b|\son[a-z]+\s*=|javascript:`)

func fnHTMLChecks(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	v, err := c.singleton(in, n.pos)
	if err != nil || v == nil {
		return nil, err
	}
	s, ok := stringValue(v)
	if !ok {
		return boolColl(false), nil
	}
	return boolColl(strings.Contains(s, "<div") && !unsafeHTML.MatchString(s)), nil
}

const coreProfilePrefix = "http://hl7.org/fhir/StructureDefinition/"

func fnConformsTo(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	v, err := c.singleton(in, n.pos)
	if err != nil || v == nil {
		return nil, err
	}
	url, ok, err := stringArg(c, n, 0)
	if err != nil || !ok {
		return nil, err
	}
	e, ok := v.(fhir.Element)
	if !ok {
		return boolColl(false), nil
	}
	if c.env.ConformsTo != nil {
		res, err := c.env.ConformsTo(c.ctx, e, url)
		if err != nil {
			return nil, c.errorf(n.pos, "conformsTo(%s): %v", url, err)
		}
		return boolColl(res), nil
	}
	// Without a validator only the base definitions of the specification are known.
	name, ok := strings.CutPrefix(url, coreProfilePrefix)
	if !ok || !knownFHIRType(name) {
		return nil, c.errorf(n.pos, "conformsTo(): unknown profile %s", url)
	}
	return boolColl(isA(e.FHIRType(), name)), nil
}

func fnMemberOf(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	v, err := c.singleton(in, n.pos)
	if err != nil || v == nil {
		return nil, err
	}
	vs, ok, err := stringArg(c, n, 0)
	if err != nil || !ok {
		return nil, err
	}
	if c.env.MemberOf == nil {
		return nil, c.errorf(n.pos, "memberOf() needs a terminology service (Env.MemberOf)")
	}
	res, err := c.env.MemberOf(c.ctx, v, vs)
	if err != nil {
		return nil, c.errorf(n.pos, "memberOf(%s): %v", vs, err)
	}
	return boolColl(res), nil
}

// fnSubsumes is subsumes(code) (reversed: subsumedBy(code)), through Env.Subsumes.
func fnSubsumes(reversed bool) func(*evalCtx, *funcNode, []Value) ([]Value, error) {
	return func(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
		v, err := c.singleton(in, n.pos)
		if err != nil || v == nil {
			return nil, err
		}
		other, err := n.argSingle(c, 0)
		if err != nil || other == nil {
			return nil, err
		}
		if c.env.Subsumes == nil {
			return nil, c.errorf(n.pos, "subsumes() needs a terminology service (Env.Subsumes)")
		}
		a, b := v, other
		if reversed {
			a, b = b, a
		}
		res, err := c.env.Subsumes(c.ctx, a, b)
		if err != nil {
			return nil, c.errorf(n.pos, "subsumes(): %v", err)
		}
		return boolColl(res), nil
	}
}

// fnCheckModifiers returns its input when every modifierExtension in it is one of the
// given URLs, and fails otherwise (FHIR R4 checkModifiers()).
func fnCheckModifiers(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	urls, err := n.arg(c, 0)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, u := range urls {
		if s, ok := stringValue(u); ok {
			known[s] = true
		}
	}
	var buf []fhir.Element
	for _, v := range in {
		e, ok := v.(fhir.Element)
		if !ok {
			continue
		}
		buf = e.Children("modifierExtension", buf[:0])
		for _, x := range buf {
			if url := childLiteral(x, "url", nil); !known[url] {
				return nil, c.errorf(n.pos, "unknown modifier extension %s", url)
			}
		}
	}
	return in, nil
}
