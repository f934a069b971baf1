package fhirpath

import "testing"

func TestMarshalCollection(t *testing.T) {
	p := mustParse(t, `{"resourceType":"Patient","id":"x",
		"birthDate":"1974-12-25","_birthDate":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-birthTime","valueDateTime":"1974-12-25T14:35:45-05:00"}]},
		"name":[{"family":"Chalmers","given":["Peter",null],"_given":[null,{"extension":[{"url":"http://example.org/x","valueCode":"y"}]}]}],
		"contact":[{"name":{"text":"Bénédicte"},"gender":"female"}],
		"contained":[{"resourceType":"Organization","id":"o","active":true}]}`)
	tests := []struct{ expr, want string }{
		{"birthDate", `[{"type":"date","value":"1974-12-25"}]`},
		{"name", `[{"type":"HumanName","value":{"family":"Chalmers","given":["Peter",null],"_given":[null,{"extension":[{"url":"http://example.org/x","valueCode":"y"}]}]}}]`},
		{"name.given[1]", `[{"type":"string","value":{"extension":[{"url":"http://example.org/x","valueCode":"y"}]}}]`},
		{"contact", `[{"type":"BackboneElement","value":{"name":{"text":"Bénédicte"},"gender":"female"}}]`},
		{"contained", `[{"type":"Organization","value":{"resourceType":"Organization","id":"o","active":true}}]`},
		{"birthDate.extension.value", `[{"type":"dateTime","value":"1974-12-25T14:35:45-05:00"}]`},
		{"Patient.birthDate.extension", `[{"type":"Extension","value":{"url":"http://hl7.org/fhir/StructureDefinition/patient-birthTime","valueDateTime":"1974-12-25T14:35:45-05:00"}}]`},
		{"name.type()", `[{"type":"TypeInfo","value":{"namespace":"FHIR","name":"HumanName"}}]`},
		{"@T10:30:00.5", `[{"type":"time","value":"10:30:00.5"}]`},
		{"birthDate.getValue()", `[{"type":"date","value":"1974-12-25"}]`},
		{"name.given.getValue()", `[]`},
		{"name.given.first().getValue()", `[{"type":"string","value":"Peter"}]`},
	}
	for _, tt := range tests {
		got, err := MustCompile(tt.expr).Evaluate(nil, p)
		if err != nil {
			t.Errorf("%s: %v", tt.expr, err)
			continue
		}
		if s := render(t, got); s != tt.want {
			t.Errorf("%s\n got  %s\n want %s", tt.expr, s, tt.want)
		}
	}
}
