package search

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/fhirpath"
	"github.com/joinedup/joinedup/internal/store"
)

// Def is one SearchParameter: of the specification or a custom SearchParameter resource.
type Def struct {
	URL, Code, Type string // Type: number date string token reference composite quantity uri special
	Base            []string
	Expression      string
	Target          []string
	// Components are the parts of a composite parameter, in order.
	Components []Component
	// Custom is set for parameters added from SearchParameter resources.
	Custom bool
	// State identifies a custom parameter as registered, for the durable record of what a
	// completed $reindex indexed: the SearchParameter version it came from (id, versionId,
	// lastUpdated) and a digest of what extraction and search use. Any new version of the
	// resource changes it, so a record can never vouch for index rows written while the
	// parameter was changed, deleted or unregistered.
	State string
}

// Component is one part of a composite parameter: its definition and the expression
// evaluated on each item the composite's expression yields.
type Component struct {
	Def        *Def
	Expression string
}

// Param is a parameter as it applies to one resource type.
type Param struct {
	*Def
	Kind store.ParamKind
	// Modifiers are the modifiers this server applies for the parameter.
	Modifiers []string
	// expr is the parameter's expression reduced to the branches that apply to the type,
	// nil when the parameter is not extracted (_id, _lastUpdated, _text ...).
	expr  *fhirpath.Expression
	parts []*fhirpath.Expression // composite components
}

// kinds maps a SearchParameter type to the index table its values go to.
var kinds = map[string]store.ParamKind{
	"number": store.KindNumber, "date": store.KindDate, "string": store.KindString,
	"token": store.KindToken, "reference": store.KindReference, "quantity": store.KindQuantity,
	"uri": store.KindURI, "composite": store.KindComposite, "special": store.KindSpecial,
}

// modifiersOf lists what the store answers for each kind (search.html#modifiers);
// :missing applies to every kind but _id, _lastUpdated, _text and _content.
var modifiersOf = map[store.ParamKind][]string{
	store.KindID:        {"not"},
	store.KindString:    {"missing", "exact", "contains"},
	store.KindToken:     {"missing", "not", "text", "of-type", "in", "not-in", "above", "below"},
	store.KindDate:      {"missing"},
	store.KindNumber:    {"missing"},
	store.KindQuantity:  {"missing"},
	store.KindReference: {"missing", "identifier"},
	store.KindURI:       {"missing", "above", "below"},
	store.KindComposite: {"missing"},
}

// codedTypes are the element types whose values are codes of a code system.
var codedTypes = []string{"code", "Coding", "CodeableConcept"}

// modifierTypes limits modifiers of modifiersOf to parameters that select an element of
// one of the types listed; elsewhere they could never match. search.html#token: :text
// searches CodeableConcept.text, Coding.display or Identifier.type.text; :of-type takes
// an Identifier's type and value; :in, :not-in, :above and :below test a code against a
// value set or a code system's hierarchy. search.html#reference: :identifier matches
// Reference.identifier (a canonical or a contained resource has none).
var modifierTypes = map[store.ParamKind]map[string][]string{
	store.KindToken: {
		"text":    {"CodeableConcept", "Coding", "Identifier"},
		"of-type": {"Identifier"},
		"in":      codedTypes, "not-in": codedTypes, "above": codedTypes, "below": codedTypes,
	},
	store.KindReference: {"identifier": {"Reference"}},
}

// modifiers lists the modifiers offered for d, of kind, whose expression selects
// elements of types (nil when the FHIRPath compiler cannot tell, as for Patient
// deceased, a Boolean expression): those of modifiersOf that apply to the types, and
// for a reference :above and :below when a target type has a hierarchy, and its target
// types (subject:Patient).
func modifiers(kind store.ParamKind, d *Def, types []string) []string {
	var out []string
	for _, m := range modifiersOf[kind] {
		want, limited := modifierTypes[kind][m]
		if !limited || slices.ContainsFunc(types, func(t string) bool { return slices.Contains(want, t) }) {
			out = append(out, m)
		}
	}
	if kind == store.KindReference {
		if slices.ContainsFunc(d.Target, func(t string) bool { return hierarchy(t).code != "" }) {
			out = append(out, "above", "below")
		}
		out = append(out, d.Target...)
	}
	return out
}

// Registry holds the search parameters the server knows. It is safe for concurrent use.
type Registry struct {
	mu     sync.RWMutex
	defs   []*Def
	byURL  map[string]*Def
	plans  map[string]*plan // resource type → compiled parameters, built on first use
	custom map[string]bool  // URLs of custom parameters not yet indexed
	gen    atomic.Uint64    // see Generation
}

// plan is the parameters of one resource type.
type plan struct {
	byCode map[string]*Param
	all    []*Param // sorted by code
	// extract are the parameters with an expression, in extraction order.
	extract []*Param
}

// NewRegistry returns a registry of the specification's search parameters.
func NewRegistry() *Registry {
	r := &Registry{byURL: map[string]*Def{}, plans: map[string]*plan{}, custom: map[string]bool{}}
	specs := fhir.SearchParameters()
	for _, sp := range specs {
		d := &Def{URL: sp.URL, Code: sp.Code, Type: sp.Type, Base: sp.Base, Expression: sp.Expression, Target: sp.Target}
		r.defs = append(r.defs, d)
		r.byURL[d.URL] = d
	}
	for i, sp := range specs {
		for _, c := range sp.Components {
			r.defs[i].Components = append(r.defs[i].Components, Component{Def: r.byURL[c.Definition], Expression: c.Expression})
		}
	}
	return r
}

// baseTypes are the abstract types whose parameters every resource (or domain
// resource) inherits.
var baseTypes = map[string]bool{"Resource": true, "DomainResource": true}

// Add registers a custom SearchParameter. It is extracted on every write from now on,
// but searches use it only once MarkIndexed says the existing resources are indexed
// ($reindex); registering a new version of one makes it pending again.
func (r *Registry) Add(sp *fhir.SearchParameter) (*Def, error) {
	d := &Def{URL: lit(sp.URL), Code: lit(sp.Code), Type: lit(sp.Type), Expression: lit(sp.Expression), Custom: true}
	for _, b := range sp.Base {
		d.Base = append(d.Base, lit(b))
	}
	for _, t := range sp.Target {
		d.Target = append(d.Target, lit(t))
	}
	if d.URL == "" || d.Code == "" || len(d.Base) == 0 {
		return nil, fmt.Errorf("search parameter needs url, code and base")
	}
	if _, ok := kinds[d.Type]; !ok || d.Type == "special" {
		return nil, fmt.Errorf("search parameter type %q is not supported", d.Type)
	}
	if d.Expression == "" {
		return nil, fmt.Errorf("search parameter %s has no expression", d.Code)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range sp.Component {
		cd := r.byURL[lit(c.Definition)]
		if cd == nil {
			return nil, fmt.Errorf("composite component %q is unknown", lit(c.Definition))
		}
		d.Components = append(d.Components, Component{Def: cd, Expression: lit(c.Expression)})
	}
	if d.Type == "composite" && len(d.Components) < 2 {
		return nil, fmt.Errorf("composite search parameter %s needs two components", d.Code)
	}
	d.State = state(sp, d)
	for _, b := range d.Base {
		if !fhir.IsResourceType(b) && !baseTypes[b] {
			return nil, fmt.Errorf("base %q is not a resource type", b)
		}
	}
	// Compile now so that a bad expression is refused rather than skipped at write.
	for _, b := range d.Base {
		if _, err := compileFor(d, b); err != nil {
			return nil, err
		}
	}
	old, ok := r.byURL[d.URL]
	if ok && old.Custom && old.State == d.State {
		// The same version again (another process's change seen by SyncSearchParameters
		// after this one's own write registered it): its rows and, if indexed, its
		// searchability stand.
		return old, nil
	}
	if ok {
		r.defs = slices.DeleteFunc(r.defs, func(x *Def) bool { return x == old })
	}
	r.defs = append(r.defs, d)
	r.byURL[d.URL] = d
	r.custom[d.URL] = true
	r.plans = map[string]*plan{}
	r.gen.Add(1)
	return d, nil
}

// Remove unregisters the custom parameter url (its SearchParameter was deleted or is no
// longer active): it is neither extracted nor searched from now on, and a specification
// parameter of the same code it replaced applies again. It reports whether url was a
// registered custom parameter.
func (r *Registry) Remove(url string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.byURL[url]
	if d == nil || !d.Custom {
		return false
	}
	r.defs = slices.DeleteFunc(r.defs, func(x *Def) bool { return x == d })
	delete(r.byURL, url)
	delete(r.custom, url)
	r.plans = map[string]*plan{}
	r.gen.Add(1)
	return true
}

// Custom lists the canonical URLs of the registered custom parameters, pending or not.
func (r *Registry) Custom() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []string
	for _, d := range r.defs {
		if d.Custom {
			out = append(out, d.URL)
		}
	}
	sort.Strings(out)
	return out
}

// Generation counts the changes Add and Remove made to the parameters. Index rows
// extracted after it was read lack no parameter registered before, so a writer that
// reads it before extracting can tell, by reading it again, whether its rows may miss
// one since.
func (r *Registry) Generation() uint64 { return r.gen.Load() }

// Definition returns the parameter with canonical url, nil if unknown.
func (r *Registry) Definition(url string) *Def {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.byURL[url]
}

// MarkIndexed makes the custom parameter url available to searches if it is still
// registered in the given State (a $reindex indexed that definition), and reports
// whether it did.
func (r *Registry) MarkIndexed(url, state string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.byURL[url]
	if d == nil || !d.Custom || d.State != state {
		return false
	}
	delete(r.custom, url)
	return true
}

// Pending lists the custom parameters not yet indexed.
func (r *Registry) Pending() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []string
	for u := range r.custom {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// Lookup returns the parameter code of typ ("" for a system search: the parameters
// every resource has) that searches may use, nil if there is none.
func (r *Registry) Lookup(typ, code string) *Param {
	p := r.plan(typ).byCode[code]
	if p == nil || p.Custom && r.pending(p.URL) {
		return nil
	}
	return p
}

func (r *Registry) pending(url string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.custom[url]
}

// Params lists the searchable parameters of typ ("" for those of every type), by code.
func (r *Registry) Params(typ string) []*Param {
	var out []*Param
	for _, p := range r.plan(typ).all {
		if !p.Custom || !r.pending(p.URL) {
			out = append(out, p)
		}
	}
	return out
}

// plan returns the compiled parameters of typ.
func (r *Registry) plan(typ string) *plan {
	r.mu.RLock()
	p := r.plans[typ]
	r.mu.RUnlock()
	if p != nil {
		return p
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if p = r.plans[typ]; p != nil {
		return p
	}
	p = &plan{byCode: map[string]*Param{}}
	for _, d := range r.defs {
		if !appliesTo(d, typ) {
			continue
		}
		prm := &Param{Def: d, Kind: kinds[d.Type]}
		switch d.Code {
		case "_id":
			prm.Kind = store.KindID
		case "_lastUpdated":
			prm.Kind = store.KindLastUpdated
		case "_text", "_content":
			prm.Kind = store.KindText
		case "_query":
			continue // named queries: none are defined
		}
		if prm.Kind == store.KindSpecial && d.Code != "near" {
			continue
		}
		var types []string // of the elements the parameter selects; nil when unknown
		if d.Expression != "" && prm.Kind != store.KindID && prm.Kind != store.KindLastUpdated {
			expr, err := compileFor(d, typ)
			switch {
			case typ == "":
				// A system search's parameters are not extracted: compiled for the types only.
				if err == nil && expr != nil {
					types = expr.Types()
				}
			case err != nil || expr == nil:
				// The specification's expressions all compile; a failure here is a bug
				// in the FHIRPath engine, and the parameter is left out rather than
				// offered and never matched.
				continue
			default:
				prm.expr, types = expr, expr.Types()
				for _, c := range d.Components {
					ce, err := fhirpath.Compile(c.Expression, fhirpath.Lenient())
					if err != nil || c.Def == nil {
						prm.expr = nil
						break
					}
					prm.parts = append(prm.parts, ce)
				}
				if prm.expr == nil {
					continue
				}
				p.extract = append(p.extract, prm)
			}
		}
		prm.Modifiers = modifiers(prm.Kind, d, types)
		p.byCode[d.Code] = prm // a custom parameter replaces one of the same code
	}
	for _, prm := range p.byCode {
		p.all = append(p.all, prm)
	}
	sort.Slice(p.all, func(i, j int) bool { return p.all[i].Code < p.all[j].Code })
	p.extract = slices.DeleteFunc(p.extract, func(x *Param) bool { return p.byCode[x.Code] != x })
	r.plans[typ] = p
	return p
}

// hierarchyDef is a resource type's hierarchy for reference :above and :below: the
// reference parameter that links its resources, and which way its links run.
type hierarchyDef struct {
	code string // "" when the type has no hierarchy
	// toParts: the parameter points from a whole at its parts (Observation has-member)
	// rather than from a part at its whole (Location partof).
	toParts bool
}

// hierarchies maps each resource type that has a hierarchy to it (see hierarchy).
var hierarchies = sync.OnceValue(func() map[string]hierarchyDef {
	// A Reference(Any) lists every resource type but Parameters; no other lists more
	// than a few.
	anyType := len(fhir.ResourceTypes()) / 2
	best := map[string]*fhir.SearchParamDef{}
	// better reports whether a should define the hierarchy rather than b.
	better := func(a, b *fhir.SearchParamDef) bool {
		pa, pb := a.Code == "partof" || a.Code == "part-of", b.Code == "partof" || b.Code == "part-of"
		if pa != pb {
			return pa
		}
		if len(a.Target) != len(b.Target) {
			return len(a.Target) < len(b.Target)
		}
		return a.Code < b.Code
	}
	for _, sp := range fhir.SearchParameters() {
		if sp.Type != "reference" || len(sp.Target) > anyType {
			continue
		}
		for _, typ := range sp.Base {
			if slices.Contains(sp.Target, typ) && byReference(sp.Expression, typ) && (best[typ] == nil || better(sp, best[typ])) {
				best[typ] = sp
			}
		}
	}
	out := make(map[string]hierarchyDef, len(best))
	for typ, sp := range best {
		out[typ] = hierarchyDef{code: sp.Code, toParts: toParts(sp.Expression, typ)}
	}
	return out
})

// hierarchy returns typ's hierarchy for reference :above and :below, with code "" when
// typ has none. Its parameter is one of the specification's reference parameters of typ
// that may point at typ itself (a circular reference) through Reference elements,
// leaving out those that may point at any type (Reference(Any) links such as Task focus,
// List item or Composition entry, not hierarchies) and canonicals (indexed as URLs,
// which the walk cannot follow): the one named partof or part-of, else the one with the
// fewest target types, else the first by code. Custom SearchParameters make no
// hierarchy.
//
// Which way the links run comes from the R4 definition of the element the parameter
// selects (see toParts). From a whole to its parts: Observation has-member, Group
// member, CareTeam participant, Medication ingredient, Substance substance-reference;
// :below follows their links and :above walks back to the wholes. From a part to its
// whole: CarePlan, Encounter, MedicationStatement, Procedure and Task part-of, Location,
// Organization and ResearchStudy partof, Specimen and DeviceDefinition parent; and,
// read the same way, from a resource to the one it follows, replaces, relates to or
// comes from: ClinicalImpression previous, CommunicationRequest and ServiceRequest
// replaces, Composition related-ref, DocumentReference relatesto, Patient and Person
// link, Consent source-reference. Their :below walks back along the links to what
// points at the value, :above follows them.
func hierarchy(typ string) hierarchyDef { return hierarchies()[typ] }

// partsElements are the elements whose R4 definitions make the resource a whole and the
// resources they reference its parts: Observation.hasMember ("includes the target as a
// member of the group"), Group.member and CareTeam.participant.member (the members of
// the group or team), Medication.ingredient and Substance.ingredient (their
// constituents). Every other hierarchy's parameter points at a whole (partOf, parent,
// parentDevice) or at an earlier or source resource.
var partsElements = []string{"hasMember", "member", "ingredient"}

// toParts reports whether a branch of expr for typ selects a reference inside one of
// partsElements.
func toParts(expr, typ string) bool {
	for _, br := range splitUnion(expr) {
		path := strings.TrimSuffix(strings.TrimPrefix(br, "("), " as Reference)")
		steps := strings.Split(path, ".")
		if steps[0] == typ && slices.ContainsFunc(steps[1:], func(s string) bool { return slices.Contains(partsElements, s) }) {
			return true
		}
	}
	return false
}

// byReference reports whether a branch of expr for typ selects Reference elements: a
// path of typ's elements ending in one that may be a Reference, or such a path cast
// "as Reference".
func byReference(expr, typ string) bool {
	for _, br := range splitUnion(expr) {
		if path, ok := strings.CutSuffix(strings.TrimPrefix(br, "("), " as Reference)"); ok && strings.HasPrefix(path, typ+".") {
			return true
		}
		steps := strings.Split(br, ".")
		if steps[0] != typ {
			continue
		}
		t := fhir.LookupType(typ)
		for i, step := range steps[1:] {
			var e *fhir.ElementDef
			if t != nil {
				e = t.Element(step)
			}
			switch {
			case e == nil:
				t = nil
			case i == len(steps)-2:
				if slices.ContainsFunc(e.Types, func(r fhir.TypeRef) bool { return r.Code == "Reference" }) {
					return true
				}
			case e.Backbone != "":
				t = fhir.LookupType(e.Backbone)
			case len(e.Types) == 1:
				t = fhir.LookupType(e.Types[0].Code)
			default:
				t = nil
			}
		}
	}
	return false
}

func appliesTo(d *Def, typ string) bool {
	for _, b := range d.Base {
		if b == typ || baseTypes[b] && (typ == "" || b == "Resource" || isDomainResource(typ)) {
			return true
		}
	}
	return false
}

func isDomainResource(typ string) bool {
	td := fhir.LookupType(typ)
	return td != nil && td.Base == "DomainResource"
}

// compileFor compiles the part of d's expression that can apply to typ: the top-level
// union branches whose first step (inside any opening parentheses) is typ, a base type
// or not a type at all. nil (and no error) when none can.
func compileFor(d *Def, typ string) (*fhirpath.Expression, error) {
	var keep []string
	for _, br := range splitUnion(d.Expression) {
		// A branch may be parenthesised: (Observation.value as Quantity).
		first := strings.TrimLeft(br, "(")
		if i := strings.IndexAny(first, ".( "); i >= 0 {
			first = first[:i]
		}
		if first == typ || baseTypes[first] || first == "" || !fhir.IsResourceType(first) && !baseTypes[first] {
			keep = append(keep, br)
		}
	}
	if len(keep) == 0 {
		return nil, nil
	}
	e, err := fhirpath.Compile(strings.Join(keep, " | "), fhirpath.Lenient())
	if err != nil {
		return nil, fmt.Errorf("search parameter %s: %w", d.URL, err)
	}
	return e, nil
}

// splitUnion splits a FHIRPath expression at its top-level "|" operators.
func splitUnion(expr string) []string {
	var out []string
	depth, start := 0, 0
	inStr := false
	for i := 0; i < len(expr); i++ {
		switch c := expr[i]; {
		case c == '\'' && (i == 0 || expr[i-1] != '\\'):
			inStr = !inStr
		case inStr:
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			depth--
		case c == '|' && depth == 0:
			out = append(out, strings.TrimSpace(expr[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(expr[start:]))
}

// lit returns a primitive's value, "" when absent.
func lit[T any, P interface {
	*T
	fhir.Primitive
}](p P) string {
	if p == nil {
		return ""
	}
	s, _ := p.Literal()
	return s
}

// state renders Def.State for d, added from sp.
func state(sp *fhir.SearchParameter, d *Def) string {
	h := sha256.New()
	field := func(s string) { fmt.Fprintf(h, "%d:%s;", len(s), s) }
	for _, s := range []string{d.URL, d.Code, d.Type, d.Expression} {
		field(s)
	}
	for _, list := range [][]string{d.Base, d.Target} {
		fmt.Fprintf(h, "%d;", len(list))
		for _, s := range list {
			field(s)
		}
	}
	for _, c := range d.Components {
		field(c.Def.URL)
		field(c.Expression)
	}
	var version, updated string
	if sp.Meta != nil {
		version, updated = lit(sp.Meta.VersionID), lit(sp.Meta.LastUpdated)
	}
	return fmt.Sprintf("SearchParameter/%s/_history/%s@%s %x", lit(sp.ID), version, updated, h.Sum(nil))
}
