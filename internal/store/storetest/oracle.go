package storetest

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"pgregory.net/rapid"

	"github.com/joinedup/joinedup/internal/store"
)

// The oracle test: a random data set is written once, then random queries (every
// parameter kind, modifier and prefix, chains, _has, sort keys, includes, paging) are
// answered by the store and by a brute-force evaluation of the same criteria over the
// rows in memory, and the pages must agree exactly. Locations form a hierarchy through
// partof, which points a part at its whole (trees, a cycle, a child of the cycle, a
// parent elsewhere), and Observations one through has-member, which points a whole at
// its parts (panels of later Observations sharing parts, a cycle, a panel of the cycle,
// members elsewhere or missing), for reference :above and :below in both directions.
// Locations have positions around places that test near at a pole and across the ±180°
// meridian.

type oracleResource struct {
	typ, id string
	lu      time.Time
	idx     store.Index
}

var (
	oracleCodes   = []string{"a", "b", "c", "d"}
	oracleSystems = []string{"http://s1", "http://s2"}
	oracleNames   = []string{"smith", "smithson", "jones", "jonas", "émile", "o'neil"}
	oracleURIs    = []string{"http://x.org/a", "http://x.org/a/b", "http://x.org/c", "urn:oid:1.2"}
	// oracleCentres are the places Location positions and near values are drawn around.
	oracleCentres = [][2]float64{{53.8, -1.55}, {-17, 179.9}, {89.7, 10}, {0, 0}}
)

const (
	// oracleSize is how many Patients and Observations the data set has, a third of
	// them Patients.
	oracleSize         = 90
	oracleObservations = oracleSize - oracleSize/3
	// oracleLocations is how many Locations the data set has; the last three form a
	// cycle.
	oracleLocations = 16
)

// oracleHierarchies are the data set's hierarchies, by the reference parameters that
// point into them: the clause value without its id, the ids' prefix and how many
// resources the hierarchy has.
var oracleHierarchies = map[string]struct {
	value  store.Value
	prefix string
	n      int
}{
	"loc":        {partof, "l", oracleLocations},
	"partof":     {partof, "l", oracleLocations},
	"has-member": {members, "o", oracleObservations},
}

func oracleData() []*oracleResource {
	n := oracleSize
	rng := uint64(42)
	next := func(k int) int { // xorshift: the same data set on every run and store
		rng ^= rng << 13
		rng ^= rng >> 7
		rng ^= rng << 17
		return int(rng % uint64(k))
	}
	var out []*oracleResource
	for i := range n / 3 {
		r := &oracleResource{typ: "Patient", id: fmt.Sprintf("p%d", i), lu: base.Add(time.Duration(next(1000)) * time.Minute)}
		for range next(3) {
			nm := oracleNames[next(len(oracleNames))]
			first, size := utf8.DecodeRuneInString(nm)
			r.idx.Strings = append(r.idx.Strings, store.StringEntry{Param: "name", Value: nm, Exact: string(unicode.ToUpper(first)) + nm[size:]})
		}
		if next(4) > 0 {
			lo := time.Date(1940+next(60), time.Month(1+next(12)), 1+next(28), 0, 0, 0, 0, time.UTC)
			hi := lo.AddDate(0, 0, 1).Add(-time.Microsecond)
			if next(2) == 0 { // a whole month
				lo = time.Date(lo.Year(), lo.Month(), 1, 0, 0, 0, 0, time.UTC)
				hi = lo.AddDate(0, 1, 0).Add(-time.Microsecond)
			}
			r.idx.Dates = append(r.idx.Dates, store.DateEntry{Param: "birthdate", Low: lo, High: hi})
		}
		if next(3) > 0 {
			r.idx.Tokens = append(r.idx.Tokens, store.TokenEntry{Param: "gender", System: "", Code: []string{"male", "female"}[next(2)]})
		}
		out = append(out, r)
	}
	patients := len(out)
	for i := range n - patients {
		r := &oracleResource{typ: "Observation", id: fmt.Sprintf("o%d", i), lu: base.Add(time.Duration(next(1000)) * time.Minute)}
		for range 1 + next(2) {
			tk := store.TokenEntry{Param: "code", System: oracleSystems[next(2)], Code: oracleCodes[next(len(oracleCodes))],
				Text: oracleNames[next(len(oracleNames))]}
			// A store keeps one row per (param, system, code): the data set has no others.
			if !slices.ContainsFunc(r.idx.Tokens, func(x store.TokenEntry) bool { return x.System == tk.System && x.Code == tk.Code }) {
				r.idx.Tokens = append(r.idx.Tokens, tk)
			}
		}
		if next(5) > 0 {
			p := out[next(patients)]
			r.idx.References = append(r.idx.References, store.ReferenceEntry{Param: "subject", TargetType: "Patient", TargetID: p.id})
		} else {
			r.idx.References = append(r.idx.References, store.ReferenceEntry{Param: "subject", URL: "http://elsewhere/Patient/1"})
		}
		if next(4) > 0 {
			lo := time.Date(2015+next(10), time.Month(1+next(12)), 1+next(28), next(24), 0, 0, 0, time.UTC)
			hi := lo.Add(time.Duration(next(3)) * time.Hour)
			if next(6) == 0 {
				hi = time.Time{} // an open period
			}
			r.idx.Dates = append(r.idx.Dates, store.DateEntry{Param: "date", Low: lo, High: hi})
		}
		if next(4) > 0 {
			v := float64(next(200)) / 2
			q := store.QuantityEntry{Param: "value-quantity", System: ucum, Code: "g", Unit: "g", Low: v, High: v, CanonicalCode: "g", CanonicalLow: v, CanonicalHigh: v}
			if next(3) == 0 {
				q.Code, q.Unit, q.CanonicalLow, q.CanonicalHigh = "kg", "kg", v*1000, v*1000
			}
			r.idx.Quantities = append(r.idx.Quantities, q)
			tk := r.idx.Tokens[0]
			r.idx.Composites = append(r.idx.Composites, store.CompositeEntry{Param: "code-value-quantity",
				Parts: []store.CompositePart{{System: tk.System, Code: tk.Code}, {System: ucum, Code: "g", Low: q.CanonicalLow, High: q.CanonicalHigh}}})
		}
		if next(3) > 0 {
			v := float64(next(20))
			r.idx.Numbers = append(r.idx.Numbers, store.NumberEntry{Param: "n", Low: v, High: v, Literal: fmt.Sprint(v)})
		}
		if next(3) > 0 {
			r.idx.URIs = append(r.idx.URIs, store.URIEntry{Param: "u", Value: oracleURIs[next(len(oracleURIs))]})
		}
		out = append(out, r)
	}
	observations := out[patients:]
	for i := range oracleLocations {
		r := &oracleResource{typ: "Location", id: fmt.Sprintf("l%d", i), lu: base.Add(time.Duration(next(1000)) * time.Minute)}
		parent := ""
		switch {
		case i >= oracleLocations-3: // l13 > l15 > l14 > l13
			parent = fmt.Sprintf("l%d", oracleLocations-3+(i-(oracleLocations-3)+2)%3)
		case i == oracleLocations-4:
			parent = fmt.Sprintf("l%d", oracleLocations-1) // below the cycle
		case i > 0 && next(8) == 0:
			r.idx.References = append(r.idx.References, store.ReferenceEntry{Param: "partof", URL: "http://elsewhere/Location/1"})
		case i > 0 && next(4) > 0:
			parent = fmt.Sprintf("l%d", next(i))
		}
		if parent != "" {
			r.idx.References = append(r.idx.References, store.ReferenceEntry{Param: "partof", TargetType: "Location", TargetID: parent})
		}
		if next(6) > 0 {
			c := oracleCentres[next(len(oracleCentres))]
			lat, long := destination(c[0], c[1], float64(next(360)), float64(next(150)))
			r.idx.Composites = append(r.idx.Composites, store.CompositeEntry{Param: "near", Parts: []store.CompositePart{{Low: lat, High: lat}, {Low: long, High: long}}})
		}
		out = append(out, r)
	}
	for _, r := range observations {
		if next(2) == 0 {
			// l16 and beyond do not exist: a reference to them is dangling.
			r.idx.References = append(r.idx.References, store.ReferenceEntry{Param: "loc", TargetType: "Location", TargetID: fmt.Sprintf("l%d", next(oracleLocations+2))})
		}
	}
	last := len(observations) - 3 // o57 > o58 > o59 > o57
	for i, r := range observations {
		var parts []string
		switch {
		case i >= last:
			parts = []string{fmt.Sprintf("o%d", last+(i-last+1)%3)}
		case i == last-1:
			parts = []string{fmt.Sprintf("o%d", last)} // a panel of the cycle
		case next(3) == 0:
			for range 1 + next(3) {
				// A later Observation, or o60 and o61, which do not exist.
				p := fmt.Sprintf("o%d", i+1+next(len(observations)+1-i))
				if !slices.Contains(parts, p) {
					parts = append(parts, p)
				}
			}
		case next(10) == 0:
			r.idx.References = append(r.idx.References, store.ReferenceEntry{Param: "has-member", URL: "http://elsewhere/Observation/1"})
		}
		for _, p := range parts {
			r.idx.References = append(r.idx.References, store.ReferenceEntry{Param: "has-member", TargetType: "Observation", TargetID: p})
		}
	}
	return out
}

// oracleParams are the parameters of the data set: type, code, kind.
var oracleParams = []struct {
	typ, code string
	kind      store.ParamKind
}{
	{"Patient", "name", store.KindString},
	{"Patient", "birthdate", store.KindDate},
	{"Patient", "gender", store.KindToken},
	{"Patient", "_id", store.KindID},
	{"Patient", "_lastUpdated", store.KindLastUpdated},
	{"Observation", "code", store.KindToken},
	{"Observation", "subject", store.KindReference},
	{"Observation", "date", store.KindDate},
	{"Observation", "value-quantity", store.KindQuantity},
	{"Observation", "n", store.KindNumber},
	{"Observation", "u", store.KindURI},
	{"Observation", "code-value-quantity", store.KindComposite},
	{"Observation", "_id", store.KindID},
	{"Observation", "_lastUpdated", store.KindLastUpdated},
	{"Observation", "loc", store.KindReference},
	{"Observation", "has-member", store.KindReference},
	{"Location", "partof", store.KindReference},
	{"Location", "near", store.KindSpecial},
	{"Location", "_id", store.KindID},
}

var oraclePrefixes = []string{"eq", "ne", "gt", "lt", "ge", "le", "sa", "eb"}

func genDate(t *rapid.T, label string, fromYear, years int) (time.Time, time.Time) {
	y := rapid.IntRange(fromYear, fromYear+years).Draw(t, label+"-year")
	switch rapid.IntRange(0, 2).Draw(t, label+"-precision") {
	case 0:
		lo := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		return lo, lo.AddDate(1, 0, 0).Add(-time.Microsecond)
	case 1:
		lo := time.Date(y, time.Month(rapid.IntRange(1, 12).Draw(t, label+"-month")), 1, 0, 0, 0, 0, time.UTC)
		return lo, lo.AddDate(0, 1, 0).Add(-time.Microsecond)
	}
	lo := time.Date(y, time.Month(rapid.IntRange(1, 12).Draw(t, label+"-month")), rapid.IntRange(1, 28).Draw(t, label+"-day"), 0, 0, 0, 0, time.UTC)
	return lo, lo.AddDate(0, 0, 1).Add(-time.Microsecond)
}

// genClause draws a clause on a parameter of typ; depth bounds chains and _has.
func genClause(t *rapid.T, typ string, depth int) store.Clause {
	if depth > 0 && rapid.IntRange(0, 5).Draw(t, "nest") == 0 {
		switch {
		case typ == "Observation":
			to := rapid.SampledFrom([][2]string{{"subject", "Patient"}, {"loc", "Location"}, {"has-member", "Observation"}}).Draw(t, "chain")
			return store.Clause{Param: to[0], Kind: store.KindReference, Chain: &store.Query{Type: to[1],
				Clauses: []store.Clause{genClause(t, to[1], depth-1)}}}
		case typ == "Location" && rapid.Bool().Draw(t, "to-parent"):
			return store.Clause{Param: "partof", Kind: store.KindReference, Chain: &store.Query{Type: "Location",
				Clauses: []store.Clause{genClause(t, "Location", depth-1)}}}
		case typ == "Location":
			return store.Clause{Param: "loc", Kind: store.KindHas, Has: &store.Query{Type: "Observation",
				Clauses: []store.Clause{genClause(t, "Observation", depth-1)}}}
		}
		return store.Clause{Param: "subject", Kind: store.KindHas, Has: &store.Query{Type: "Observation",
			Clauses: []store.Clause{genClause(t, "Observation", depth-1)}}}
	}
	return genOn(t, typ, func(store.ParamKind) bool { return true }, rapid.IntRange(1, 2).Draw(t, "values"), true)
}

// genRange draws a clause with one value on a range parameter of typ (a date, number,
// quantity or _lastUpdated), which may drive a search.
func genRange(t *rapid.T, typ string) store.Clause {
	return genOn(t, typ, func(k store.ParamKind) bool {
		return k == store.KindDate || k == store.KindNumber || k == store.KindQuantity || k == store.KindLastUpdated
	}, 1, false)
}

// genOn draws a clause with the given number of values on a parameter of typ whose kind
// is one of kinds; missing allows :missing.
func genOn(t *rapid.T, typ string, kinds func(store.ParamKind) bool, values int, missing bool) store.Clause {
	var ps []int
	for i, p := range oracleParams {
		if p.typ == typ && kinds(p.kind) {
			ps = append(ps, i)
		}
	}
	p := oracleParams[rapid.SampledFrom(ps).Draw(t, "param")]
	c := store.Clause{Param: p.code, Kind: p.kind}
	if missing && p.kind != store.KindID && p.kind != store.KindLastUpdated && p.kind != store.KindComposite && rapid.IntRange(0, 7).Draw(t, "missing?") == 0 {
		c.Modifier = "missing"
		c.Values = []store.Value{{Missing: rapid.Bool().Draw(t, "missing")}}
		return c
	}
	switch p.kind {
	case store.KindToken:
		c.Modifier = rapid.SampledFrom([]string{"", "", "not", "text"}).Draw(t, "token-mod")
	case store.KindString:
		c.Modifier = rapid.SampledFrom([]string{"", "exact", "contains"}).Draw(t, "string-mod")
	case store.KindURI:
		c.Modifier = rapid.SampledFrom([]string{"", "below", "above"}).Draw(t, "uri-mod")
	case store.KindReference:
		if h, ok := oracleHierarchies[p.code]; ok {
			c.Modifier = rapid.SampledFrom([]string{"", h.value.TargetType, "above", "below"}).Draw(t, "hierarchy-mod")
		} else {
			c.Modifier = rapid.SampledFrom([]string{"", "Patient"}).Draw(t, "ref-mod")
		}
	case store.KindComposite:
		c.Components = []store.ParamKind{store.KindToken, store.KindQuantity}
	}
	for range values {
		var v store.Value
		switch p.kind {
		case store.KindToken:
			if c.Modifier == "text" {
				v.Text = rapid.SampledFrom([]string{"smi", "jon", "émile", "x"}).Draw(t, "text")
				break
			}
			switch rapid.IntRange(0, 2).Draw(t, "token-form") {
			case 0:
				v.Code = rapid.SampledFrom(append(oracleCodes, "male", "female")).Draw(t, "code")
			case 1:
				v.HasSystem, v.System, v.Code = true, rapid.SampledFrom(oracleSystems).Draw(t, "system"), rapid.SampledFrom(oracleCodes).Draw(t, "code")
			default:
				v.HasSystem, v.System = true, rapid.SampledFrom(oracleSystems).Draw(t, "system")
			}
		case store.KindString:
			v.Text = rapid.SampledFrom([]string{"smi", "smith", "jon", "Jones", "Émile", "o'", "s", "mit"}).Draw(t, "string")
		case store.KindURI:
			v.Text = rapid.SampledFrom(append(oracleURIs, "http://x.org", "http://x.org/a/b/c")).Draw(t, "uri")
		case store.KindID:
			v.Text = fmt.Sprintf("%s%d", strings.ToLower(typ[:1]), rapid.IntRange(0, 30).Draw(t, "id"))
		case store.KindReference:
			if h, ok := oracleHierarchies[p.code]; ok {
				id := fmt.Sprintf("%s%d", h.prefix, rapid.IntRange(0, h.n+1).Draw(t, "member"))
				switch {
				case c.Modifier == "above" || c.Modifier == "below":
					v = h.value
				case rapid.IntRange(0, 5).Draw(t, "url?") == 0:
					v = store.Value{Text: "http://elsewhere/" + h.value.TargetType + "/1"}
					id = ""
				case rapid.Bool().Draw(t, "typed"):
					v.TargetType = h.value.TargetType
				}
				v.TargetID = id
				break
			}
			if rapid.IntRange(0, 5).Draw(t, "url?") == 0 {
				v.Text = "http://elsewhere/Patient/1"
			} else {
				v.TargetID = fmt.Sprintf("p%d", rapid.IntRange(0, 20).Draw(t, "target"))
				if rapid.Bool().Draw(t, "typed") {
					v.TargetType = "Patient"
				}
			}
		case store.KindDate:
			v.Prefix = rapid.SampledFrom(oraclePrefixes).Draw(t, "prefix")
			if typ == "Patient" {
				v.Low, v.High = genDate(t, "date", 1940, 60)
			} else {
				v.Low, v.High = genDate(t, "date", 2015, 10)
			}
		case store.KindLastUpdated:
			v.Prefix = rapid.SampledFrom(oraclePrefixes).Draw(t, "prefix")
			v.Low = base.Add(time.Duration(rapid.IntRange(0, 1000).Draw(t, "lu")) * time.Minute)
			v.High = v.Low.Add(time.Minute - time.Nanosecond)
		case store.KindNumber:
			v.Prefix = rapid.SampledFrom(oraclePrefixes).Draw(t, "prefix")
			n := float64(rapid.IntRange(0, 20).Draw(t, "n"))
			v.NumLow, v.NumHigh = n-0.5, n+0.5
		case store.KindQuantity:
			v.Prefix = rapid.SampledFrom(oraclePrefixes).Draw(t, "prefix")
			n := float64(rapid.IntRange(0, 100).Draw(t, "q"))
			v.NumLow, v.NumHigh = n, n
			switch rapid.IntRange(0, 2).Draw(t, "unit") {
			case 1:
				v.System, v.Code = ucum, "g"
			case 2:
				v.System, v.Code, v.Canonical, v.CanonicalLow, v.CanonicalHigh = ucum, "kg", "g", n*1000, n*1000
			}
		case store.KindSpecial:
			at := rapid.SampledFrom(oracleCentres).Draw(t, "centre")
			v.Lat, v.Long = destination(at[0], at[1], float64(rapid.IntRange(0, 359).Draw(t, "bearing")), float64(rapid.IntRange(0, 100).Draw(t, "offset")))
			v.Distance = rapid.SampledFrom([]float64{1, 20, 50, 100, 200, 500, 25000}).Draw(t, "km")
		case store.KindComposite:
			n := float64(rapid.IntRange(0, 100).Draw(t, "cq"))
			v.Components = []store.Value{
				{Code: rapid.SampledFrom(oracleCodes).Draw(t, "ccode")},
				{Prefix: rapid.SampledFrom(oraclePrefixes).Draw(t, "cprefix"), NumLow: n, NumHigh: n, Code: "g", Canonical: "g", CanonicalLow: n, CanonicalHigh: n},
			}
		}
		c.Values = append(c.Values, v)
	}
	return c
}

// SmallRangeCap is a range cap (sqlgen.Dialect.RangeCap) under which the oracle's data
// has both rare and dense range criteria: equalities (a day, a month or a year of dates,
// an amount, a minute of _lastUpdated) select fewer index rows, most lt, le, gt and ge
// more.
const SmallRangeCap = 10

// RunRangePlans runs the search oracle on a store that open gives a range cap of
// SmallRangeCap, so that range criteria drive some of its searches and not others
// (under the default cap every bounded range of this small data set drives).
func RunRangePlans(t *testing.T, open Opener) {
	searchOracle(t, open(t), true)
}

// oracle evaluates queries over the data in memory.
type oracle struct {
	rs   []*oracleResource
	byID map[string]*oracleResource
}

func (o *oracle) find(typ string, q *store.Query, f func(r *oracleResource) bool) []*oracleResource {
	var out []*oracleResource
	for _, r := range o.rs {
		if (typ == "" || r.typ == typ) && f(r) {
			out = append(out, r)
		}
	}
	return out
}

func (o *oracle) matchesAll(r *oracleResource, clauses []store.Clause) bool {
	for _, c := range clauses {
		if !o.matches(r, c) {
			return false
		}
	}
	return true
}

func inRange[T cmp.Ordered](prefix string, lo, hi, vl, vh T) bool {
	switch prefix {
	case "", "eq":
		return lo >= vl && hi <= vh
	case "ne":
		return lo < vl || hi > vh
	case "gt":
		return hi > vh
	case "lt":
		return lo < vl
	case "ge":
		return hi > vh || lo >= vl && hi <= vh
	case "le":
		return lo < vl || lo >= vl && hi <= vh
	case "sa":
		return lo > vh
	case "eb":
		return hi < vl
	}
	panic("prefix " + prefix)
}

func micros(t time.Time, high bool) float64 {
	if t.IsZero() {
		if high {
			return math.Inf(1)
		}
		return math.Inf(-1)
	}
	return float64(t.UnixMicro())
}

func (o *oracle) matches(r *oracleResource, c store.Clause) bool {
	switch c.Kind {
	case store.KindID:
		return slices.ContainsFunc(c.Values, func(v store.Value) bool { return v.Text == r.id })
	case store.KindLastUpdated:
		lu := r.lu.UnixNano()
		return slices.ContainsFunc(c.Values, func(v store.Value) bool {
			return inRange(v.Prefix, lu, lu, v.Low.UnixNano(), v.High.UnixNano())
		})
	case store.KindHas:
		for _, other := range o.rs {
			if other.typ != c.Has.Type || !o.matchesAll(other, c.Has.Clauses) {
				continue
			}
			for _, ref := range other.idx.References {
				if ref.Param == c.Param && ref.TargetType == r.typ && ref.TargetID == r.id {
					return true
				}
			}
		}
		return false
	}
	if c.Chain != nil {
		for _, ref := range r.idx.References {
			if t := o.byID[ref.TargetType+"/"+ref.TargetID]; ref.Param == c.Param && t != nil && (c.Chain.Type == "" || t.typ == c.Chain.Type) && o.matchesAll(t, c.Chain.Clauses) {
				return true
			}
		}
		return false
	}
	rows := o.rows(r, c.Kind, c.Param)
	if c.Modifier == "missing" {
		return (len(rows) == 0) == c.Values[0].Missing
	}
	hit := false
	for _, v := range c.Values {
		for _, row := range rows {
			if o.rowMatches(c, v, row) {
				hit = true
			}
		}
	}
	if c.Modifier == "not" {
		return !hit
	}
	return hit
}

// rows returns r's index rows of one parameter as values of the kind's entry type.
func (o *oracle) rows(r *oracleResource, kind store.ParamKind, param string) []any {
	var out []any
	add := func(p string, row any) {
		if p == param {
			out = append(out, row)
		}
	}
	x := &r.idx
	switch kind {
	case store.KindToken:
		for _, e := range x.Tokens {
			add(e.Param, e)
		}
	case store.KindString:
		for _, e := range x.Strings {
			add(e.Param, e)
		}
	case store.KindDate:
		for _, e := range x.Dates {
			add(e.Param, e)
		}
	case store.KindNumber:
		for _, e := range x.Numbers {
			add(e.Param, e)
		}
	case store.KindQuantity:
		for _, e := range x.Quantities {
			add(e.Param, e)
		}
	case store.KindReference:
		for _, e := range x.References {
			add(e.Param, e)
		}
	case store.KindURI:
		for _, e := range x.URIs {
			add(e.Param, e)
		}
	case store.KindComposite, store.KindSpecial:
		for _, e := range x.Composites {
			add(e.Param, e)
		}
	}
	return out
}

// closure returns id and the ids reached from it in the hierarchy h (a clause value):
// down to its parts (down) or up to its wholes, each once however the links cycle.
func (o *oracle) closure(h store.Value, id string, down bool) map[string]bool {
	// A link leads from a resource to its whole, or to its parts where HierarchyToParts.
	follow := down == h.HierarchyToParts
	seen := map[string]bool{id: true}
	for queue := []string{id}; len(queue) > 0; queue = queue[1:] {
		for _, r := range o.rs {
			for _, ref := range r.idx.References {
				if r.typ != h.TargetType || ref.Param != h.Hierarchy || ref.TargetType != h.TargetType {
					continue
				}
				next := ""
				switch {
				case !follow && ref.TargetID == queue[0]:
					next = r.id
				case follow && r.id == queue[0]:
					next = ref.TargetID
				}
				if next != "" && !seen[next] {
					seen[next] = true
					queue = append(queue, next)
				}
			}
		}
	}
	return seen
}

// testHierarchySweep checks :above and :below of every resource of each hierarchy (and
// of ids that do not exist), alone on every parameter that points into it; the random
// queries combine them with the rest.
func testHierarchySweep(t *testing.T, s store.Store, o *oracle) {
	for _, p := range oracleParams {
		h, ok := oracleHierarchies[p.code]
		if !ok {
			continue
		}
		for i := range h.n + 2 {
			for _, mod := range []string{"above", "below"} {
				v := h.value
				v.TargetID = fmt.Sprintf("%s%d", h.prefix, i)
				c := store.Clause{Param: p.code, Kind: store.KindReference, Modifier: mod, Values: []store.Value{v}}
				page, err := s.Search(context.Background(), nil, store.Query{Type: p.typ, Clauses: []store.Clause{c}, Count: oracleSize})
				if err != nil {
					t.Fatalf("%s?%s:%s=%s: %v", p.typ, p.code, mod, v.TargetID, err)
				}
				var want []string
				for _, r := range o.find(p.typ, nil, func(r *oracleResource) bool { return o.matches(r, c) }) {
					want = append(want, r.typ+"/"+r.id)
				}
				var got []string
				for _, r := range page.Resources {
					got = append(got, r.Type+"/"+r.ID)
				}
				if !equal(got, want) {
					t.Errorf("%s?%s:%s=%s: got %v, want %v", p.typ, p.code, mod, v.TargetID, got, want)
				}
			}
		}
	}
}

// greatCircle is the distance in km between two positions in degrees.
func greatCircle(lat1, long1, lat2, long2 float64) float64 {
	const deg = math.Pi / 180
	h := math.Pow(math.Sin((lat2-lat1)*deg/2), 2) + math.Cos(lat1*deg)*math.Cos(lat2*deg)*math.Pow(math.Sin((long2-long1)*deg/2), 2)
	return 2 * nearRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

func (o *oracle) rowMatches(c store.Clause, v store.Value, row any) bool {
	switch e := row.(type) {
	case store.TokenEntry:
		switch {
		case c.Modifier == "text":
			return strings.HasPrefix(e.Text, v.Text)
		case v.HasSystem && v.Code == "":
			return e.System == v.System
		case v.HasSystem:
			return e.System == v.System && e.Code == v.Code
		}
		return e.Code == v.Code
	case store.StringEntry:
		switch c.Modifier {
		case "exact":
			return e.Exact == v.Text
		case "contains":
			return strings.Contains(e.Value, v.Text)
		}
		return strings.HasPrefix(e.Value, v.Text)
	case store.URIEntry:
		switch c.Modifier {
		case "below":
			return strings.HasPrefix(e.Value, v.Text)
		case "above":
			return strings.HasPrefix(v.Text, e.Value)
		}
		return e.Value == v.Text
	case store.ReferenceEntry:
		if c.Modifier == "above" || c.Modifier == "below" {
			return e.TargetType == v.TargetType && o.closure(v, v.TargetID, c.Modifier == "below")[e.TargetID]
		}
		if v.TargetID != "" {
			typ := v.TargetType
			if typ == "" && c.Modifier != "" {
				typ = c.Modifier
			}
			return e.TargetID == v.TargetID && (typ == "" || e.TargetType == typ)
		}
		return e.URL == v.Text
	case store.DateEntry:
		return inRange(v.Prefix, micros(e.Low, false), micros(e.High, true), micros(v.Low, false), micros(v.High, true))
	case store.NumberEntry:
		return inRange(v.Prefix, e.Low, e.High, v.NumLow, v.NumHigh)
	case store.QuantityEntry:
		if v.Canonical != "" {
			if e.CanonicalCode == v.Canonical {
				return inRange(v.Prefix, e.CanonicalLow, e.CanonicalHigh, v.CanonicalLow, v.CanonicalHigh)
			}
			if e.CanonicalCode != "" {
				return false
			}
		}
		if v.System != "" && e.System != v.System || v.Code != "" && e.Code != v.Code && e.Unit != v.Code {
			return false
		}
		return inRange(v.Prefix, e.Low, e.High, v.NumLow, v.NumHigh)
	case store.CompositeEntry:
		if c.Kind == store.KindSpecial {
			return greatCircle(v.Lat, v.Long, e.Parts[0].Low, e.Parts[1].Low) <= v.Distance
		}
		t, q := v.Components[0], v.Components[1]
		p1, p2 := e.Parts[0], e.Parts[1]
		return p1.Code == t.Code && p2.System == ucum && p2.Code == q.Canonical && inRange(q.Prefix, p2.Low, p2.High, q.CanonicalLow, q.CanonicalHigh)
	}
	return false
}

// sortValue is what the store sorts r by for key k.
func (o *oracle) sortValue(r *oracleResource, k store.SortKey) any {
	switch k.Param {
	case "_id":
		return r.id
	case "_lastUpdated":
		return r.lu.UnixNano()
	}
	rows := o.rows(r, k.Kind, k.Param)
	switch k.Kind {
	case store.KindDate:
		best := int64(math.MaxInt64)
		if k.Desc {
			best = math.MinInt64
		}
		for _, row := range rows {
			e := row.(store.DateEntry)
			if k.Desc {
				best = max(best, int64(micros(e.High, true)))
				if e.High.IsZero() {
					best = math.MaxInt64
				}
			} else {
				best = min(best, int64(micros(e.Low, false)))
				if e.Low.IsZero() {
					best = math.MinInt64
				}
			}
		}
		return best
	case store.KindString, store.KindToken:
		best := "\U0010FFFF"
		if k.Desc {
			best = ""
		}
		for _, row := range rows {
			var v string
			if e, ok := row.(store.StringEntry); ok {
				v = e.Value
			} else {
				v = row.(store.TokenEntry).Code
			}
			if k.Desc && v > best || !k.Desc && v < best {
				best = v
			}
		}
		return best
	case store.KindQuantity:
		best := math.MaxFloat64
		if k.Desc {
			best = -math.MaxFloat64
		}
		for _, row := range rows {
			e := row.(store.QuantityEntry)
			if k.Desc {
				best = max(best, e.High)
			} else {
				best = min(best, e.Low)
			}
		}
		return best
	}
	panic("sort kind")
}

func compareAny(a, b any) int {
	switch x := a.(type) {
	case int64:
		return cmp.Compare(x, b.(int64))
	case float64:
		return cmp.Compare(x, b.(float64))
	case string:
		return strings.Compare(x, b.(string))
	}
	panic("compare")
}

func testSearchOracle(t *testing.T, s store.Store) { searchOracle(t, s, false) }

// searchOracle checks random searches against the oracle; ranged searches (of Patients
// and Observations) have a range criterion first, which may drive them.
func searchOracle(t *testing.T, s store.Store, ranged bool) {
	data := oracleData()
	o := &oracle{rs: data, byID: map[string]*oracleResource{}}
	for _, r := range data {
		o.byID[r.typ+"/"+r.id] = r
		put(t, s, store.Write{Resource: store.Resource{Type: r.typ, ID: r.id, LastUpdated: r.lu}, Index: r.idx})
	}
	testHierarchySweep(t, s, o)
	rapid.Check(t, func(t *rapid.T) {
		types := []string{"Patient", "Observation", "Location"}
		if ranged {
			types = types[:2]
		}
		typ := rapid.SampledFrom(types).Draw(t, "type")
		q := store.Query{Type: typ, Count: rapid.IntRange(1, 12).Draw(t, "count")}
		if ranged {
			q.Clauses = append(q.Clauses, genRange(t, typ))
		}
		for range rapid.IntRange(0, 3).Draw(t, "clauses") {
			q.Clauses = append(q.Clauses, genClause(t, typ, 2))
		}
		// Any key may come first, where it drives a search that no clause drives (see
		// sqlgen's sorted); gender, with two codes, ties many resources on the first key
		// for the later keys to order, and a third key orders some ties on two.
		sortable := map[string][]store.SortKey{
			"Patient": {{Param: "name", Kind: store.KindString}, {Param: "birthdate", Kind: store.KindDate}, {Param: "gender", Kind: store.KindToken},
				{Param: "_id"}, {Param: "_lastUpdated"}},
			"Observation": {{Param: "date", Kind: store.KindDate}, {Param: "value-quantity", Kind: store.KindQuantity},
				{Param: "code", Kind: store.KindToken}, {Param: "_id"}, {Param: "_lastUpdated"}},
			"Location": {{Param: "_id"}, {Param: "_lastUpdated"}},
		}
		for range rapid.IntRange(0, 3).Draw(t, "sorts") {
			k := rapid.SampledFrom(sortable[typ]).Draw(t, "sort")
			k.Desc = rapid.Bool().Draw(t, "desc")
			q.Sort = append(q.Sort, k)
		}
		if typ == "Observation" && rapid.Bool().Draw(t, "include") {
			q.Include = []store.Include{{Type: "Observation", Param: "subject"}}
		}
		q.CountTotal = rapid.Bool().Draw(t, "total")
		// An estimate's value is checked on data made for it (testSearchEstimate); here
		// its statements meet every kind of criterion, and must run.
		q.EstimateTotal = !q.CountTotal && rapid.Bool().Draw(t, "estimate")

		want := o.find(typ, &q, func(r *oracleResource) bool { return o.matchesAll(r, q.Clauses) })
		slices.SortStableFunc(want, func(a, b *oracleResource) int {
			for _, k := range q.Sort {
				c := compareAny(o.sortValue(a, k), o.sortValue(b, k))
				if k.Desc {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			return 0 // data order is rid order
		})
		var got []string
		var pages [][]string
		var prev []string // each page's PrevKey
		pageNo := 0
		for {
			p, err := s.Search(context.Background(), nil, q)
			if err != nil {
				t.Fatalf("search %+v: %v", q, err)
			}
			var page []string
			for _, r := range p.Resources {
				page = append(page, r.Type+"/"+r.ID)
			}
			pages, prev = append(pages, page), append(prev, p.PrevKey)
			if q.CountTotal && p.Total != len(want) {
				t.Fatalf("total %d, want %d", p.Total, len(want))
			}
			start := pageNo * q.Count
			for _, r := range p.Resources {
				got = append(got, r.Type+"/"+r.ID)
			}
			if len(q.Include) > 0 {
				inPage := map[string]bool{}
				wantInc := map[string]bool{}
				for _, r := range want[start:min(len(want), start+q.Count)] {
					inPage[r.typ+"/"+r.id] = true
				}
				for _, r := range want[start:min(len(want), start+q.Count)] {
					for _, ref := range r.idx.References {
						key := ref.TargetType + "/" + ref.TargetID
						if ref.Param == "subject" && o.byID[key] != nil && !inPage[key] {
							wantInc[key] = true
						}
					}
				}
				if g := ids(p.Included); len(g) != len(wantInc) || !slices.EqualFunc(g, g, func(a, _ string) bool { return wantInc[a] }) {
					t.Fatalf("page %d included %v, want %v", pageNo, g, wantInc)
				}
			}
			if p.NextKey == "" {
				break
			}
			if pageNo > len(want)/q.Count+1 {
				t.Fatalf("paging does not end: page %d of %d matches by %d (key %q)", pageNo, len(want), q.Count, p.NextKey)
			}
			q.AfterKey = p.NextKey
			pageNo++
		}
		var w []string
		for _, r := range want {
			w = append(w, r.typ+"/"+r.id)
		}
		if !equal(got, w) {
			t.Fatalf("got  %v\nwant %v", got, w)
		}
		// Back from the last page, previous links give the same pages.
		back := q
		back.AfterKey, back.CountTotal = "", false
		for i := len(pages) - 1; i > 0; i-- {
			if prev[i] == "" {
				t.Fatalf("page %d has no previous key", i)
			}
			back.BeforeKey = prev[i]
			p, err := s.Search(context.Background(), nil, back)
			if err != nil {
				t.Fatalf("search before %q: %v", prev[i], err)
			}
			var page []string
			for _, r := range p.Resources {
				page = append(page, r.Type+"/"+r.ID)
			}
			if !equal(page, pages[i-1]) {
				t.Fatalf("page before page %d: %v, want %v", i, page, pages[i-1])
			}
			if (p.PrevKey == "") != (i == 1) {
				t.Fatalf("page %d: previous key %q", i-1, p.PrevKey)
			}
		}
	})
}
