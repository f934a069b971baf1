package fhirpath_test

import (
	"fmt"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/fhirpath"
)

func Example() {
	patient, err := fhir.ParseResource([]byte(`{"resourceType": "Patient", "birthDate": "1974-12-25",
		"name": [{"use": "usual", "given": ["Jim"]}, {"use": "official", "given": ["Peter", "James"]}]}`))
	if err != nil {
		panic(err)
	}
	// Compile once; the expression can then be evaluated on many resources, from many
	// goroutines.
	expr := fhirpath.MustCompile("Patient.name.where(use = 'official').given.first()")
	result, err := expr.Evaluate(nil, patient)
	if err != nil {
		panic(err)
	}
	out, _ := fhirpath.MarshalCollection(result)
	fmt.Println(string(out))

	// A condition, as invariants use them.
	born, _ := fhirpath.MustCompile("birthDate < @2000-01-01 and 4 'g' = 4000 'mg'").EvaluateBool(nil, patient)
	fmt.Println(born)
	// Output:
	// [{"type":"string","value":"Peter"}]
	// true
}
