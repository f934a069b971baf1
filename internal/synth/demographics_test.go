package synth

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/joinedup/joinedup/fhir"
)

var (
	// A full UK postcode: outward code (area letters, district) and inward code (sector
	// digit, two unit letters from the restricted set).
	postcodeRE = regexp.MustCompile(`^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][ABD-HJLNP-UW-Z]{2}$`)
	// Ofcom's drama ranges: 01xx 496 0xxx, 0191 498 0xxx, 020 7946 0xxx, 07700 900xxx.
	phoneRE = regexp.MustCompile(`^(01[1-9]{2} 49[68] 0[0-9]{3}|020 7946 0[0-9]{3}|07700 900[0-9]{3})$`)
)

func TestDemographics(t *testing.T) {
	p := samplePopulation(t)
	sexes := map[string]int{}
	var ages []int
	for i, b := range p.parsed {
		for _, e := range b.Entry {
			switch r := e.Resource.(type) {
			case *fhir.Patient:
				sexes[lit(r.Gender)]++
				birth, err := time.Parse(time.DateOnly, lit(r.BirthDate))
				if err != nil {
					t.Fatal(err)
				}
				age := DefaultAsOf.Year() - birth.Year()
				ages = append(ages, age)
				if age < 0 || age > 100 {
					t.Errorf("patient %d: age %d", i, age)
				}
				if len(r.Name) != 1 || lit(r.Name[0].Family) == "" || len(r.Name[0].Given) == 0 {
					t.Errorf("patient %d: incomplete name", i)
				}
				a := r.Address[0]
				pc := lit(a.PostalCode)
				if !postcodeRE.MatchString(pc) {
					t.Errorf("patient %d: postcode %q", i, pc)
				}
				if !areaHasDistrict(lit(a.City), strings.Fields(pc)[0]) {
					t.Errorf("patient %d: %s is not a district of %s", i, pc, lit(a.City))
				}
				for _, cp := range r.Telecom {
					if !phoneRE.MatchString(lit(cp.Value)) {
						t.Errorf("patient %d: phone %q", i, lit(cp.Value))
					}
				}
				if len(r.Extension) != 1 || r.Extension[0].URL != ukCoreExt+"EthnicCategory" {
					t.Errorf("patient %d: no ethnic category", i)
				}
			case *fhir.Organization:
				if !postcodeRE.MatchString(lit(r.Address[0].PostalCode)) {
					t.Errorf("organisation postcode %q", lit(r.Address[0].PostalCode))
				}
				ods := lit(r.Identifier[0].Value)
				if !regexp.MustCompile(`^([A-Z0-9]{3}|[A-Z][0-9]{5})$`).MatchString(ods) {
					t.Errorf("ODS code %q", ods)
				}
			case *fhir.Practitioner:
				for _, id := range r.Identifier {
					v := lit(id.Value)
					ok := map[string]*regexp.Regexp{
						sysSDSUser: regexp.MustCompile(`^[1-9][0-9]{11}$`),
						sysGMC:     regexp.MustCompile(`^[1-9][0-9]{6}$`),
						sysGMP:     regexp.MustCompile(`^G[0-9]{7}$`),
						sysNMC:     regexp.MustCompile(`^[0-9]{2}[A-Z][0-9]{4}[A-Z]$`),
					}[lit(id.System)]
					if ok == nil || !ok.MatchString(v) {
						t.Errorf("practitioner identifier %s|%s", lit(id.System), v)
					}
				}
			}
		}
	}
	if sexes["male"] < len(p.parsed)/4 || sexes["female"] < len(p.parsed)/4 {
		t.Errorf("sex split %v", sexes)
	}
	slices.Sort(ages)
	if ages[0] > 10 || ages[len(ages)-1] < 75 {
		t.Errorf("ages %d..%d: the sample should span children to the elderly", ages[0], ages[len(ages)-1])
	}
}

func areaHasDistrict(city, district string) bool {
	for _, a := range areas {
		if a.city == city {
			return slices.Contains(a.districts, district)
		}
	}
	return false
}

// TestAgeAppropriate: long-term conditions start no younger than their table allows,
// and operations and vaccines go to the right ages.
func TestAgeAppropriate(t *testing.T) {
	minAge := make(map[string]int)
	for _, c := range chronicConditions {
		minAge[c.concept.Code] = c.onsetMin
	}
	p := samplePopulation(t)
	for i, b := range p.parsed {
		var birth time.Time
		for _, e := range b.Entry {
			if pt, ok := e.Resource.(*fhir.Patient); ok {
				birth, _ = time.Parse(time.DateOnly, lit(pt.BirthDate))
			}
		}
		ageAt := func(dt string) int {
			d, err := time.Parse(time.RFC3339, dt)
			if err != nil {
				t.Fatalf("patient %d: date %q: %v", i, dt, err)
			}
			return int(d.Sub(birth).Hours() / 24 / 365.25)
		}
		for _, e := range b.Entry {
			switch r := e.Resource.(type) {
			case *fhir.Condition:
				if min, ok := minAge[lit(r.Code.Coding[0].Code)]; ok && ageAt(lit(r.OnsetDateTime)) < min {
					t.Errorf("patient %d: %s at age %d", i, lit(r.Code.Coding[0].Display), ageAt(lit(r.OnsetDateTime)))
				}
			case *fhir.Immunization:
				if a := ageAt(lit(r.OccurrenceDateTime)); a < 18 {
					t.Errorf("patient %d: adult vaccine at %d", i, a)
				}
			case *fhir.Procedure:
				switch lit(r.Code.Coding[0].Code) {
				case procHipReplacement.Code, procKneeReplace.Code, procPCI.Code:
					if a := ageAt(lit(r.PerformedPeriod.Start)); a < 40 {
						t.Errorf("patient %d: %s at %d", i, lit(r.Code.Coding[0].Display), a)
					}
				}
			}
		}
	}
}

func TestDirectoryBundle(t *testing.T) {
	data, err := DirectoryBundle()
	if err != nil {
		t.Fatal(err)
	}
	r, err := fhir.ParseResource(data)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	ods := map[string]bool{}
	for _, e := range r.(*fhir.Bundle).Entry {
		counts[e.Resource.ResourceType()]++
		if lit(e.Request.IfNoneExist) == "" {
			t.Errorf("%s without ifNoneExist", e.Resource.ResourceType())
		}
		if o, ok := e.Resource.(*fhir.Organization); ok {
			code := lit(o.Identifier[0].Value)
			if ods[code] {
				t.Errorf("ODS code %s twice", code)
			}
			ods[code] = true
		}
	}
	if want := len(areas) * (2 + practicesPerArea); counts["Organization"] != want {
		t.Errorf("%d organisations, want %d", counts["Organization"], want)
	}
	if counts["Practitioner"] == 0 || len(counts) != 2 {
		t.Errorf("directory holds %v", counts)
	}
	// The same organisation is written identically in the directory and in a patient's
	// bundle, so conditional creates agree whichever arrives first.
	b, err := Patient(Options{Seed: 3}, 0)
	if err != nil {
		t.Fatal(err)
	}
	pr, _ := fhir.ParseResource(b.JSON)
	for _, e := range pr.(*fhir.Bundle).Entry {
		if e.Resource.ResourceType() != "Organization" {
			continue
		}
		mine, _ := fhir.MarshalResource(e.Resource)
		found := false
		for _, d := range r.(*fhir.Bundle).Entry {
			if lit(d.FullURL) == lit(e.FullURL) {
				theirs, _ := fhir.MarshalResource(d.Resource)
				found = string(theirs) == string(mine)
			}
		}
		if !found {
			t.Errorf("organisation %s differs from the directory", lit(e.FullURL))
		}
	}
}

// BenchmarkGenerate measures generation and serialisation speed in patients per second.
func BenchmarkGenerate(b *testing.B) {
	resources := 0
	b.ReportAllocs()
	for b.Loop() {
		err := Generate(context.Background(), Options{Patients: 100, Seed: uint64(b.N)}, func(p PatientBundle) error {
			resources += p.Resources
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "patients/s")
	b.ReportMetric(float64(resources)/b.Elapsed().Seconds(), "resources/s")
}
