package storetest

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// testAcks: a process's acknowledgement replaces its earlier one, is stamped with the
// store's clock, is seen by Acks in the same and later transactions, and is rolled back
// with a failed transaction.
func testAcks(t *testing.T, s store.Store) {
	ctx := context.Background()
	acks := func(tx store.Tx) map[string]int64 {
		t.Helper()
		as, err := tx.Acks(ctx)
		if err != nil {
			t.Fatalf("acks: %v", err)
		}
		out := map[string]int64{}
		for _, a := range as {
			if a.Age < -time.Second || a.Age > time.Minute {
				t.Errorf("ack of %s is %v old", a.Process, a.Age)
			}
			out[a.Process] = a.Seq
		}
		return out
	}
	errFail := errors.New("fail on purpose")
	steps := []struct {
		name    string
		process string
		seq     int64
		fail    bool
		want    map[string]int64
	}{
		{"first", "p1", 5, false, map[string]int64{"p1": 5}},
		{"another process", "p2", 7, false, map[string]int64{"p1": 5, "p2": 7}},
		{"a later ack replaces", "p1", 9, false, map[string]int64{"p1": 9, "p2": 7}},
		{"a failed write acknowledges nothing", "p2", 11, true, map[string]int64{"p1": 9, "p2": 7}},
	}
	for _, st := range steps {
		err := s.Write(ctx, func(tx store.Tx) error {
			if err := tx.Ack(ctx, st.process, st.seq); err != nil {
				return err
			}
			want := maps.Clone(st.want)
			want[st.process] = st.seq
			if got := acks(tx); !maps.Equal(got, want) {
				t.Errorf("%s: in its transaction: acks %v, want %v", st.name, got, want)
			}
			if st.fail {
				return errFail
			}
			return nil
		})
		if st.fail && !errors.Is(err, errFail) || !st.fail && err != nil {
			t.Fatalf("%s: write: %v", st.name, err)
		}
		err = s.Write(ctx, func(tx store.Tx) error {
			if got := acks(tx); !maps.Equal(got, st.want) {
				t.Errorf("%s: acks %v, want %v", st.name, got, st.want)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: read: %v", st.name, err)
		}
	}
}
