package search

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/index"
	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/terminology"
)

// Request is a parsed search: the store query and the result parameters the store does
// not see.
type Request struct {
	Query store.Query
	// Total is _total: "" (cheap totals), none, estimate (approximate where counting is
	// not cheap) or accurate.
	Total string
	// Summary is _summary (true, text, data, count, false; "" when absent).
	Summary string
	// Elements is _elements.
	Elements []string
	// Applied holds the parameters applied, as the self link shows them.
	Applied url.Values
	// Unknown reports the parameters that were not applied and why.
	Unknown []Unknown
}

// Unknown is a parameter the search did not apply.
type Unknown struct{ Param, Reason string }

// ErrInvalid reports a parameter value that cannot be parsed (the client's error: 400).
var ErrInvalid = errors.New("invalid search parameter")

// Options tune Parse.
type Options struct {
	// Base is the server's FHIR base: absolute references under it are local.
	Base string
	// DefaultCount and MaxCount bound _count (50 and 1000 when zero).
	DefaultCount, MaxCount int
	// Terminology expands the value sets and code hierarchies of token :in, :not-in,
	// :above and :below; without it those modifiers are not applied.
	Terminology *terminology.Server
	// Context bounds those expansions (context.Background when nil).
	Context context.Context
}

// ignored concern the representation, not the search.
var ignored = map[string]bool{"_format": true, "_pretty": true}

// Parse turns the parameters of a search on typ ("" for a system search) into a
// Request. Values that cannot be parsed are ErrInvalid errors; parameters the server
// does not know or support are listed in Request.Unknown and left out.
func (r *Registry) Parse(typ string, params url.Values, o Options) (*Request, error) {
	if o.DefaultCount <= 0 {
		o.DefaultCount = 50
	}
	if o.MaxCount <= 0 {
		o.MaxCount = 1000
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	req := &Request{Query: store.Query{Type: typ, Count: o.DefaultCount}, Applied: url.Values{}}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// _type first: a system search's parameters depend on it.
	if v, ok := params["_type"]; ok && typ == "" {
		for _, raw := range v {
			for _, t := range strings.Split(raw, ",") {
				if !fhir.IsResourceType(t) {
					return nil, fmt.Errorf("%w: _type: %q is not a resource type", ErrInvalid, t)
				}
				req.Query.Types = append(req.Query.Types, t)
			}
			req.Applied.Add("_type", raw)
		}
	}
	p := parser{r: r, o: o, req: req}
	for _, key := range keys {
		if ignored[key] || key == "_type" && typ == "" {
			continue
		}
		for _, raw := range params[key] {
			if err := p.param(typ, key, raw); err != nil {
				return nil, err
			}
		}
	}
	return req, nil
}

type parser struct {
	r   *Registry
	o   Options
	req *Request
	// expanded holds the codes of the value sets and hierarchies expanded so far.
	expanded map[string][]store.TokenCode
}

func (p *parser) unknown(key, reason string) {
	p.req.Unknown = append(p.req.Unknown, Unknown{Param: key, Reason: reason})
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// param applies one parameter occurrence.
func (p *parser) param(typ, key, raw string) error {
	q := &p.req.Query
	name, mod, _ := strings.Cut(key, ":")
	switch name {
	case "_count":
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return invalidf("_count must be a non-negative integer, not %q", raw)
		}
		q.Count = min(n, p.o.MaxCount)
		if n == 0 {
			q.Count = -1 // only the total (search.html#count)
			q.CountTotal = true
		}
		p.req.Applied.Set(key, strconv.Itoa(min(n, p.o.MaxCount)))
		return nil
	case "_total":
		switch raw {
		case "none", "estimate", "accurate":
			p.req.Total = raw
			q.CountTotal = raw == "accurate"
			// An estimate is exact when cheap, approximate otherwise (see store.Query).
			q.CheapTotal = raw == "estimate"
			q.EstimateTotal = raw == "estimate"
			p.req.Applied.Set(key, raw)
			return nil
		}
		return invalidf("_total must be none, estimate or accurate, not %q", raw)
	case "_cursor":
		// A previous link's cursor is the key with a leading "-" (keys never start
		// with one).
		if k, ok := strings.CutPrefix(raw, "-"); ok {
			q.BeforeKey = k
		} else {
			q.AfterKey = raw
		}
		return nil
	case "_summary":
		switch raw {
		case "true", "text", "data", "count", "false":
			p.req.Summary = raw
			if raw == "count" {
				q.Count, q.CountTotal = -1, true
			}
			p.req.Applied.Set(key, raw)
			return nil
		}
		return invalidf("_summary must be true, text, data, count or false, not %q", raw)
	case "_elements":
		for _, e := range strings.Split(raw, ",") {
			if e = strings.TrimSpace(e); e != "" {
				p.req.Elements = append(p.req.Elements, e)
			}
		}
		p.req.Applied.Set(key, raw)
		return nil
	case "_sort":
		return p.sort(typ, key, raw)
	case "_include", "_revinclude":
		return p.include(typ, key, name == "_revinclude", mod, raw)
	}
	c, reason, err := p.clause(typ, key, raw)
	if err != nil {
		return err
	}
	if reason != "" {
		p.unknown(key, reason)
		return nil
	}
	q.Clauses = append(q.Clauses, c)
	p.req.Applied.Add(key, raw)
	return nil
}

// lookup finds code for a search on typ; a system search restricted by _type to one
// type uses that type's parameters, otherwise the parameters all resources share.
func (p *parser) lookup(typ, code string) *Param {
	if typ == "" && len(p.req.Query.Types) == 1 {
		typ = p.req.Query.Types[0]
	}
	if typ == "" && len(p.req.Query.Types) > 1 {
		// Every listed type must have the parameter, of one kind.
		var first *Param
		for _, t := range p.req.Query.Types {
			prm := p.r.Lookup(t, code)
			if prm == nil || first != nil && prm.Kind != first.Kind {
				return nil
			}
			if first == nil {
				first = prm
			}
		}
		return first
	}
	return p.r.Lookup(typ, code)
}

// clause parses one criterion: a parameter with modifier, a chain or a _has. reason is
// set (and the clause empty) when the parameter is unknown or unsupported.
func (p *parser) clause(typ, key, raw string) (c store.Clause, reason string, err error) {
	if rest, ok := strings.CutPrefix(key, "_has:"); ok {
		return p.has(typ, rest, raw)
	}
	head, chain, chained := strings.Cut(key, ".")
	code, mod, _ := strings.Cut(head, ":")
	prm := p.lookup(typ, code)
	if prm == nil {
		if typ == "" {
			return c, "unknown search parameter " + code + " for a system search", nil
		}
		return c, "unknown search parameter " + code + " for " + typ, nil
	}
	if chained {
		return p.chain(prm, mod, chain, raw)
	}
	if prm.Kind == store.KindReference && (mod == "above" || mod == "below") {
		c, err = p.hierarchy(prm, mod, raw)
		return c, "", err
	}
	if mod != "" && !slices.Contains(prm.Modifiers, mod) {
		return c, "modifier :" + mod + " is not supported for " + code, nil
	}
	if prm.Kind == store.KindToken && terminologyModifiers[mod] && p.o.Terminology == nil {
		return c, "modifier :" + mod + " needs a terminology server", nil
	}
	c = store.Clause{Param: prm.Code, Kind: prm.Kind, Modifier: mod}
	if mod == "missing" {
		if raw != "true" && raw != "false" {
			return c, "", invalidf("%s:missing must be true or false", code)
		}
		c.Values = []store.Value{{Missing: raw == "true"}}
		return c, "", nil
	}
	if mod == "of-type" {
		c.Param, c.Modifier = OfType(prm.Code), ""
	}
	if prm.Kind == store.KindComposite {
		for _, comp := range prm.Components {
			c.Components = append(c.Components, kinds[comp.Def.Type])
		}
	}
	for _, v := range splitEscaped(raw, ',') {
		if v == "" {
			return c, "", invalidf("empty value for %s", key)
		}
		val, err := p.value(prm, mod, v)
		if err != nil {
			return c, "", invalidf("%s: %v", key, err)
		}
		c.Values = append(c.Values, val)
	}
	return c, "", nil
}

// chain parses "subject:Patient.name=x" (mod is the type, chain the rest of the key).
func (p *parser) chain(prm *Param, mod, chain, raw string) (store.Clause, string, error) {
	var c store.Clause
	if prm.Kind != store.KindReference {
		return c, prm.Code + " is not a reference parameter and cannot be chained", nil
	}
	targets := prm.Target
	if mod != "" {
		if !slices.Contains(targets, mod) {
			return c, mod + " is not a target type of " + prm.Code, nil
		}
		targets = []string{mod}
	}
	next, _, _ := strings.Cut(chain, ".")
	next, _, _ = strings.Cut(next, ":")
	// The chained parameter must exist on at least one target (search.html#chaining):
	// resolve it there; when several targets have it, the chain is not restricted to
	// one type and the index rows of any of them match.
	var typ string
	var inner store.Clause
	n := 0
	for _, t := range targets {
		if p.r.Lookup(t, next) == nil && !strings.HasPrefix(chain, "_has:") {
			continue
		}
		cl, reason, err := p.clause(t, chain, raw)
		if err != nil {
			return c, "", err
		}
		if reason != "" {
			return c, reason, nil
		}
		if n == 0 {
			inner, typ = cl, t
		}
		n++
	}
	if n == 0 {
		return c, "no target type of " + prm.Code + " has a search parameter " + next, nil
	}
	if n > 1 && mod == "" {
		typ = ""
	}
	return store.Clause{Param: prm.Code, Kind: store.KindReference,
		Chain: &store.Query{Type: typ, Clauses: []store.Clause{inner}}}, "", nil
}

// has parses "Observation:patient:code" (after "_has:").
func (p *parser) has(typ, rest, raw string) (store.Clause, string, error) {
	var c store.Clause
	parts := strings.SplitN(rest, ":", 3)
	if len(parts) != 3 || !fhir.IsResourceType(parts[0]) {
		return c, "", invalidf("_has:%s: expected _has:Type:reference:parameter", rest)
	}
	other, ref, crit := parts[0], parts[1], parts[2]
	rp := p.r.Lookup(other, ref)
	if rp == nil || rp.Kind != store.KindReference {
		return c, other + " has no reference parameter " + ref, nil
	}
	if typ != "" && len(rp.Target) > 0 && !slices.Contains(rp.Target, typ) {
		return c, other + "." + ref + " cannot refer to " + typ, nil
	}
	inner, reason, err := p.clause(other, crit, raw)
	if err != nil || reason != "" {
		return c, reason, err
	}
	return store.Clause{Param: ref, Kind: store.KindHas, Has: &store.Query{Type: other, Clauses: []store.Clause{inner}}}, "", nil
}

// value parses one (OR-ed) value of prm.
func (p *parser) value(prm *Param, mod, v string) (store.Value, error) {
	var val store.Value
	switch prm.Kind {
	case store.KindID:
		val.Text = unescape(v)
	case store.KindURI:
		val.Text = unescape(v)
	case store.KindText:
		val.Text = unescape(v)
	case store.KindString:
		val.Text = unescape(v)
		if mod != "exact" {
			val.Text = NormalizeString(val.Text)
		}
	case store.KindToken:
		if mod == "text" {
			val.Text = NormalizeString(unescape(v))
			break
		}
		if terminologyModifiers[mod] {
			codes, err := p.codes(mod, v)
			if err != nil {
				return val, err
			}
			val.Codes = codes
			break
		}
		if mod == "of-type" {
			parts := splitEscaped(v, '|')
			if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
				return val, fmt.Errorf(":of-type takes system|code|value, not %q", v)
			}
			val.System, val.HasSystem, val.Code = unescape(parts[0]), true, unescape(parts[1])+"|"+unescape(parts[2])
			break
		}
		if sys, code, ok := cutEscaped(v, '|'); ok {
			val.System, val.HasSystem, val.Code = unescape(sys), true, unescape(code)
			if val.System == "" && val.Code == "" {
				return val, fmt.Errorf("empty token %q", v)
			}
		} else {
			val.Code = unescape(v)
		}
	case store.KindDate, store.KindLastUpdated:
		val.Prefix, v = prefix(v)
		lo, hi, err := DateRange(v)
		if err != nil {
			return val, err
		}
		val.Low, val.High = lo, hi
	case store.KindNumber:
		val.Prefix, v = prefix(v)
		if err := numberValue(&val, v); err != nil {
			return val, err
		}
	case store.KindQuantity:
		val.Prefix, v = prefix(v)
		if err := quantityValue(&val, v); err != nil {
			return val, err
		}
	case store.KindReference:
		return p.reference(mod, v)
	case store.KindComposite:
		parts := splitEscaped(v, '$')
		if len(parts) != len(prm.Components) {
			return val, fmt.Errorf("%q has %d parts, the parameter %d", v, len(parts), len(prm.Components))
		}
		for i, part := range parts {
			cp, err := p.value(&Param{Def: prm.Components[i].Def, Kind: kinds[prm.Components[i].Def.Type]}, "", part)
			if err != nil {
				return val, err
			}
			val.Components = append(val.Components, cp)
		}
	case store.KindSpecial:
		return nearValue(v)
	}
	return val, nil
}

func numberValue(val *store.Value, v string) error {
	n, lo, hi, err := NumberRange(v)
	if err != nil {
		return err
	}
	switch val.Prefix {
	case "", "eq", "ne", "ap":
		// Equality is to the precision the value is written with.
		val.NumLow, val.NumHigh = lo, hi
	default:
		val.NumLow, val.NumHigh = n, n
	}
	return nil
}

// quantityValue parses "5.4|http://unitsofmeasure.org|mg", "5.4||mg" or "5.4".
func quantityValue(val *store.Value, v string) error {
	parts := splitEscaped(v, '|')
	if len(parts) != 1 && len(parts) != 3 {
		return fmt.Errorf("quantity %q: expected number|system|code", v)
	}
	if err := numberValue(val, parts[0]); err != nil {
		return err
	}
	if len(parts) == 3 {
		val.System, val.Code = unescape(parts[1]), unescape(parts[2])
		val.HasSystem = val.System != ""
	}
	if val.Code != "" && (val.System == "" || val.System == UCUM) {
		if lo, cu, ok := Canonical(val.NumLow, val.Code); ok {
			hi, _, _ := Canonical(val.NumHigh, val.Code)
			val.Canonical, val.CanonicalLow, val.CanonicalHigh = cu, lo, hi
		}
	}
	return nil
}

// nearValue parses Location near: "latitude|longitude|distance|units", the distance 1
// when absent, in a UCUM unit of length (km when absent; mi is taken for [mi_i]).
func nearValue(v string) (store.Value, error) {
	var val store.Value
	parts := strings.Split(v, "|")
	if len(parts) < 2 || len(parts) > 4 {
		return val, fmt.Errorf("near %q: expected latitude|longitude|distance|units", v)
	}
	var err error
	if val.Lat, err = strconv.ParseFloat(parts[0], 64); err != nil || val.Lat < -90 || val.Lat > 90 {
		return val, fmt.Errorf("near %q: bad latitude", v)
	}
	if val.Long, err = strconv.ParseFloat(parts[1], 64); err != nil || val.Long < -180 || val.Long > 180 {
		return val, fmt.Errorf("near %q: bad longitude", v)
	}
	val.Distance = 1 // km, when no distance is given
	if len(parts) > 2 && parts[2] != "" {
		if val.Distance, err = strconv.ParseFloat(parts[2], 64); err != nil || val.Distance <= 0 {
			return val, fmt.Errorf("near %q: bad distance", v)
		}
	}
	if len(parts) == 4 && parts[3] != "" && parts[3] != "km" {
		unit := parts[3]
		if unit == "mi" {
			unit = "[mi_i]" // the common spelling of UCUM's international mile
		}
		m, base, ok := Canonical(val.Distance, unit)
		if !ok || base != "m" {
			return val, fmt.Errorf("near %q: %q is not a UCUM unit of length", v, parts[3])
		}
		val.Distance = m / 1000
	}
	return val, nil
}

// hierarchy parses reference :above and :below (search.html, "Searching Hierarchies").
// Each value is a local resource of a target type with a hierarchy: Type/id, an
// absolute URL under the base, or an id alone, which is of the parameter's one target
// type with a hierarchy. A parameter none of whose target types has a hierarchy is the
// client's error rather than a modifier the server merely does not know: the search it
// asks for cannot be made.
func (p *parser) hierarchy(prm *Param, mod, raw string) (store.Clause, error) {
	c := store.Clause{Param: prm.Code, Kind: store.KindReference, Modifier: mod}
	var types []string
	for _, t := range prm.Target {
		if hierarchy(t).code != "" {
			types = append(types, t)
		}
	}
	if len(types) == 0 {
		return c, invalidf("%s:%s: %s has no hierarchy: no target type of %s refers to its own type", prm.Code, mod, prm.Code, prm.Code)
	}
	for _, v := range splitEscaped(raw, ',') {
		val, err := p.reference("", v)
		switch {
		case err != nil:
			return c, invalidf("%s:%s: %v", prm.Code, mod, err)
		case val.Text != "":
			return c, invalidf("%s:%s: %s is not a resource on this server, whose hierarchy it could follow", prm.Code, mod, val.Text)
		case val.TargetType == "" && len(types) > 1:
			return c, invalidf("%s:%s: %q could be any of %s: give Type/id", prm.Code, mod, val.TargetID, strings.Join(types, ", "))
		case val.TargetType == "":
			val.TargetType = types[0]
		case !slices.Contains(prm.Target, val.TargetType):
			return c, invalidf("%s:%s: %s is not a target type of %s", prm.Code, mod, val.TargetType, prm.Code)
		}
		h := hierarchy(val.TargetType)
		if h.code == "" {
			return c, invalidf("%s:%s: %s has no hierarchy", prm.Code, mod, val.TargetType)
		}
		val.Hierarchy, val.HierarchyToParts = h.code, h.toParts
		c.Values = append(c.Values, val)
	}
	return c, nil
}

func (p *parser) reference(mod, v string) (store.Value, error) {
	var val store.Value
	v = unescape(v)
	if mod == "identifier" {
		if sys, code, ok := strings.Cut(v, "|"); ok {
			val.System, val.HasSystem, val.Code = sys, true, code
		} else {
			val.Code = v
		}
		return val, nil
	}
	if strings.Contains(v, "://") || strings.HasPrefix(v, "urn:") {
		if t, ok := index.LocalRef(v, p.o.Base); ok {
			val.TargetType, val.TargetID = t.Type, t.ID
		} else {
			val.Text = v
		}
		return val, nil
	}
	if t, ok := index.LocalRef(v, ""); ok {
		if mod != "" && mod != t.Type {
			return val, fmt.Errorf("%q is not a %s", v, mod)
		}
		val.TargetType, val.TargetID = t.Type, t.ID
		return val, nil
	}
	if !index.ValidID(v) {
		return val, fmt.Errorf("%q is not a reference", v)
	}
	val.TargetID = v
	if isType(mod) {
		val.TargetType = mod
	}
	return val, nil
}

func isType(s string) bool { return s != "" && fhir.IsResourceType(s) }

// sort parses _sort=a,-b.
func (p *parser) sort(typ, key, raw string) error {
	var keys []store.SortKey
	for _, item := range strings.Split(raw, ",") {
		desc := strings.HasPrefix(item, "-")
		code := strings.TrimPrefix(item, "-")
		switch code {
		case "_id", "_lastUpdated":
			keys = append(keys, store.SortKey{Param: code, Desc: desc})
			continue
		}
		prm := p.lookup(typ, code)
		if prm == nil || !sortable[prm.Kind] {
			p.unknown(key, "cannot sort by "+code)
			return nil
		}
		keys = append(keys, store.SortKey{Param: prm.Code, Kind: prm.Kind, Desc: desc})
	}
	p.req.Query.Sort = append(p.req.Query.Sort, keys...)
	p.req.Applied.Add(key, raw)
	return nil
}

var sortable = map[store.ParamKind]bool{
	store.KindString: true, store.KindToken: true, store.KindDate: true, store.KindNumber: true,
	store.KindQuantity: true, store.KindReference: true, store.KindURI: true,
}

// include parses _include=Type:param[:target] (or *) and _revinclude likewise;
// mod is "iterate" (or R4's older "recurse") or "".
func (p *parser) include(typ, key string, reverse bool, mod, raw string) error {
	switch mod {
	case "", "iterate", "recurse":
	default:
		p.unknown(key, "modifier :"+mod+" is not supported for includes")
		return nil
	}
	inc := store.Include{Reverse: reverse, Iterate: mod != ""}
	if raw == "*" {
		inc.Type, inc.Param = typ, "*"
		if reverse {
			p.unknown(key, "_revinclude=* is not supported")
			return nil
		}
	} else {
		parts := strings.Split(raw, ":")
		if len(parts) < 2 || len(parts) > 3 || !fhir.IsResourceType(parts[0]) {
			return invalidf("%s=%s: expected Type:parameter[:targetType]", key, raw)
		}
		inc.Type, inc.Param = parts[0], parts[1]
		if inc.Param != "*" {
			prm := p.r.Lookup(inc.Type, inc.Param)
			if prm == nil || prm.Kind != store.KindReference {
				p.unknown(key, inc.Type+" has no reference parameter "+inc.Param)
				return nil
			}
		}
		if len(parts) == 3 {
			if !fhir.IsResourceType(parts[2]) {
				return invalidf("%s=%s: %q is not a resource type", key, raw, parts[2])
			}
			inc.TargetType = parts[2]
		}
	}
	p.req.Query.Include = append(p.req.Query.Include, inc)
	p.req.Applied.Add(key, raw)
	return nil
}

var prefixes = []string{"eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"}

func prefix(v string) (string, string) {
	if len(v) > 2 && slices.Contains(prefixes, v[:2]) {
		return v[:2], v[2:]
	}
	return "eq", v
}

// splitEscaped splits s on sep where not escaped with a backslash
// (search.html#escaping).
func splitEscaped(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// cutEscaped cuts s at the first sep not escaped with a backslash.
func cutEscaped(s string, sep byte) (string, string, bool) {
	parts := splitEscaped(s, sep)
	if len(parts) == 1 {
		return s, "", false
	}
	return parts[0], s[len(parts[0])+1:], true
}

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
