package interaction

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/joinedup/joinedup/internal/store"
)

// The interactions this package implements, as the CapabilityStatement names them
// (https://hl7.org/fhir/R4/capabilitystatement.html). The CapabilityStatement is
// generated from these lists and the server's tests call every one of them, so that it
// stays true.
var (
	TypeInteractions   = []string{"read", "vread", "update", "patch", "delete", "history-instance", "history-type", "create", "search-type"}
	SystemInteractions = []string{"transaction", "batch", "search-system", "history-system"}
)

// CapabilityOptions says what the HTTP layer adds to the service's abilities.
type CapabilityOptions struct {
	Software, Version string
	// Formats are the mime types the server reads and writes.
	Formats []string
	// Operations are the operations the server answers, by name ("expunge"), with the
	// canonical URL of their definition.
	Operations map[string]string
	// Types lists the resource types served (fhir.ResourceTypes()).
	Types []string
}

// Capabilities returns the server's CapabilityStatement.
func (s *Service) Capabilities(req *Request, o CapabilityOptions) []byte {
	type code struct {
		Code string `json:"code"`
	}
	type searchParam struct {
		Name          string `json:"name"`
		Definition    string `json:"definition,omitempty"`
		Type          string `json:"type"`
		Documentation string `json:"documentation,omitempty"`
	}
	type operation struct {
		Name       string `json:"name"`
		Definition string `json:"definition"`
	}
	type resource struct {
		Type              string        `json:"type"`
		Interaction       []code        `json:"interaction"`
		Versioning        string        `json:"versioning"`
		ReadHistory       bool          `json:"readHistory"`
		UpdateCreate      bool          `json:"updateCreate"`
		ConditionalCreate bool          `json:"conditionalCreate"`
		ConditionalRead   string        `json:"conditionalRead"`
		ConditionalUpdate bool          `json:"conditionalUpdate"`
		ConditionalDelete string        `json:"conditionalDelete"`
		ReferencePolicy   []string      `json:"referencePolicy"`
		SearchInclude     []string      `json:"searchInclude,omitempty"`
		SearchRevInclude  []string      `json:"searchRevInclude,omitempty"`
		SearchParam       []searchParam `json:"searchParam"`
		Operation         []operation   `json:"operation,omitempty"`
	}
	type rest struct {
		Mode        string        `json:"mode"`
		Resource    []resource    `json:"resource"`
		Interaction []code        `json:"interaction"`
		SearchParam []searchParam `json:"searchParam"`
		Operation   []operation   `json:"operation,omitempty"`
	}
	codes := func(names []string) []code {
		out := make([]code, len(names))
		for i, n := range names {
			out[i] = code{n}
		}
		return out
	}
	params := func(typ string) []searchParam {
		var out []searchParam
		for _, p := range s.SearchParams(typ) {
			sp := searchParam{Name: p.Code, Definition: p.Definition, Type: p.Type}
			if len(p.Modifiers) > 0 {
				sp.Documentation = "Modifiers: " + strings.Join(p.Modifiers, ", ")
			}
			out = append(out, sp)
		}
		return out
	}
	var ops []operation
	for _, name := range sortedKeys(o.Operations) {
		ops = append(ops, operation{Name: name, Definition: o.Operations[name]})
	}
	policy := []string{"literal", "local"}
	if s.opt.ReferentialIntegrity {
		policy = append(policy, "enforced")
	}
	includes, revIncludes := s.includes(o.Types)
	r := rest{Mode: "server", Interaction: codes(SystemInteractions), SearchParam: params(""), Operation: ops}
	for _, typ := range o.Types {
		r.Resource = append(r.Resource, resource{
			Type: typ, Interaction: codes(TypeInteractions),
			Versioning: "versioned-update", ReadHistory: true, UpdateCreate: true,
			ConditionalCreate: true, ConditionalRead: "full-support", ConditionalUpdate: true,
			ConditionalDelete: "multiple", ReferencePolicy: policy,
			SearchInclude: includes[typ], SearchRevInclude: revIncludes[typ],
			SearchParam: params(typ), Operation: ops,
		})
	}
	cs := struct {
		ResourceType string `json:"resourceType"`
		Status       string `json:"status"`
		Date         string `json:"date"`
		Kind         string `json:"kind"`
		Software     struct {
			Name    string `json:"name"`
			Version string `json:"version,omitempty"`
		} `json:"software"`
		Implementation struct {
			Description string `json:"description"`
			URL         string `json:"url,omitempty"`
		} `json:"implementation"`
		FHIRVersion string   `json:"fhirVersion"`
		Format      []string `json:"format"`
		PatchFormat []string `json:"patchFormat"`
		Rest        []rest   `json:"rest"`
	}{
		ResourceType: "CapabilityStatement", Status: "active", Date: FormatInstant(s.now()),
		Kind: "instance", FHIRVersion: "4.0.1", Format: o.Formats, PatchFormat: PatchFormats, Rest: []rest{r},
	}
	cs.Software.Name, cs.Software.Version = o.Software, o.Version
	cs.Implementation.Description = fmt.Sprintf("%s FHIR R4 server", o.Software)
	cs.Implementation.URL = req.BaseURL
	b, err := json.Marshal(cs)
	if err != nil {
		panic(err) // strings, bools and slices of them only
	}
	return b
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}

// includes lists, per type, the _include values it answers (its reference parameters
// and *) and the _revinclude values (reference parameters of any type that can point
// at it).
func (s *Service) includes(types []string) (inc, rev map[string][]string) {
	inc, rev = map[string][]string{}, map[string][]string{}
	for _, typ := range types {
		inc[typ] = []string{"*"}
		for _, p := range s.SearchParams(typ) {
			if p.Kind != store.KindReference {
				continue
			}
			inc[typ] = append(inc[typ], typ+":"+p.Code)
			for _, target := range s.opt.Search.Lookup(typ, p.Code).Target {
				rev[target] = append(rev[target], typ+":"+p.Code)
			}
		}
	}
	return inc, rev
}
