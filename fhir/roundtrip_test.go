package fhir

import (
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedDir returns ../shared beside the repository, skipping the test when it is absent.
func sharedDir(t testing.TB, sub string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared data not found at %s (clone with ../shared beside the repository): %v", dir, err)
	}
	return dir
}

func readMaybeGzip(t testing.TB, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// knownInvalid lists the shared files that are not valid FHIR R4 JSON (all UK Core
// examples under fhir/uk-core/json/examples, converted from XML), with the first issue strict
// reading must report. Most carry an empty "_status": {} (an element with neither value nor
// extension); one sets two types of a choice element. Lenient reading must still round-trip
// them.
var knownInvalid = map[string]ParseIssue{
	"Extension-UKCore-AdditionalContact-Example.json":                     {Path: "ServiceRequest.status", Message: "empty object"},
	"Extension-UKCore-AddressKey-Example.json":                            {Path: "Patient.address[0].line[0]", Message: "empty object"},
	"Extension-UKCore-AssociatedEncounter-Example.json":                   {Path: "FamilyMemberHistory.status", Message: "empty object"},
	"Extension-UKCore-BodySiteReference-Example.json":                     {Path: "Specimen.collection.bodySite.text", Message: "empty object"},
	"Extension-UKCore-BookingOrganization-Example.json":                   {Path: "Appointment.status", Message: "empty object"},
	"Extension-UKCore-CodingSCT-MoleOfSkin-Example.json":                  {Path: "Condition.code.coding[0].display", Message: "empty object"},
	"Extension-UKCore-CodingSCT-Weight-Example.json":                      {Path: "Observation.code.coding[0].display", Message: "empty object"},
	"Extension-UKCore-ConditionEpisode-Example.json":                      {Path: "Condition.extension[0].valueCodeableConcept", Message: "several types of one choice element: \"valueCode\" and \"valueCodeableConcept\""},
	"Extension-UKCore-Coverage-Example.json":                              {Path: "ServiceRequest.status", Message: "empty object"},
	"Extension-UKCore-CuffSize-Example.json":                              {Path: "Device.status", Message: "empty object"},
	"Extension-UKCore-DeliveryChannel-Example.json":                       {Path: "Appointment.status", Message: "empty object"},
	"Extension-UKCore-DischargeMethod-Example.json":                       {Path: "Encounter.status", Message: "empty object"},
	"Extension-UKCore-EmergencyCareDischargeStatus-Example.json":          {Path: "Encounter.status", Message: "empty object"},
	"Extension-UKCore-LegalStatus-Example.json":                           {Path: "Encounter.status", Message: "empty object"},
	"Extension-UKCore-ListWarningCode-Example.json":                       {Path: "List.status", Message: "empty object"},
	"Extension-UKCore-MedicationChangeSummary-Example.json":               {Path: "MedicationStatement.status", Message: "empty object"},
	"Extension-UKCore-MedicationPrescribingOrganizationType-Example.json": {Path: "MedicationStatement.status", Message: "empty object"},
	"Extension-UKCore-MedicationStatementLastIssueDate-Example.json":      {Path: "MedicationStatement.status", Message: "empty object"},
	"Extension-UKCore-OutcomeOfAttendance-Example.json":                   {Path: "Encounter.status", Message: "empty object"},
	"Extension-UKCore-ParentPresent-Example.json":                         {Path: "Immunization.status", Message: "empty object"},
	"Extension-UKCore-Participant-Example.json":                           {Path: "FamilyMemberHistory.status", Message: "empty object"},
	"Extension-UKCore-PharmacistVerifiedIndicator-Example.json":           {Path: "MedicationStatement.status", Message: "empty object"},
	"Extension-UKCore-RecordingSetting-Example.json":                      {Path: "Observation.status", Message: "empty object"},
	"Extension-UKCore-RepeatInformation-Example.json":                     {Path: "MedicationRequest.status", Message: "empty object"},
	"Extension-UKCore-SampleCategory-Example.json":                        {Path: "Specimen.status", Message: "empty object"},
	"Extension-UKCore-SourceOfServiceRequest-Example.json":                {Path: "ServiceRequest.status", Message: "empty object"},
	"Extension-UKCore-SpecimenCollectionCollector-Example.json":           {Path: "Specimen.collection.collectedDateTime", Message: "empty object"},
	"Extension-UKCore-VaccinationProcedure-COVID-Example.json":            {Path: "Immunization.status", Message: "empty object"},
	"Extension-UKCore-VaccinationProcedure-Example.json":                  {Path: "Immunization.status", Message: "empty object"},
	"UKCore-Communication-FirstMMRVaccination-Example.json":               {Path: "Communication.sent", Message: "empty object"},
	"UKCore-Composition-Discharge-Example.json":                           {Path: "Composition.status", Message: "empty object"},
	"UKCore-Immunization-Sn-LotNumber-Example.json":                       {Path: "Immunization.lotNumber", Message: "empty object"},
	"UKCore-Immunization-Sn-PatientConformVaccination-Example.json":       {Path: "Immunization.occurrenceDateTime", Message: "empty object"},
	"UKCore-ServiceRequest-ColonoscopyRequest-Example.json":               {Path: "ServiceRequest.status", Message: "empty object"},
	"UKCore-ServiceRequest-HipReplacement-Example.json":                   {Path: "ServiceRequest.status", Message: "empty object"},
}

const ukCoreExamples = "fhir/uk-core/json/examples/"

func TestRoundTripSharedFiles(t *testing.T) {
	var files []string
	for _, pattern := range []string{
		"tests/examples/*.json",
		"fhir/uk-core/json/*/*.json",
		"data/synthea/*.json",
		"fhir/r4/*.json.gz",
	} {
		sharedDir(t, strings.SplitN(pattern, "/", 2)[0])
		m, err := filepath.Glob(filepath.Join("..", "..", "shared", pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			// fhir.schema.json.gz is a JSON schema, not a resource.
			if filepath.Base(f) != "fhir.schema.json.gz" {
				files = append(files, f)
			}
		}
	}
	if len(files) < 690 {
		t.Fatalf("found only %d shared files", len(files))
	}
	for _, path := range files {
		name := strings.TrimPrefix(filepath.ToSlash(path), "../../shared/")
		t.Run(name, func(t *testing.T) {
			data := readMaybeGzip(t, path)
			want, bad := knownInvalid[strings.TrimPrefix(name, ukCoreExamples)]
			r, err := ParseResource(data)
			if bad {
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("strict reading accepted a known invalid file (want %v)", want)
				}
				if !hasIssue(pe, want) {
					t.Errorf("strict reading: got %v, want issue %v", pe.Issues, want)
				}
				r, err = ParseResourceOptions(data, ParseOptions{Lenient: true})
			}
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			out, err := MarshalResource(r)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			if d := diffJSON(data, out); d != "" {
				t.Errorf("round trip differs: %s", d)
			}
		})
	}
}

func hasIssue(pe *ParseError, want ParseIssue) bool {
	for _, is := range pe.Issues {
		if is.Path == want.Path && strings.Contains(is.Message, want.Message) {
			return true
		}
	}
	return false
}
