package validate

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/fhirpath"
	"github.com/joinedup/joinedup/internal/profile"
	"github.com/joinedup/joinedup/internal/terminology"
)

// Options configure a Validator.
type Options struct {
	// Profiles holds the StructureDefinitions; nil: profile.Default() (R4 and UK Core).
	Profiles *profile.Registry
	// Terminology checks bindings; nil: a terminology.New() over the embedded content.
	Terminology *terminology.Server
	// AllowExampleURLs accepts extensions under example.org without a definition, as
	// HL7's test suites expect. Real data never carries example URLs: a server leaves
	// this off, and such an extension is then an error.
	AllowExampleURLs bool
}

// Validator validates resources. It is safe for concurrent use; build one and share it.
type Validator struct {
	reg             *profile.Registry
	term            *terminology.Server
	allowExampleURL bool

	exprs    sync.Map // FHIRPath source → *compiled
	vsSystem sync.Map // value set canonical → []string (systems a bare code may be from)
	codes    sync.Map // value set and codings → codeResult
	cached   atomic.Int64
}

type compiled struct {
	expr *fhirpath.Expression
	err  error
}

// clearCodes drops the cached answers about codes and value sets, which a code system
// or value set added or removed may change.
func (v *Validator) clearCodes() {
	v.codes.Clear()
	v.vsSystem.Clear()
	v.cached.Store(0)
}

// New returns a Validator.
func New(o Options) (*Validator, error) {
	if o.Profiles == nil {
		reg, err := profile.Default()
		if err != nil {
			return nil, fmt.Errorf("validate: %w", err)
		}
		o.Profiles = reg
	}
	if o.Terminology == nil {
		o.Terminology = terminology.New()
	}
	return &Validator{reg: o.Profiles, term: o.Terminology, allowExampleURL: o.AllowExampleURLs}, nil
}

// Profiles returns the validator's profile registry.
func (v *Validator) Profiles() *profile.Registry { return v.reg }

// Validate checks r against the base definition of its type, every profile it claims in
// meta.profile (an unknown claimed profile is a warning) and every profile in profiles
// (an unknown one is an error: the caller asked for it). Issues are sorted, errors first.
func (v *Validator) Validate(ctx context.Context, r fhir.Resource, profiles ...string) []Issue {
	ru := &run{v: v, ctx: ctx}
	ru.env.MemberOf = ru.memberOf
	ru.env.ConformsTo = ru.conformsTo
	ru.resource(r, r.ResourceType(), profiles, false)
	return sortIssues(ru.issues)
}

// run is the state of one validation.
type run struct {
	v      *Validator
	ctx    context.Context
	issues []Issue
	env    fhirpath.Env
	// bundle is the outermost Bundle, for urn:uuid references; fullUrls its entries'.
	bundle   fhir.Element
	fullUrls map[string]bool
	// res is the resource being walked and its contained ids.
	res       fhir.Resource
	contained map[string]bool
	depth     int
	// parent and parentPath are the element whose child is being validated, for
	// extension contexts.
	parent     fhir.Element
	parentPath string
	// resPath is the path of the resource being walked.
	resPath string
	// extensions are the urls of the extensions being walked, outermost first.
	extensions []string
	// quiet counts nested trial validations (slice matching by profile) whose issues
	// are discarded.
	quiet int
}

const maxDepth = 64

// resource validates one resource (the top one, a contained one or a bundle entry's)
// against its base definition, its claimed profiles and extra. A contained resource
// keeps its container as %rootResource.
func (r *run) resource(res fhir.Resource, path string, extra []string, contained bool) {
	if r.depth > maxDepth {
		r.add(Error, "structure", path, "The resource is nested too deeply to validate")
		return
	}
	r.depth++
	defer func() { r.depth-- }()
	prevRes, prevContained, prevEnv, prevPath := r.res, r.contained, r.env, r.resPath
	defer func() { r.res, r.contained, r.env, r.resPath = prevRes, prevContained, prevEnv, prevPath }()
	typ := res.ResourceType()
	r.res, r.resPath = res, path
	r.contained = nil
	for _, c := range res.Children("contained", nil) {
		if cr, ok := c.(fhir.Resource); ok {
			if r.contained == nil {
				r.contained = map[string]bool{}
			}
			r.contained[cr.ResourceID()] = true
		}
	}
	r.env.Resource = res
	if !contained {
		r.env.RootResource = res
	}
	if typ == "Bundle" && r.bundle == nil {
		r.bundle = res
		r.fullUrls = bundleFullUrls(res)
		defer func() { r.bundle, r.fullUrls = nil, nil }()
	}
	base := profile.Base(typ)
	if base == nil {
		r.add(Error, "structure", path, "Unknown resource type %s", typ)
		return
	}
	r.node(base, res, path, typ)
	switch typ {
	case "Bundle":
		r.bundleRules(res, path)
	case "StructureDefinition":
		r.structureDefinition(res, path)
	case "CodeSystem":
		r.codeSystem(res, path)
	case "ValueSet":
		r.valueSetCodes(res, path)
	}
	seen := map[string]bool{}
	check := func(url string, claimed bool) {
		if url == "" || seen[url] {
			return
		}
		seen[url] = true
		if t := strings.TrimPrefix(url, profile.CorePrefix); t == typ {
			return
		}
		sd, err := r.v.reg.Snapshot(url)
		if err != nil {
			sev := Error
			if claimed {
				sev = Warning
			}
			if errors.Is(err, profile.ErrUnknown) {
				r.add(sev, "not-found", path, "Profile reference '%s' has not been checked because it is unknown", url)
			} else {
				r.add(Warning, "processing", path, "Profile '%s' could not be used: %v", url, err)
			}
			return
		}
		if sd.Type != typ && sd.Type != "Resource" && sd.Type != "DomainResource" {
			r.add(Error, "structure", path, "The profile %s is for %s, not %s", url, sd.Type, typ)
			return
		}
		r.node(sd.Root, res, path, typ)
	}
	if m := metaOf(res); m != nil {
		for _, p := range m.Profile {
			if p != nil && p.Value != nil {
				check(*p.Value, true)
			}
		}
	}
	for _, p := range extra {
		check(p, false)
	}
}

func metaOf(res fhir.Resource) *fhir.Meta {
	if m, ok := res.(interface{ ResourceMeta() *fhir.Meta }); ok {
		return m.ResourceMeta()
	}
	return nil
}

// node validates element e, of FHIR type typ, against definition d.
func (r *run) node(d *profile.Element, e fhir.Element, path, typ string) {
	if err := r.ctx.Err(); err != nil {
		return
	}
	r.constraints(d, e, path)
	if p, ok := e.(fhir.Primitive); ok {
		r.primitive(d, p, path, typ)
	} else {
		r.fixedPattern(d, e, path)
		r.binding(d, e, path, typ)
	}
	switch typ {
	case "Reference":
		r.reference(d, e, path)
	case "Identifier":
		r.identifier(e, path)
	case "Coding":
		r.codingSystem(d, e, path)
	case "Attachment":
		r.attachment(e, path)
	case "Quantity", "Age", "Distance", "Duration", "Count", "MoneyQuantity", "SimpleQuantity":
		r.bounds(d, e, path)
	case "Narrative":
		r.narrative(e, path)
		r.narrativeLanguages(d, e, path)
	case "Extension":
		r.extensionURL(d, e, path)
		if x, ok := e.(*fhir.Extension); ok {
			r.extensions = append(r.extensions, x.URL)
			defer func() { r.extensions = r.extensions[:len(r.extensions)-1] }()
		}
	}
	children := profile.ChildrenOf(d, typ)
	if len(children) == 0 {
		return
	}
	var buf []fhir.Element
	for _, c := range children {
		if len(c.Types) > 0 && strings.HasPrefix(c.Types[0].Code, "http://hl7.org/fhirpath/") {
			continue // a primitive's value: checked by the parser and primitive()
		}
		buf = e.Children(c.Name, buf[:0])
		r.element(c, buf, path, e)
	}
}

// element validates the values of one child element: cardinality, slicing, each value.
func (r *run) element(c *profile.Element, items []fhir.Element, parent string, parentElem fhir.Element) {
	n := len(items)
	if n < c.Min {
		r.add(Error, "structure", parent+"."+c.Name, "%s: minimum required = %d, but only found %d", pathOf(parent, c), c.Min, n)
	}
	if c.Max >= 0 && n > c.Max {
		r.add(Error, "structure", parent+"."+c.Name, "%s: max allowed = %d, but found %d", pathOf(parent, c), c.Max, n)
	}
	if n == 0 {
		return
	}
	paths := make([]string, n)
	for i, it := range items {
		name := c.Name
		if c.Choice {
			name += profile.TypeSuffix(it.FHIRType())
		}
		if c.Max == 1 {
			paths[i] = parent + "." + name
		} else {
			paths[i] = parent + "." + name + "[" + strconv.Itoa(i) + "]"
		}
	}
	assigned := make([]*profile.Element, n)
	if len(c.Slices) > 0 {
		r.slicing(c, items, paths, assigned)
	}
	for i, it := range items {
		d := c
		if assigned[i] != nil {
			d = assigned[i]
		}
		r.parent, r.parentPath = parentElem, parent
		r.value(d, it, paths[i])
	}
}

func pathOf(parent string, c *profile.Element) string {
	return defPath(parent) + "." + c.Name
}

// value validates one value against its element definition: its type among the allowed
// ones, then the type's (or the type profile's) definition.
func (r *run) value(d *profile.Element, it fhir.Element, path string) {
	if res, ok := it.(fhir.Resource); ok {
		r.resource(res, path, nil, d.Name == "contained")
		for i := range d.Types {
			if len(d.Types[i].Profiles) > 0 {
				r.typeProfiles(&d.Types[i], res, path, res.ResourceType())
			}
		}
		return
	}
	typ := it.FHIRType()
	parent, parentPath := r.parent, r.parentPath
	if d.Choice && len(d.Types) > 0 {
		var tr *profile.Type
		for i := range d.Types {
			if d.Types[i].Code == typ || (typ == "Quantity" && isQuantityProfile(d.Types[i].Code)) {
				tr = &d.Types[i]
			}
		}
		if tr == nil {
			r.add(Error, "structure", path, "The type '%s' is not allowed at this point (must be one of %s)", typ, typeList(d.Types))
			return
		}
		r.typeProfiles(tr, it, path, typ)
	} else if len(d.Types) == 1 {
		r.typeProfiles(&d.Types[0], it, path, typ)
	}
	if base := profile.Base(typ); base != nil && base != d && len(base.Constraints) > 0 {
		r.constraints(base, it, path) // the data type's own invariants (per-1, qty-3 ...)
	}
	r.parent, r.parentPath = parent, parentPath // the walks above moved them
	r.node(d, it, path, typ)
}

func isQuantityProfile(code string) bool {
	switch code {
	case "Age", "Distance", "Duration", "Count", "MoneyQuantity", "SimpleQuantity":
		return true
	}
	return false
}

// typeProfiles validates a value against the profiles its type names (an extension's
// definition, a constrained data type).
// Several profiles are alternatives: the value must conform to one of them.
func (r *run) typeProfiles(t *profile.Type, it fhir.Element, path, typ string) {
	parent, parentPath := r.parent, r.parentPath
	var known []*profile.StructureDefinition
	unusable := false
	for _, p := range t.Profiles {
		sd, err := r.v.reg.Snapshot(p)
		if err != nil {
			if typ != "Extension" { // an extension's url names its definition: extensionURL reports it
				r.add(Warning, "not-found", path, "Profile '%s' for this element is unknown or unusable, so it was not checked: %v", p, err)
			}
			unusable = true
			continue
		}
		known = append(known, sd)
	}
	if len(known) == 1 && !unusable {
		r.node(known[0].Root, it, path, typ)
		return
	}
	for _, sd := range known {
		if r.trial(func() { r.node(sd.Root, it, path, typ) }) {
			r.parent, r.parentPath = parent, parentPath
			r.node(sd.Root, it, path, typ) // again, for its warnings
			return
		}
	}
	if len(known) > 0 {
		var urls []string
		for _, sd := range known {
			urls = append(urls, sd.URL)
		}
		sev := Error
		if unusable {
			sev = Warning // it may conform to an alternative that could not be checked
		}
		r.add(sev, "structure", path, "The value does not conform to any of the profiles allowed here that could be checked (%s)", strings.Join(urls, ", "))
	}
}

func typeList(ts []profile.Type) string {
	var names []string
	for _, t := range ts {
		names = append(names, t.Code)
	}
	return strings.Join(names, ", ")
}
