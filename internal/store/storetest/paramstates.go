package storetest

import (
	"context"
	"errors"
	"maps"
	"testing"

	"github.com/joinedup/joinedup/internal/store"
)

// testParamStates: the states a $reindex records are kept per URL, replaced by later
// records, and written or rolled back with the rest of their transaction.
func testParamStates(t *testing.T, s store.Store) {
	ctx := context.Background()
	states := func() map[string]string {
		t.Helper()
		m, err := s.ParamStates(ctx)
		if err != nil {
			t.Fatalf("param states: %v", err)
		}
		return m
	}
	set := func(kv ...string) func(tx store.Tx) error {
		return func(tx store.Tx) error {
			for i := 0; i+1 < len(kv); i += 2 {
				if err := tx.SetParamState(ctx, kv[i], kv[i+1]); err != nil {
					return err
				}
			}
			return nil
		}
	}
	if got := states(); len(got) != 0 {
		t.Fatalf("a new store has states %v", got)
	}
	const a, b = "http://example.org/sp/a", "http://example.org/sp/b"
	steps := []struct {
		name string
		fn   func(tx store.Tx) error
		fail bool // fn fails after its writes: nothing of it may stay
		want map[string]string
	}{
		{"two in one write", set(a, "a1", b, "b1"), false, map[string]string{a: "a1", b: "b1"}},
		{"a later record replaces", set(a, "a2"), false, map[string]string{a: "a2", b: "b1"}},
		{"the same url twice in one write: the last", set(b, "b2", b, "b3"), false, map[string]string{a: "a2", b: "b3"}},
		{"a failed write records nothing", set(a, "lost"), true, map[string]string{a: "a2", b: "b3"}},
		{"nor does a failed write with a resource", func(tx store.Tx) error {
			if err := tx.Put(ctx, &store.Write{Resource: store.Resource{Type: "Basic", ID: "x", VersionID: 1, Op: store.OpCreate,
				LastUpdated: base, Body: body("Basic", "x", 1, "")}}); err != nil {
				return err
			}
			return set(b, "lost")(tx)
		}, true, map[string]string{a: "a2", b: "b3"}},
	}
	errFail := errors.New("fail on purpose")
	for _, st := range steps {
		err := s.Write(ctx, func(tx store.Tx) error {
			if err := st.fn(tx); err != nil {
				return err
			}
			if st.fail {
				return errFail
			}
			return nil
		})
		if st.fail && !errors.Is(err, errFail) || !st.fail && err != nil {
			t.Fatalf("%s: write: %v", st.name, err)
		}
		if got := states(); !maps.Equal(got, st.want) {
			t.Errorf("%s: states %v, want %v", st.name, got, st.want)
		}
	}
	_, err := s.Read(ctx, nil, "Basic", "x")
	notFound(t, "the failed write's resource", err)
}
