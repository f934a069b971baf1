package terminology

import "strings"

// Coding is a code in a code system, the shape shared by Coding, code+system parameters and
// value set concept references.
type Coding struct {
	System  string
	Version string
	Code    string
	Display string
}

// CodeSystem is a code system held in memory, built from a CodeSystem resource.
type CodeSystem struct {
	URL, Version, Name, Title, Status string
	// CaseSensitive says whether codes differ by case; when false, lookups fold case.
	CaseSensitive bool
	// Content is CodeSystem.content: complete, fragment, example, not-present, supplement.
	Content          string
	HierarchyMeaning string
	// Properties are the property definitions (CodeSystem.property).
	Properties []PropertyDef
	// Concepts are the top-level concepts in definition order; nested concepts hang
	// below them through Children.
	Concepts []*Concept
	// All lists every concept once, in document order.
	All   []*Concept
	index map[string]*Concept
}

// PropertyDef defines a concept property (CodeSystem.property).
type PropertyDef struct {
	Code, URI, Description, Type string
}

// Concept is one concept of a code system.
type Concept struct {
	Code, Display, Definition string
	Designations              []Designation
	Properties                []Property
	// Parents and Children give the subsumption hierarchy, from concept nesting and from
	// the parent, subsumedBy and child properties.
	Parents, Children []*Concept
	// Abstract is true for concepts marked notSelectable or abstract: they group others
	// and may not be used in data.
	Abstract bool
	// Inactive is true for concepts marked inactive or with status retired.
	Inactive bool
}

// Designation is an additional representation of a concept.
type Designation struct {
	Language string
	Use      *Coding
	Value    string
}

// Property is a concept property value. Type is the FHIR type of the value: code, Coding,
// string, integer, boolean, dateTime or decimal; Value holds its literal, and Coding the
// value when Type is Coding.
type Property struct {
	Code   string
	Type   string
	Value  string
	Coding *Coding
}

// Concept returns the concept with the given code, folding case when the code system is
// not case sensitive.
func (cs *CodeSystem) Concept(code string) *Concept {
	if c, ok := cs.index[code]; ok {
		return c
	}
	if !cs.CaseSensitive {
		return cs.index[strings.ToLower(code)]
	}
	return nil
}

// HasContent reports whether the code system carries its concepts, so that a code not
// found in it is truly not a code of the system.
func (cs *CodeSystem) HasContent() bool { return cs.Content == "complete" }

// Property returns the first value of the property with the given code.
func (c *Concept) Property(code string) (Property, bool) {
	for _, p := range c.Properties {
		if p.Code == code {
			return p, true
		}
	}
	return Property{}, false
}

// IsA reports whether c is a or is subsumed by ancestor (is-a is reflexive).
func (c *Concept) IsA(ancestor *Concept) bool {
	if c == ancestor {
		return true
	}
	return c.descendsFrom(ancestor)
}

// descendsFrom reports whether ancestor is a proper ancestor of c. Hierarchies from
// properties may contain cycles in bad content; the visited set keeps the walk finite.
func (c *Concept) descendsFrom(ancestor *Concept) bool {
	seen := map[*Concept]bool{c: true}
	stack := append([]*Concept(nil), c.Parents...)
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if p == ancestor {
			return true
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		stack = append(stack, p.Parents...)
	}
	return false
}

// Descendants returns the concepts below c, each once, in breadth-first order.
func (c *Concept) Descendants() []*Concept {
	var out []*Concept
	seen := map[*Concept]bool{c: true}
	queue := append([]*Concept(nil), c.Children...)
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		if seen[d] {
			continue
		}
		seen[d] = true
		out = append(out, d)
		queue = append(queue, d.Children...)
	}
	return out
}

// Concept property codes and URIs with a meaning the server relies on
// (https://hl7.org/fhir/R4/codesystem-concept-properties.html).
const (
	propParent        = "parent"
	propChild         = "child"
	propSubsumedBy    = "subsumedBy"
	propNotSelectable = "notSelectable"
	propAbstract      = "abstract"
	propInactive      = "inactive"
	propStatus        = "status"
)

// index builds the code index, resolves the hierarchy properties into Parents/Children,
// and derives the Abstract and Inactive flags. It is called once after the concepts are
// filled in.
func (cs *CodeSystem) buildIndex() {
	cs.index = make(map[string]*Concept, len(cs.All))
	for _, c := range cs.All {
		key := c.Code
		if !cs.CaseSensitive {
			key = strings.ToLower(key)
		}
		if _, dup := cs.index[key]; !dup {
			cs.index[key] = c
		}
	}
	meaning := cs.propertyMeanings()
	for _, c := range cs.All {
		for _, p := range c.Properties {
			switch meaning[p.Code] {
			case propParent, propSubsumedBy:
				if parent := cs.Concept(p.Value); parent != nil && parent != c {
					link(parent, c)
				}
			case propChild:
				if child := cs.Concept(p.Value); child != nil && child != c {
					link(c, child)
				}
			case propNotSelectable, propAbstract:
				c.Abstract = c.Abstract || p.Value == "true"
			case propInactive:
				c.Inactive = c.Inactive || p.Value == "true"
			case propStatus:
				c.Inactive = c.Inactive || p.Value == "retired" || p.Value == "inactive"
			}
		}
	}
}

// propertyMeanings maps the code system's property codes to the standard meanings above,
// by the property's URI where it has one, otherwise by its code.
func (cs *CodeSystem) propertyMeanings() map[string]string {
	m := map[string]string{
		propParent: propParent, propChild: propChild, propSubsumedBy: propSubsumedBy,
		propNotSelectable: propNotSelectable, propAbstract: propAbstract,
		propInactive: propInactive, propStatus: propStatus,
	}
	for _, d := range cs.Properties {
		_, frag, ok := strings.Cut(d.URI, "#")
		if !ok {
			continue
		}
		switch frag {
		case propParent, propChild, propSubsumedBy, propNotSelectable, propInactive, propStatus:
			m[d.Code] = frag
		}
	}
	return m
}

// link records parent as a parent of child, once.
func link(parent, child *Concept) {
	for _, p := range child.Parents {
		if p == parent {
			return
		}
	}
	child.Parents = append(child.Parents, parent)
	parent.Children = append(parent.Children, child)
}
