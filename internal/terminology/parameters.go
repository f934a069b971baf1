package terminology

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/joinedup/joinedup/fhir"
)

// Mappings between the operations' Go calls and their FHIR Parameters, for the REST layer
// (https://hl7.org/fhir/R4/operations.html). Parameters that the server does not use are
// ignored; malformed ones are errors (the REST layer answers 400).

// ErrBadParameters: the Parameters of an operation are missing or malformed.
var ErrBadParameters = errors.New("invalid operation parameters")

// params indexes a Parameters resource by name.
type params map[string][]*fhir.ParametersParameter

func indexParams(p *fhir.Parameters) params {
	m := params{}
	if p == nil {
		return m
	}
	for _, pp := range p.Parameter {
		name := lit(pp.Name)
		m[name] = append(m[name], pp)
	}
	return m
}

// str returns the primitive value of the named parameter, "" when absent.
func (m params) str(name string) (string, error) {
	list := m[name]
	if len(list) == 0 {
		return "", nil
	}
	if len(list) > 1 {
		return "", fmt.Errorf("%w: %s given more than once", ErrBadParameters, name)
	}
	pp := list[0]
	for _, v := range []interface{ Literal() (string, bool) }{
		nonNil(pp.ValueString), nonNil(pp.ValueCode), nonNil(pp.ValueURI), nonNil(pp.ValueCanonical),
		nonNil(pp.ValueURL), nonNil(pp.ValueBoolean), nonNil(pp.ValueInteger), nonNil(pp.ValueUnsignedInt),
		nonNil(pp.ValuePositiveInt), nonNil(pp.ValueID), nonNil(pp.ValueDateTime),
	} {
		if v != nil {
			if s, ok := v.Literal(); ok {
				return s, nil
			}
		}
	}
	return "", fmt.Errorf("%w: %s needs a primitive value", ErrBadParameters, name)
}

// nonNil turns a nil primitive pointer into a nil interface.
func nonNil[P interface {
	*T
	Literal() (string, bool)
}, T any](p P) interface{ Literal() (string, bool) } {
	if p == nil {
		return nil
	}
	return p
}

func (m params) boolean(name string) (bool, error) {
	s, err := m.str(name)
	if err != nil || s == "" {
		return false, err
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("%w: %s must be true or false", ErrBadParameters, name)
	}
	return b, nil
}

func (m params) integer(name string) (int, error) {
	s, err := m.str(name)
	if err != nil || s == "" {
		return 0, err
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: %s must be a non-negative integer", ErrBadParameters, name)
	}
	return n, nil
}

func (m params) coding(name string) (*Coding, error) {
	list := m[name]
	if len(list) == 0 {
		return nil, nil
	}
	if len(list) > 1 || list[0].ValueCoding == nil {
		return nil, fmt.Errorf("%w: %s must be one Coding", ErrBadParameters, name)
	}
	return fromCoding(list[0].ValueCoding), nil
}

// ValidateCodeRequest reads the in-parameters of $validate-code. codeSystem is true for
// CodeSystem/$validate-code, where url names the code system; for ValueSet/$validate-code
// url (with valueSetVersion) names the value set. instanceURL is the url of the resource the
// operation was invoked on at instance level ("" at type level).
func ValidateCodeRequest(p *fhir.Parameters, codeSystem bool, instanceURL string) (ValidateRequest, error) {
	m := indexParams(p)
	var req ValidateRequest
	url, err := m.str("url")
	if err != nil {
		return req, err
	}
	if instanceURL != "" {
		url = instanceURL
	}
	version, err := m.str("version")
	if err != nil {
		return req, err
	}
	if !codeSystem && url != "" {
		vsVersion, err := m.str("valueSetVersion")
		if err != nil {
			return req, err
		}
		req.ValueSet = canonicalOf(url, vsVersion)
	}
	if req.Abstract, err = m.boolean("abstract"); err != nil {
		return req, err
	}
	code, err := m.str("code")
	if err != nil {
		return req, err
	}
	system, err := m.str("system")
	if err != nil {
		return req, err
	}
	if codeSystem {
		system = url
	}
	display, err := m.str("display")
	if err != nil {
		return req, err
	}
	if code != "" {
		req.Codings = append(req.Codings, Coding{System: system, Version: version, Code: code, Display: display})
	}
	c, err := m.coding("coding")
	if err != nil {
		return req, err
	}
	if c != nil {
		req.Codings = append(req.Codings, *c)
	}
	if list := m["codeableConcept"]; len(list) > 0 {
		if len(list) > 1 || list[0].ValueCodeableConcept == nil {
			return req, fmt.Errorf("%w: codeableConcept must be one CodeableConcept", ErrBadParameters)
		}
		for _, fc := range list[0].ValueCodeableConcept.Coding {
			req.Codings = append(req.Codings, *fromCoding(fc))
		}
	}
	if len(req.Codings) == 0 {
		return req, fmt.Errorf("%w: give code (with system), coding or codeableConcept", ErrBadParameters)
	}
	if !codeSystem && req.ValueSet == "" {
		return req, fmt.Errorf("%w: url names the value set to validate against", ErrBadParameters)
	}
	return req, nil
}

// ValidateCodeParameters writes the out-parameters of $validate-code: result (true only
// when the code was found valid), message, display, and the issues as an OperationOutcome.
// A code that could not be validated gets result false with
// x-caused-by-unknown-system naming its system, the convention validators use for
// "not validated".
func ValidateCodeParameters(r *ValidateResult) *fhir.Parameters {
	p := &fhir.Parameters{}
	p.Parameter = append(p.Parameter, &fhir.ParametersParameter{Name: fhir.NewString("result"), ValueBoolean: fhir.NewBoolean(r.Verdict == Valid)})
	if msg := r.Message(); msg != "" {
		p.Parameter = append(p.Parameter, &fhir.ParametersParameter{Name: fhir.NewString("message"), ValueString: fhir.NewString(msg)})
	}
	if r.Display != "" {
		p.Parameter = append(p.Parameter, &fhir.ParametersParameter{Name: fhir.NewString("display"), ValueString: fhir.NewString(r.Display)})
	}
	if r.Coding.Code != "" {
		p.Parameter = append(p.Parameter, &fhir.ParametersParameter{Name: fhir.NewString("code"), ValueCode: fhir.NewCode(r.Coding.Code)})
	}
	if r.Coding.System != "" {
		p.Parameter = append(p.Parameter, &fhir.ParametersParameter{Name: fhir.NewString("system"), ValueURI: fhir.NewURI(r.Coding.System)})
	}
	if r.Verdict == NotValidated && r.Coding.System != "" {
		p.Parameter = append(p.Parameter, &fhir.ParametersParameter{Name: fhir.NewString("x-caused-by-unknown-system"), ValueCanonical: fhir.NewCanonical(r.Coding.System)})
	}
	if len(r.Issues) > 0 {
		p.Parameter = append(p.Parameter, &fhir.ParametersParameter{Name: fhir.NewString("issues"), Resource: OperationOutcome(r.Issues)})
	}
	return p
}

// OperationOutcome turns issues into an OperationOutcome resource.
func OperationOutcome(issues []Issue) *fhir.OperationOutcome {
	oo := &fhir.OperationOutcome{}
	for _, is := range issues {
		oo.Issue = append(oo.Issue, &fhir.OperationOutcomeIssue{
			Severity:    fhir.NewCode(is.Severity),
			Code:        fhir.NewCode(is.Code),
			Diagnostics: fhir.NewString(is.Message),
		})
	}
	return oo
}

// LookupRequest reads the in-parameters of $lookup: the coding and the properties asked
// for (nil for all).
func LookupRequest(p *fhir.Parameters) (Coding, []string, error) {
	m := indexParams(p)
	var c Coding
	var err error
	if c.Code, err = m.str("code"); err != nil {
		return c, nil, err
	}
	if c.System, err = m.str("system"); err != nil {
		return c, nil, err
	}
	if c.Version, err = m.str("version"); err != nil {
		return c, nil, err
	}
	if coding, err := m.coding("coding"); err != nil {
		return c, nil, err
	} else if coding != nil {
		c = *coding
	}
	if c.Code == "" || c.System == "" {
		return c, nil, fmt.Errorf("%w: give code and system, or coding", ErrBadParameters)
	}
	var props []string
	for _, pp := range m["property"] {
		if pp.ValueCode == nil {
			return c, nil, fmt.Errorf("%w: property must be a code", ErrBadParameters)
		}
		props = append(props, lit(pp.ValueCode))
	}
	return c, props, nil
}

// LookupParameters writes the out-parameters of $lookup.
func LookupParameters(r *LookupResult) *fhir.Parameters {
	p := &fhir.Parameters{}
	add := func(pp *fhir.ParametersParameter) { p.Parameter = append(p.Parameter, pp) }
	add(&fhir.ParametersParameter{Name: fhir.NewString("name"), ValueString: fhir.NewString(r.Name)})
	if r.Version != "" {
		add(&fhir.ParametersParameter{Name: fhir.NewString("version"), ValueString: fhir.NewString(r.Version)})
	}
	add(&fhir.ParametersParameter{Name: fhir.NewString("display"), ValueString: fhir.NewString(r.Display)})
	if r.Definition != "" {
		add(&fhir.ParametersParameter{Name: fhir.NewString("definition"), ValueString: fhir.NewString(r.Definition)})
	}
	if r.Abstract {
		add(&fhir.ParametersParameter{Name: fhir.NewString("abstract"), ValueBoolean: fhir.NewBoolean(true)})
	}
	for _, d := range r.Designations {
		pp := &fhir.ParametersParameter{Name: fhir.NewString("designation")}
		if d.Language != "" {
			pp.Part = append(pp.Part, &fhir.ParametersParameter{Name: fhir.NewString("language"), ValueCode: fhir.NewCode(d.Language)})
		}
		if d.Use != nil {
			pp.Part = append(pp.Part, &fhir.ParametersParameter{Name: fhir.NewString("use"), ValueCoding: toCoding(*d.Use)})
		}
		pp.Part = append(pp.Part, &fhir.ParametersParameter{Name: fhir.NewString("value"), ValueString: fhir.NewString(d.Value)})
		add(pp)
	}
	for _, pr := range r.Properties {
		pp := &fhir.ParametersParameter{Name: fhir.NewString("property")}
		pp.Part = append(pp.Part, &fhir.ParametersParameter{Name: fhir.NewString("code"), ValueCode: fhir.NewCode(pr.Code)})
		if v := propertyValue(pr); v != nil {
			pp.Part = append(pp.Part, v)
		}
		add(pp)
	}
	return p
}

// propertyValue is the value part of a $lookup property, typed as the property is.
func propertyValue(pr Property) *fhir.ParametersParameter {
	v := &fhir.ParametersParameter{Name: fhir.NewString("value")}
	switch pr.Type {
	case "code":
		v.ValueCode = fhir.NewCode(pr.Value)
	case "Coding":
		if pr.Coding == nil {
			return nil
		}
		v.ValueCoding = toCoding(*pr.Coding)
	case "boolean":
		b, err := strconv.ParseBool(pr.Value)
		if err != nil {
			return nil
		}
		v.ValueBoolean = fhir.NewBoolean(b)
	case "integer":
		n, err := strconv.ParseInt(pr.Value, 10, 64)
		if err != nil {
			return nil
		}
		v.ValueInteger = fhir.NewInteger(n)
	case "dateTime":
		v.ValueDateTime = fhir.NewDateTime(pr.Value)
	case "decimal":
		v.ValueDecimal = fhir.NewDecimal(pr.Value)
	default:
		v.ValueString = fhir.NewString(pr.Value)
	}
	return v
}

func toCoding(c Coding) *fhir.Coding {
	out := &fhir.Coding{}
	if c.System != "" {
		out.System = fhir.NewURI(c.System)
	}
	if c.Version != "" {
		out.Version = fhir.NewString(c.Version)
	}
	if c.Code != "" {
		out.Code = fhir.NewCode(c.Code)
	}
	if c.Display != "" {
		out.Display = fhir.NewString(c.Display)
	}
	return out
}

// ExpandRequestFrom reads the in-parameters of $expand. instanceURL is the url of the
// value set the operation was invoked on at instance level ("" at type level).
func ExpandRequestFrom(p *fhir.Parameters, instanceURL string) (ExpandRequest, error) {
	m := indexParams(p)
	var req ExpandRequest
	url, err := m.str("url")
	if err != nil {
		return req, err
	}
	if instanceURL != "" {
		url = instanceURL
	}
	version, err := m.str("valueSetVersion")
	if err != nil {
		return req, err
	}
	req.ValueSet = canonicalOf(url, version)
	if list := m["valueSet"]; len(list) > 0 {
		vs, ok := list[0].Resource.(*fhir.ValueSet)
		if len(list) > 1 || !ok {
			return req, fmt.Errorf("%w: valueSet must be one ValueSet resource", ErrBadParameters)
		}
		req.Inline = FromValueSet(vs)
	}
	if url == "" && req.Inline == nil {
		return req, fmt.Errorf("%w: give url or valueSet", ErrBadParameters)
	}
	if req.Filter, err = m.str("filter"); err != nil {
		return req, err
	}
	if req.Count, err = m.integer("count"); err != nil {
		return req, err
	}
	if req.Offset, err = m.integer("offset"); err != nil {
		return req, err
	}
	if req.ActiveOnly, err = m.boolean("activeOnly"); err != nil {
		return req, err
	}
	if req.IncludeDesignations, err = m.boolean("includeDesignations"); err != nil {
		return req, err
	}
	return req, nil
}

// ExpansionValueSet writes the result of $expand: the value set with its expansion.
func ExpansionValueSet(e *Expansion) *fhir.ValueSet {
	vs := &fhir.ValueSet{}
	set := func(v string, f func(string)) {
		if v != "" {
			f(v)
		}
	}
	set(e.ValueSet.URL, func(v string) { vs.URL = fhir.NewURI(v) })
	set(e.ValueSet.Version, func(v string) { vs.Version = fhir.NewString(v) })
	set(e.ValueSet.Name, func(v string) { vs.Name = fhir.NewString(v) })
	set(e.ValueSet.Title, func(v string) { vs.Title = fhir.NewString(v) })
	vs.Status = fhir.NewCode(e.ValueSet.Status)
	if e.ValueSet.Status == "" {
		vs.Status = fhir.NewCode("active")
	}
	x := &fhir.ValueSetExpansion{
		Identifier: fhir.NewURI(e.Identifier),
		Timestamp:  fhir.NewDateTime(e.Timestamp.UTC().Format(time.RFC3339)),
		Total:      fhir.NewInteger(int64(e.Total)),
		Offset:     fhir.NewInteger(int64(e.Offset)),
	}
	for _, p := range e.Parameters {
		ep := &fhir.ValueSetExpansionParameter{Name: fhir.NewString(p.Name)}
		switch p.Type {
		case "integer":
			n, _ := strconv.ParseInt(p.Value, 10, 64)
			ep.ValueInteger = fhir.NewInteger(n)
		case "boolean":
			ep.ValueBoolean = fhir.NewBoolean(p.Value == "true")
		case "uri":
			ep.ValueURI = fhir.NewURI(p.Value)
		default:
			ep.ValueString = fhir.NewString(p.Value)
		}
		x.Parameter = append(x.Parameter, ep)
	}
	for _, c := range e.Contains {
		fc := &fhir.ValueSetExpansionContains{System: fhir.NewURI(c.System), Code: fhir.NewCode(c.Code)}
		set(c.Version, func(v string) { fc.Version = fhir.NewString(v) })
		set(c.Display, func(v string) { fc.Display = fhir.NewString(v) })
		if c.Abstract {
			fc.Abstract = fhir.NewBoolean(true)
		}
		if c.Inactive {
			fc.Inactive = fhir.NewBoolean(true)
		}
		for _, d := range c.Designations {
			fd := &fhir.ValueSetComposeIncludeConceptDesignation{Value: fhir.NewString(d.Value)}
			set(d.Language, func(v string) { fd.Language = fhir.NewCode(v) })
			if d.Use != nil {
				fd.Use = toCoding(*d.Use)
			}
			fc.Designation = append(fc.Designation, fd)
		}
		x.Contains = append(x.Contains, fc)
	}
	vs.Expansion = x
	return vs
}

// SubsumesRequest reads the in-parameters of $subsumes: system, version and the two codes
// (codeA/codeB, or codingA/codingB). instanceURL is the url of the code system the
// operation was invoked on at instance level ("" at type level).
func SubsumesRequest(p *fhir.Parameters, instanceURL string) (system, version, codeA, codeB string, err error) {
	m := indexParams(p)
	if system, err = m.str("system"); err != nil {
		return
	}
	if instanceURL != "" {
		system = instanceURL
	}
	if version, err = m.str("version"); err != nil {
		return
	}
	if codeA, err = m.str("codeA"); err != nil {
		return
	}
	if codeB, err = m.str("codeB"); err != nil {
		return
	}
	for _, x := range []struct {
		name string
		code *string
	}{{"codingA", &codeA}, {"codingB", &codeB}} {
		c, cerr := m.coding(x.name)
		if cerr != nil {
			return "", "", "", "", cerr
		}
		if c == nil {
			continue
		}
		if system == "" {
			system = c.System
		}
		if c.System != system {
			return "", "", "", "", fmt.Errorf("%w: %s is not from %s", ErrBadParameters, x.name, system)
		}
		*x.code = c.Code
	}
	if system == "" || codeA == "" || codeB == "" {
		return "", "", "", "", fmt.Errorf("%w: give system with codeA and codeB, or codingA and codingB", ErrBadParameters)
	}
	return system, version, codeA, codeB, nil
}

// SubsumesParameters writes the out-parameter of $subsumes.
func SubsumesParameters(outcome string) *fhir.Parameters {
	return &fhir.Parameters{Parameter: []*fhir.ParametersParameter{{Name: fhir.NewString("outcome"), ValueCode: fhir.NewCode(outcome)}}}
}
