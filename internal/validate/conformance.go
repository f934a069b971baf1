package validate

import (
	"strconv"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/profile"
	"github.com/joinedup/joinedup/internal/terminology"
)

// structureDefinition checks that a profile can be used: its snapshot can be generated
// over the validator's definitions.
func (r *run) structureDefinition(res fhir.Resource, path string) {
	sd, ok := res.(*fhir.StructureDefinition)
	if !ok || sd.URL == nil {
		return
	}
	reg := profile.NewRegistry(r.v.reg)
	if err := reg.Add(sd); err != nil {
		r.add(Error, "structure", path, "%v", err)
		return
	}
	if _, err := reg.Snapshot(lit(sd.URL)); err != nil {
		r.add(Error, "structure", path, "Error generating the snapshot: %v", err)
	}
}

// codeSystem checks a CodeSystem's content against what it says it holds.
func (r *run) codeSystem(res fhir.Resource, path string) {
	cs, ok := res.(*fhir.CodeSystem)
	if !ok {
		return
	}
	if lit(cs.Content) == "not-present" && len(cs.Concept) > 0 {
		r.add(Error, "business-rule", path+".concept[0]", "The code system says it has no content present, but concepts are found")
	}
	if cs.Supplements != nil && lit(cs.Content) != "supplement" {
		r.add(Error, "business-rule", path+".content", "A code system that supplements another must have the content 'supplement'")
	}
}

// valueSetCodes checks the codes a ValueSet lists against their code systems.
func (r *run) valueSetCodes(res fhir.Resource, path string) {
	vs, ok := res.(*fhir.ValueSet)
	if !ok || vs.Compose == nil {
		return
	}
	for i, inc := range vs.Compose.Include {
		system := lit(inc.System)
		if system == "" {
			continue
		}
		for j, c := range inc.Concept {
			code := lit(c.Code)
			if code == "" {
				continue
			}
			res, err := r.v.term.ValidateCode(r.ctx, terminology.ValidateRequest{Codings: []terminology.Coding{{System: system, Version: lit(inc.Version), Code: code}}, Abstract: true})
			if err != nil || res.Verdict != terminology.Invalid {
				continue
			}
			r.add(Error, "code-invalid", path+".compose.include["+strconv.Itoa(i)+"].concept["+strconv.Itoa(j)+"]", "The code '%s' is not valid in the system %s: %s", code, system, res.Message())
		}
	}
}
