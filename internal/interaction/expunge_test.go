package interaction

import (
	"context"
	"reflect"
	"testing"

	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/store/sqlite"
)

// The Expunged hook hears of the current resources an $expunge erased, not of those
// already deleted (Notify told of their delete) nor of a failed $expunge.
func TestExpungedHook(t *testing.T) {
	st, err := sqlite.Open(t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var heard [][]store.Ref
	svc, err := New(Options{Store: st, ReferentialIntegrity: true, Expunged: func(_ context.Context, refs []store.Ref) {
		heard = append(heard, refs)
	}})
	if err != nil {
		t.Fatal(err)
	}
	admin := &Request{Admin: true}
	live := mustCreate(t, svc, "Basic", `{"resourceType":"Basic","code":{"text":"live"}}`)
	gone := mustCreate(t, svc, "Basic", `{"resourceType":"Basic","code":{"text":"gone"}}`)
	if _, err := svc.Delete(bg, admin, "Basic", gone.ID, DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Expunge(bg, anyone, "Basic", ""); err == nil {
		t.Fatal("$expunge allowed to a non-administrator")
	}
	if len(heard) != 0 {
		t.Fatalf("a refused $expunge was heard: %v", heard)
	}
	n, err := svc.Expunge(bg, admin, "Basic", "")
	if err != nil || n != 2 {
		t.Fatalf("expunge: %d, %v", n, err)
	}
	want := [][]store.Ref{{{Type: "Basic", ID: live.ID}}}
	if !reflect.DeepEqual(heard, want) {
		t.Errorf("heard %v, want %v", heard, want)
	}
}
