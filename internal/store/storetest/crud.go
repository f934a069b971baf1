package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

func testCRUD(t *testing.T, s store.Store) {
	ctx := context.Background()
	notFound(t, "read before create", func() error { _, err := s.Read(ctx, nil, "Patient", "p1"); return err }())

	v1 := put(t, s, store.Write{Resource: store.Resource{Type: "Patient", ID: "p1", LastUpdated: base,
		Body: body("Patient", "p1", 1, `,"active":true`)}})
	if v1.VersionID != 1 || v1.Op != store.OpCreate {
		t.Fatalf("create: version %d op %d", v1.VersionID, v1.Op)
	}
	sameVersion(t, read(t, s, nil, "Patient", "p1"), v1)

	v2 := put(t, s, store.Write{Resource: store.Resource{Type: "Patient", ID: "p1", LastUpdated: base.Add(time.Second),
		Body: body("Patient", "p1", 2, `,"active":false`)}})
	if v2.VersionID != 2 || v2.Op != store.OpUpdate || v2.Seq <= v1.Seq {
		t.Fatalf("update: version %d op %d seq %d after %d", v2.VersionID, v2.Op, v2.Seq, v1.Seq)
	}
	sameVersion(t, read(t, s, nil, "Patient", "p1"), v2)

	old, err := s.VRead(ctx, nil, "Patient", "p1", 1)
	if err != nil {
		t.Fatalf("vread 1: %v", err)
	}
	sameVersion(t, old, v1)

	v3 := del(t, s, "Patient", "p1", base.Add(2*time.Second))
	got := read(t, s, nil, "Patient", "p1")
	if !got.Deleted() || got.VersionID != 3 || got.Body != nil {
		t.Fatalf("read after delete: version %d op %d body %q, want deleted version 3 without body", got.VersionID, got.Op, got.Body)
	}
	sameVersion(t, got, v3)
	if r, err := s.VRead(ctx, nil, "Patient", "p1", 2); err != nil || string(r.Body) != string(v2.Body) {
		t.Fatalf("vread 2 after delete: %v", err)
	}
	_, err = s.VRead(ctx, nil, "Patient", "p1", 9)
	notFound(t, "vread of a version never written", err)
	_, err = s.VRead(ctx, nil, "Patient", "other", 1)
	notFound(t, "vread of a resource never written", err)
	_, err = s.Read(ctx, nil, "Observation", "p1")
	notFound(t, "read of the id under another type", err)

	// Re-creating after a delete continues the version sequence.
	v4 := put(t, s, store.Write{Resource: store.Resource{Type: "Patient", ID: "p1", Op: store.OpUpdate}})
	if v4.VersionID != 4 {
		t.Fatalf("update after delete: version %d, want 4", v4.VersionID)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
}

func testVersionConflict(t *testing.T, s store.Store) {
	ctx := context.Background()
	put(t, s, store.Write{Resource: store.Resource{Type: "Patient", ID: "p1"}})
	for _, v := range []int64{0, 1, 3, -1} {
		err := s.Write(ctx, func(tx store.Tx) error {
			return tx.Put(ctx, &store.Write{Resource: store.Resource{Type: "Patient", ID: "p1", VersionID: v,
				Op: store.OpUpdate, LastUpdated: base, Body: body("Patient", "p1", v, "")}})
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("put version %d over version 1: got %v, want ErrConflict", v, err)
		}
	}
	err := s.Write(ctx, func(tx store.Tx) error {
		return tx.Put(ctx, &store.Write{Resource: store.Resource{Type: "Patient", ID: "new", VersionID: 2,
			Op: store.OpUpdate, LastUpdated: base, Body: body("Patient", "new", 2, "")}})
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("put version 2 of a new resource: got %v, want ErrConflict", err)
	}
	if r := read(t, s, nil, "Patient", "p1"); r.VersionID != 1 {
		t.Errorf("after conflicts: version %d, want 1", r.VersionID)
	}
}

// testFailedWriteRollsBack: a function that fails after a successful Put leaves nothing.
func testFailedWriteRollsBack(t *testing.T, s store.Store) {
	ctx := context.Background()
	errBoom := errors.New("boom")
	err := s.Write(ctx, func(tx store.Tx) error {
		w := &store.Write{Resource: store.Resource{Type: "Patient", ID: "a", VersionID: 1, Op: store.OpCreate,
			LastUpdated: base, Body: body("Patient", "a", 1, "")},
			Index: store.Index{Tokens: []store.TokenEntry{{Param: "identifier", System: "s", Code: "1"}}}}
		if err := tx.Put(ctx, w); err != nil {
			return err
		}
		if _, err := tx.Current(ctx, "Patient", "a"); err != nil {
			return fmt.Errorf("own write not visible: %w", err)
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("write: got %v, want the function's error", err)
	}
	_, err = s.Read(ctx, nil, "Patient", "a")
	notFound(t, "read after a failed write", err)
	page, err := s.Search(ctx, nil, store.Query{Type: "Patient", Clauses: []store.Clause{{Param: "identifier",
		Kind: store.KindToken, Values: []store.Value{{Code: "1"}}}}})
	if err != nil || len(page.Resources) != 0 {
		t.Fatalf("search after a failed write: %v, %d found", err, len(page.Resources))
	}
	h, err := s.History(ctx, nil, store.HistoryQuery{})
	if err != nil || len(h.Versions) != 0 {
		t.Fatalf("history after a failed write: %v, %d versions", err, len(h.Versions))
	}
	// The resource can then be created normally.
	put(t, s, store.Write{Resource: store.Resource{Type: "Patient", ID: "a"}})
}

func testPanicInWrite(t *testing.T, s store.Store) {
	ctx := context.Background()
	func() {
		defer func() {
			if v := recover(); v != "kaboom" {
				t.Fatalf("recovered %v, want the function's panic", v)
			}
		}()
		_ = s.Write(ctx, func(tx store.Tx) error {
			if err := tx.Put(ctx, &store.Write{Resource: store.Resource{Type: "Patient", ID: "a", VersionID: 1,
				Op: store.OpCreate, LastUpdated: base, Body: body("Patient", "a", 1, "")}}); err != nil {
				return err
			}
			panic("kaboom")
		})
	}()
	_, err := s.Read(ctx, nil, "Patient", "a")
	notFound(t, "read after a panicking write", err)
	put(t, s, store.Write{Resource: store.Resource{Type: "Patient", ID: "b"}})
}

func testCancelledWrite(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := s.Write(ctx, func(tx store.Tx) error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("write with a cancelled context: err %v, fn ran %v", err, ran)
	}
}

func testExpunge(t *testing.T, s store.Store) {
	ctx := context.Background()
	idx := store.Index{Tokens: []store.TokenEntry{{Param: "identifier", System: "s", Code: "x"}}}
	put(t, s, store.Write{Resource: store.Resource{Type: "Patient", ID: "gone"}, Index: idx,
		Compartments: []store.Ref{{Type: "Patient", ID: "gone"}}})
	put(t, s, store.Write{Resource: store.Resource{Type: "Patient", ID: "gone"}, Index: idx})
	keep := put(t, s, store.Write{Resource: store.Resource{Type: "Patient", ID: "kept"}, Index: idx})
	put(t, s, store.Write{Resource: store.Resource{Type: "Observation", ID: "o"}, Links: []store.Ref{{Type: "Patient", ID: "gone"}}})

	if err := s.Write(ctx, func(tx store.Tx) error {
		if err := tx.Expunge(ctx, "Patient", "gone"); err != nil {
			return err
		}
		return tx.Expunge(ctx, "Observation", "o")
	}); err != nil {
		t.Fatalf("expunge: %v", err)
	}
	_, err := s.Read(ctx, nil, "Patient", "gone")
	notFound(t, "read after expunge", err)
	_, err = s.VRead(ctx, nil, "Patient", "gone", 1)
	notFound(t, "vread after expunge", err)
	h, err := s.History(ctx, nil, store.HistoryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if got := versions(h.Versions); !equal(got, []string{"Patient/kept/1"}) {
		t.Fatalf("system history after expunge: %v", got)
	}
	page, err := s.Search(ctx, nil, store.Query{Type: "Patient", Clauses: []store.Clause{{Param: "identifier",
		Kind: store.KindToken, Values: []store.Value{{Code: "x"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(page.Resources); !equal(got, []string{"Patient/kept"}) {
		t.Fatalf("search after expunge: %v", got)
	}
	sameVersion(t, page.Resources[0], keep)
	err = s.Write(ctx, func(tx store.Tx) error { return tx.Expunge(ctx, "Patient", "never") })
	notFound(t, "expunge of a resource never written", err)
	// The id is free again: the next create is version 1.
	if r := put(t, s, store.Write{Resource: store.Resource{Type: "Patient", ID: "gone"}}); r.VersionID != 1 {
		t.Fatalf("create after expunge: version %d, want 1", r.VersionID)
	}
	if err := s.Write(ctx, func(tx store.Tx) error {
		refs, err := tx.ReferencedBy(ctx, "Patient", "gone", 10)
		if err == nil && len(refs) != 0 {
			err = fmt.Errorf("links of an expunged resource remain: %v", refs)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func testReferencedBy(t *testing.T, s store.Store) {
	ctx := context.Background()
	target := store.Ref{Type: "Patient", ID: "p"}
	put(t, s, store.Write{Resource: store.Resource{Type: "Patient", ID: "p"}})
	put(t, s, store.Write{Resource: store.Resource{Type: "Observation", ID: "o1"}, Links: []store.Ref{target, target}})
	put(t, s, store.Write{Resource: store.Resource{Type: "Encounter", ID: "e1"}, Links: []store.Ref{target, {Type: "Practitioner", ID: "x"}}})
	put(t, s, store.Write{Resource: store.Resource{Type: "Observation", ID: "o2"}, Links: []store.Ref{target}})
	refsOf := func(limit int) []string {
		t.Helper()
		var out []string
		if err := s.Write(ctx, func(tx store.Tx) error {
			refs, err := tx.ReferencedBy(ctx, target.Type, target.ID, limit)
			for _, r := range refs {
				out = append(out, r.Type+"/"+r.ID)
			}
			return err
		}); err != nil {
			t.Fatalf("referenced by: %v", err)
		}
		return out
	}
	if got := refsOf(10); !equal(got, []string{"Encounter/e1", "Observation/o1", "Observation/o2"}) {
		t.Fatalf("referenced by: %v", got)
	}
	if got := refsOf(1); len(got) != 1 {
		t.Fatalf("referenced by with limit 1: %v", got)
	}
	// An update that drops the reference and a delete both clear the links.
	put(t, s, store.Write{Resource: store.Resource{Type: "Observation", ID: "o1"}})
	del(t, s, "Observation", "o2", time.Time{})
	if got := refsOf(10); !equal(got, []string{"Encounter/e1"}) {
		t.Fatalf("referenced by after update and delete: %v", got)
	}
}
