package main

import (
	"context"
	"net/http"
	"testing"

	"github.com/joinedup/joinedup/internal/interaction"
)

// TestLearnedProfilesSurviveRestart: a profile written to the server constrains later
// writes that claim it, and still does after a restart.
func TestLearnedProfilesSurviveRestart(t *testing.T) {
	ctx := context.Background()
	cfg := serveConfig{data: t.TempDir(), referentialIntegrity: true}
	const url = "http://example.org/fhir/StructureDefinition/patient-with-birthdate"
	profile := `{"resourceType":"StructureDefinition","url":"` + url + `","name":"PatientWithBirthDate",
		"status":"active","fhirVersion":"4.0.1","kind":"resource","abstract":false,"type":"Patient",
		"baseDefinition":"http://hl7.org/fhir/StructureDefinition/Patient","derivation":"constraint",
		"differential":{"element":[{"id":"Patient","path":"Patient"},{"id":"Patient.birthDate","path":"Patient.birthDate","min":1}]}}`
	patient := []byte(`{"resourceType":"Patient","meta":{"profile":["` + url + `"]},"active":true}`)

	createPatient := func(svc *interaction.Service) int {
		_, err := svc.Create(ctx, &interaction.Request{}, "Patient", patient, interaction.CreateOptions{})
		if err == nil {
			return http.StatusCreated
		}
		if e := interaction.AsError(err); e != nil {
			return e.Status
		}
		t.Fatal(err)
		return 0
	}

	svc, closeStore, err := openService(ctx, cfg, nil, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if got := createPatient(svc); got != http.StatusCreated {
		t.Fatalf("before the profile is known, a claim of it is only a warning: got %d", got)
	}
	if _, err := svc.Create(ctx, &interaction.Request{}, "StructureDefinition", []byte(profile), interaction.CreateOptions{}); err != nil {
		t.Fatalf("storing the profile: %v", err)
	}
	if got := createPatient(svc); got != http.StatusUnprocessableEntity {
		t.Fatalf("after storing the profile: got %d, want 422", got)
	}
	closeStore()

	svc, closeStore, err = openService(ctx, cfg, nil, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	if got := createPatient(svc); got != http.StatusUnprocessableEntity {
		t.Fatalf("after a restart: got %d, want 422 (the stored profile was forgotten)", got)
	}
}

// TestCustomSearchParametersSurviveRestart: a custom SearchParameter stored before a
// restart is registered again at start-up, pending until a $reindex covers it, and
// searchable at once after later restarts.
func TestCustomSearchParametersSurviveRestart(t *testing.T) {
	ctx := context.Background()
	cfg := serveConfig{data: t.TempDir(), referentialIntegrity: true}
	const url = "http://example.org/sp/eye"
	sp := `{"resourceType":"SearchParameter","url":"` + url + `","name":"eye","status":"active",
		"description":"eye colour","code":"eye-colour","base":["Patient"],"type":"token",
		"expression":"Patient.extension('http://example.org/eye').value"}`

	svc, closeStore, err := openService(ctx, cfg, nil, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, &interaction.Request{}, "SearchParameter", []byte(sp), interaction.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	closeStore()

	svc, closeStore, err = openService(ctx, cfg, nil, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if got := svc.PendingSearchParameters(); len(got) != 1 || got[0] != url {
		t.Fatalf("after a restart pending = %v, want [%s]", got, url)
	}
	job, err := svc.Reindex(ctx, &interaction.Request{Admin: true}, "Patient", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := job.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if got := svc.PendingSearchParameters(); len(got) != 0 {
		t.Errorf("after $reindex pending = %v", got)
	}
	closeStore()

	svc, closeStore, err = openService(ctx, cfg, nil, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	if got := svc.PendingSearchParameters(); len(got) != 0 {
		t.Errorf("restarted after $reindex: pending = %v", got)
	}
}
