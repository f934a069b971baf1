package search

import (
	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/fhirpath"
	"github.com/joinedup/joinedup/internal/store"
)

// composite indexes every combination of the component values found on item.
func (ix *indexer) composite(p *Param, item fhirpath.Value, env *fhirpath.Env) {
	el, ok := item.(fhir.Element)
	if !ok {
		return
	}
	sub := fhirpath.Env{Resolve: env.Resolve}
	combos := [][]store.CompositePart{nil}
	for i, c := range p.Components {
		if i == store.MaxCompositeParts {
			break
		}
		vals, err := p.parts[i].Evaluate(&sub, el)
		if err != nil || len(vals) == 0 {
			return
		}
		parts := componentParts(c.Def, vals, env, ix.base)
		if len(parts) == 0 {
			return
		}
		next := make([][]store.CompositePart, 0, len(combos)*len(parts))
		for _, cb := range combos {
			for _, pt := range parts {
				next = append(next, append(append([]store.CompositePart(nil), cb...), pt))
			}
		}
		combos = next
	}
	for _, cb := range combos {
		ix.idx.Composites = append(ix.idx.Composites, store.CompositeEntry{Param: p.Code, Parts: cb})
	}
}

// componentParts indexes vals as the component parameter d would and turns the rows
// into composite parts.
func componentParts(d *Def, vals fhirpath.Collection, env *fhirpath.Env, base string) []store.CompositePart {
	var idx store.Index
	sub := indexer{idx: &idx, base: base}
	sub.add(&Param{Def: d, Kind: kinds[d.Type]}, vals, env)
	return Parts(&idx)
}

// Parts converts index rows of one component into composite parts (the search side
// converts search values the same way).
func Parts(idx *store.Index) []store.CompositePart {
	var out []store.CompositePart
	for _, t := range idx.Tokens {
		out = append(out, store.CompositePart{System: t.System, Code: t.Code})
	}
	for _, s := range idx.Strings {
		out = append(out, store.CompositePart{Code: s.Value})
	}
	for _, q := range idx.Quantities {
		if q.CanonicalCode != "" {
			out = append(out, store.CompositePart{System: UCUM, Code: q.CanonicalCode, Low: q.CanonicalLow, High: q.CanonicalHigh})
		} else {
			out = append(out, store.CompositePart{System: q.System, Code: q.Code, Low: q.Low, High: q.High})
		}
	}
	for _, n := range idx.Numbers {
		out = append(out, store.CompositePart{Low: n.Low, High: n.High})
	}
	for _, d := range idx.Dates {
		out = append(out, store.CompositePart{Low: seconds(d.Low, false), High: seconds(d.High, true)})
	}
	for _, r := range idx.References {
		code := r.URL
		if r.TargetID != "" {
			code = r.TargetType + "/" + r.TargetID
		}
		out = append(out, store.CompositePart{Code: code})
	}
	for _, u := range idx.URIs {
		out = append(out, store.CompositePart{Code: u.Value})
	}
	return out
}

// near indexes a Location's position as latitude and longitude parts.
func (ix *indexer) near(param string, v fhirpath.Value) {
	pos, ok := v.(*fhir.LocationPosition)
	if !ok {
		return
	}
	lat, _, ok1 := number(pos.Latitude)
	long, _, ok2 := number(pos.Longitude)
	if ok1 && ok2 {
		ix.idx.Composites = append(ix.idx.Composites, store.CompositeEntry{Param: param, Parts: []store.CompositePart{{Low: lat, High: lat}, {Low: long, High: long}}})
	}
}
