package fhirpath

import (
	"testing"
	"time"

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

func TestRange(t *testing.T) {
	tests := []struct{ lit, start, end string }{
		{"2024", "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"},
		{"2024-02", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"},
		{"2024-02-29", "2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z"},
		{"2024-02-29T10:30+01:00", "2024-02-29T09:30:00Z", "2024-02-29T09:31:00Z"},
		{"2024-02-29T10:30:15.25Z", "2024-02-29T10:30:15.25Z", "2024-02-29T10:30:15.26Z"},
	}
	for _, tt := range tests {
		tm, err := parseDateTime(tt.lit)
		if err != nil {
			t.Fatal(err)
		}
		s, e := DateTime{tm}.Range()
		if got := s.UTC().Format(time.RFC3339Nano); got != tt.start {
			t.Errorf("%s start = %s, want %s", tt.lit, got, tt.start)
		}
		if got := e.UTC().Format(time.RFC3339Nano); got != tt.end {
			t.Errorf("%s end = %s, want %s", tt.lit, got, tt.end)
		}
	}
	v, ok := SystemValue(mustParse(t, `{"resourceType":"Patient","birthDate":"1974-12"}`).Children("birthDate", nil)[0])
	if d, isDate := v.(Date); !ok || !isDate || d.String() != "1974-12" {
		t.Errorf("SystemValue(birthDate) = %v, %v", v, ok)
	}
}
