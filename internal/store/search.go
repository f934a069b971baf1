package store

// The search contract's additions: sort keys, includes, composite and text index rows.

// SortKey orders search results by a parameter (_sort): by the lowest of the
// resource's values ascending, the highest descending; resources without a value come
// last. Param "_id" and "_lastUpdated" sort by the resource's id and last update.
type SortKey struct {
	Param string
	Kind  ParamKind
	Desc  bool
}

// Include adds resources related to each page's matches (search.html#include).
// Forward (_include): the resources that Type's reference parameter Param points at
// (every reference parameter when Param is "*"), restricted to TargetType when set.
// Reverse (_revinclude): the resources of Type whose Param points at a match. Iterate
// applies the include to included resources too, until nothing new is found.
type Include struct {
	Reverse    bool
	Type       string
	Param      string
	TargetType string
	Iterate    bool
}

// TokenCode is one code of an expanded value set or hierarchy.
type TokenCode struct{ System, Code string }

// CompositeEntry is one combination of a composite parameter's component values; a
// Location's position is indexed this way too (Parts latitude, longitude).
type CompositeEntry struct {
	Param string
	Parts []CompositePart
}

// CompositePart is one component value: a token's System/Code, a string (normalised),
// reference or uri in Code, a quantity's System/Code (UCUM canonical where the unit
// converts) with its value in Low = High, a number in Low = High, a date as Unix
// seconds Low..High.
type CompositePart struct {
	System, Code string
	Low, High    float64
}

// MaxCompositeParts is how many parts of a composite the index keeps.
const MaxCompositeParts = 3

// TextEntry is text for _text (the narrative) or _content (every string of the resource).
type TextEntry struct{ Param, Value string }

// AnyDate, as the Param of a KindDate clause with one value, keeps resources that have
// no date of any parameter or one that overlaps the value's range
// (Patient/$everything's start and end); resources of the value's TargetType, when
// set, pass whatever their dates (the patient, whose birth date is no care date).
const AnyDate = "*"
