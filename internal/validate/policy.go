package validate

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/profile"
	"github.com/joinedup/joinedup/internal/terminology"
)

// Policy is the validation a server applies to every write (DESIGN.md, "Validation
// policy"): always the base specification and every profile a resource claims in
// meta.profile (an unknown claimed profile is a warning); plus, per resource type, the
// profiles a deployment requires; types set warn-only have their errors reported as
// warnings, so a migration can load imperfect data while seeing what is wrong.
type Policy struct {
	Validator *Validator
	// Required maps a resource type to the profiles each resource of that type must meet.
	Required map[string][]string
	// WarnOnly lists resource types whose errors do not refuse a write.
	WarnOnly map[string]bool

	mu       sync.Mutex               // serialises Learn and Forget
	versions map[string]int64         // the latest version learned or forgotten, by "Type/id"
	profiles map[string]storedProfile // learned StructureDefinitions by "StructureDefinition/id"
}

// UKCore names the profile set `serve --profiles uk-core` requires.
const UKCore = "uk-core"

// UKCoreRequired maps each resource type that has a UK Core profile to its general
// profile ("UKCore-Observation", not the vital-signs ones).
func UKCoreRequired(reg *profile.Registry) map[string][]string {
	out := map[string][]string{}
	for _, t := range fhir.ResourceTypes() {
		url := "https://fhir.hl7.org.uk/StructureDefinition/UKCore-" + t
		if reg.Known(url) {
			out[t] = []string{url}
		}
	}
	return out
}

// NewPolicy builds a policy over v: profileSets names built-in sets ("uk-core"),
// require adds "Type=URL" entries, warnOnly lists types. Every required profile must be
// known, so that a typing mistake fails at start-up rather than on every write.
func NewPolicy(v *Validator, profileSets, require, warnOnly []string) (*Policy, error) {
	p := &Policy{Validator: v, Required: map[string][]string{}, WarnOnly: map[string]bool{}}
	for _, set := range profileSets {
		switch set {
		case UKCore:
			for t, urls := range UKCoreRequired(v.Profiles()) {
				p.Required[t] = append(p.Required[t], urls...)
			}
		case "", "none":
		default:
			return nil, fmt.Errorf("validate: unknown profile set %q (known: %s)", set, UKCore)
		}
	}
	for _, r := range require {
		t, url, ok := strings.Cut(r, "=")
		if !ok || !fhir.IsResourceType(t) {
			return nil, fmt.Errorf("validate: required profile %q is not Type=URL", r)
		}
		if _, err := v.Profiles().Snapshot(url); err != nil {
			return nil, fmt.Errorf("validate: required profile for %s: %w", t, err)
		}
		p.Required[t] = append(p.Required[t], url)
	}
	for _, t := range warnOnly {
		if !fhir.IsResourceType(t) {
			return nil, fmt.Errorf("validate: warn-only type %q is not a resource type", t)
		}
		p.WarnOnly[t] = true
	}
	return p, nil
}

// Check validates a resource as the policy requires.
func (p *Policy) Check(ctx context.Context, r fhir.Resource, extra ...string) []Issue {
	typ := r.ResourceType()
	profiles := append(append([]string(nil), p.Required[typ]...), extra...)
	issues := p.Validator.Validate(ctx, r, profiles...)
	if p.WarnOnly[typ] {
		for i := range issues {
			if issues[i].Severity == Error || issues[i].Severity == Fatal {
				issues[i].Severity = Warning
				issues[i].Text += " (not enforced: " + typ + " is warn-only on this server)"
			}
		}
	}
	return issues
}

// Describe summarises the policy for logs: types with required profiles and warn-only
// types.
func (p *Policy) Describe() (required int, warnOnly []string) {
	for t := range p.WarnOnly {
		warnOnly = append(warnOnly, t)
	}
	sort.Strings(warnOnly)
	return len(p.Required), warnOnly
}

// Terminology is the terminology server the policy validates codes with, so that search
// (token :in, :below ...) sees the same code systems and value sets, including those
// loaded from implementation guides or written to the server.
func (p *Policy) Terminology() *terminology.Server { return p.Validator.term }

// Learn adds a conformance resource a server has just stored — a StructureDefinition,
// ValueSet or CodeSystem, as JSON, with its type, id and version — to the validator's
// definitions, so that resources written afterwards can claim the profiles. It replaces
// what the same resource added before, so an update that changes its url leaves nothing
// under the old one, and one that cannot be used leaves nothing at all. The validator's
// registry must be its own (profile.NewRegistry over the default, or over an
// implementation guide's), not the shared default: Forget takes stored definitions out
// of it, uncovering what its parents hold.
//
// Commit hooks run after their writes, not necessarily in commit order: a version older
// than one already learned or forgotten for the resource is ignored.
func (p *Policy) Learn(resourceType, id string, version int64, body []byte) error {
	if !conformance(resourceType) {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	key := resourceType + "/" + id
	if !p.newerLocked(key, version) {
		return nil
	}
	if resourceType != "StructureDefinition" {
		defer p.Validator.clearCodes() // earlier answers may change with the new content
		return p.Validator.term.AddStored(key, body)
	}
	p.forgetLocked(key)
	res, err := profile.ParseDefinition(body)
	if err != nil {
		return fmt.Errorf("validate: %s: %w", key, err)
	}
	sd, ok := res.(*fhir.StructureDefinition)
	if !ok {
		return fmt.Errorf("validate: %s is a %s", key, res.ResourceType())
	}
	if err := p.Validator.reg.Add(sd); err != nil {
		return err
	}
	p.profiles[key] = storedProfile{url: lit(sd.URL), sd: sd}
	return nil
}

// Forget undoes Learn for a stored conformance resource that has been deleted (version
// is the delete's) or expunged (version 0): its profile is no longer enforced (a
// resource still claiming it gets the warning for an unknown profile, unless an
// implementation guide or the embedded content defines the same url), its code system
// or value set is no longer used.
func (p *Policy) Forget(resourceType, id string, version int64) {
	if !conformance(resourceType) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	key := resourceType + "/" + id
	if version == 0 {
		delete(p.versions, key) // a resource created again after $expunge starts at 1
	} else if !p.newerLocked(key, version) {
		return
	}
	if resourceType == "StructureDefinition" {
		p.forgetLocked(key)
		return
	}
	p.Validator.term.RemoveStored(key)
	p.Validator.clearCodes()
}

// newerLocked reports whether version is newer than any seen for key, and records it.
func (p *Policy) newerLocked(key string, version int64) bool {
	if p.versions == nil {
		p.versions, p.profiles = map[string]int64{}, map[string]storedProfile{}
	}
	if version <= p.versions[key] {
		return false
	}
	p.versions[key] = version
	return true
}

// forgetLocked takes a stored StructureDefinition out of the registry. Another stored
// one with the same url (a second resource, which the server allows) is registered
// again, as it would be after a restart.
func (p *Policy) forgetLocked(key string) {
	old, ok := p.profiles[key]
	if !ok {
		return
	}
	delete(p.profiles, key)
	p.Validator.reg.Remove(old.url)
	for _, other := range p.profiles {
		if other.url == old.url {
			// Added before under the same url, so it is known to be addable.
			_ = p.Validator.reg.Add(other.sd)
			return
		}
	}
}

// storedProfile is a StructureDefinition learned from the store.
type storedProfile struct {
	url string
	sd  *fhir.StructureDefinition
}

func conformance(resourceType string) bool {
	switch resourceType {
	case "StructureDefinition", "ValueSet", "CodeSystem":
		return true
	}
	return false
}
