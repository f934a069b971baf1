package synth

import "testing"

func TestValidNHSNumber(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"9434765919", true}, // DESIGN.md's example
		{"9434765918", false},
		{"9912003888", true}, // UK Core Patient example
		{"9467157349", true},
		{"943476591", false},
		{"94347659190", false},
		{"943476591X", false},
		{"0000000000", true}, // sum 0 → 11 → check digit 0
	}
	for _, tt := range tests {
		if got := ValidNHSNumber(tt.in); got != tt.want {
			t.Errorf("ValidNHSNumber(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestNHSNumberRemainderTenIsInvalid(t *testing.T) {
	// 100000001: 1×10 + 1×2 = 12, 12 mod 11 = 1, 11 − 1 = 10 → no valid check digit.
	if _, ok := nhsNumberCheckDigit("100000001"); ok {
		t.Fatal("check digit 10 accepted")
	}
	for d := '0'; d <= '9'; d++ {
		if ValidNHSNumber("100000001" + string(d)) {
			t.Errorf("100000001%c accepted", d)
		}
	}
}

func TestVerhoeff(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"2363", true}, // the classic worked example: 236 → 3
		{"2364", false},
		{"22298006", true},          // Myocardial infarction
		{"38341003", true},          // Hypertensive disorder
		{"38341004", false},         // one digit changed
		{"38431003", false},         // adjacent transposition
		{"999791000000106", true},   // HbA1c IFCC (UK extension)
		{"39732411000001106", true}, // dm+d Amoxicillin 500mg capsules
		{"", false},
		{"7", false},
	}
	for _, tt := range tests {
		if got := ValidVerhoeff(tt.in); got != tt.want {
			t.Errorf("ValidVerhoeff(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if c, ok := VerhoeffCheckDigit("236"); !ok || c != '3' {
		t.Errorf("VerhoeffCheckDigit(236) = %c, %v", c, ok)
	}
	if _, ok := VerhoeffCheckDigit("2a"); ok {
		t.Error("non-digit accepted")
	}
}

func TestValidSCTID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"22298006", true},
		{"1011481000000105", true},
		{"022298006", false}, // leading zero
		{"22298016", false},  // partition 01 is a description, not a concept
		{"12345", false},     // too short
		{"2229800x", false},  // not a number
		{"1011481000000106", false},
	}
	for _, tt := range tests {
		if got := ValidSCTID(tt.in); got != tt.want {
			t.Errorf("ValidSCTID(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestValidLOINC(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"8867-4", true},
		{"2708-6", true},
		{"85354-9", true},
		{"8480-6", true},
		{"8462-4", true},
		{"39156-5", true},
		{"8867-3", false},
		{"88674", false},
		{"-4", false},
		{"88a7-4", false},
	}
	for _, tt := range tests {
		if got := ValidLOINC(tt.in); got != tt.want {
			t.Errorf("ValidLOINC(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestNHSNumbersUniqueAndValid(t *testing.T) {
	for _, seed := range []uint64{0, 1, 42, 1 << 40} {
		n := newNHSNumberer(seed)
		seen := make(map[string]int)
		for i := range 20000 {
			s := n.number(i)
			if !ValidNHSNumber(s) {
				t.Fatalf("seed %d: patient %d: invalid NHS number %s", seed, i, s)
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
