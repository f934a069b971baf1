package sqlgen

import (
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

var fixedNow = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// searchAllKinds uses every kind, prefix and modifier, with an access filter's worth of
// clauses, so one statement exercises every placeholder path.
func searchAllKinds() store.Query {
	lo, hi := fixedNow, fixedNow.Add(time.Hour)
	var clauses []store.Clause
	for _, p := range []string{"", "eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"} {
		clauses = append(clauses,
			store.Clause{Param: "d", Kind: store.KindDate, Values: []store.Value{{Prefix: p, Low: lo, High: hi}}},
			store.Clause{Param: "n", Kind: store.KindNumber, Values: []store.Value{{Prefix: p, NumLow: 1, NumHigh: 2}}},
			store.Clause{Param: "q", Kind: store.KindQuantity, Values: []store.Value{{Prefix: p, NumLow: 1, NumHigh: 2, System: "s", Code: "c"}}},
			store.Clause{Param: "_lastUpdated", Kind: store.KindLastUpdated, Values: []store.Value{{Prefix: p, Low: lo, High: hi}}})
	}
	clauses = append(clauses,
		store.Clause{Param: "_id", Kind: store.KindID, Values: []store.Value{{Text: "a"}, {Text: "b"}}},
		store.Clause{Param: "t", Kind: store.KindToken, Values: []store.Value{{System: "s", HasSystem: true, Code: "c"}, {Code: "c"}, {HasSystem: true, System: "s"}}},
		store.Clause{Param: "t", Kind: store.KindToken, Modifier: "not", Values: []store.Value{{Code: "c"}}},
		store.Clause{Param: "t", Kind: store.KindToken, Modifier: "missing", Values: []store.Value{{Missing: true}}},
		store.Clause{Param: "s", Kind: store.KindString, Values: []store.Value{{Text: "a"}}},
		store.Clause{Param: "s", Kind: store.KindString, Modifier: "exact", Values: []store.Value{{Text: "a"}}},
		store.Clause{Param: "s", Kind: store.KindString, Modifier: "contains", Values: []store.Value{{Text: "a"}}},
		store.Clause{Param: "r", Kind: store.KindReference, Values: []store.Value{{TargetType: "Patient", TargetID: "1"}, {Text: "http://x"}}},
		store.Clause{Param: "r", Kind: store.KindReference, Modifier: "identifier", Values: []store.Value{{System: "s", HasSystem: true, Code: "1"}}},
		store.Clause{Param: "u", Kind: store.KindURI, Modifier: "below", Values: []store.Value{{Text: "http://x"}}},
		store.Clause{Param: "u", Kind: store.KindURI, Modifier: "above", Values: []store.Value{{Text: "http://x/y"}}},
		store.Clause{Param: "t", Kind: store.KindToken, Modifier: "in", Values: []store.Value{{Codes: []store.TokenCode{{System: "s", Code: "1"}, {System: "s", Code: "2"}}}}},
		store.Clause{Param: "t", Kind: store.KindToken, Modifier: "text", Values: []store.Value{{Text: "abc"}}},
		store.Clause{Param: "q", Kind: store.KindQuantity, Values: []store.Value{{Prefix: "gt", NumLow: 1, NumHigh: 1, Code: "g", Canonical: "g", CanonicalLow: 1, CanonicalHigh: 1}}},
		store.Clause{Param: "cv", Kind: store.KindComposite, Components: []store.ParamKind{store.KindToken, store.KindQuantity},
			Values: []store.Value{{Components: []store.Value{{Code: "c"}, {Prefix: "ge", NumLow: 1, NumHigh: 2}}}}},
		store.Clause{Param: "near", Kind: store.KindSpecial, Values: []store.Value{{Lat: 51, Long: 0, Distance: 5}, {Lat: 0, Long: 179.99, Distance: 5}}},
		store.Clause{Param: "location", Kind: store.KindReference, Modifier: "below", Values: []store.Value{{TargetType: "Location", TargetID: "1", Hierarchy: "partof"}}},
		store.Clause{Param: "location", Kind: store.KindReference, Modifier: "above", Values: []store.Value{{TargetType: "Location", TargetID: "1", Hierarchy: "partof"}}},
		store.Clause{Param: "_content", Kind: store.KindText, Values: []store.Value{{Text: "heart rate"}}},
		store.Clause{Param: "subject", Kind: store.KindReference, Chain: &store.Query{Type: "Patient", Clauses: []store.Clause{
			{Param: "name", Kind: store.KindString, Values: []store.Value{{Text: "smi"}}},
			{Param: "organization", Kind: store.KindReference, Chain: &store.Query{Clauses: []store.Clause{
				{Param: "name", Kind: store.KindString, Values: []store.Value{{Text: "x"}}}}}}}}},
		store.Clause{Param: "subject", Kind: store.KindHas, Has: &store.Query{Type: "Provenance", Clauses: []store.Clause{
			{Param: "agent", Kind: store.KindReference, Values: []store.Value{{TargetType: "Practitioner", TargetID: "1"}}}}}},
	)
	return store.Query{Type: "Observation", Clauses: clauses, AfterKey: Key(5, nil), Count: 10}
}
