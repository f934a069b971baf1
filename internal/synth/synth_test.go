package synth

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/nhsnumber"
	"github.com/joinedup/joinedup/internal/terminology"
	"github.com/joinedup/joinedup/internal/terminology/snomed"
)

// population is a sample shared by the tests: generated once, parsed strictly.
type population struct {
	bundles []PatientBundle
	parsed  []*fhir.Bundle
}

var testPopulation = sync.OnceValues(func() (*population, error) {
	p := &population{}
	err := Generate(context.Background(), Options{Patients: 150, Seed: 2024}, func(b PatientBundle) error {
		r, err := fhir.ParseResource(b.JSON)
		if err != nil {
			return err
		}
		bundle, ok := r.(*fhir.Bundle)
		if !ok {
			return errors.New("not a Bundle: " + r.ResourceType())
		}
		p.bundles = append(p.bundles, b)
		p.parsed = append(p.parsed, bundle)
		return nil
	})
	return p, err
})

func samplePopulation(t testing.TB) *population {
	t.Helper()
	p, err := testPopulation()
	if err != nil {
		t.Fatalf("generating the sample population: %v", err)
	}
	return p
}

func TestDeterministic(t *testing.T) {
	collect := func(opts Options) [][]byte {
		var out [][]byte
		if err := Generate(context.Background(), opts, func(b PatientBundle) error {
			out = append(out, b.JSON)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	a := collect(Options{Patients: 30, Seed: 9, Workers: 1})
	b := collect(Options{Patients: 30, Seed: 9, Workers: 4})
	c := collect(Options{Patients: 30, Seed: 10})
	part := collect(Options{Patients: 10, First: 20, Seed: 9})
	if len(a) != 30 || len(c) != 30 || len(part) != 10 {
		t.Fatalf("got %d, %d, %d bundles", len(a), len(c), len(part))
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			t.Fatalf("patient %d differs between 1 and 4 workers", i)
		}
		if bytes.Equal(a[i], c[i]) {
			t.Errorf("patient %d is the same for seeds 9 and 10", i)
		}
	}
	for i := range part {
		if !bytes.Equal(part[i], a[20+i]) {
			t.Errorf("patient %d differs when generated as part of a population", 20+i)
		}
	}
	one, err := Patient(Options{Seed: 9}, 7)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(one.JSON, a[7]) {
		t.Error("Patient(7) differs from the 8th bundle of Generate")
	}
	// A different reference date moves the history.
	later := collect(Options{Patients: 1, Seed: 9, AsOf: DefaultAsOf.AddDate(1, 0, 0)})
	if bytes.Equal(later[0], a[0]) {
		t.Error("reference date has no effect")
	}
}

func TestOptionsRejected(t *testing.T) {
	for _, o := range []Options{
		{Patients: -1},
		{Patients: maxPatients + 1},
		{Patients: 1, Years: -2},
	} {
		if err := Generate(context.Background(), o, func(PatientBundle) error { return nil }); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if _, err := Patient(Options{}, maxPatients); err == nil {
		t.Error("index beyond the NHS number space accepted")
	}
}

func TestGenerateStopsOnError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := Generate(context.Background(), Options{Patients: 100, Seed: 1}, func(PatientBundle) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Fatalf("err %v after %d bundles", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Generate(ctx, Options{Patients: 10}, func(PatientBundle) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
}

// TestStrictRoundTrip: every bundle and every resource in it parses in strict mode and
// marshals back to the same bytes.
func TestStrictRoundTrip(t *testing.T) {
	p := samplePopulation(t)
	for i, b := range p.parsed {
		again, err := fhir.MarshalResource(b)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, p.bundles[i].JSON) {
			t.Fatalf("patient %d: bundle does not round-trip", i)
		}
		for j, e := range b.Entry {
			data, err := fhir.MarshalResource(e.Resource)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fhir.ParseResource(data); err != nil {
				t.Fatalf("patient %d entry %d (%s): %v", i, j, e.Resource.ResourceType(), err)
			}
		}
	}
}

// lit is the literal of an optional primitive ("" when absent).
func lit(p fhir.Primitive) string {
	if p == nil || reflect.ValueOf(p).IsNil() {
		return ""
	}
	s, _ := p.Literal()
	return s
}

// walk calls fn for every element under e, depth first.
func walk(e fhir.Element, fn func(fhir.Element)) {
	fn(e)
	e.EachChild(func(_ string, c fhir.Element) bool {
		walk(c, fn)
		return true
	})
}

func TestBundleShape(t *testing.T) {
	p := samplePopulation(t)
	conditional := map[string]string{
		"Patient":      "identifier=" + sysNHSNumber + "|",
		"Organization": "identifier=" + sysODS + "|",
		"Practitioner": "identifier=" + sysSDSUser + "|",
	}
	for i, b := range p.parsed {
		if lit(b.Type) != "transaction" {
			t.Fatalf("patient %d: bundle type %q", i, lit(b.Type))
		}
		full := make(map[string]bool)
		patients := 0
		for _, e := range b.Entry {
			u := lit(e.FullURL)
			if !strings.HasPrefix(u, "urn:uuid:") || full[u] {
				t.Fatalf("patient %d: bad or repeated fullUrl %q", i, u)
			}
			full[u] = true
			rt := e.Resource.ResourceType()
			if lit(e.Request.Method) != "POST" || lit(e.Request.URL) != rt {
				t.Errorf("patient %d: %s request %s %s", i, rt, lit(e.Request.Method), lit(e.Request.URL))
			}
			want, isConditional := conditional[rt]
			got := lit(e.Request.IfNoneExist)
			if isConditional != (got != "") || !strings.HasPrefix(got, want) {
				t.Errorf("patient %d: %s ifNoneExist %q", i, rt, got)
			}
			if rt == "Patient" {
				patients++
				if got != want+lit(e.Resource.(*fhir.Patient).Identifier[0].Value) {
					t.Errorf("patient %d: ifNoneExist %q does not name the NHS number", i, got)
				}
			}
		}
		if patients != 1 {
			t.Fatalf("patient %d: %d Patient entries", i, patients)
		}
		// Every reference resolves inside the bundle.
		for _, e := range b.Entry {
			walk(e.Resource, func(el fhir.Element) {
				r, ok := el.(*fhir.Reference)
				if !ok || r.Reference == nil {
					return
				}
				if !full[lit(r.Reference)] {
					t.Errorf("patient %d: %s refers to %s, not in the bundle", i, e.Resource.ResourceType(), lit(r.Reference))
				}
			})
		}
	}
}

func TestNHSNumbersInOutput(t *testing.T) {
	p := samplePopulation(t)
	seen := make(map[string]bool)
	for i, b := range p.parsed {
		var pt *fhir.Patient
		for _, e := range b.Entry {
			if x, ok := e.Resource.(*fhir.Patient); ok {
				pt = x
			}
		}
		var nhs string
		for _, id := range pt.Identifier {
			if lit(id.System) == sysNHSNumber {
				nhs = lit(id.Value)
				if len(id.Extension) != 1 || id.Extension[0].URL != ukCoreExt+"NHSNumberVerificationStatus" {
					t.Errorf("patient %d: NHS number without its verification status", i)
				}
			}
		}
		if err := nhsnumber.Validate(nhs); err != nil {
			t.Errorf("patient %d: nhsnumber.Validate(%q): %v", i, nhs, err)
		}
		if nhs != p.bundles[i].NHSNumber || seen[nhs] {
			t.Errorf("patient %d: NHS number %q repeated or not reported", i, nhs)
		}
		seen[nhs] = true
	}
}

// tableConcepts lists every coded value the generator's tables hold.
func tableConcepts() []Concept {
	var cs []Concept
	for _, c := range chronicConditions {
		cs = append(cs, c.concept, c.clinic)
		for _, l := range c.labs {
			cs = append(cs, l.snomed, l.loinc)
		}
	}
	for _, a := range acuteIllnesses {
		cs = append(cs, a.concept, a.test)
	}
	for _, m := range allMedicines() {
		cs = append(cs, m.product, m.route, formUnit[m.form])
	}
	for _, l := range []labTest{labHbA1c, labEGFR, labCholesterol, labHDL, labLDL, labPotassium, labAlbumin} {
		cs = append(cs, l.snomed, l.loinc)
	}
	for _, v := range []vitalSign{vitalHeartRate, vitalRespRate, vitalTemp, vitalSpO2, vitalWeight, vitalHeight, vitalBMI, vitalBP} {
		cs = append(cs, v.loinc, v.snomed)
	}
	cs = append(cs, bpSystolicLOINC, bpSystolicSCT, bpDiastolicLOINC, bpDiastolicSCT)
	for _, a := range allergens {
		cs = append(cs, a.substance, a.reaction)
	}
	for _, v := range []vaccine{vaccFlu, vaccPneumo, vaccCovid1, vaccCovid2} {
		cs = append(cs, v.product, v.procedure)
	}
	cs = append(cs, routeIM, siteLeftUpperArm, encGPSurgery, encCasualty, encWard, encOwnHome,
		condPneumonia, condAppendicitis, condChestPain, condFemurFx, condAnkleSprain,
		procAppendicectomy, procHipReplacement, procKneeReplace, procPCI, procECG, procChestXray,
		procMedReview, procDressing, procDepressionScr)
	return slices.DeleteFunc(cs, func(c Concept) bool { return c.Code == "" })
}

func TestTableCodes(t *testing.T) {
	displays := make(map[Concept]bool)
	for _, c := range tableConcepts() {
		switch c.System {
		case sysSNOMED, sysDMD:
			if err := snomed.CheckConceptID(c.Code); err != nil {
				t.Errorf("%s %q (%s): %v", c.System, c.Code, c.Display, err)
			}
		case sysLOINC:
			if err := terminology.CheckLOINC(c.Code); err != nil {
				t.Errorf("LOINC %q (%s): %v", c.Code, c.Display, err)
			}
		default:
			t.Errorf("unexpected system %q", c.System)
		}
		if c.Display == "" {
			t.Errorf("%s %s has no display", c.System, c.Code)
		}
		displays[c] = true
	}
	// One code, one display.
	byCode := make(map[[2]string]string)
	for c := range displays {
		k := [2]string{c.System, c.Code}
		if d, ok := byCode[k]; ok && d != c.Display {
			t.Errorf("%s|%s shown as %q and %q", c.System, c.Code, d, c.Display)
		}
		byCode[k] = c.Display
	}
}

// TestOutputCodesFromTables: every SNOMED CT, dm+d and LOINC coding in the output is one
// of the table concepts, with its display.
func TestOutputCodesFromTables(t *testing.T) {
	known := make(map[Concept]bool)
	for _, c := range tableConcepts() {
		known[c] = true
	}
	p := samplePopulation(t)
	for i, b := range p.parsed {
		for _, e := range b.Entry {
			walk(e.Resource, func(el fhir.Element) {
				c, ok := el.(*fhir.Coding)
				if !ok {
					return
				}
				got := Concept{lit(c.System), lit(c.Code), lit(c.Display)}
				switch got.System {
				case sysSNOMED, sysDMD, sysLOINC:
					if !known[got] {
						t.Errorf("patient %d: %s: coding %v is not in the tables", i, e.Resource.ResourceType(), got)
					}
				}
			})
			// Quantities coded in UCUM or SNOMED CT units only.
			walk(e.Resource, func(el fhir.Element) {
				q, ok := el.(*fhir.Quantity)
				if !ok {
					return
				}
				switch lit(q.System) {
				case sysUCUM, sysSNOMED:
				default:
					t.Errorf("patient %d: quantity in system %q", i, lit(q.System))
				}
			})
		}
	}
}

// TestClinicalCoherence checks the history makes sense: nothing after the reference
// date, periods in order, long-term medicines for a recorded problem, and no amoxicillin
// for a patient allergic to penicillin.
func TestClinicalCoherence(t *testing.T) {
	p := samplePopulation(t)
	asOf := DefaultAsOf.Format(time.RFC3339)
	problems := 0
	for i, b := range p.parsed {
		conds := make(map[string]*fhir.Condition)
		var allergic bool
		for _, e := range b.Entry {
			switch r := e.Resource.(type) {
			case *fhir.Condition:
				conds[lit(e.FullURL)] = r
			case *fhir.AllergyIntolerance:
				code := lit(r.Code.Coding[0].Code)
				allergic = allergic || code == "764146007" || code == "372687004"
			}
		}
		for _, e := range b.Entry {
			switch r := e.Resource.(type) {
			case *fhir.Encounter:
				start, end := lit(r.Period.Start), lit(r.Period.End)
				if start > asOf || (end != "" && end < start) {
					t.Errorf("patient %d: encounter %s..%s", i, start, end)
				}
				if (end == "") != (lit(r.Status) == "in-progress") {
					t.Errorf("patient %d: encounter status %s with end %q", i, lit(r.Status), end)
				}
			case *fhir.Observation:
				if d := lit(r.EffectiveDateTime); d > asOf {
					t.Errorf("patient %d: observation dated %s", i, d)
				}
			case *fhir.MedicationRequest:
				if len(r.ReasonReference) != 1 {
					t.Fatalf("patient %d: medication request without a reason", i)
				}
				c := conds[lit(r.ReasonReference[0].Reference)]
				if c == nil {
					t.Fatalf("patient %d: medication reason is not a Condition", i)
				}
				course := lit(r.CourseOfTherapyType.Coding[0].Code)
				isProblem := lit(c.Category[0].Coding[0].Code) == "problem-list-item"
				if course == "continuous" {
					problems++
					if !isProblem {
						t.Errorf("patient %d: long-term medicine for %s", i, lit(c.Code.Coding[0].Display))
					}
				}
				if allergic && lit(r.MedicationCodeableConcept.Coding[0].Code) == medAmoxicillin.product.Code {
					t.Errorf("patient %d: amoxicillin prescribed despite a penicillin allergy", i)
				}
			}
		}
	}
	if problems == 0 {
		t.Error("no long-term prescriptions in the sample")
	}
}

func TestSpreadAcrossProviders(t *testing.T) {
	p := samplePopulation(t)
	multi := 0
	for i, b := range p.parsed {
		sources := make(map[string]bool)
		provenanceTargets := 0
		clinical := 0
		for _, e := range b.Entry {
			r := e.Resource
			switch r.ResourceType() {
			case "Organization", "Practitioner":
				continue
			case "Provenance":
				pv := r.(*fhir.Provenance)
				provenanceTargets += len(pv.Target)
				if lit(pv.Agent[0].Who.Reference) == "" {
					t.Errorf("patient %d: provenance without an agent", i)
				}
				continue
			}
			clinical++
			m := r.(interface{ ResourceMeta() *fhir.Meta }).ResourceMeta()
			src := lit(m.Source)
			if !strings.HasPrefix(src, odsSource) {
				t.Errorf("patient %d: %s has meta.source %q", i, r.ResourceType(), src)
			}
			sources[src] = true
		}
		if provenanceTargets != clinical {
			t.Errorf("patient %d: provenance covers %d of %d resources", i, provenanceTargets, clinical)
		}
		if len(sources) >= 2 {
			multi++
		}
	}
	if multi < len(p.parsed)/4 {
		t.Errorf("only %d of %d records come from more than one provider", multi, len(p.parsed))
	}
}

// plausible are physiological limits for each observation code (UCUM units).
var plausible = map[string][2]float64{
	"8867-4":  {40, 180}, // heart rate /min
	"9279-1":  {8, 45},   // respiratory rate /min
	"8310-5":  {35, 41},  // temperature Cel
	"2708-6":  {80, 100}, // SpO2 %
	"29463-7": {2, 200},  // weight kg
	"8302-2":  {45, 210}, // height cm
	"39156-5": {12, 60},  // BMI kg/m2
	"59261-8": {20, 130}, // HbA1c mmol/mol
	"62238-1": {10, 140}, // eGFR
	"14647-2": {2, 10},   // cholesterol mmol/L
	"14646-4": {0.5, 3},  // HDL
	"22748-8": {0.5, 7},  // LDL
	"2823-3":  {2.5, 7},  // potassium mmol/L
	"1751-7":  {20, 55},  // albumin g/L
	"8480-6":  {80, 220}, // systolic mm[Hg]
	"8462-4":  {40, 130}, // diastolic mm[Hg]
}

func quantityValue(t *testing.T, q *fhir.Quantity) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(lit(q.Value), 64)
	if err != nil {
		t.Fatalf("quantity %q: %v", lit(q.Value), err)
	}
	return v
}

func loincOf(cc *fhir.CodeableConcept) string {
	for _, c := range cc.Coding {
		if lit(c.System) == sysLOINC {
			return lit(c.Code)
		}
	}
	return ""
}

// TestObservationValues: every measurement is within physiological limits, and no
// encounter records the same measurement or prescribes the same medicine twice.
func TestObservationValues(t *testing.T) {
	p := samplePopulation(t)
	checked := 0
	for i, b := range p.parsed {
		perEncounter := make(map[string]bool)
		for _, e := range b.Entry {
			var key string
			switch r := e.Resource.(type) {
			case *fhir.Observation:
				code := loincOf(r.Code)
				key = lit(r.Encounter.Reference) + " " + code + " " + lit(r.EffectiveDateTime)
				quantities := map[string]*fhir.Quantity{code: r.ValueQuantity}
				for _, c := range r.Component {
					quantities[loincOf(c.Code)] = c.ValueQuantity
				}
				for code, q := range quantities {
					if q == nil {
						continue
					}
					lim, ok := plausible[code]
					if !ok {
						t.Fatalf("no limits for LOINC %s", code)
					}
					if v := quantityValue(t, q); v < lim[0] || v > lim[1] {
						t.Errorf("patient %d: LOINC %s value %v outside %v", i, code, v, lim)
					}
					checked++
				}
			case *fhir.MedicationRequest:
				key = lit(r.Encounter.Reference) + " " + lit(r.MedicationCodeableConcept.Coding[0].Code)
			default:
				continue
			}
			if perEncounter[key] {
				t.Errorf("patient %d: repeated %s %s", i, e.Resource.ResourceType(), key)
			}
			perEncounter[key] = true
		}
	}
	if checked == 0 {
		t.Fatal("no measurements checked")
	}
}

// allMedicines lists every medicine the tables can prescribe, once each.
func allMedicines() []medicine {
	var out []medicine
	add := func(ms ...medicine) {
		for _, m := range ms {
			if !slices.ContainsFunc(out, func(x medicine) bool { return x.product == m.product }) {
				out = append(out, m)
			}
		}
	}
	for _, c := range chronicConditions {
		add(c.meds...)
	}
	for _, a := range acuteIllnesses {
		add(a.meds...)
	}
	add(medAmoxicillin, medClarithro, medDoxycycline, medParacetamol)
	return out
}
