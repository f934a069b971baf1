package fhir

import (
	"errors"
	"strings"
	"testing"
)

const fns = ` xmlns="http://hl7.org/fhir"`

// TestXMLRead: what the reader accepts, and the JSON it makes of it.
func TestXMLRead(t *testing.T) {
	cases := []struct {
		name, xml, json string
	}{
		{"primitive values", `<Patient` + fns + `><id value="p1"/><active value="true"/><birthDate value="1970-01-02"/></Patient>`,
			`{"resourceType":"Patient","id":"p1","active":true,"birthDate":"1970-01-02"}`},
		{"decimal as written", `<Observation` + fns + `><status value="final"/><code><text value="x"/></code><valueQuantity><value value="1.50e-3"/></valueQuantity></Observation>`,
			`{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1.50e-3}}`},
		{"primitive id and extension, repeating with gaps", `<Patient` + fns + `><name><given value="A"/><given id="g"><extension url="http://e"><valueCode value="c"/></extension></given><given value="C"/></name></Patient>`,
			`{"resourceType":"Patient","name":[{"given":["A",null,"C"],"_given":[null,{"id":"g","extension":[{"url":"http://e","valueCode":"c"}]},null]}]}`},
		{"element id attribute", `<Patient` + fns + `><name id="n1"><family value="F"/></name></Patient>`,
			`{"resourceType":"Patient","name":[{"id":"n1","family":"F"}]}`},
		{"contained resource", `<Patient` + fns + `><contained><Organization><id value="o"/><name value="Org"/></Organization></contained><managingOrganization><reference value="#o"/></managingOrganization></Patient>`,
			`{"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o","name":"Org"}],"managingOrganization":{"reference":"#o"}}`},
		{"narrative kept exactly", `<Patient` + fns + `><text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><p class="a">x &amp; y&#160;<br/></p></div></text></Patient>`,
			`{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p class=\"a\">x &amp; y&#160;<br/></p></div>"}}`},
		{"prefixed FHIR namespace, comments, PIs, declaration", `<?xml version="1.0" encoding="UTF-8"?><!-- c --><f:Patient xmlns:f="http://hl7.org/fhir"><!-- c --><?pi x?><f:active value="false"/></f:Patient>`,
			`{"resourceType":"Patient","active":false}`},
		{"schema location ignored", `<Patient` + fns + ` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://hl7.org/fhir ../patient.xsd"><active value="true"/></Patient>`,
			`{"resourceType":"Patient","active":true}`},
		{"references and line breaks in values", `<Patient` + fns + `><name><text value="a&lt;b&#10;c&#x9;d` + "\r\n" + `e"/></name></Patient>`,
			`{"resourceType":"Patient","name":[{"text":"a<b\nc\td\ne"}]}`},
		{"order between elements not enforced", `<Patient` + fns + `><gender value="male"/><id value="p"/></Patient>`,
			`{"resourceType":"Patient","id":"p","gender":"male"}`},
		{"extension url attribute, nested bundle resource", `<Bundle` + fns + `><type value="collection"/><entry><resource><Basic><extension url="http://x"><valueInteger value="-3"/></extension><code><text value="b"/></code></Basic></resource></entry></Bundle>`,
			`{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Basic","extension":[{"url":"http://x","valueInteger":-3}],"code":{"text":"b"}}}]}`},
		{"backbone by content reference", `<Questionnaire` + fns + `><status value="draft"/><item><linkId value="1"/><type value="group"/><item><linkId value="1.1"/><type value="string"/></item></item></Questionnaire>`,
			`{"resourceType":"Questionnaire","status":"draft","item":[{"linkId":"1","type":"group","item":[{"linkId":"1.1","type":"string"}]}]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := XMLToJSON([]byte(c.xml))
			if err != nil {
				t.Fatal(err)
			}
			r, err := ParseResource([]byte(c.json))
			if err != nil {
				t.Fatalf("test JSON: %v", err)
			}
			want, _ := MarshalResource(r)
			if string(got) != string(want) {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// TestXMLReadErrors: strict reading names the element at fault.
func TestXMLReadErrors(t *testing.T) {
	cases := []struct {
		name, xml, path, msg string
	}{
		{"unknown element", `<Patient` + fns + `><colour value="blue"/></Patient>`, "Patient.colour", "unknown element"},
		{"unknown nested element", `<Patient` + fns + `><name><nick value="x"/></name></Patient>`, "Patient.name[0].nick", "unknown element"},
		{"wrong namespace", `<Patient xmlns="http://hl7.org/fhir/other"/>`, "Patient", "not in the FHIR namespace"},
		{"child in wrong namespace", `<Patient` + fns + `><active xmlns="urn:x" value="true"/></Patient>`, "Patient.active", "not in the FHIR namespace"},
		{"div not XHTML", `<Patient` + fns + `><text><status value="generated"/><div>x</div></text></Patient>`, "Patient.text.div", "XHTML namespace"},
		{"text in complex element", `<Patient` + fns + `><name>Smith</name></Patient>`, "Patient.name[0]", "text is not allowed"},
		{"text in primitive", `<Patient` + fns + `><gender value="male">male</gender></Patient>`, "Patient.gender", "text is not allowed"},
		{"missing value", `<Patient` + fns + `><gender/></Patient>`, "Patient.gender", "no value"},
		{"empty complex element", `<Patient` + fns + `><name/></Patient>`, "Patient.name[0]", "no content"},
		{"bad date", `<Patient` + fns + `><birthDate value="1970-13-01"/></Patient>`, "Patient.birthDate", ""},
		{"bad boolean", `<Patient` + fns + `><active value="1"/></Patient>`, "Patient.active", "boolean"},
		{"bad integer", `<Patient` + fns + `><multipleBirthInteger value="1.0"/></Patient>`, "Patient.multipleBirthInteger", "integer"},
		{"bad decimal", `<Observation` + fns + `><status value="final"/><code><text value="x"/></code><valueQuantity><value value=".5"/></valueQuantity></Observation>`, "Observation.valueQuantity.value", "decimal"},
		{"unknown attribute", `<Patient` + fns + `><active value="true" colour="red"/></Patient>`, "Patient.active", "attribute"},
		{"value attribute on complex", `<Patient` + fns + `><name value="x"><family value="F"/></name></Patient>`, "Patient.name[0]", "attribute"},
		{"id attribute on resource", `<Patient` + fns + ` id="x"/>`, "Patient", "attribute"},
		{"id element inside a data type", `<Patient` + fns + `><name><id value="x"/></name></Patient>`, "Patient.name[0].id", "unknown element"},
		{"single element twice", `<Patient` + fns + `><gender value="male"/><gender value="female"/></Patient>`, "Patient.gender", "more than once"},
		{"two types of a choice", `<Patient` + fns + `><deceasedBoolean value="true"/><deceasedDateTime value="2020"/></Patient>`, "Patient.deceasedDateTime", "choice"},
		{"unknown resource type", `<Patientx` + fns + `/>`, "Patientx", "unknown resource type"},
		{"contained without resource", `<Patient` + fns + `><contained/></Patient>`, "Patient.contained[0]", "exactly one resource"},
		{"prefixed div", `<Patient` + fns + `><text><status value="generated"/><h:div xmlns:h="http://www.w3.org/1999/xhtml">x</h:div></text></Patient>`, "Patient.text.div", "prefix"},
		{"doctype", `<!DOCTYPE Patient><Patient` + fns + `/>`, "", "document type"},
		{"undefined entity", `<Patient` + fns + `><name><text value="&nbsp;"/></name></Patient>`, "", "undefined entity"},
		{"mismatched tags", `<Patient` + fns + `><name></nam></Patient>`, "", "does not match"},
		{"not UTF-8", "<Patient" + fns + "><name><text value=\"\xff\"/></name></Patient>", "", "UTF-8"},
		{"other encoding", `<?xml version="1.0" encoding="ISO-8859-1"?><Patient` + fns + `/>`, "", "encoding"},
		{"two roots", `<Patient` + fns + `/><Patient` + fns + `/>`, "", "more than one root"},
		{"undeclared prefix", `<f:Patient/>`, "", "undeclared namespace prefix"},
		{"bad character reference", `<Patient` + fns + `><name><text value="&#0;"/></name></Patient>`, "", "character reference"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseResourceXML([]byte(c.xml))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a ParseError", err)
			}
			for _, is := range pe.Issues {
				if (c.path == "" || is.Path == c.path) && strings.Contains(is.Message, c.msg) {
					return
				}
			}
			t.Errorf("issues %+v, want one at %q saying %q", pe.Issues, c.path, c.msg)
		})
	}
}

// TestXMLWrite: the writer's form of values the reader has no trouble with.
func TestXMLWrite(t *testing.T) {
	cases := []struct {
		name, json, xml string
	}{
		{"attributes escaped, line breaks as references", `{"resourceType":"Patient","name":[{"text":"a<b & \"c\"\nd\te"}]}`,
			`<Patient xmlns="http://hl7.org/fhir"><name><text value="a&lt;b &amp; &quot;c&quot;&#10;d&#9;e"/></name></Patient>`},
		{"extension url and element id first", `{"resourceType":"Patient","extension":[{"extension":[{"url":"b","valueString":"x"}],"url":"a","id":"e1"}]}`,
			`<Patient xmlns="http://hl7.org/fhir"><extension id="e1" url="a"><extension url="b"><valueString value="x"/></extension></extension></Patient>`},
		{"primitive with id, extension and value", `{"resourceType":"Patient","birthDate":"1970","_birthDate":{"id":"b","extension":[{"url":"u","valueInteger":1}]}}`,
			`<Patient xmlns="http://hl7.org/fhir"><birthDate id="b" value="1970"><extension url="u"><valueInteger value="1"/></extension></birthDate></Patient>`},
		{"contained and narrative", `{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">a<br/>b</div>"},"contained":[{"resourceType":"Organization","id":"o"}]}`,
			`<Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml">a<br/>b</div></text><contained><Organization><id value="o"/></Organization></contained></Patient>`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := JSONToXML([]byte(c.json))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.xml {
				t.Errorf("got  %s\nwant %s", got, c.xml)
			}
			back, err := XMLToJSON(got)
			if err != nil {
				t.Fatal(err)
			}
			r, _ := ParseResource([]byte(c.json))
			want, _ := MarshalResource(r)
			if string(back) != string(want) {
				t.Errorf("round trip: got %s, want %s", back, want)
			}
		})
	}
}

// TestXMLWriteRefuses: a narrative that is not one well-formed XHTML div cannot be written
// as XML; it is an error, never a silently different document.
func TestXMLWriteRefuses(t *testing.T) {
	tested := 0
	for _, div := range []string{
		`<div xmlns=\"http://www.w3.org/1999/xhtml\">a<b</div>`,
		`<p xmlns=\"http://www.w3.org/1999/xhtml\">a</p>`,
		`<div>a</div>`,
		`<div xmlns=\"http://www.w3.org/1999/xhtml\">a</div><div xmlns=\"http://www.w3.org/1999/xhtml\"/>`,
	} {
		r, err := ParseResourceOptions([]byte(`{"resourceType":"Patient","text":{"status":"generated","div":"`+div+`"}}`), ParseOptions{Lenient: true})
		if err != nil {
			continue // the JSON reader refuses it already
		}
		tested++
		if _, err := MarshalResourceXML(r); err == nil {
			t.Errorf("%s: written without error", div)
		}
	}
	if tested == 0 {
		t.Error("the JSON reader refused every case: nothing tested")
	}
}

// TestXMLErrorText: errors from reading XML say so, and are still ParseErrors.
func TestXMLErrorText(t *testing.T) {
	for _, doc := range []string{`<Patient` + fns + `><colour value="x"/></Patient>`, `<Patient` + fns + `><birthDate value="x"/></Patient>`, `<Patient`} {
		_, err := ParseResourceXML([]byte(doc))
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), "fhir: invalid XML resource: ") {
			t.Errorf("%s: %v", doc, err)
		}
	}
}
