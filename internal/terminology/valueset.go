package terminology

// ValueSet is a value set held in memory, built from a ValueSet resource.
type ValueSet struct {
	URL, Version, Name, Title, Status string
	// Inactive is compose.inactive: whether inactive codes belong to the value set
	// (nil: the default, which includes them).
	Inactive *bool
	Include  []ConceptSet
	Exclude  []ConceptSet
	// Expansion holds a pre-computed expansion, used when the value set has no compose.
	Expansion []Coding
}

// ConceptSet is one compose.include or compose.exclude: the codes of System (all of them,
// the listed Concepts, or those that pass every Filter), intersected with every imported
// ValueSet.
type ConceptSet struct {
	System    string
	Version   string
	Concepts  []ConceptRef
	Filters   []Filter
	ValueSets []string
}

// ConceptRef is a code listed in a concept set, with the display and designations the
// value set gives it.
type ConceptRef struct {
	Code         string
	Display      string
	Designations []Designation
}

// Filter is a compose filter: Property Op Value.
type Filter struct {
	Property, Op, Value string
}
