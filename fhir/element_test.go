package fhir

import (
	"slices"
	"testing"
)

func TestElementInterface(t *testing.T) {
	r, err := ParseResource([]byte(`{"resourceType":"Observation","id":"o1","extension":[{"url":"http://x","valueString":"e"}],"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"1-8"}]},"valueQuantity":{"value":1.50,"unit":"mg"},"component":[{"code":{"text":"c"},"valueString":"s"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	r.EachChild(func(name string, _ Element) bool {
		names = append(names, name)
		return true
	})
	if want := []string{"id", "extension", "status", "code", "valueQuantity", "component"}; !slices.Equal(names, want) {
		t.Errorf("EachChild names %v, want %v", names, want)
	}
	var n int
	if r.EachChild(func(string, Element) bool { n++; return n < 2 }) || n != 2 {
		t.Errorf("EachChild did not stop early (%d calls)", n)
	}
	tests := []struct {
		name     string
		wantType []string
	}{
		{"value", []string{"Quantity"}},
		{"valueQuantity", []string{"Quantity"}},
		{"valueString", nil},
		{"status", []string{"code"}},
		{"extension", []string{"Extension"}},
		{"component", []string{"BackboneElement"}},
		{"nothing", nil},
	}
	for _, tc := range tests {
		var got []string
		for _, c := range r.Children(tc.name, nil) {
			got = append(got, c.FHIRType())
		}
		if !slices.Equal(got, tc.wantType) {
			t.Errorf("Children(%q) types %v, want %v", tc.name, got, tc.wantType)
		}
	}
	q := r.Children("value", nil)[0].Children("value", nil)[0].(Primitive)
	if lit, ok := q.Literal(); !ok || lit != "1.50" || q.FHIRType() != "decimal" {
		t.Errorf("Quantity.value literal %q %v", lit, ok)
	}
	comp := r.Children("component", nil)[0].(Backbone)
	if comp.DefinitionPath() != "Observation.component" {
		t.Errorf("DefinitionPath %q", comp.DefinitionPath())
	}
	ext := r.Children("extension", nil)[0]
	if url := ext.Children("url", nil); len(url) != 1 || url[0].FHIRType() != "uri" {
		t.Errorf("Extension.url children %v", url)
	}
}

func TestResourceHelpers(t *testing.T) {
	p := &Patient{Name: []*HumanName{{Family: NewString("Smith"), Given: []*String{NewString("Ann")}}}, Active: NewBoolean(true)}
	p.SetResourceID("abc")
	p.SetResourceMeta(&Meta{VersionID: NewID("3"), LastUpdated: NewInstant("2024-01-02T03:04:05Z")})
	if p.ResourceID() != "abc" || p.ResourceMeta().VersionID == nil {
		t.Fatalf("id %q meta %+v", p.ResourceID(), p.ResourceMeta())
	}
	out, err := MarshalResource(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"resourceType":"Patient","id":"abc","meta":{"versionId":"3","lastUpdated":"2024-01-02T03:04:05Z"},"active":true,"name":[{"family":"Smith","given":["Ann"]}]}`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	p.SetResourceID("")
	if p.ID != nil || p.ResourceID() != "" {
		t.Errorf("SetResourceID(\"\") left %+v", p.ID)
	}
	back, err := Parse[*Patient](out)
	if err != nil || back.ResourceID() != "abc" {
		t.Fatalf("Parse[*Patient]: %v %v", back, err)
	}
	if _, err := Parse[*Observation](out); err == nil {
		t.Error("Parse[*Observation] accepted a Patient")
	}
	if _, err := MarshalResource(&Observation{ValueQuantity: &Quantity{Value: NewDecimal("1,5")}}); err == nil {
		t.Error("marshalled an invalid decimal literal")
	}
	if _, err := MarshalResource(&Patient{MultipleBirthInteger: NewInteger(1 << 31)}); err == nil {
		t.Error("marshalled an integer out of 32-bit range")
	}
	if _, err := MarshalResource(&Patient{Photo: []*Attachment{{Size: NewUnsignedInt(-1)}}}); err == nil {
		t.Error("marshalled a negative unsignedInt")
	}
	ind, err := MarshalResourceIndent(&Basic{Code: &CodeableConcept{Text: NewString("x")}}, "", "  ")
	if err != nil || string(ind) != "{\n  \"resourceType\": \"Basic\",\n  \"code\": {\n    \"text\": \"x\"\n  }\n}" {
		t.Errorf("indent: %q %v", ind, err)
	}
}
