package fhirpathpatch

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/joinedup/joinedup/fhir"
)

// Diff generates a FHIRPath Patch that turns old into new (two versions of one resource):
// changed primitives are replaced, missing elements added, surplus ones deleted, and
// longer or shorter lists get inserts or deletes at their ends. It does not look for
// moves: a reordered list comes out as replacements.
func Diff(old, new fhir.Resource) (*fhir.Parameters, error) {
	if old.ResourceType() != new.ResourceType() {
		return nil, fail("cannot diff a %s against a %s", old.ResourceType(), new.ResourceType())
	}
	d := &differ{out: &fhir.Parameters{}}
	if err := d.diff(old.ResourceType(), old, new); err != nil {
		return nil, err
	}
	return d.out, nil
}

type differ struct {
	out *fhir.Parameters
}

// children groups an element's children by name, in specification order.
func children(e fhir.Element) (names []string, items map[string][]fhir.Element) {
	items = map[string][]fhir.Element{}
	e.EachChild(func(name string, c fhir.Element) bool {
		if _, seen := items[name]; !seen {
			names = append(names, name)
		}
		items[name] = append(items[name], c)
		return true
	})
	return names, items
}

// typeDef is the meta-model definition of an element's type.
func typeDef(e fhir.Element) *fhir.TypeDef {
	if b, ok := e.(fhir.Backbone); ok {
		return fhir.LookupType(b.DefinitionPath())
	}
	return fhir.LookupType(e.FHIRType())
}

func (d *differ) diff(path string, old, new fhir.Element) error {
	oldNames, oldItems := children(old)
	newNames, newItems := children(new)
	names := append([]string(nil), newNames...)
	for _, n := range oldNames {
		if _, ok := newItems[n]; !ok {
			names = append(names, n)
		}
	}
	td := typeDef(new)
	_, isExt := new.(*fhir.Extension)
	for _, name := range names {
		if _, res := new.(fhir.Resource); (name == "id" && !res) || (name == "url" && isExt) {
			// Element ids and Extension.url are not elements a path can reach: a change
			// shows as a replacement of their element (see change).
			continue
		}
		list, step, base := false, name, name
		if td != nil {
			if ed := td.Element(name); ed != nil {
				list = ed.Max != 1
				if ed.Choice {
					// FHIRPath names a choice by its base name and the type.
					base = ed.Name
					for _, tr := range ed.Types {
						if strings.EqualFold(tr.Code, name[len(ed.Name):]) {
							step = ed.Name + ".ofType(" + tr.Code + ")"
						}
					}
				}
			}
		}
		o, n := oldItems[name], newItems[name]
		if !list {
			switch {
			case len(o) == 0:
				if err := d.add(path, base, n[0]); err != nil {
					return err
				}
			case len(n) == 0:
				d.op("delete", path+"."+step, nil)
			default:
				if err := d.change(path+"."+step, o[0], n[0]); err != nil {
					return err
				}
			}
			continue
		}
		common := min(len(o), len(n))
		for i := 0; i < common; i++ {
			if err := d.change(path+"."+name+"["+strconv.Itoa(i)+"]", o[i], n[i]); err != nil {
				return err
			}
		}
		for i := common; i < len(n); i++ {
			if err := d.insert(path+"."+name, i, n[i]); err != nil {
				return err
			}
		}
		for i := len(o) - 1; i >= common; i-- {
			d.op("delete", path+"."+name+"["+strconv.Itoa(i)+"]", nil)
		}
	}
	return nil
}

// change patches old into new at path: a replacement for primitives, resources and
// elements whose id differs, else the differences inside.
func (d *differ) change(path string, old, new fhir.Element) error {
	if equal(old, new) {
		return nil
	}
	_, prim := new.(fhir.Primitive)
	_, res := new.(fhir.Resource)
	if prim || res || elementID(old) != elementID(new) || extensionURL(old) != extensionURL(new) || typeDef(new) == nil {
		return d.replace(path, new)
	}
	return d.diff(path, old, new)
}

func extensionURL(e fhir.Element) string {
	if x, ok := e.(*fhir.Extension); ok {
		return x.URL
	}
	return ""
}

func elementID(e fhir.Element) string {
	v := reflect.ValueOf(e)
	if v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
		if f := v.Elem().FieldByName("ID"); f.IsValid() && f.Kind() == reflect.String {
			return f.String()
		}
	}
	return ""
}

// equal compares two elements by content.
func equal(a, b fhir.Element) bool {
	if a.FHIRType() != b.FHIRType() {
		return false
	}
	if pa, ok := a.(fhir.Primitive); ok {
		pb := b.(fhir.Primitive)
		la, oka := pa.Literal()
		lb, okb := pb.Literal()
		if la != lb || oka != okb {
			return false
		}
	}
	if elementID(a) != elementID(b) {
		return false
	}
	var ca, cb []fhir.Element
	var na, nb []string
	a.EachChild(func(n string, c fhir.Element) bool { na, ca = append(na, n), append(ca, c); return true })
	b.EachChild(func(n string, c fhir.Element) bool { nb, cb = append(nb, n), append(cb, c); return true })
	if len(ca) != len(cb) {
		return false
	}
	for i := range ca {
		if na[i] != nb[i] || !equal(ca[i], cb[i]) {
			return false
		}
	}
	return true
}

func (d *differ) op(typ, path string, extra []*fhir.ParametersParameter) {
	parts := []*fhir.ParametersParameter{
		{Name: fhir.NewString("type"), ValueCode: fhir.NewCode(typ)},
		{Name: fhir.NewString("path"), ValueString: fhir.NewString(path)},
	}
	d.out.Parameter = append(d.out.Parameter, &fhir.ParametersParameter{
		Name: fhir.NewString("operation"),
		Part: append(parts, extra...),
	})
}

func (d *differ) add(path, name string, v fhir.Element) error {
	val, err := valuePart(v)
	if err != nil {
		return err
	}
	d.op("add", path, []*fhir.ParametersParameter{{Name: fhir.NewString("name"), ValueString: fhir.NewString(name)}, val})
	return nil
}

func (d *differ) insert(path string, index int, v fhir.Element) error {
	val, err := valuePart(v)
	if err != nil {
		return err
	}
	i := int64(index)
	d.op("insert", path, []*fhir.ParametersParameter{{Name: fhir.NewString("index"), ValueInteger: &fhir.Integer{Value: &i}}, val})
	return nil
}

func (d *differ) replace(path string, v fhir.Element) error {
	val, err := valuePart(v)
	if err != nil {
		return err
	}
	d.op("replace", path, []*fhir.ParametersParameter{val})
	return nil
}

// valuePart is the "value" part carrying v: value[x] of v's type, resource for a
// resource, or parts for a backbone element (which has no type of its own).
func valuePart(v fhir.Element) (*fhir.ParametersParameter, error) {
	p := &fhir.ParametersParameter{Name: fhir.NewString("value")}
	if r, ok := v.(fhir.Resource); ok {
		p.Resource = r
		return p, nil
	}
	f := reflect.ValueOf(p).Elem().FieldByNameFunc(func(n string) bool {
		return strings.EqualFold(n, "value"+v.FHIRType())
	})
	if f.IsValid() && reflect.TypeOf(v).AssignableTo(f.Type()) {
		f.Set(reflect.ValueOf(v))
		return p, nil
	}
	if _, prim := v.(fhir.Primitive); !prim {
		// Backbone elements have no type of their own, and Extension is not among
		// Parameters' value types: both go part by part.
		var err error
		v.EachChild(func(name string, c fhir.Element) bool {
			var part *fhir.ParametersParameter
			if part, err = valuePart(c); err == nil {
				part.Name = fhir.NewString(name)
				p.Part = append(p.Part, part)
			}
			return err == nil
		})
		return p, err
	}
	if v.FHIRType() == "xhtml" {
		// Not among Parameters' value types either: the text goes as a string, which
		// the patch turns back into xhtml where it lands.
		lit, _ := v.(fhir.Primitive).Literal()
		p.ValueString = fhir.NewString(lit)
		return p, nil
	}
	return nil, fmt.Errorf("FHIRPath Patch: a %s cannot be carried as a value", v.FHIRType())
}
