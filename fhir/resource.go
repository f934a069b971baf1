package fhir

import "slices"

// MetaResource is implemented by every resource type of the model: Meta is where a server
// keeps versionId and lastUpdated.
type MetaResource interface {
	Resource
	ResourceMeta() *Meta
	SetResourceMeta(*Meta)
}

// NewResource returns an empty value of the named resource type; ok is false for a name
// that is not a resource type of R4.
func NewResource(resourceType string) (r Resource, ok bool) {
	r = newResource(resourceType)
	return r, r != nil
}

// IsResourceType reports whether name is a concrete resource type of R4.
func IsResourceType(name string) bool {
	_, ok := slices.BinarySearch(resourceTypeNames, name)
	return ok
}

// ResourceTypes returns the names of the concrete resource types, sorted.
func ResourceTypes() []string {
	return slices.Clone(resourceTypeNames)
}

func resourceID(id *ID) string {
	if id == nil || id.Value == nil {
		return ""
	}
	return *id.Value
}

// setResourceID sets the id value, keeping any extensions of the id element.
func setResourceID(p *ID, id string) *ID {
	if id == "" {
		if p == nil {
			return nil
		}
		p.Value = nil
		if !p.hasJSONExt() {
			return nil
		}
		return p
	}
	if p == nil {
		p = new(ID)
	}
	p.Value = &id
	return p
}
