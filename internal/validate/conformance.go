package validate

import (
	"regexp"
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
	declared := map[string]string{} // property code → type
	uris := map[string]bool{}
	for i, p := range cs.Property {
		ppath := path + ".property[" + strconv.Itoa(i) + "]"
		code, uri, typ := lit(p.Code), lit(p.URI), lit(p.Type)
		if want, ok := standardProperties[uri]; ok && typ != "" && typ != want {
			r.add(Error, "business-rule", ppath, "The property %s has the type '%s', but the URI %s identifies a property of type '%s'", code, typ, uri, want)
		}
		if _, dup := declared[code]; dup {
			r.add(Error, "business-rule", ppath, "A property is already defined with the code '%s'", code)
		}
		if uri != "" && uris[uri] {
			r.add(Error, "business-rule", ppath, "A property is already defined with the URI '%s'", uri)
		}
		declared[code], uris[uri] = typ, true
	}
	var concepts func(cs []*fhir.CodeSystemConcept, path string)
	concepts = func(list []*fhir.CodeSystemConcept, cpath string) {
		for i, c := range list {
			here := cpath + "[" + strconv.Itoa(i) + "]"
			for j, p := range c.Property {
				typ, ok := declared[lit(p.Code)]
				got := propertyValueType(p)
				if ok && typ != "" && got != "" && got != typ {
					r.add(Error, "business-rule", here+".property["+strconv.Itoa(j)+"]", "The property '%s' has a value of type '%s', but is defined to have the type '%s'", lit(p.Code), got, typ)
				}
			}
			concepts(c.Concept, here+".concept")
		}
	}
	concepts(cs.Concept, path+".concept")
}

// codingForm is how a filter value names a Coding: system(|version)#code.
var codingForm = regexp.MustCompile(`^[^|#\s]+(\|[^#\s]+)?#\S+$`)

// standardProperties are the types of the properties http://hl7.org/fhir/concept-properties
// defines (https://hl7.org/fhir/R4/codesystem-concept-properties.html).
var standardProperties = map[string]string{
	"http://hl7.org/fhir/concept-properties#status":          "code",
	"http://hl7.org/fhir/concept-properties#inactive":        "boolean",
	"http://hl7.org/fhir/concept-properties#effectiveDate":   "dateTime",
	"http://hl7.org/fhir/concept-properties#deprecationDate": "dateTime",
	"http://hl7.org/fhir/concept-properties#retirementDate":  "dateTime",
	"http://hl7.org/fhir/concept-properties#notSelectable":   "boolean",
	"http://hl7.org/fhir/concept-properties#parent":          "code",
	"http://hl7.org/fhir/concept-properties#child":           "code",
	"http://hl7.org/fhir/concept-properties#partOf":          "code",
	"http://hl7.org/fhir/concept-properties#synonym":         "code",
	"http://hl7.org/fhir/concept-properties#comment":         "string",
	"http://hl7.org/fhir/concept-properties#itemWeight":      "decimal",
}

func propertyValueType(p *fhir.CodeSystemConceptProperty) string {
	switch {
	case p.ValueCode != nil:
		return "code"
	case p.ValueCoding != nil:
		return "Coding"
	case p.ValueString != nil:
		return "string"
	case p.ValueInteger != nil:
		return "integer"
	case p.ValueBoolean != nil:
		return "boolean"
	case p.ValueDateTime != nil:
		return "dateTime"
	case p.ValueDecimal != nil:
		return "decimal"
	}
	return ""
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
		for j, f := range inc.Filter {
			fpath := path + ".compose.include[" + strconv.Itoa(i) + "].filter[" + strconv.Itoa(j) + "]"
			value := lit(f.Value)
			switch lit(f.Property) {
			case "concept":
				// The value of a hierarchy filter is a code of the system.
				res, err := r.v.validateCode(r.ctx, "", []terminology.Coding{{System: system, Code: value}})
				if err == nil && res.Verdict == terminology.Invalid {
					r.add(Error, "code-invalid", fpath, "The value of a filter on 'concept' must be a code of %s, and '%s' is not: %s", system, value, res.Message())
				}
			case "notSelectable", "inactive":
				if lit(f.Op) == "=" && value != "true" && value != "false" {
					r.add(Error, "value", fpath, "The value of a filter on '%s' must be 'true' or 'false', not '%s'", lit(f.Property), value)
				}
			default:
				cs, err := r.v.term.CodeSystem(system, "")
				if err != nil {
					break
				}
				for _, pd := range cs.Properties {
					if pd.Code == lit(f.Property) && pd.Type == "Coding" && !codingForm.MatchString(value) {
						r.add(Error, "value", fpath, "The value of a filter on the Coding property '%s' must be system(|version)#code, not '%s'", pd.Code, value)
					}
				}
			}
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
