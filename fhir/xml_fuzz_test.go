package fhir

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadXML: the XML reader never panics, and whatever it accepts writes back as XML
// that reads to the same resource.
//
//	go test ./fhir -run '^$' -fuzz FuzzReadXML -fuzztime 60s -fuzzminimizetime 50x
func FuzzReadXML(f *testing.F) {
	seeds := []string{
		`<Patient xmlns="http://hl7.org/fhir"><id value="a"/><active value="true"/></Patient>`,
		`<Patient xmlns="http://hl7.org/fhir"><name><given value="A"/><given id="x"><extension url="u"><valueString value="v"/></extension></given></name></Patient>`,
		`<Observation xmlns="http://hl7.org/fhir"><status value="final"/><code><text value="t"/></code><valueQuantity><value value="1.50e3"/></valueQuantity></Observation>`,
		`<Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><p>a &amp; b<![CDATA[<c>]]></p></div></text></Patient>`,
		`<Patient xmlns="http://hl7.org/fhir"><contained><Organization><id value="o"/></Organization></contained><managingOrganization><reference value="#o"/></managingOrganization></Patient>`,
		`<?xml version="1.0" encoding="UTF-8"?><!-- c --><f:Patient xmlns:f="http://hl7.org/fhir"><f:gender value="male"/><?pi x?></f:Patient>`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	for _, dir := range []string{"tests/examples", "fhir/uk-core/xml/examples"} {
		files, _ := filepath.Glob(filepath.Join("..", "..", "shared", dir, "*.xml"))
		for i, p := range files {
			if i >= 20 {
				break
			}
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseResourceXML(data)
		if err != nil {
			return
		}
		js, err := MarshalResource(r)
		if err != nil {
			t.Fatalf("accepted but cannot write JSON: %v", err)
		}
		x, err := MarshalResourceXML(r)
		if err != nil {
			t.Fatalf("accepted but cannot write XML: %v", err)
		}
		r2, err := ParseResourceXML(x)
		if err != nil {
			t.Fatalf("written XML does not read back: %v\n%s", err, x)
		}
		js2, err := MarshalResource(r2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(js, js2) {
			t.Fatalf("read back differently:\n%s\n%s", js, js2)
		}
	})
}
