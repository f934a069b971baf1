package fhirpath

import (
	"testing"

	"github.com/cockroachdb/apd/v3"
)

func TestParseDecimal(t *testing.T) {
	for _, lit := range []string{"0", "185", "-0.50", "+1.0", "123456789012345678", "1234567890123456789.5",
		"1e3", "1.5E-2", "0.000001", "-0"} {
		got, err := parseDecimal(lit)
		if err != nil {
			t.Fatalf("parseDecimal(%q): %v", lit, err)
		}
		want, _, _ := apd.NewFromString(lit)
		if got.Cmp(want) != 0 || got.Exponent != want.Exponent || got.Negative != want.Negative {
			t.Errorf("parseDecimal(%q) = %s (exp %d), want %s (exp %d)", lit, got, got.Exponent, want, want.Exponent)
		}
	}
	for _, bad := range []string{"", "-", "1.2.3", "abc", "1-2"} {
		if _, err := parseDecimal(bad); err == nil {
			t.Errorf("parseDecimal(%q) succeeded", bad)
		}
	}
}
