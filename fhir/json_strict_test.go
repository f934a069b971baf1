package fhir

import (
	"errors"
	"strings"
	"testing"
)

func TestStrictReadingRejects(t *testing.T) {
	long := strings.Repeat("a", 65)
	tests := []struct {
		name, json string
		path, msg  string
	}{
		{"unknown element", `{"resourceType":"Patient","foo":1}`, "Patient.foo", `unknown element "foo"`},
		{"unknown nested element", `{"resourceType":"Patient","name":[{"family":"a","nickname":"b"}]}`, "Patient.name[0].nickname", `unknown element "nickname"`},
		{"underscore on complex element", `{"resourceType":"Patient","_name":[{}]}`, "Patient.name", `unknown element "_name"`},
		{"duplicate key", `{"resourceType":"Patient","gender":"male","gender":"female"}`, "Patient", `duplicate object member name "gender"`},
		{"wrong type for string", `{"resourceType":"Patient","gender":1}`, "Patient.gender", "expected a string, found a number"},
		{"boolean as string", `{"resourceType":"Patient","active":"true"}`, "Patient.active", "expected true or false, found a string"},
		{"boolean as number", `{"resourceType":"Patient","active":1}`, "Patient.active", "expected true or false, found a number"},
		{"decimal as string", `{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":"1.5"}}`, "Observation.valueQuantity.value", "expected a number, found a string"},
		{"integer as string", `{"resourceType":"Patient","multipleBirthInteger":"2"}`, "Patient.multipleBirthInteger", "expected a number, found a string"},
		{"object for primitive", `{"resourceType":"Patient","gender":{"value":"male"}}`, "Patient.gender", "expected a string, found an object"},
		{"array for singleton", `{"resourceType":"Patient","gender":["male"]}`, "Patient.gender", "expected a string, found an array"},
		{"object for array", `{"resourceType":"Patient","name":{"family":"a"}}`, "Patient.name", "expected an array, found an object"},
		{"string for array", `{"resourceType":"Patient","name":[{"given":"a"}]}`, "Patient.name[0].given", "expected an array, found a string"},
		{"code leading space", `{"resourceType":"Patient","gender":" male"}`, "Patient.gender", "leading or trailing white space"},
		{"code trailing space", `{"resourceType":"Patient","gender":"male "}`, "Patient.gender", "leading or trailing white space"},
		{"code doubled space", `{"resourceType":"Patient","maritalStatus":{"coding":[{"code":"a  b"}]}}`, "Patient.maritalStatus.coding[0].code", "doubled white space"},
		{"code tab and space", `{"resourceType":"Patient","maritalStatus":{"coding":[{"code":"a\t b"}]}}`, "Patient.maritalStatus.coding[0].code", "doubled white space"},
		{"id bad character", `{"resourceType":"Patient","id":"a_b"}`, "Patient.id", "letters, digits"},
		{"id too long", `{"resourceType":"Patient","id":"` + long + `"}`, "Patient.id", "1 to 64"},
		{"uri with space", `{"resourceType":"Patient","implicitRules":"http://a b"}`, "Patient.implicitRules", "white space"},
		{"canonical with newline", `{"resourceType":"Patient","meta":{"profile":["http://a\nb"]}}`, "Patient.meta.profile[0]", "white space"},
		{"base64 bad length", `{"resourceType":"Patient","photo":[{"data":"abc"}]}`, "Patient.photo[0].data", "multiple of four"},
		{"base64 bad character", `{"resourceType":"Patient","photo":[{"data":"ab*d"}]}`, "Patient.photo[0].data", "alphabet"},
		{"base64 padding inside", `{"resourceType":"Patient","photo":[{"data":"a=bc"}]}`, "Patient.photo[0].data", "not valid base64"},
		{"integer above 32 bits", `{"resourceType":"Patient","multipleBirthInteger":2147483648}`, "Patient.multipleBirthInteger", "out of range"},
		{"integer below 32 bits", `{"resourceType":"Patient","multipleBirthInteger":-2147483649}`, "Patient.multipleBirthInteger", "out of range"},
		{"integer with fraction", `{"resourceType":"Patient","multipleBirthInteger":1.0}`, "Patient.multipleBirthInteger", "whole number"},
		{"integer with exponent", `{"resourceType":"Patient","multipleBirthInteger":1e2}`, "Patient.multipleBirthInteger", "whole number"},
		{"integer minus zero", `{"resourceType":"Patient","multipleBirthInteger":-0}`, "Patient.multipleBirthInteger", "-0 is not allowed"},
		{"unsignedInt negative", `{"resourceType":"Patient","photo":[{"size":-1}]}`, "Patient.photo[0].size", "whole number"},
		{"positiveInt zero", `{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueSampledData":{"origin":{"value":1},"period":1,"dimensions":0}}`, "Observation.valueSampledData.dimensions", "out of range"},
		{"date month 13", `{"resourceType":"Patient","birthDate":"2020-13-01"}`, "Patient.birthDate", "month"},
		{"date year 0000", `{"resourceType":"Patient","birthDate":"0000"}`, "Patient.birthDate", "date must be"},
		{"date with time", `{"resourceType":"Patient","birthDate":"2020-01-01T00:00:00Z"}`, "Patient.birthDate", "date must be"},
		{"dateTime without zone", `{"resourceType":"Patient","deceasedDateTime":"2020-01-01T10:00:00"}`, "Patient.deceasedDateTime", "dateTime must be"},
		{"dateTime without seconds", `{"resourceType":"Patient","deceasedDateTime":"2020-01-01T10:00Z"}`, "Patient.deceasedDateTime", "dateTime must be"},
		{"dateTime zone out of range", `{"resourceType":"Patient","deceasedDateTime":"2020-01-01T10:00:00+14:30"}`, "Patient.deceasedDateTime", "dateTime must be"},
		{"instant partial", `{"resourceType":"Patient","meta":{"lastUpdated":"2020-01-01"}}`, "Patient.meta.lastUpdated", "instant must be"},
		{"time hour 24", `{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueTime":"24:00:00"}`, "Observation.valueTime", "time must be"},
		{"oid", `{"resourceType":"Patient","identifier":[{"system":"urn:oid:1.2","value":"x","type":{"coding":[{"system":"urn:oid:3.1"}]}}]}`, "", ""},
		{"uuid upper case", `{"resourceType":"Basic","code":{"text":"x"},"extension":[{"url":"http://x","valueUuid":"urn:uuid:A1B2C3D4-0000-0000-0000-000000000000"}]}`, "Basic.extension[0].valueUuid", "uuid must be"},
		{"oid bad", `{"resourceType":"Basic","code":{"text":"x"},"extension":[{"url":"http://x","valueOid":"urn:oid:1.02"}]}`, "Basic.extension[0].valueOid", "oid must"},
		{"empty string", `{"resourceType":"Patient","gender":""}`, "Patient.gender", "empty string"},
		{"empty element id", `{"resourceType":"Patient","name":[{"id":"","family":"a"}]}`, "Patient.name[0].id", "empty string"},
		{"empty array", `{"resourceType":"Patient","name":[]}`, "Patient.name", "empty array"},
		{"empty object", `{"resourceType":"Patient","name":[{}]}`, "Patient.name[0]", "empty object"},
		{"empty primitive extension object", `{"resourceType":"Patient","_gender":{}}`, "Patient.gender", "empty object"},
		{"null singleton", `{"resourceType":"Patient","gender":null}`, "Patient.gender", "null is not allowed"},
		{"null in complex array", `{"resourceType":"Patient","name":[null]}`, "Patient.name[0]", "null is not allowed"},
		{"null without extension", `{"resourceType":"Patient","name":[{"given":["a",null]}]}`, "Patient.name[0].given[1]", "null with no matching"},
		{"null in both arrays", `{"resourceType":"Patient","name":[{"given":["a",null,"c"],"_given":[null,null,{"id":"x"}]}]}`, "Patient.name[0].given[1]", "null with no matching"},
		{"extension array of nulls", `{"resourceType":"Patient","name":[{"given":["a"],"_given":[null]}]}`, "Patient.name[0].given", "only nulls"},
		{"value array of nulls", `{"resourceType":"Patient","name":[{"given":[null],"_given":[{"id":"a"}]}]}`, "Patient.name[0].given", "only nulls"},
		{"duplicate key spelled with an escape", `{"resourceType":"Patient","gender":"male","gend\u0065r":"male"}`, "Patient", `duplicate object member name "gender"`},
		{"misaligned arrays", `{"resourceType":"Patient","name":[{"given":["a","b"],"_given":[{"id":"x"}]}]}`, "Patient.name[0].given", "different lengths"},
		{"primitive extension not object", `{"resourceType":"Patient","_gender":"x"}`, "Patient.gender", "expected an object, found a string"},
		{"two choice types", `{"resourceType":"Patient","multipleBirthBoolean":true,"multipleBirthInteger":2}`, "Patient.multipleBirthInteger", "several types of one choice element"},
		{"choice value and other extension", `{"resourceType":"Patient","multipleBirthBoolean":true,"_multipleBirthInteger":{"id":"a"}}`, "Patient.multipleBirthInteger", "several types of one choice element"},
		{"missing resourceType", `{"id":"a"}`, "", "missing resourceType"},
		{"unknown resourceType", `{"resourceType":"Patientx","id":"a"}`, "resourceType", `unknown resourceType "Patientx"`},
		{"abstract resourceType", `{"resourceType":"DomainResource"}`, "resourceType", `unknown resourceType "DomainResource"`},
		{"resourceType not a string", `{"resourceType":1}`, "resourceType", "expected a string, found a number"},
		{"not an object", `[{"resourceType":"Patient"}]`, "", "expected a resource (an object), found an array"},
		{"inline resource unknown element", `{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","foo":1}}]}`, "Bundle.entry[0].resource.foo", `unknown element "foo"`},
		{"inline resource late resourceType", `{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"gender":"x ","resourceType":"Patient"}}]}`, "Bundle.entry[0].resource.gender", "white space"},
		{"inline resource missing type", `{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"id":"a"}}]}`, "Bundle.entry[0].resource", "missing resourceType"},
		{"contained", `{"resourceType":"Patient","contained":[{"resourceType":"Organization","name":""}]}`, "Patient.contained[0].name", "empty string"},
		{"duplicate resourceType", `{"id":"a","resourceType":"Patient","resourceType":"Patient"}`, "", `duplicate object member name "resourceType"`},
		{"invalid UTF-8", "{\"resourceType\":\"Patient\",\"gender\":\"m\xffle\"}", "Patient.gender", "invalid UTF-8"},
		{"malformed JSON", `{"resourceType":"Patient","gender":"male",}`, "Patient", "invalid character"},
		{"truncated", `{"resourceType":"Patient","name":[{"family":"a"`, "Patient.name[0]", "unexpected"},
		{"trailing data", `{"resourceType":"Patient"} {}`, "", "unexpected data after the resource"},
		{"empty input", ``, "", "unexpected end of JSON input"},
		{"extension url with space", `{"resourceType":"Patient","extension":[{"url":"a b","valueString":"x"}]}`, "Patient.extension[0].url", "white space"},
		{"string with form feed", `{"resourceType":"Patient","name":[{"family":"a\fb"}]}`, "Patient.name[0].family", "form feed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseResource([]byte(tc.json))
			if tc.msg == "" {
				if err != nil {
					t.Fatalf("valid input rejected: %v", err)
				}
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *ParseError", err)
			}
			for _, is := range pe.Issues {
				if is.Path == tc.path && strings.Contains(is.Message, tc.msg) {
					return
				}
			}
			t.Errorf("issues %+v; want path %q with message containing %q", pe.Issues, tc.path, tc.msg)
		})
	}
}

func TestStrictReadingCollectsIssues(t *testing.T) {
	_, err := ParseResource([]byte(`{"resourceType":"Patient","gender":"x ","foo":1,"name":[{"given":[""]}],"birthDate":"1"}`))
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want a *ParseError", err)
	}
	want := []string{"Patient.gender", "Patient.foo", "Patient.name[0].given[0]", "Patient.birthDate"}
	var got []string
	for _, is := range pe.Issues {
		got = append(got, is.Path)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("issue paths %v, want %v", got, want)
	}
}

// TestExactRoundTrip checks inputs in canonical form come back byte for byte.
func TestExactRoundTrip(t *testing.T) {
	tests := []struct{ name, json string }{
		{"primitive extensions and nulls", `{"resourceType":"Patient","name":[{"given":["a",null,"c"],"_given":[null,{"extension":[{"url":"http://x","valueString":"y"}]},{"id":"g3"}]}]}`},
		{"extension only primitive array", `{"resourceType":"Patient","name":[{"_given":[{"id":"a"},{"id":"b"}]}]}`},
		{"singleton primitive extension", `{"resourceType":"Patient","birthDate":"1970","_birthDate":{"id":"b","extension":[{"url":"http://x","valueDateTime":"1970-01-01T00:00:00+01:00"}]}}`},
		{"primitive with only extension", `{"resourceType":"Patient","_gender":{"extension":[{"url":"http://x","valueCode":"a b"}]}}`},
		{"decimals as written", `{"resourceType":"Observation","status":"final","code":{"text":"x"},"component":[{"code":{"text":"a"},"valueQuantity":{"value":1.50}},{"code":{"text":"b"},"valueQuantity":{"value":1e-3}},{"code":{"text":"c"},"valueQuantity":{"value":123456789012345678901234567890}},{"code":{"text":"d"},"valueQuantity":{"value":-0.000000000000000000000000000001}},{"code":{"text":"e"},"valueQuantity":{"value":1E+2}}]}`},
		{"integers", `{"resourceType":"Patient","multipleBirthInteger":-2147483648,"photo":[{"size":2147483647}]}`},
		{"contained and ids", `{"resourceType":"Patient","id":"p1","meta":{"versionId":"1","lastUpdated":"2020-01-01T00:00:00.000+00:00"},"contained":[{"resourceType":"Organization","id":"o","name":"Org"}],"managingOrganization":{"reference":"#o"}}`},
		{"bundle dispatch", `{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:1","resource":{"resourceType":"Observation","status":"final","code":{"text":"x"}}},{"resource":{"resourceType":"Parameters","parameter":[{"name":"p","resource":{"resourceType":"Patient","active":true}}]}}]}`},
		{"escapes", `{"resourceType":"Patient","name":[{"family":"a\"b\\c\n\u0001é😀"}]}`},
		{"code with inner space", `{"resourceType":"Patient","maritalStatus":{"coding":[{"code":"a b"}]}}`},
		{"narrative", `{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x &amp; <b>y</b></div>"}}`},
		{"element ids", `{"resourceType":"Patient","name":[{"id":"n1","extension":[{"id":"e1","url":"http://x","valueBoolean":false}],"family":"a"}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseResource([]byte(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			out, err := MarshalResource(r)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.json {
				t.Errorf("round trip\n got %s\nwant %s", out, tc.json)
			}
		})
	}
}

func TestOutputOrder(t *testing.T) {
	in := `{"gender":"male","name":[{"given":["a"],"family":"f"}],"_gender":{"id":"g"},"id":"x","resourceType":"Patient","text":{"div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>","status":"generated"},"meta":{"versionId":"2"}}`
	want := `{"resourceType":"Patient","id":"x","meta":{"versionId":"2"},"text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"},"name":[{"family":"f","given":["a"]}],"gender":"male","_gender":{"id":"g"}}`
	r, err := ParseResource([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out, err := MarshalResource(r)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}

func TestLenient(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"unknown members kept at the end", `{"resourceType":"Patient","foo":{"a":[1,2.50]},"gender":"male","name":[{"x":null,"family":"f"}]}`,
			`{"resourceType":"Patient","name":[{"family":"f","x":null}],"gender":"male","foo":{"a":[1,2.50]}}`},
		{"invalid code kept", `{"resourceType":"Patient","gender":"male "}`, `{"resourceType":"Patient","gender":"male "}`},
		{"empty primitive extension kept", `{"resourceType":"Patient","_gender":{}}`, `{"resourceType":"Patient","_gender":{}}`},
		{"unknown member in primitive extension", `{"resourceType":"Patient","_gender":{"x":1}}`, `{"resourceType":"Patient","_gender":{"x":1}}`},
		{"two choice types kept", `{"resourceType":"Patient","multipleBirthBoolean":true,"multipleBirthInteger":2}`, `{"resourceType":"Patient","multipleBirthBoolean":true,"multipleBirthInteger":2}`},
		{"short _given padded", `{"resourceType":"Patient","name":[{"given":[null,"James"],"_given":[{"id":"a"}]}]}`,
			`{"resourceType":"Patient","name":[{"given":[null,"James"],"_given":[{"id":"a"},null]}]}`},
		{"short given padded", `{"resourceType":"Patient","name":[{"given":["Ann"],"_given":[null,{"id":"b"}]}]}`,
			`{"resourceType":"Patient","name":[{"given":["Ann",null],"_given":[null,{"id":"b"}]}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseResource([]byte(tc.in)); err == nil {
				t.Fatal("strict reading accepted the input")
			}
			r, err := ParseResourceOptions([]byte(tc.in), ParseOptions{Lenient: true})
			if err != nil {
				t.Fatal(err)
			}
			out, err := MarshalResource(r)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.want {
				t.Errorf("got  %s\nwant %s", out, tc.want)
			}
		})
	}
	for _, bad := range []string{
		`{"resourceType":"Patient","gender":"male",}`,
		`{"resourceType":"Patient","gender":"male","gender":"male"}`,
		`{"resourceType":"Patient","gender":1}`,
		`{"resourceType":"Nope"}`,
		"{\"resourceType\":\"Patient\",\"x\":\"\xff\"}",
	} {
		if _, err := ParseResourceOptions([]byte(bad), ParseOptions{Lenient: true}); err == nil {
			t.Errorf("lenient reading accepted %s", bad)
		}
	}
}
