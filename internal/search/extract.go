package search

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/fhirpath"
	"github.com/joinedup/joinedup/internal/index"
	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/ucum"
)

// Extractor indexes every search parameter of the registry with an expression; links
// and compartments are the foundation's. It implements index.Extractor.
type Extractor struct {
	Registry *Registry
}

var _ index.Extractor = (*Extractor)(nil)

// Extract implements index.Extractor.
func (x *Extractor) Extract(r fhir.Resource, base string) (*index.Entry, error) {
	e, err := index.Foundation{}.Extract(r, base)
	if err != nil {
		return nil, err
	}
	e.Index = store.Index{}
	x.index(r, base, &e.Index)
	return e, nil
}

// Index fills idx with the rows of r alone ($reindex uses it; links and compartments
// are unchanged by a new parameter).
func (x *Extractor) Index(r fhir.Resource, base string) store.Index {
	var idx store.Index
	x.index(r, base, &idx)
	return idx
}

func (x *Extractor) index(r fhir.Resource, base string, idx *store.Index) {
	p := x.Registry.plan(r.ResourceType())
	env := &fhirpath.Env{Resolve: resolveStub}
	ix := indexer{idx: idx, base: base}
	for _, prm := range p.extract {
		vals, err := prm.expr.EvaluateContext(context.Background(), env, r)
		if err != nil || len(vals) == 0 {
			// An expression that fails on unusual data (a singleton function over
			// several items) indexes nothing for this resource rather than refusing
			// the write: search is derived data.
			continue
		}
		ix.add(prm, vals, env)
	}
	textIndex(r, idx)
}

// stubs are empty resources by type, what resolve() yields during extraction: search
// expressions only ask "resolve() is Patient", which the reference's type answers
// without a lookup. They are never modified.
var stubs sync.Map

func resolveStub(_ context.Context, reference string) (fhir.Resource, error) {
	typ := reference
	if i := strings.Index(typ, "/_history/"); i >= 0 {
		typ = typ[:i]
	}
	if i := strings.LastIndexByte(typ, '/'); i > 0 {
		typ = typ[:i]
		if j := strings.LastIndexByte(typ, '/'); j >= 0 {
			typ = typ[j+1:]
		}
	} else {
		return nil, nil
	}
	if v, ok := stubs.Load(typ); ok {
		return v.(fhir.Resource), nil
	}
	res, ok := fhir.NewResource(typ)
	if !ok {
		return nil, nil
	}
	stubs.Store(typ, res)
	return res, nil
}

// indexer appends the rows of one resource.
type indexer struct {
	idx  *store.Index
	base string
	buf  []fhir.Element
}

// maxStringIndex bounds an indexed string (prefix and :contains matches look at that
// much of a long text).
const maxStringIndex = 512

func (ix *indexer) add(p *Param, vals fhirpath.Collection, env *fhirpath.Env) {
	for _, v := range vals {
		switch p.Kind {
		case store.KindString:
			ix.strings(p.Code, v)
		case store.KindToken:
			ix.tokens(p.Code, v)
		case store.KindDate:
			ix.dates(p.Code, v)
		case store.KindNumber:
			if n, l, ok := number(v); ok {
				ix.idx.Numbers = append(ix.idx.Numbers, store.NumberEntry{Param: p.Code, Low: n, High: n, Literal: l})
			}
		case store.KindQuantity:
			ix.quantities(p.Code, v)
		case store.KindReference:
			ix.references(p.Code, v)
		case store.KindURI:
			if s := primitive(v); s != "" {
				ix.idx.URIs = append(ix.idx.URIs, store.URIEntry{Param: p.Code, Value: s})
			}
		case store.KindComposite:
			ix.composite(p, v, env)
		case store.KindSpecial:
			ix.near(p.Code, v)
		}
	}
}

// primitive returns the literal of a primitive element or a FHIRPath system value.
func primitive(v fhirpath.Value) string {
	switch e := v.(type) {
	case fhir.Primitive:
		s, _ := e.Literal()
		return s
	case fhirpath.String:
		return string(e)
	case fhirpath.Boolean:
		if e {
			return "true"
		}
		return "false"
	}
	return ""
}

func (ix *indexer) str(param, s string) {
	if s == "" {
		return
	}
	n := NormalizeString(s)
	if len(n) > maxStringIndex {
		n = truncate(n, maxStringIndex)
	}
	ix.idx.Strings = append(ix.idx.Strings, store.StringEntry{Param: param, Value: n, Exact: truncate(s, maxStringIndex)})
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

func (ix *indexer) strings(param string, v fhirpath.Value) {
	switch e := v.(type) {
	case *fhir.HumanName:
		ix.str(param, lit(e.Family))
		for _, g := range e.Given {
			ix.str(param, lit(g))
		}
		for _, g := range e.Prefix {
			ix.str(param, lit(g))
		}
		for _, g := range e.Suffix {
			ix.str(param, lit(g))
		}
		ix.str(param, lit(e.Text))
	case *fhir.Address:
		for _, l := range e.Line {
			ix.str(param, lit(l))
		}
		for _, s := range []string{lit(e.City), lit(e.District), lit(e.State), lit(e.PostalCode), lit(e.Country), lit(e.Text)} {
			ix.str(param, s)
		}
	default:
		ix.str(param, primitive(v))
	}
}

func (ix *indexer) token(param, system, code, text string) {
	if system == "" && code == "" && text == "" {
		return
	}
	ix.idx.Tokens = append(ix.idx.Tokens, store.TokenEntry{Param: param, System: system, Code: code, Text: NormalizeString(truncate(text, maxStringIndex))})
}

// OfType is the parameter under which identifiers are indexed for :of-type: System is
// the identifier type's system, Code its code, a "|" and the identifier's value.
func OfType(param string) string { return param + ":of-type" }

func (ix *indexer) tokens(param string, v fhirpath.Value) {
	switch e := v.(type) {
	case *fhir.Coding:
		ix.token(param, lit(e.System), lit(e.Code), lit(e.Display))
	case *fhir.CodeableConcept:
		for _, c := range e.Coding {
			text := lit(c.Display)
			if t := lit(e.Text); t != "" {
				text = t
			}
			ix.token(param, lit(c.System), lit(c.Code), text)
		}
		if len(e.Coding) == 0 {
			ix.token(param, "", "", lit(e.Text))
		}
	case *fhir.Identifier:
		text := ""
		if e.Type != nil {
			text = lit(e.Type.Text)
			for _, c := range e.Type.Coding {
				if lit(c.Code) != "" && lit(e.Value) != "" {
					ix.idx.Tokens = append(ix.idx.Tokens, store.TokenEntry{Param: OfType(param), System: lit(c.System), Code: lit(c.Code) + "|" + lit(e.Value)})
				}
			}
		}
		ix.token(param, lit(e.System), lit(e.Value), text)
	case *fhir.ContactPoint:
		ix.token(param, lit(e.System), lit(e.Value), "")
	case *fhir.Quantity:
		ix.token(param, lit(e.System), lit(e.Code), lit(e.Unit))
	default:
		ix.token(param, "", primitive(v), "")
	}
}

func (ix *indexer) dateRange(param, s string, open bool) (time.Time, time.Time, bool) {
	if s == "" {
		return time.Time{}, time.Time{}, open
	}
	lo, hi, err := DateRange(s)
	return lo, hi, err == nil
}

func (ix *indexer) dates(param string, v fhirpath.Value) {
	add := func(lo, hi time.Time) {
		ix.idx.Dates = append(ix.idx.Dates, store.DateEntry{Param: param, Low: lo, High: hi})
	}
	switch e := v.(type) {
	case *fhir.Period:
		start, end := lit(e.Start), lit(e.End)
		if start == "" && end == "" {
			return
		}
		lo, startHigh, ok1 := ix.dateRange(param, start, true)
		endLow, hi, ok2 := ix.dateRange(param, end, true)
		if !hi.IsZero() && lo.After(hi) {
			// A period that ends before it starts (invalid, per-1, but a type may be
			// stored with warnings only) spans both ends: no index range is reversed,
			// which search plans rely on (package sqlgen's index bounds).
			lo, hi = endLow, startHigh
		}
		if ok1 && ok2 {
			add(lo, hi)
		}
	case *fhir.Timing:
		for _, ev := range e.Event {
			if lo, hi, err := DateRange(lit(ev)); err == nil {
				add(lo, hi)
			}
		}
		if e.Repeat != nil && e.Repeat.BoundsPeriod != nil {
			ix.dates(param, e.Repeat.BoundsPeriod)
		}
	case fhirpath.Date, fhirpath.DateTime:
		if lo, hi, err := DateRange(strings.TrimPrefix(fmtValue(e), "@")); err == nil {
			add(lo, hi)
		}
	default:
		if lo, hi, err := DateRange(primitive(v)); err == nil {
			add(lo, hi)
		}
	}
}

func fmtValue(v fhirpath.Value) string {
	if s, ok := v.(interface{ String() string }); ok {
		return s.String()
	}
	return ""
}

// number reads a decimal or integer value.
func number(v fhirpath.Value) (float64, string, bool) {
	var l string
	switch e := v.(type) {
	case fhir.Primitive:
		l, _ = e.Literal()
	case fhirpath.Integer, fhirpath.Decimal:
		l = fmtValue(e)
	}
	if l == "" {
		return 0, "", false
	}
	n, _, _, err := NumberRange(l)
	return n, l, err == nil
}

// UCUM is the system of UCUM units.
const UCUM = "http://unitsofmeasure.org"

// units caches parsed UCUM units by code (nil when the code is not UCUM).
var units sync.Map

func unitOf(code string) *ucum.Unit {
	if v, ok := units.Load(code); ok {
		return v.(*ucum.Unit)
	}
	var up *ucum.Unit
	if u, err := ucum.Parse(code); err == nil {
		up = &u
	}
	units.Store(code, up)
	return up
}

// Canonical converts value in the UCUM unit code to base units: the canonical unit and
// value; ok is false when code is not a UCUM unit.
func Canonical(value float64, code string) (float64, string, bool) {
	u := unitOf(code)
	if u == nil {
		return 0, "", false
	}
	d := new(apd.Decimal)
	if _, err := d.SetFloat64(value); err != nil {
		return 0, "", false
	}
	c, err := u.ToBase(d).Float64()
	if err != nil {
		return 0, "", false
	}
	return c, u.CanonicalUnit(), true
}

func (ix *indexer) quantity(param, value, system, code, unit string) {
	if value == "" {
		return
	}
	n, _, _, err := NumberRange(value)
	if err != nil {
		return
	}
	q := store.QuantityEntry{Param: param, System: system, Code: code, Unit: unit, Low: n, High: n}
	if system == UCUM || system == "" && code != "" {
		if c, cu, ok := Canonical(n, code); ok {
			q.CanonicalCode, q.CanonicalLow, q.CanonicalHigh = cu, c, c
		}
	}
	ix.idx.Quantities = append(ix.idx.Quantities, q)
}

func (ix *indexer) quantities(param string, v fhirpath.Value) {
	switch e := v.(type) {
	case *fhir.Quantity:
		ix.quantity(param, lit(e.Value), lit(e.System), lit(e.Code), lit(e.Unit))
	case *fhir.Age:
		ix.quantity(param, lit(e.Value), lit(e.System), lit(e.Code), lit(e.Unit))
	case *fhir.Duration:
		ix.quantity(param, lit(e.Value), lit(e.System), lit(e.Code), lit(e.Unit))
	case *fhir.Distance:
		ix.quantity(param, lit(e.Value), lit(e.System), lit(e.Code), lit(e.Unit))
	case *fhir.Count:
		ix.quantity(param, lit(e.Value), lit(e.System), lit(e.Code), lit(e.Unit))
	case *fhir.SimpleQuantity:
		ix.quantity(param, lit(e.Value), lit(e.System), lit(e.Code), lit(e.Unit))
	case *fhir.MoneyQuantity:
		ix.quantity(param, lit(e.Value), lit(e.System), lit(e.Code), lit(e.Unit))
	case *fhir.Money:
		ix.quantity(param, lit(e.Value), "urn:iso:std:iso:4217", lit(e.Currency), lit(e.Currency))
	case *fhir.Range:
		if e.Low != nil {
			ix.quantities(param, e.Low)
		}
		if e.High != nil {
			ix.quantities(param, e.High)
		}
	case fhirpath.Quantity:
		ix.quantity(param, fmtValue(fhirpath.Decimal{D: e.Value}), UCUM, e.Unit, e.Unit)
	default:
		// A bare number (RiskAssessment.probability as decimal) has no unit.
		if n, _, ok := number(v); ok {
			ix.idx.Quantities = append(ix.idx.Quantities, store.QuantityEntry{Param: param, Low: n, High: n})
		}
	}
}

func (ix *indexer) reference(param, ref string) store.ReferenceEntry {
	e := store.ReferenceEntry{Param: param}
	if t, ok := index.LocalRef(ref, ix.base); ok {
		e.TargetType, e.TargetID = t.Type, t.ID
		if _, v, ok := strings.Cut(ref, "/_history/"); ok {
			e.TargetVersion = v
		}
	} else {
		e.URL = ref
	}
	return e
}

func (ix *indexer) references(param string, v fhirpath.Value) {
	switch e := v.(type) {
	case *fhir.Reference:
		ref := lit(e.Reference)
		var r store.ReferenceEntry
		switch {
		case ref != "" && ref[0] != '#':
			r = ix.reference(param, ref)
		case e.Identifier == nil:
			return
		default:
			r.Param = param
		}
		if e.Identifier != nil {
			r.IdentifierSystem, r.IdentifierValue = lit(e.Identifier.System), lit(e.Identifier.Value)
		}
		ix.idx.References = append(ix.idx.References, r)
	case fhir.Resource:
		if e.ResourceID() != "" {
			ix.idx.References = append(ix.idx.References, store.ReferenceEntry{Param: param, TargetType: e.ResourceType(), TargetID: e.ResourceID()})
		}
	default:
		// canonical and uri references
		if s := primitive(v); s != "" && s[0] != '#' {
			ix.idx.References = append(ix.idx.References, ix.reference(param, s))
		}
	}
}
