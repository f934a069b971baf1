package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/joinedup/joinedup/internal/interaction"
	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/store/postgres"
	"github.com/joinedup/joinedup/internal/store/postgres/pgtest"
	"github.com/joinedup/joinedup/internal/store/sqlite"
	"github.com/joinedup/joinedup/internal/terminology"
)

// eachStore runs fn on SQLite and, when JOINEDUP_TEST_POSTGRES is set, PostgreSQL; open
// opens the same data again on every call, as a restarted server does, and fn closes
// what it opens.
func eachStore(t *testing.T, fn func(t *testing.T, open func() store.Store)) {
	logger := slog.New(slog.DiscardHandler)
	keep := func(t *testing.T, st store.Store, err error) store.Store {
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		fn(t, func() store.Store {
			st, err := sqlite.Open(dir, sqlite.Options{Logger: logger})
			return keep(t, st, err)
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.DSN()
		if dsn == "" {
			t.Skip("JOINEDUP_TEST_POSTGRES is not set")
		}
		schema := pgtest.Schema(t, dsn, "cmdtest_")
		fn(t, func() store.Store {
			st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema, MaxConns: 4, Logger: logger})
			return keep(t, st, err)
		})
	})
}

// TestDeletedProfilesAreForgotten: a StructureDefinition stored on the server is enforced
// while it is current, and no longer once it is deleted (REST or transaction), expunged
// or updated to another url; a restart loads only the current ones. A resource that
// claims a profile the server does not know is accepted with a warning (DESIGN.md,
// "Validation policy").
func TestDeletedProfilesAreForgotten(t *testing.T) {
	const (
		url  = "http://example.org/fhir/StructureDefinition/patient-with-birthdate"
		url2 = "http://example.org/fhir/StructureDefinition/patient-with-birthdate-2"
	)
	profile := func(id, url string) []byte {
		return []byte(`{"resourceType":"StructureDefinition","id":"` + id + `","url":"` + url + `","name":"PatientWithBirthDate",
		"status":"active","fhirVersion":"4.0.1","kind":"resource","abstract":false,"type":"Patient",
		"baseDefinition":"http://hl7.org/fhir/StructureDefinition/Patient","derivation":"constraint",
		"differential":{"element":[{"id":"Patient","path":"Patient"},{"id":"Patient.birthDate","path":"Patient.birthDate","min":1}]}}`)
	}
	eachStore(t, func(t *testing.T, open func() store.Store) {
		ctx := context.Background()
		admin := &interaction.Request{Admin: true}
		var svc *interaction.Service
		var st store.Store
		stop := func() {
			if err := st.Close(); err != nil {
				t.Error(err)
			}
		}
		start := func() {
			if st != nil {
				stop()
			}
			st = open()
			var err error
			if svc, err = newService(ctx, st, serveConfig{referentialIntegrity: true}, quiet); err != nil {
				t.Fatal(err)
			}
		}
		status := func(res *interaction.Result, err error) int {
			if err == nil {
				return res.Status
			}
			if e := interaction.AsError(err); e != nil {
				return e.Status
			}
			t.Fatal(err)
			return 0
		}
		// claim creates a Patient without birthDate claiming the profile u.
		claim := func(u string) int {
			return status(svc.Create(ctx, admin, "Patient", []byte(`{"resourceType":"Patient","meta":{"profile":["`+u+`"]},"active":true}`), interaction.CreateOptions{}))
		}
		ok := func(what string, code int) {
			t.Helper()
			if code >= 300 {
				t.Fatalf("%s: status %d", what, code)
			}
		}
		steps := []struct {
			name      string
			do        func()
			url, url2 int // the status of a Patient claiming url, url2
		}{
			{"stored", func() {
				ok("update", status(svc.Update(ctx, admin, "StructureDefinition", "p1", profile("p1", url), interaction.UpdateOptions{})))
			}, 422, 201},
			{"deleted", func() {
				ok("delete", status(svc.Delete(ctx, admin, "StructureDefinition", "p1", interaction.DeleteOptions{})))
			}, 201, 201},
			{"restarted after the delete", start, 201, 201},
			{"stored again", func() {
				ok("update", status(svc.Update(ctx, admin, "StructureDefinition", "p1", profile("p1", url), interaction.UpdateOptions{})))
			}, 422, 201},
			{"its url changed", func() {
				ok("update", status(svc.Update(ctx, admin, "StructureDefinition", "p1", profile("p1", url2), interaction.UpdateOptions{})))
			}, 201, 422},
			{"restarted", start, 201, 422},
			{"deleted by a transaction", func() {
				res, err := svc.Bundle(ctx, admin, []byte(`{"resourceType":"Bundle","type":"transaction","entry":[
					{"request":{"method":"DELETE","url":"StructureDefinition/p1"}}]}`))
				if err != nil || res.Entries[0].Status >= 300 {
					t.Fatalf("transaction: %v %+v", err, res)
				}
			}, 201, 201},
			{"stored as another resource", func() {
				ok("update", status(svc.Update(ctx, admin, "StructureDefinition", "p2", profile("p2", url), interaction.UpdateOptions{})))
			}, 422, 201},
			{"expunged", func() {
				if n, err := svc.Expunge(ctx, admin, "StructureDefinition", "p2"); err != nil || n != 1 {
					t.Fatalf("expunge: %d, %v", n, err)
				}
			}, 201, 201},
			{"restarted after the expunge", start, 201, 201},
		}
		start()
		defer func() { stop() }()
		for _, step := range steps {
			step.do()
			if got := claim(url); got != step.url {
				t.Errorf("%s: a Patient claiming %s: %d, want %d", step.name, url, got, step.url)
			}
			if got := claim(url2); got != step.url2 {
				t.Errorf("%s: a Patient claiming %s: %d, want %d", step.name, url2, got, step.url2)
			}
		}
	})
}

// TestDeletedValueSetsAreForgotten: a ValueSet stored on the server is used by the
// policy's terminology while it is current, under its current url only.
func TestDeletedValueSetsAreForgotten(t *testing.T) {
	const url, url2 = "http://example.org/fhir/ValueSet/colours", "http://example.org/fhir/ValueSet/colours-2"
	valueSet := func(url string) []byte {
		return []byte(`{"resourceType":"ValueSet","id":"v1","url":"` + url + `","status":"active",
		"compose":{"include":[{"system":"http://example.org/colours","concept":[{"code":"red"}]}]}}`)
	}
	eachStore(t, func(t *testing.T, open func() store.Store) {
		ctx := context.Background()
		admin := &interaction.Request{Admin: true}
		st := open()
		defer func() {
			if err := st.Close(); err != nil {
				t.Error(err)
			}
		}()
		policy, err := newPolicy(serveConfig{}, quiet)
		if err != nil {
			t.Fatal(err)
		}
		svc, err := newService(ctx, st, serveConfig{referentialIntegrity: true, policy: policy}, quiet)
		if err != nil {
			t.Fatal(err)
		}
		known := func(u string) bool {
			_, err := policy.Terminology().ValueSet(u)
			if err != nil && !errors.Is(err, terminology.ErrNotFound) {
				t.Fatal(err)
			}
			return err == nil
		}
		steps := []struct {
			name      string
			do        func() error
			url, url2 bool
		}{
			{"stored", func() error {
				_, err := svc.Update(ctx, admin, "ValueSet", "v1", valueSet(url), interaction.UpdateOptions{})
				return err
			}, true, false},
			{"its url changed", func() error {
				_, err := svc.Update(ctx, admin, "ValueSet", "v1", valueSet(url2), interaction.UpdateOptions{})
				return err
			}, false, true},
			{"deleted", func() error {
				_, err := svc.Delete(ctx, admin, "ValueSet", "v1", interaction.DeleteOptions{})
				return err
			}, false, false},
			{"stored again", func() error {
				_, err := svc.Update(ctx, admin, "ValueSet", "v1", valueSet(url), interaction.UpdateOptions{})
				return err
			}, true, false},
			{"expunged", func() error {
				_, err := svc.Expunge(ctx, admin, "ValueSet", "v1")
				return err
			}, false, false},
		}
		for _, step := range steps {
			if err := step.do(); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			if got, got2 := known(url), known(url2); got != step.url || got2 != step.url2 {
				t.Errorf("%s: known %v %v, want %v %v", step.name, got, got2, step.url, step.url2)
			}
		}
	})
}
