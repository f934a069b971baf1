package terminology

import (
	"fmt"

	"github.com/joinedup/joinedup/fhir"
)

// decodeResource parses a CodeSystem or ValueSet with the generated model and builds its
// in-memory form. Exactly one of the results is non-nil on success.
func decodeResource(data []byte) (*CodeSystem, *ValueSet, error) {
	r, err := fhir.ParseResource(data)
	if err != nil {
		return nil, nil, err
	}
	switch r := r.(type) {
	case *fhir.CodeSystem:
		return FromCodeSystem(r), nil, nil
	case *fhir.ValueSet:
		return nil, FromValueSet(r), nil
	default:
		return nil, nil, fmt.Errorf("a %s is neither a CodeSystem nor a ValueSet", r.ResourceType())
	}
}

// lit returns a primitive's value, "" when it is absent.
func lit[P interface {
	*T
	Literal() (string, bool)
}, T any](p P) string {
	if p == nil {
		return ""
	}
	s, _ := p.Literal()
	return s
}

// FromCodeSystem builds the in-memory form of a CodeSystem resource.
func FromCodeSystem(r *fhir.CodeSystem) *CodeSystem {
	cs := &CodeSystem{
		URL: lit(r.URL), Version: lit(r.Version), Name: lit(r.Name), Title: lit(r.Title), Status: lit(r.Status),
		CaseSensitive: lit(r.CaseSensitive) == "true", Content: lit(r.Content), HierarchyMeaning: lit(r.HierarchyMeaning),
	}
	for _, p := range r.Property {
		cs.Properties = append(cs.Properties, PropertyDef{Code: lit(p.Code), URI: lit(p.URI), Description: lit(p.Description), Type: lit(p.Type)})
	}
	var walk func(parent *Concept, concepts []*fhir.CodeSystemConcept) []*Concept
	walk = func(parent *Concept, concepts []*fhir.CodeSystemConcept) []*Concept {
		out := make([]*Concept, 0, len(concepts))
		for _, rc := range concepts {
			c := &Concept{Code: lit(rc.Code), Display: lit(rc.Display), Definition: lit(rc.Definition)}
			for _, d := range rc.Designation {
				c.Designations = append(c.Designations, Designation{Language: lit(d.Language), Use: fromCoding(d.Use), Value: lit(d.Value)})
			}
			for _, p := range rc.Property {
				c.Properties = append(c.Properties, fromConceptProperty(p))
			}
			cs.All = append(cs.All, c)
			if parent != nil {
				link(parent, c)
			}
			walk(c, rc.Concept)
			out = append(out, c)
		}
		return out
	}
	cs.Concepts = walk(nil, r.Concept)
	cs.buildIndex()
	return cs
}

func fromConceptProperty(p *fhir.CodeSystemConceptProperty) Property {
	out := Property{Code: lit(p.Code)}
	switch {
	case p.ValueCode != nil:
		out.Type, out.Value = "code", lit(p.ValueCode)
	case p.ValueCoding != nil:
		out.Type, out.Coding = "Coding", fromCoding(p.ValueCoding)
		out.Value = out.Coding.Code
	case p.ValueString != nil:
		out.Type, out.Value = "string", lit(p.ValueString)
	case p.ValueInteger != nil:
		out.Type, out.Value = "integer", lit(p.ValueInteger)
	case p.ValueBoolean != nil:
		out.Type, out.Value = "boolean", lit(p.ValueBoolean)
	case p.ValueDateTime != nil:
		out.Type, out.Value = "dateTime", lit(p.ValueDateTime)
	case p.ValueDecimal != nil:
		out.Type, out.Value = "decimal", lit(p.ValueDecimal)
	}
	return out
}

func fromCoding(c *fhir.Coding) *Coding {
	if c == nil {
		return nil
	}
	return &Coding{System: lit(c.System), Version: lit(c.Version), Code: lit(c.Code), Display: lit(c.Display)}
}

// FromValueSet builds the in-memory form of a ValueSet resource.
func FromValueSet(r *fhir.ValueSet) *ValueSet {
	vs := &ValueSet{URL: lit(r.URL), Version: lit(r.Version), Name: lit(r.Name), Title: lit(r.Title), Status: lit(r.Status)}
	if c := r.Compose; c != nil {
		if c.Inactive != nil && c.Inactive.Value != nil {
			v := *c.Inactive.Value
			vs.Inactive = &v
		}
		for _, inc := range c.Include {
			vs.Include = append(vs.Include, fromConceptSet(inc))
		}
		for _, exc := range c.Exclude {
			vs.Exclude = append(vs.Exclude, fromConceptSet(exc))
		}
	}
	if e := r.Expansion; e != nil {
		var walk func([]*fhir.ValueSetExpansionContains)
		walk = func(cs []*fhir.ValueSetExpansionContains) {
			for _, c := range cs {
				if c.Code != nil {
					vs.Expansion = append(vs.Expansion, Coding{System: lit(c.System), Version: lit(c.Version), Code: lit(c.Code), Display: lit(c.Display)})
				}
				walk(c.Contains)
			}
		}
		walk(e.Contains)
	}
	return vs
}

func fromConceptSet(inc *fhir.ValueSetComposeInclude) ConceptSet {
	s := ConceptSet{System: lit(inc.System), Version: lit(inc.Version)}
	for _, c := range inc.Concept {
		ref := ConceptRef{Code: lit(c.Code), Display: lit(c.Display)}
		for _, d := range c.Designation {
			ref.Designations = append(ref.Designations, Designation{Language: lit(d.Language), Use: fromCoding(d.Use), Value: lit(d.Value)})
		}
		s.Concepts = append(s.Concepts, ref)
	}
	for _, f := range inc.Filter {
		s.Filters = append(s.Filters, Filter{Property: lit(f.Property), Op: lit(f.Op), Value: lit(f.Value)})
	}
	for _, v := range inc.ValueSet {
		s.ValueSets = append(s.ValueSets, lit(v))
	}
	return s
}

// CodingOf converts a FHIR Coding for the operations (nil gives the zero Coding).
func CodingOf(c *fhir.Coding) Coding {
	if c == nil {
		return Coding{}
	}
	return *fromCoding(c)
}

// CodingsOf converts the codings of a CodeableConcept, for ValidateRequest.Codings.
func CodingsOf(cc *fhir.CodeableConcept) []Coding {
	if cc == nil {
		return nil
	}
	out := make([]Coding, 0, len(cc.Coding))
	for _, c := range cc.Coding {
		out = append(out, *fromCoding(c))
	}
	return out
}
