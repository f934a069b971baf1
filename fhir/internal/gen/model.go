package main

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// The model built from the StructureDefinitions is independent of the output format: the
// JSON codec, the Element interface and the meta-model are emitted from it, and an XML codec
// can be emitted from the same Type/Elem/Field tables.

// kind of a generated type.
type kind int

const (
	kPrimitive kind = iota + 1
	kComplex
	kResource
	kBackbone
	kAbstract // Element, BackboneElement, Resource, DomainResource: meta-model only
)

// Type is one FHIR type, or one backbone element named by its definition path.
type Type struct {
	Name     string // FHIR name, or definition path for backbone elements
	GoName   string
	Kind     kind
	Base     string // base type name
	Abstract bool
	URL      string
	FHIRType string // what FHIRType() reports: the type name, or BackboneElement/Element
	Regex    string
	Short    string
	// Constraints are the invariants of the root element.
	Constraints []constraint
	File        string // output file stem
	Elems       []*Elem
	Prim        *primInfo
}

// Elem is one element definition, a direct child of its Type.
type Elem struct {
	Path             string
	Name             string // without [x]
	Min, Max         int
	Types            []typeRef
	Choice           bool
	ContentReference string
	Backbone         string // definition path of an inline element
	Binding          *binding
	Constraints      []constraint
	IsModifier       bool
	IsSummary        bool
	MaxLength        int
	Short            string
	Fields           []*Field // Go fields: one per allowed type for a choice; none when max is 0
}

// Field is one Go struct field and JSON member.
type Field struct {
	GoName   string
	JSONName string
	GoType   string // Go type name without pointer: "String", "HumanName", "Resource"
	Kind     fieldKind
	List     bool
}

type fieldKind int

const (
	fPrimitive fieldKind = iota + 1 // *String etc: value + _name
	fComplex                        // *HumanName, backbone
	fResource                       // Resource interface
	fPlainID                        // Element.id: JSON string, Go string
	fPlainURI                       // Extension.url: JSON string, Go string
)

type typeRef struct {
	Code          string
	Profiles      []string
	TargetProfile []string
}

type binding struct{ Strength, ValueSet string }

type constraint struct{ Key, Severity, Human, Expression, XPath string }

// primInfo describes how a primitive type is read and written.
type primInfo struct {
	FHIR    string // "boolean"
	GoValue string // "bool", "int64", "string"
	JSON    string // "bool", "number", "string"
	Check   string // validator function name, "" when the JSON kind is the whole check
}

var primitives = map[string]*primInfo{
	"boolean":      {GoValue: "bool", JSON: "bool"},
	"integer":      {GoValue: "int64", JSON: "number", Check: "checkInteger"},
	"unsignedInt":  {GoValue: "int64", JSON: "number", Check: "checkUnsignedInt"},
	"positiveInt":  {GoValue: "int64", JSON: "number", Check: "checkPositiveInt"},
	"decimal":      {GoValue: "string", JSON: "number"},
	"string":       {GoValue: "string", JSON: "string", Check: "checkString"},
	"markdown":     {GoValue: "string", JSON: "string", Check: "checkString"},
	"xhtml":        {GoValue: "string", JSON: "string", Check: "checkString"},
	"code":         {GoValue: "string", JSON: "string", Check: "checkCode"},
	"id":           {GoValue: "string", JSON: "string", Check: "checkID"},
	"uri":          {GoValue: "string", JSON: "string", Check: "checkURI"},
	"url":          {GoValue: "string", JSON: "string", Check: "checkURI"},
	"canonical":    {GoValue: "string", JSON: "string", Check: "checkURI"},
	"oid":          {GoValue: "string", JSON: "string", Check: "checkOID"},
	"uuid":         {GoValue: "string", JSON: "string", Check: "checkUUID"},
	"base64Binary": {GoValue: "string", JSON: "string", Check: "checkBase64"},
	"date":         {GoValue: "string", JSON: "string", Check: "checkDate"},
	"dateTime":     {GoValue: "string", JSON: "string", Check: "checkDateTime"},
	"instant":      {GoValue: "string", JSON: "string", Check: "checkInstant"},
	"time":         {GoValue: "string", JSON: "string", Check: "checkTime"},
}

// primGoNames are the Go names fixed by the model conventions.
var primGoNames = map[string]string{
	"boolean": "Boolean", "integer": "Integer", "decimal": "Decimal", "string": "String",
	"uri": "URI", "url": "URL", "canonical": "Canonical", "base64Binary": "Base64Binary",
	"instant": "Instant", "date": "Date", "dateTime": "DateTime", "time": "Time", "code": "Code",
	"oid": "OID", "id": "ID", "markdown": "Markdown", "unsignedInt": "UnsignedInt",
	"positiveInt": "PositiveInt", "uuid": "UUID", "xhtml": "XHTML",
}

// Model is everything the emitters need.
type Model struct {
	Types        []*Type          // in output order
	ByName       map[string]*Type // FHIR name or backbone path
	Resources    []string         // concrete resource type names, sorted
	SearchParams []map[string]any
}

type rawSD map[string]any

func readBundle(dir, name string) ([]map[string]any, error) {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return nil, fmt.Errorf("open definitions: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var b struct {
		Entry []struct {
			Resource map[string]any `json:"resource"`
		} `json:"entry"`
	}
	dec := json.NewDecoder(zr)
	dec.UseNumber()
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	out := make([]map[string]any, 0, len(b.Entry))
	for _, e := range b.Entry {
		out = append(out, e.Resource)
	}
	return out, nil
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func list(m map[string]any, k string) []any {
	l, _ := m[k].([]any)
	return l
}

func strList(m map[string]any, k string) []string {
	var out []string
	for _, v := range list(m, k) {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func extString(m map[string]any, url, key string) string {
	for _, e := range list(m, "extension") {
		em, _ := e.(map[string]any)
		if str(em, "url") == url {
			return str(em, key)
		}
	}
	return ""
}

func loadModel(dir string) (*Model, error) {
	types, err := readBundle(dir, "profiles-types.json.gz")
	if err != nil {
		return nil, err
	}
	resources, err := readBundle(dir, "profiles-resources.json.gz")
	if err != nil {
		return nil, err
	}
	sps, err := readBundle(dir, "search-parameters.json.gz")
	if err != nil {
		return nil, err
	}
	m := &Model{ByName: map[string]*Type{}}
	for _, sd := range append(types, resources...) {
		if str(sd, "resourceType") != "StructureDefinition" || str(sd, "kind") == "logical" {
			continue
		}
		if err := m.addSD(sd); err != nil {
			return nil, err
		}
	}
	for _, sp := range sps {
		if str(sp, "resourceType") == "SearchParameter" {
			m.SearchParams = append(m.SearchParams, sp)
		}
	}
	sort.Strings(m.Resources)
	if err := m.resolveFields(); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) add(t *Type) error {
	if _, dup := m.ByName[t.Name]; dup {
		return fmt.Errorf("duplicate type %s", t.Name)
	}
	m.ByName[t.Name] = t
	m.Types = append(m.Types, t)
	return nil
}

func (m *Model) addSD(sd map[string]any) error {
	name := str(sd, "name")
	kindS := str(sd, "kind")
	abstract, _ := sd["abstract"].(bool)
	base := str(sd, "baseDefinition")
	base = base[strings.LastIndex(base, "/")+1:]
	t := &Type{Name: name, GoName: name, Base: base, Abstract: abstract, URL: str(sd, "url"), FHIRType: name}
	switch {
	case kindS == "primitive-type":
		t.Kind = kPrimitive
		t.GoName = primGoNames[name]
		t.Prim = primitives[name]
		t.Prim.FHIR = name
		t.File = "primitives"
	case abstract:
		t.Kind = kAbstract
		t.File = "abstract"
	case kindS == "resource":
		t.Kind = kResource
		t.File = strings.ToLower(name)
		m.Resources = append(m.Resources, name)
	default:
		t.Kind = kComplex
		t.File = "datatypes"
		if name == "Element" || name == "BackboneElement" {
			t.Kind = kAbstract
			t.File = "abstract"
		}
	}
	if t.GoName == "" {
		return fmt.Errorf("no Go name for primitive %s", name)
	}
	if err := m.add(t); err != nil {
		return err
	}
	snap, _ := sd["snapshot"].(map[string]any)
	// Constraint profiles (SimpleQuantity) keep their base type's paths ("Quantity.value").
	root := str(sd, "type")
	byPath := map[string]*Type{root: t}
	for _, raw := range list(snap, "element") {
		ed := raw.(map[string]any)
		path := str(ed, "path")
		if path == root {
			t.Short = str(ed, "short")
			t.Constraints = parseConstraints(ed)
			continue
		}
		parentPath := path[:strings.LastIndex(path, ".")]
		parent := byPath[parentPath]
		if parent == nil {
			return fmt.Errorf("%s: parent %s not found", path, parentPath)
		}
		e, err := parseElem(ed)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if t.Kind == kPrimitive && e.Name == "value" {
			for _, ty := range list(ed, "type") {
				if r := extString(ty.(map[string]any), "http://hl7.org/fhir/StructureDefinition/regex", "valueString"); r != "" {
					t.Regex = r
				}
			}
		}
		parent.Elems = append(parent.Elems, e)
		if len(e.Types) == 1 && (e.Types[0].Code == "BackboneElement" || e.Types[0].Code == "Element") && e.ContentReference == "" {
			bb := &Type{
				Name: strings.TrimSuffix(path, "[x]"), Kind: kBackbone, Base: e.Types[0].Code,
				FHIRType: e.Types[0].Code, File: t.File, Short: e.Short, Constraints: e.Constraints,
			}
			if t.Kind == kAbstract {
				bb.Kind = kAbstract
			}
			bb.GoName = camelPath(bb.Name)
			e.Backbone = bb.Name
			byPath[path] = bb
			if err := m.add(bb); err != nil {
				return err
			}
		}
	}
	return nil
}

func camelPath(p string) string {
	var b strings.Builder
	for _, s := range strings.Split(p, ".") {
		b.WriteString(upperFirst(s))
	}
	return b.String()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func parseElem(ed map[string]any) (*Elem, error) {
	path := str(ed, "path")
	name := path[strings.LastIndex(path, ".")+1:]
	e := &Elem{Path: path, Name: strings.TrimSuffix(name, "[x]"), Choice: strings.HasSuffix(name, "[x]")}
	e.Min = int(num(ed["min"]))
	switch mx := str(ed, "max"); mx {
	case "*":
		e.Max = -1
	default:
		n, err := strconv.Atoi(mx)
		if err != nil {
			return nil, fmt.Errorf("max %q: %w", mx, err)
		}
		e.Max = n
	}
	for _, raw := range list(ed, "type") {
		tm := raw.(map[string]any)
		code := str(tm, "code")
		if strings.HasPrefix(code, "http://hl7.org/fhirpath/System.") {
			if ft := extString(tm, "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type", "valueUrl"); ft != "" && name != "value" {
				code = ft
			}
		}
		e.Types = append(e.Types, typeRef{Code: code, Profiles: strList(tm, "profile"), TargetProfile: strList(tm, "targetProfile")})
	}
	e.ContentReference = str(ed, "contentReference")
	if b, ok := ed["binding"].(map[string]any); ok {
		e.Binding = &binding{Strength: str(b, "strength"), ValueSet: str(b, "valueSet")}
	}
	e.Constraints = parseConstraints(ed)
	e.IsModifier, _ = ed["isModifier"].(bool)
	e.IsSummary, _ = ed["isSummary"].(bool)
	e.MaxLength = int(num(ed["maxLength"]))
	e.Short = str(ed, "short")
	return e, nil
}

func parseConstraints(ed map[string]any) []constraint {
	var out []constraint
	for _, raw := range list(ed, "constraint") {
		c := raw.(map[string]any)
		out = append(out, constraint{str(c, "key"), str(c, "severity"), str(c, "human"), str(c, "expression"), str(c, "xpath")})
	}
	return out
}

func num(v any) int64 {
	if n, ok := v.(json.Number); ok {
		i, _ := n.Int64()
		return i
	}
	return 0
}

// goFieldName applies the model conventions: capitalise, and spell the initialisms id, url
// and uri the Go way when they end the name (versionId → VersionID).
func goFieldName(s string) string {
	s = upperFirst(s)
	for _, in := range []string{"Id", "Url", "Uri"} {
		if strings.HasSuffix(s, in) {
			return s[:len(s)-len(in)] + strings.ToUpper(in)
		}
	}
	return s
}

// resolveFields decides the Go fields of every element.
func (m *Model) resolveFields() error {
	for _, t := range m.Types {
		if t.Kind == kPrimitive || t.Kind == kAbstract {
			continue
		}
		seen := map[string]bool{}
		for _, e := range t.Elems {
			if e.Max == 0 {
				continue
			}
			list := e.Max != 1
			switch {
			case e.Name == "id" && t.Kind == kResource:
				e.Fields = []*Field{{GoName: "ID", JSONName: "id", GoType: "ID", Kind: fPrimitive}}
			case e.Name == "id":
				e.Fields = []*Field{{GoName: "ID", JSONName: "id", GoType: "string", Kind: fPlainID}}
			case t.Name == "Extension" && e.Name == "url":
				e.Fields = []*Field{{GoName: "URL", JSONName: "url", GoType: "string", Kind: fPlainURI}}
			case e.ContentReference != "":
				target := m.ByName[strings.TrimPrefix(e.ContentReference, "#")]
				if target == nil {
					return fmt.Errorf("%s: content reference %s not found", e.Path, e.ContentReference)
				}
				e.Fields = []*Field{{GoName: goFieldName(e.Name), JSONName: e.Name, GoType: target.GoName, Kind: fComplex, List: list}}
			case e.Backbone != "":
				e.Fields = []*Field{{GoName: goFieldName(e.Name), JSONName: e.Name, GoType: m.ByName[e.Backbone].GoName, Kind: fComplex, List: list}}
			default:
				for _, tr := range e.Types {
					f := &Field{GoName: goFieldName(e.Name), JSONName: e.Name, List: list}
					switch {
					case tr.Code == "Resource":
						f.GoType, f.Kind = "Resource", fResource
					case primitives[tr.Code] != nil:
						f.GoType, f.Kind = primGoNames[tr.Code], fPrimitive
					case m.ByName[tr.Code] != nil:
						f.GoType, f.Kind = m.ByName[tr.Code].GoName, fComplex
					default:
						return fmt.Errorf("%s: unknown type %s", e.Path, tr.Code)
					}
					if e.Choice {
						f.JSONName = e.Name + upperFirst(tr.Code)
						f.GoName = upperFirst(e.Name) + f.GoType
					}
					e.Fields = append(e.Fields, f)
				}
			}
			for _, f := range e.Fields {
				if seen[f.GoName] || seen["json:"+f.JSONName] {
					return fmt.Errorf("%s: field %s clashes", t.Name, f.GoName)
				}
				seen[f.GoName], seen["json:"+f.JSONName] = true, true
			}
		}
	}
	goNames := map[string]string{}
	for _, t := range m.Types {
		if t.Kind == kAbstract {
			continue
		}
		if other, dup := goNames[t.GoName]; dup {
			return fmt.Errorf("Go type %s used by %s and %s", t.GoName, other, t.Name)
		}
		goNames[t.GoName] = t.Name
	}
	return nil
}
