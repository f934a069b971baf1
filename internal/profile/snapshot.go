package profile

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/joinedup/joinedup/fhir"
)

// build generates the snapshot of sd from its base's snapshot and its differential (or,
// for a definition that ships only a snapshot, from that snapshot applied the same way).
func (r *Registry) build(sd *fhir.StructureDefinition, building map[string]bool) (*StructureDefinition, error) {
	out := &StructureDefinition{
		URL: lit(sd.URL), Version: lit(sd.Version), Name: lit(sd.Name), Type: lit(sd.Type),
		Kind: lit(sd.Kind), Derivation: lit(sd.Derivation), BaseDefinition: lit(sd.BaseDefinition),
		Abstract: sd.Abstract != nil && sd.Abstract.Value != nil && *sd.Abstract.Value,
	}
	for _, c := range sd.Context {
		out.Contexts = append(out.Contexts, Context{Type: lit(c.Type), Expression: lit(c.Expression)})
	}
	if out.Type == "" {
		return nil, fmt.Errorf("profile: %s has no type", out.URL)
	}
	var elems []*fhir.ElementDefinition
	switch {
	case sd.Differential != nil && len(sd.Differential.Element) > 0:
		elems = sd.Differential.Element
	case sd.Snapshot != nil:
		elems = sd.Snapshot.Element
	}
	var root *Element
	switch {
	case out.BaseDefinition != "" && out.Derivation != "specialization":
		base, err := r.snapshot(out.BaseDefinition, building)
		if err != nil {
			return nil, fmt.Errorf("profile: base of %s: %w", out.URL, err)
		}
		root = base.Root.clone()
	case Base(out.Type) != nil:
		root = Base(out.Type).clone()
	default:
		// A new type (a logical model): its definition is all there is.
		root = &Element{Path: out.Type, Name: out.Type, Max: -1}
	}
	root.Types = []Type{{Code: out.Type}}
	b := &builder{reg: r, building: building, source: out.URL, slices: map[string]string{}}
	for i, ed := range elems {
		if err := b.apply(root, ed); err != nil {
			return nil, fmt.Errorf("profile: %s element %d: %w", out.URL, i, err)
		}
	}
	out.Root = root
	return out, nil
}

type builder struct {
	reg      *Registry
	building map[string]bool
	source   string
	// slices is, for differentials without element ids, the slice each sliced path is
	// in: the elements after "Observation.category" sliceName "a" belong to slice a.
	slices map[string]string
}

// step is one step of an element id: the element name and the slice (re-slices joined
// with '/').
type step struct{ name, slice string }

// steps splits an element's id, or builds the steps from its path and slice name when
// the id is absent or does not agree with the path (then the slices entered by earlier
// elements apply).
func (b *builder) steps(ed *fhir.ElementDefinition) ([]step, error) {
	path := lit(ed.Path)
	if path == "" {
		return nil, fmt.Errorf("an element without a path")
	}
	if id := ed.ID; id != "" {
		var out []step
		var names []string
		for _, part := range strings.Split(id, ".") {
			name, slice, _ := strings.Cut(part, ":")
			out = append(out, step{name, slice})
			names = append(names, name)
		}
		if strings.Join(names, ".") == path {
			return out, nil
		}
	}
	var out []step
	names := strings.Split(path, ".")
	for i, name := range names {
		out = append(out, step{name: name, slice: b.slices[strings.Join(names[:i+1], ".")]})
	}
	slice := lit(ed.SliceName)
	out[len(out)-1].slice = slice
	b.slices[path] = slice
	for p := range b.slices {
		if strings.HasPrefix(p, path+".") {
			delete(b.slices, p) // a new slice (or the base) of path leaves its children's
		}
	}
	return out, nil
}

func (b *builder) apply(root *Element, ed *fhir.ElementDefinition) error {
	st, err := b.steps(ed)
	if err != nil {
		return err
	}
	cur := root
	for i, s := range st[1:] {
		last := i == len(st)-2
		child, rename := b.child(cur, s.name)
		if child == nil {
			return fmt.Errorf("%s: no element %q under %s", lit(ed.Path), s.name, cur.Path)
		}
		if rename != "" {
			// "valueQuantity" renames value[x]: the choice is restricted to that type
			// (a "value[x]:valueQuantity" slice would leave the other types allowed).
			restrictTo(child, rename)
		}
		if s.slice != "" {
			// A re-slice "a/b" is slice "a/b" of slice "a".
			parts := strings.Split(s.slice, "/")
			for i := range parts {
				child = sliceOf(child, strings.Join(parts[:i+1], "/"), "")
			}
		}
		cur = child
		if !last {
			b.unfold(cur)
		}
	}
	return b.set(cur, ed)
}

// child finds the child definition named name under cur, unfolding cur first. rename is
// the type when name is a choice element's typed name ("valueQuantity" → "Quantity").
func (b *builder) child(cur *Element, name string) (child *Element, rename string) {
	b.unfold(cur)
	base, isChoice := strings.CutSuffix(name, "[x]")
	for _, c := range cur.Children {
		if c.Name == base && c.Choice == isChoice {
			return c, ""
		}
	}
	for _, c := range cur.Children {
		if c.Choice && strings.HasPrefix(name, c.Name) {
			if t := c.choiceType(name[len(c.Name):]); t != "" {
				return c, t
			}
		}
	}
	return nil, ""
}

// sliceOf returns the slice of e named name, creating it as a copy of e when it does
// not exist yet. typ restricts a choice element's slice to one type.
func sliceOf(e *Element, name, typ string) *Element {
	if s := e.Slice(name); s != nil {
		return s
	}
	s := e.clone()
	s.Slices, s.Slicing, s.SliceName, s.Min = nil, nil, name, 0
	if typ == "" && e.Choice && strings.HasPrefix(name, e.Name) {
		typ = e.choiceType(name[len(e.Name):])
	}
	if typ != "" {
		for _, t := range e.Types {
			if t.Code == typ {
				s.Types = []Type{t}
			}
		}
		if len(s.Types) != 1 {
			s.Types = []Type{{Code: typ}}
		}
	}
	e.Slices = append(e.Slices, s)
	return s
}

// restrictTo keeps only type typ among a choice element's types.
func restrictTo(e *Element, typ string) {
	for _, t := range e.Types {
		if t.Code == typ {
			e.Types = []Type{t}
			return
		}
	}
	e.Types = []Type{{Code: typ}}
}

// unfold gives e its own children, copied from its backbone definition, its referenced
// definition, or its type (the type's profile when it has exactly one).
func (b *builder) unfold(e *Element) {
	if e.Children != nil {
		return
	}
	var src []*Element
	switch {
	case e.Backbone != "":
		if base := Base(e.Backbone); base != nil {
			src = base.Children
		}
	case len(e.Types) >= 1:
		t := e.Types[0]
		if len(t.Profiles) == 1 && !b.building[t.Profiles[0]] {
			if sd, err := b.reg.snapshot(t.Profiles[0], b.building); err == nil {
				src = sd.Root.Children
			}
		}
		if src == nil {
			if base := Base(t.Code); base != nil {
				src = base.Children
			}
		}
	}
	e.Children = cloneAll(src)
	if e.Children == nil {
		e.Children = []*Element{}
	}
	e.Backbone = ""
}

// set applies one differential element's constraints to its snapshot element.
func (b *builder) set(e *Element, ed *fhir.ElementDefinition) error {
	old := e.Fixed
	if ed.Min != nil && ed.Min.Value != nil {
		e.Min = int(*ed.Min.Value)
	}
	if m := lit(ed.Max); m != "" {
		if m == "*" {
			e.Max = -1
		} else if n, err := strconv.Atoi(m); err == nil {
			e.Max = n
		}
	}
	if len(ed.Type) > 0 {
		var ts []Type
		for _, t := range ed.Type {
			nt := Type{Code: typeCode(lit(t.Code))}
			for _, p := range t.Profile {
				nt.Profiles = append(nt.Profiles, lit(p))
			}
			for _, p := range t.TargetProfile {
				nt.TargetProfiles = append(nt.TargetProfiles, lit(p))
			}
			ts = append(ts, nt)
		}
		e.Types = ts
	}
	if ed.ContentReference != nil {
		e.ContentReference = strings.TrimPrefix(lit(ed.ContentReference), "#")
		if i := strings.Index(e.ContentReference, "#"); i >= 0 {
			e.ContentReference = e.ContentReference[i+1:]
		}
		if e.Children == nil {
			e.Backbone = e.ContentReference
		}
	}
	ed.EachChild(func(name string, v fhir.Element) bool {
		switch {
		case strings.HasPrefix(name, "fixed"):
			e.Fixed = v
		case strings.HasPrefix(name, "pattern"):
			e.Pattern = v
		case strings.HasPrefix(name, "minValue"):
			e.MinValue = v
		case strings.HasPrefix(name, "maxValue"):
			e.MaxValue = v
		}
		return true
	})
	for _, x := range ed.Extension {
		switch {
		case x.URL == narrativeLanguageControl && x.ValueCode != nil:
			e.NarrativeLanguages = append(e.NarrativeLanguages, lit(x.ValueCode))
		case x.URL == mustHaveValue && x.ValueBoolean != nil && x.ValueBoolean.Value != nil:
			e.MustHaveValue = *x.ValueBoolean.Value
		case x.URL == valueAlternatives && x.ValueCanonical != nil:
			e.ValueAlternatives = append(e.ValueAlternatives, lit(x.ValueCanonical))
		case x.URL == minLength && x.ValueInteger != nil && x.ValueInteger.Value != nil:
			e.MinLength = int(*x.ValueInteger.Value)
		}
	}
	if ed.MaxLength != nil && ed.MaxLength.Value != nil {
		e.MaxLength = int(*ed.MaxLength.Value)
	}
	if bd := ed.Binding; bd != nil {
		nb := &Binding{Strength: lit(bd.Strength), ValueSet: lit(bd.ValueSet)}
		if e.Binding != nil {
			if nb.Strength == "" {
				nb.Strength = e.Binding.Strength
			}
			if nb.ValueSet == "" {
				nb.ValueSet = e.Binding.ValueSet
			}
		}
		e.Binding = nb
	}
	for _, c := range ed.Constraint {
		nc := Constraint{Key: lit(c.Key), Severity: lit(c.Severity), Human: lit(c.Human), Expression: lit(c.Expression), Source: lit(c.Source)}
		if nc.Source == "" {
			nc.Source = b.source
		}
		nc.compile()
		replaced := false
		for i := range e.Constraints {
			if e.Constraints[i].Key == nc.Key && nc.Key != "" {
				if nc.Expression == "" {
					nc.Expression = e.Constraints[i].Expression
					nc.compile()
				}
				e.Constraints[i], replaced = nc, true
			}
		}
		if !replaced {
			e.Constraints = append(e.Constraints, nc)
		}
	}
	if sl := ed.Slicing; sl != nil {
		ns := &Slicing{Rules: lit(sl.Rules), Ordered: sl.Ordered != nil && sl.Ordered.Value != nil && *sl.Ordered.Value}
		for _, d := range sl.Discriminator {
			ns.Discriminators = append(ns.Discriminators, Discriminator{Type: lit(d.Type), Path: lit(d.Path)})
		}
		if len(ns.Discriminators) == 0 && e.Slicing != nil {
			ns.Discriminators = e.Slicing.Discriminators
		}
		if ns.Rules == "" {
			ns.Rules = "open"
		}
		e.Slicing = ns
	}
	if old != nil && e.Fixed != old && !sameValue(old, e.Fixed) {
		return fmt.Errorf("%s: the fixed value cannot be changed from what the base fixes", lit(ed.Path))
	}
	return nil
}

// sameValue compares two primitive fixed values; complex ones are compared by their
// children's literals.
func sameValue(a, b fhir.Element) bool {
	pa, aok := a.(fhir.Primitive)
	pb, bok := b.(fhir.Primitive)
	if aok || bok {
		if !aok || !bok {
			return false
		}
		la, _ := pa.Literal()
		lb, _ := pb.Literal()
		return la == lb
	}
	return true
}

// Extensions on ElementDefinition that add rules.
const (
	narrativeLanguageControl = "http://hl7.org/fhir/StructureDefinition/narrative-language-control"
	mustHaveValue            = "http://hl7.org/fhir/5.0/StructureDefinition/extension-ElementDefinition.mustHaveValue"
	valueAlternatives        = "http://hl7.org/fhir/5.0/StructureDefinition/extension-ElementDefinition.valueAlternatives"
	minLength                = "http://hl7.org/fhir/StructureDefinition/minLength"
)

// typeCode maps the FHIRPath System type URLs the R4 definitions use for id and
// primitive values to the model's type names.
func typeCode(code string) string {
	if name, ok := strings.CutPrefix(code, "http://hl7.org/fhirpath/System."); ok {
		switch name {
		case "String":
			return "string"
		case "Boolean":
			return "boolean"
		case "Integer":
			return "integer"
		case "Decimal":
			return "decimal"
		case "Date":
			return "date"
		case "DateTime":
			return "dateTime"
		case "Time":
			return "time"
		}
	}
	return code
}
