package synth

import (
	"testing"

	"github.com/joinedup/joinedup/internal/nhsnumber"
)

func TestNHSNumbersUniqueAndValid(t *testing.T) {
	for _, seed := range []uint64{0, 1, 42, 1 << 40} {
		n := newNHSNumberer(seed)
		seen := make(map[string]int)
		for i := range 20000 {
			s := n.number(i)
			if err := nhsnumber.Validate(s); err != nil {
				t.Fatalf("seed %d: patient %d: %v", seed, i, err)
			}
			if s[:3] != "999" {
				t.Fatalf("seed %d: %s is outside the test range", seed, s)
			}
			if j, dup := seen[s]; dup {
				t.Fatalf("seed %d: patients %d and %d share %s", seed, j, i, s)
			}
			seen[s] = i
		}
	}
	if newNHSNumberer(1).number(0) == newNHSNumberer(2).number(0) {
		t.Error("different seeds gave the same first number")
	}
}
