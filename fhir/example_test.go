package fhir_test

import (
	"errors"
	"fmt"

	"github.com/joinedup/joinedup/fhir"
)

func Example() {
	data := []byte(`{"resourceType":"Patient","id":"p1","name":[{"family":"Smith","given":["Ann",null],"_given":[null,{"extension":[{"url":"http://example.org/initial","valueBoolean":true}]}]}],"birthDate":"1970-02"}`)

	// Strict reading, as a server must: unknown elements, bad values etc. are errors.
	r, err := fhir.ParseResource(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := r.(*fhir.Patient)
	fmt.Println(p.ResourceType(), p.ResourceID(), *p.Name[0].Family.Value, *p.BirthDate.Value)

	// Build and change values with the generated types and constructors.
	p.Gender = fhir.NewCode("female")
	out, _ := fhir.MarshalResource(p)
	fmt.Println(string(out))

	// Errors name the element at fault, FHIRPath style.
	_, err = fhir.ParseResource([]byte(`{"resourceType":"Patient","gender":"female ","nickname":"Annie"}`))
	var pe *fhir.ParseError
	if errors.As(err, &pe) {
		for _, is := range pe.Issues {
			fmt.Printf("%s: %s\n", is.Path, is.Message)
		}
	}

	// The meta-model describes every element.
	e := fhir.LookupType("Patient").Element("birthDate")
	fmt.Println(e.Path, e.Min, e.Max, e.Types[0].Code)

	// Output:
	// Patient p1 Smith 1970-02
	// {"resourceType":"Patient","id":"p1","name":[{"family":"Smith","given":["Ann",null],"_given":[null,{"extension":[{"url":"http://example.org/initial","valueBoolean":true}]}]}],"gender":"female","birthDate":"1970-02"}
	// Patient.gender: code has leading or trailing white space
	// Patient.nickname: unknown element "nickname"
	// Patient.birthDate 0 1 date
}
