package profile

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"io"
	"strings"
	"sync"

	"github.com/joinedup/joinedup/fhir"
)

//go:embed data/roots.json.gz
var rootsGz []byte

var (
	rootsOnce sync.Once
	roots     map[string][]Constraint
	baseTrees sync.Map // type name or backbone path → *Element
)

// CorePrefix is the canonical base of the R4 core StructureDefinitions.
const CorePrefix = "http://hl7.org/fhir/StructureDefinition/"

func rootConstraints(typ string) []Constraint {
	rootsOnce.Do(func() {
		roots = map[string][]Constraint{}
		z, err := gzip.NewReader(bytes.NewReader(rootsGz))
		if err != nil {
			panic("profile: embedded roots: " + err.Error())
		}
		data, err := io.ReadAll(z)
		if err != nil {
			panic("profile: embedded roots: " + err.Error())
		}
		var m map[string][]struct {
			Key, Severity, Human, Expression, Source string
		}
		if err := json.Unmarshal(data, &m); err != nil {
			panic("profile: embedded roots: " + err.Error())
		}
		for t, cs := range m {
			for _, c := range cs {
				nc := Constraint{Key: c.Key, Severity: c.Severity, Human: c.Human, Expression: c.Expression, Source: CorePrefix + t}
				nc.compile()
				roots[t] = append(roots[t], nc)
			}
		}
	})
	return roots[typ]
}

// Base returns the base definition of a type of the R4 model ("Patient", "HumanName",
// "string") or of a backbone element by its path ("Patient.contact"), built from the
// generated meta-model; nil for a name the model does not know. Backbone elements under
// it are left folded (Children nil, Backbone set). The tree is shared: do not modify it.
func Base(name string) *Element {
	allOnce.Do(buildAll)
	if e, ok := allBases[name]; ok {
		return e
	}
	return lazyBase(name)
}

// lazyBase builds a base definition on first use.
func lazyBase(name string) *Element {
	if e, ok := baseTrees.Load(name); ok {
		return e.(*Element)
	}
	td := fhir.LookupType(name)
	if td == nil {
		return nil
	}
	root := &Element{Path: name, Name: name, Max: -1, Constraints: rootConstraints(name)}
	if td.Kind != fhir.KindBackbone {
		root.Types = []Type{{Code: name}}
	}
	root.Children = make([]*Element, 0, len(td.Elements))
	for _, ed := range td.Elements {
		root.Children = append(root.Children, fromMeta(ed))
	}
	e, _ := baseTrees.LoadOrStore(name, root)
	return e.(*Element)
}

var (
	allOnce  sync.Once
	allBases map[string]*Element // every type reachable from the resource types; read-only
)

// buildAll builds the base definitions of every resource type and of every type and
// backbone element they reach, so that the validator's lookups need no locking.
func buildAll() {
	m := map[string]*Element{}
	queue := fhir.ResourceTypes()
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if _, done := m[name]; done {
			continue
		}
		e := lazyBase(name)
		if e == nil {
			continue
		}
		m[name] = e
		for _, c := range e.Children {
			if c.Backbone != "" {
				queue = append(queue, c.Backbone)
			}
			for _, t := range c.Types {
				queue = append(queue, t.Code)
			}
		}
	}
	allBases = m
}

func fromMeta(ed *fhir.ElementDef) *Element {
	e := &Element{
		Path: ed.Path, Name: ed.Name, Choice: ed.Choice, Min: ed.Min, Max: ed.Max,
		MaxLength: ed.MaxLength, Backbone: ed.Backbone,
		ContentReference: strings.TrimPrefix(ed.ContentReference, "#"),
	}
	for _, t := range ed.Types {
		e.Types = append(e.Types, Type{Code: t.Code, Profiles: t.Profiles, TargetProfiles: t.TargetProfile})
	}
	if ed.Binding != nil {
		e.Binding = &Binding{Strength: ed.Binding.Strength, ValueSet: ed.Binding.ValueSet}
	}
	src := CorePrefix + strings.SplitN(ed.Path, ".", 2)[0]
	for _, c := range ed.Constraints {
		nc := Constraint{Key: c.Key, Severity: c.Severity, Human: c.Human, Expression: c.Expression, Source: src}
		nc.compile()
		e.Constraints = append(e.Constraints, nc)
	}
	if e.ContentReference != "" {
		e.Backbone = e.ContentReference
	}
	return e
}

// ChildrenOf returns the children that apply to e: its own when the snapshot unfolded it,
// otherwise those of its backbone definition or of its single type. typ is the type of
// the instance value, which picks the type of a choice element.
func ChildrenOf(e *Element, typ string) []*Element {
	if e.Children != nil {
		return e.Children
	}
	if e.Backbone != "" {
		if b := Base(e.Backbone); b != nil {
			return b.Children
		}
	}
	if b := Base(typ); b != nil {
		return b.Children
	}
	return nil
}
