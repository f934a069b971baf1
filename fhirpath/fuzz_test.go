package fhirpath

import (
	"errors"
	"strings"
	"testing"

	"github.com/joinedup/joinedup/fhir"
)

var fuzzSeeds = []string{
	"Patient.name.where(use = 'official').given.first()",
	"(1 | 2 | 3).aggregate($this + $total, 0)",
	"@2014-01-01T08:05+08:00.lowBoundary(17)",
	"'a\\u0065'.matches('[a-z]+') and 4 'g' ~ 4040 'mg'",
	"name.select(given | family).distinct().count() > 2 implies true",
	"%`vs-administrative-gender` = %resource.gender",
	"iif(1 / 0, 'x', 'y').toQuantity('mg')",
	"descendants().ofType(FHIR.string).sort(-$this).take(3)",
	"1.repeat($this + 1)",
	"'a'.repeat($this & $this)",
	"(1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20 | 21 | 22).aggregate($total.combine($total), 1)",
	"descendants().select(%resource.descendants().select(%resource.descendants()))",
	strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300),
	strings.Repeat("-", 500) + "1",
	"/* unterminated",
	"@T14:34:28Z",
}

const fuzzPatient = `{"resourceType":"Patient","id":"f","active":true,"gender":"male",` +
	`"birthDate":"1974-12-25","name":[{"use":"official","family":"Chalmers","given":["Peter","James"]},` +
	`{"use":"usual","given":["Jim"]}],"telecom":[{"system":"phone","value":"1234"}]}`

// FuzzCompile checks that the parser and compiler never panic and refuse deep nesting
// instead of overflowing the stack.
func FuzzCompile(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		_, _ = Compile(expr)
		_, _ = Compile(expr, Strict(), ContextType("Patient"))
	})
}

// FuzzEvaluate compiles and evaluates arbitrary expressions on a Patient: no panic,
// and runaway evaluations end with an error.
func FuzzEvaluate(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	p, err := fhir.ParseResource([]byte(fuzzPatient))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		e, err := Compile(expr)
		if err != nil {
			return
		}
		_, _ = e.Evaluate(nil, p)
		_, _ = e.Evaluate(nil, nil)
	})
}

func TestDeepNesting(t *testing.T) {
	for _, expr := range []string{
		strings.Repeat("(", 100_000) + "1" + strings.Repeat(")", 100_000),
		strings.Repeat("-", 100_000) + "1",
		strings.Repeat("f(", 100_000) + strings.Repeat(")", 100_000),
	} {
		_, err := Compile(expr)
		var fe *Error
		if !errors.As(err, &fe) || fe.Kind != SyntaxError {
			t.Errorf("deeply nested input: got %v, want a syntax error", err)
		}
	}
}

// TestRunawayExpressions checks that expressions whose results grow without bound end
// with an execution error, quickly.
func TestRunawayExpressions(t *testing.T) {
	p, err := fhir.ParseResource([]byte(fuzzPatient))
	if err != nil {
		t.Fatal(err)
	}
	for _, expr := range []string{
		"1.repeat($this + 1)",
		"'a'.repeat($this & $this)",
		"(1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20 | 21 | 22).aggregate($total.combine($total), 1)",
	} {
		_, err := MustCompile(expr).Evaluate(nil, p)
		var fe *Error
		if !errors.As(err, &fe) || fe.Kind != ExecutionError {
			t.Errorf("%s: got %v, want an execution error", expr, err)
		}
	}
}
