package fhirpath

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/joinedup/joinedup/fhir"
)

func mustParse(t testing.TB, js string) fhir.Resource {
	t.Helper()
	r, err := fhir.ParseResource([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

const bloodPressure = `{"resourceType":"Observation","id":"bp","status":"final",
 "code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},
 "effectiveDateTime":"2024-03-01T10:30:00+01:00",
 "component":[
  {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},
   "valueQuantity":{"value":120,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
  {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},
   "valueQuantity":{"value":80.0,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]}`

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		expr      string
		kind      ErrorKind
		line, col int
	}{
		{"Patient.name.where(", SyntaxError, 1, 20},
		{"1 +\n  )", SyntaxError, 2, 3},
		{"'unterminated", SyntaxError, 1, 1},
		{"name.given[", SyntaxError, 1, 12},
		{"@2015-13-01", SyntaxError, 1, 1},
		{"Patient.name.frobnicate()", SemanticError, 1, 14},
		{"Patient.name.substring()", SemanticError, 1, 14},
		{"Patient.identifier.startsWith('x')", SemanticError, 1, 20},
		{"iif(1 | 2, 'a', 'b')", SemanticError, 1, 7},
		{"@2024-01-01 + 7", SemanticError, 1, 13},
		{"Observation.valueQuantity.value", SemanticError, 1, 13},
	}
	for _, tt := range tests {
		_, err := Compile(tt.expr)
		var fe *Error
		if !errors.As(err, &fe) {
			t.Errorf("Compile(%q) = %v, want an *Error", tt.expr, err)
			continue
		}
		if fe.Kind != tt.kind || fe.Line != tt.line || fe.Col != tt.col {
			t.Errorf("Compile(%q): %s at %d:%d, want %s at %d:%d (%v)", tt.expr, fe.Kind, fe.Line, fe.Col, tt.kind, tt.line, tt.col, err)
		}
	}
}

func TestStrict(t *testing.T) {
	tests := []struct {
		expr, context string
		ok            bool
	}{
		{"name.given", "Patient", true},
		{"name.given1", "Patient", false},
		{"Encounter.name", "Patient", false},
		{"contact.name.family", "Patient", true},
		{"(Observation.value as Period).unit", "", false},
		{"(Observation.value as Quantity).unit", "", true},
		{"Patient.children().skip(1)", "", false},
		{"Questionnaire.item.item.linkId", "", true},
		{"iif('x', 1, 2)", "Patient", false},
		{"gender is Sting", "Patient", false},
		{"gender.as(Sting)", "Patient", false},
		{"@T10:00Z", "Patient", false},
	}
	for _, tt := range tests {
		opts := []Option{Strict()}
		if tt.context != "" {
			opts = append(opts, ContextType(tt.context))
		}
		_, err := Compile(tt.expr, opts...)
		if (err == nil) != tt.ok {
			t.Errorf("Compile(%q, Strict) error = %v, want ok = %v", tt.expr, err, tt.ok)
		}
	}
}

// render is the CLI form of a result, for compact expectations.
func render(t *testing.T, c Collection) string {
	t.Helper()
	b, err := MarshalCollection(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEvaluate(t *testing.T) {
	bp := mustParse(t, bloodPressure)
	tests := []struct {
		expr, want string
	}{
		// Quantities across units, with offsets for temperatures.
		{"1 'kg' = 1000 'g'", `[{"type":"boolean","value":"true"}]`},
		{"90 'min' > 1 'h'", `[{"type":"boolean","value":"true"}]`},
		{"37 'Cel' > 300 'K'", `[{"type":"boolean","value":"true"}]`},
		{"37 'Cel' = 310.15 'K'", `[{"type":"boolean","value":"true"}]`},
		{"212 '[degF]' = 100 'Cel'", `[{"type":"boolean","value":"true"}]`},
		{"1 'kg' + 500 'g'", `[{"type":"Quantity","value":{"value":"1.5","unit":"kg"}}]`},
		{"1 'kg' = 1 'm'", `[]`},
		{"1 year = 1 'a'", `[]`},
		{"Observation.component.value.where($this > 100 'mm[Hg]').value", `[{"type":"decimal","value":"120"}]`},
		{"Observation.component.value.ofType(Quantity).value.sum()", ``},
		// Decimal precision is kept.
		{"1.50 + 1", `[{"type":"decimal","value":"2.50"}]`},
		{"0.1 + 0.2 = 0.3", `[{"type":"boolean","value":"true"}]`},
		{"1.0 / 3", `[{"type":"decimal","value":"0.3333333333333333333333333333333333"}]`},
		// Dates of different precisions.
		{"@2024-03 < @2024-03-05", `[]`},
		{"@2024-02 < @2024-03-05", `[{"type":"boolean","value":"true"}]`},
		{"Observation.effective > @2024-03-01T09:00:00Z", `[{"type":"boolean","value":"true"}]`},
		{"@2024-01-31 + 1 month", `[{"type":"date","value":"2024-02-29"}]`},
		{"Observation.effective.type().name", `[{"type":"string","value":"dateTime"}]`},
		// Environment.
		{"%resource.id", `[{"type":"id","value":"bp"}]`},
		{"component.where(%context.id = 'bp').count()", `[{"type":"integer","value":"2"}]`},
		{"component.select(%rootResource.status)", `[{"type":"code","value":"final"},{"type":"code","value":"final"}]`},
		{"%ucum", `[{"type":"string","value":"http://unitsofmeasure.org"}]`},
		{"%`ext-patient-birthTime`", `[{"type":"string","value":"http://hl7.org/fhir/StructureDefinition/patient-birthTime"}]`},
	}
	for _, tt := range tests {
		e, err := Compile(tt.expr)
		if tt.want == "" {
			if err == nil {
				t.Errorf("Compile(%q) succeeded, want an error", tt.expr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Compile(%q): %v", tt.expr, err)
			continue
		}
		got, err := e.Evaluate(nil, bp)
		if err != nil {
			t.Errorf("%s: %v", tt.expr, err)
			continue
		}
		if s := render(t, got); s != tt.want {
			t.Errorf("%s = %s, want %s", tt.expr, s, tt.want)
		}
	}
}

func TestLenientAs(t *testing.T) {
	bp := mustParse(t, bloodPressure)
	const expr = "Observation.component.value as Quantity"
	if _, err := MustCompile(expr).Evaluate(nil, bp); err == nil {
		t.Error("as over two items succeeded in the default mode")
	}
	got, err := MustCompile(expr, Lenient()).Evaluate(nil, bp)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Errorf("lenient as: got %d items, want 2", len(got))
	}
}

func TestEnvHooks(t *testing.T) {
	patient := mustParse(t, `{"resourceType":"Patient","id":"p","gender":"female",
		"contained":[{"resourceType":"Organization","id":"org","name":"Contained GP"}],
		"managingOrganization":{"reference":"#org"},
		"generalPractitioner":[{"reference":"Practitioner/dr"}]}`)
	dr := mustParse(t, `{"resourceType":"Practitioner","id":"dr","active":true}`)
	var traced []string
	env := &Env{
		Variables: map[string]Collection{"wanted": {String("female")}},
		Resolve: func(_ context.Context, ref string) (fhir.Resource, error) {
			if ref == "Practitioner/dr" {
				return dr, nil
			}
			return nil, nil
		},
		MemberOf: func(_ context.Context, code Value, vs string) (bool, error) {
			s, _ := stringValue(code)
			return vs == "http://hl7.org/fhir/ValueSet/administrative-gender" && s == "female", nil
		},
		ConformsTo: func(_ context.Context, e fhir.Element, url string) (bool, error) {
			return strings.HasSuffix(url, "/UKCore-Patient") && e.FHIRType() == "Patient", nil
		},
		Subsumes: func(_ context.Context, a, b Value) (bool, error) {
			sa, _ := stringValue(a)
			sb, _ := stringValue(b)
			return sa == "female" && sb == "female", nil
		},
		Now:   func() time.Time { return time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC) },
		Trace: func(name string, c Collection) { traced = append(traced, name) },
	}
	tests := []struct {
		expr, want string
	}{
		{"gender = %wanted", `[{"type":"boolean","value":"true"}]`},
		{"managingOrganization.resolve().name", `[{"type":"string","value":"Contained GP"}]`},
		{"generalPractitioner.resolve().active", `[{"type":"boolean","value":"true"}]`},
		{"gender.memberOf(%`vs-administrative-gender`)", `[{"type":"boolean","value":"true"}]`},
		{"conformsTo('https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient')", `[{"type":"boolean","value":"true"}]`},
		{"today()", `[{"type":"date","value":"2030-06-01"}]`},
		{"now() = @2030-06-01T12:00:00.000Z", `[{"type":"boolean","value":"true"}]`},
		{"gender.trace('g')", `[{"type":"code","value":"female"}]`},
		{"gender.subsumes('female')", `[{"type":"boolean","value":"true"}]`},
		{"gender.subsumedBy('male')", `[{"type":"boolean","value":"false"}]`},
		{"checkModifiers('http://example.org/x').id", `[{"type":"id","value":"p"}]`},
	}
	for _, tt := range tests {
		got, err := MustCompile(tt.expr).Evaluate(env, patient)
		if err != nil {
			t.Errorf("%s: %v", tt.expr, err)
			continue
		}
		if s := render(t, got); s != tt.want {
			t.Errorf("%s = %s, want %s", tt.expr, s, tt.want)
		}
	}
	if len(traced) != 1 || traced[0] != "g" {
		t.Errorf("trace calls = %v, want [g]", traced)
	}
	if _, err := MustCompile("%undefined").Evaluate(env, patient); err == nil {
		t.Error("an undefined variable was not an error")
	}
	modified := mustParse(t, `{"resourceType":"Patient","modifierExtension":[{"url":"http://example.org/m","valueBoolean":true}]}`)
	for expr, ok := range map[string]bool{"checkModifiers('http://example.org/m')": true, "checkModifiers('http://example.org/x')": false} {
		if _, err := MustCompile(expr).Evaluate(nil, modified); (err == nil) != ok {
			t.Errorf("%s: error %v, want ok = %v", expr, err, ok)
		}
	}
}

func TestResolveInBundle(t *testing.T) {
	bundle := mustParse(t, `{"resourceType":"Bundle","type":"collection","entry":[
		{"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient","id":"a","gender":"male"}},
		{"fullUrl":"urn:uuid:2","resource":{"resourceType":"Observation","id":"o","status":"final",
		 "code":{"text":"x"},"subject":{"reference":"urn:uuid:1"}}}]}`)
	got, err := MustCompile("Bundle.entry.resource.ofType(Observation).subject.resolve().gender").Evaluate(nil, bundle)
	if err != nil {
		t.Fatal(err)
	}
	if s := render(t, got); s != `[{"type":"code","value":"male"}]` {
		t.Errorf("got %s", s)
	}
}

func TestConcurrentEvaluation(t *testing.T) {
	bp := mustParse(t, bloodPressure)
	expr := MustCompile("Observation.component.where(code.coding.code = '8480-6').value.value")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				got, err := expr.Evaluate(nil, bp)
				if err != nil || len(got) != 1 {
					errs <- errors.New("wrong result under concurrency")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestEvaluateBool(t *testing.T) {
	bp := mustParse(t, bloodPressure)
	tests := []struct {
		expr string
		want bool
	}{
		{"status = 'final'", true},
		{"status = 'draft'", false},
		{"subject.exists()", false},
		{"component.exists() implies component.all(value.exists())", true},
		{"{}", false},
	}
	for _, tt := range tests {
		got, err := MustCompile(tt.expr).EvaluateBool(nil, bp)
		if err != nil || got != tt.want {
			t.Errorf("EvaluateBool(%q) = %v, %v; want %v", tt.expr, got, err, tt.want)
		}
	}
}

func TestLenientResolve(t *testing.T) {
	obs := mustParse(t, `{"resourceType":"Observation","status":"final","code":{"text":"x"},
		"subject":{"reference":"https://example.org/fhir/Patient/p1/_history/3"},
		"performer":[{"reference":"Practitioner/d1"},{"reference":"urn:uuid:4f1c"}]}`)
	tests := []struct {
		expr    string
		lenient bool
		want    string
	}{
		{"Observation.subject.where(resolve() is Patient).reference", true, `[{"type":"string","value":"https://example.org/fhir/Patient/p1/_history/3"}]`},
		{"Observation.subject.where(resolve() is Patient)", false, `[]`},
		{"Observation.subject.resolve().id", true, `[{"type":"id","value":"p1"}]`},
		{"Observation.performer.resolve().type().name", true, `[{"type":"string","value":"Practitioner"}]`},
	}
	for _, tt := range tests {
		var opts []Option
		if tt.lenient {
			opts = append(opts, Lenient())
		}
		got, err := MustCompile(tt.expr, opts...).Evaluate(nil, obs)
		if err != nil {
			t.Errorf("%s: %v", tt.expr, err)
			continue
		}
		if s := render(t, got); s != tt.want {
			t.Errorf("%s (lenient %v) = %s, want %s", tt.expr, tt.lenient, s, tt.want)
		}
	}
}

func TestTypes(t *testing.T) {
	tests := []struct {
		expr string
		opts []Option
		want []string
	}{
		{"Patient.gender", nil, []string{"code"}},
		{"Patient.identifier", nil, []string{"Identifier"}},
		{"Patient.contact", nil, []string{"Patient.contact"}},
		{"Patient.telecom.where(system = 'email')", nil, []string{"ContactPoint"}},
		{"Observation.value", nil, []string{"Quantity", "CodeableConcept", "string", "boolean", "integer", "Range", "Ratio", "SampledData", "time", "dateTime", "Period"}},
		{"(Observation.value as CodeableConcept) | Observation.code", []Option{Lenient()}, []string{"CodeableConcept", "CodeableConcept"}},
		{"Observation.value.ofType(Quantity)", nil, []string{"Quantity"}},
		{"Resource.meta.tag", nil, []string{"Coding"}},
		{"gender", []Option{ContextType("Patient")}, []string{"code"}},
		// What the model does not tell: operators, most functions, a union with an
		// untyped branch, an input of unknown type.
		{"Patient.deceased.exists() and Patient.deceased != false", nil, nil},
		{"Patient.name.count()", nil, nil},
		{"Patient.gender | Patient.name.count()", nil, nil},
		{"gender", nil, nil},
	}
	for _, tt := range tests {
		got := MustCompile(tt.expr, tt.opts...).Types()
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.expr, got, tt.want)
		}
	}
}
