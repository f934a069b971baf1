package validate

import (
	"context"
	"fmt"
	"sort"
	"strings"

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

// Learn adds the conformance resources a server has just stored — StructureDefinitions,
// ValueSets, CodeSystems, as JSON — to the validator's definitions, so that resources
// written afterwards can claim the profiles. The validator's registry must be its own
// (profile.NewRegistry over the default), not the shared default.
func (p *Policy) Learn(resourceType string, body []byte) error {
	switch resourceType {
	case "StructureDefinition":
		return p.Validator.reg.AddJSON(body)
	case "ValueSet", "CodeSystem":
		p.Validator.codes.Clear() // earlier answers may change with the new content
		p.Validator.cached.Store(0)
		return p.Validator.term.AddResource(body)
	}
	return nil
}
