package terminology

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
)

// LookupResult is the answer to $lookup.
type LookupResult struct {
	// Name is the code system's display name (its title, else its name), Version its
	// version.
	Name, Version string
	Display       string
	Definition    string
	Abstract      bool
	Inactive      bool
	Designations  []Designation
	// Properties are the concept's properties; parent and child give the hierarchy, and
	// inactive the status, as code/boolean properties.
	Properties []Property
}

// Lookup returns what the server knows about a code. properties limits the properties
// returned (nil: all). It returns an error wrapping ErrUnknownCode when the code is not in
// the code system, ErrNotFound when the system is unknown, and ErrNoContent when the server
// does not hold the system's content.
func (s *Server) Lookup(ctx context.Context, c Coding, properties []string) (*LookupResult, error) {
	cs, err := s.contentSystem(c.System, c.Version)
	if errors.Is(err, ErrNotFound) {
		return s.lookupExternal(ctx, c, properties)
	}
	if err != nil {
		return nil, err
	}
	con := cs.Concept(c.Code)
	if con == nil {
		if !cs.HasContent() {
			return nil, fmt.Errorf("code %q in %s (a %s): %w", c.Code, cs.URL, cs.Content, ErrNoContent)
		}
		return nil, fmt.Errorf("code %q in %s: %w", c.Code, cs.URL, ErrUnknownCode)
	}
	r := &LookupResult{
		Name: cmp.Or(cs.Title, cs.Name), Version: cs.Version, Display: con.Display, Definition: con.Definition,
		Abstract: con.Abstract, Inactive: con.Inactive, Designations: con.Designations,
	}
	want := func(code string) bool { return properties == nil || contains(properties, code) }
	for _, p := range con.Properties {
		if want(p.Code) && p.Code != propParent && p.Code != propChild {
			r.Properties = append(r.Properties, p)
		}
	}
	if want(propInactive) {
		r.Properties = append(r.Properties, Property{Code: propInactive, Type: "boolean", Value: strconv.FormatBool(con.Inactive)})
	}
	if want(propParent) {
		for _, p := range con.Parents {
			r.Properties = append(r.Properties, Property{Code: propParent, Type: "code", Value: p.Code})
		}
	}
	if want(propChild) {
		for _, ch := range con.Children {
			r.Properties = append(r.Properties, Property{Code: propChild, Type: "code", Value: ch.Code})
		}
	}
	return r, nil
}

func (s *Server) lookupExternal(ctx context.Context, c Coding, properties []string) (*LookupResult, error) {
	if c.System == SystemSNOMED && s.snomed != nil {
		return s.lookupSnomed(ctx, c.Code, properties)
	}
	if ext, ok := externals[c.System]; ok {
		if err := ext.check(c.Code); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnknownCode, err)
		}
		return nil, fmt.Errorf("%s: %w", ext.name, ErrNoContent)
	}
	return nil, fmt.Errorf("code system %s: %w", c.System, ErrNotFound)
}
