package sqlite

import (
	"log/slog"
	"testing"

	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/store/storetest"
)

// quiet keeps lifecycle logs out of test and benchmark output.
var quiet = slog.New(slog.DiscardHandler)

func openTemp(t testing.TB, opt Options) *Store {
	t.Helper()
	if opt.Logger == nil {
		opt.Logger = quiet
	}
	s, err := Open(t.TempDir(), opt)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t, Options{}) })
}

func TestRangePlans(t *testing.T) {
	storetest.RunRangePlans(t, func(t *testing.T) store.Store { return openTemp(t, Options{RangeCap: storetest.SmallRangeCap}) })
}
