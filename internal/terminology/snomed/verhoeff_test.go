package snomed

import (
	"errors"
	"testing"
)

func TestCheckConceptID(t *testing.T) {
	tests := []struct {
		id   string
		want error
	}{
		{"22298006", nil},           // Myocardial infarction
		{"73211009", nil},           // Diabetes mellitus
		{"38341003", nil},           // Hypertensive disorder
		{"138875005", nil},          // SNOMED CT Concept (root)
		{"116680003", nil},          // Is a
		{"404684003", nil},          // Clinical finding
		{"999000011000000103", nil}, // UK edition concept, long format (namespace 1000000)
		{"22298007", ErrCheckDigit},
		{"22289006", ErrCheckDigit}, // adjacent transposition
		{"73211019", ErrCheckDigit},
		{"38341004", ErrCheckDigit},
		{"900000000000003001", nil}, // Fully specified name (a concept in the metadata hierarchy)
		{"1234011", ErrPartition},   // well formed, but partition 01 is a description
		{"1234024", ErrPartition},   // partition 02 is a relationship
		{"12345", ErrForm},
		{"0022298006", ErrForm},
		{"1234567890123456789", ErrForm},
		{"2229800x", ErrForm},
		{"", ErrForm},
	}
	for _, tt := range tests {
		err := CheckConceptID(tt.id)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("CheckConceptID(%q) = %v, want %v", tt.id, err, tt.want)
		}
	}
}

func TestVerhoeffDigit(t *testing.T) {
	for _, id := range []string{"22298006", "73211009", "38341003", "116680003", "900000000000003001", "236"} {
		d, ok := VerhoeffDigit(id[:len(id)-1])
		if !ok || d != id[len(id)-1] {
			t.Errorf("VerhoeffDigit(%q) = %c, %v; want %c", id[:len(id)-1], d, ok, id[len(id)-1])
		}
	}
	if _, ok := VerhoeffDigit(""); ok {
		t.Error("VerhoeffDigit(\"\") ok")
	}
}

// Every single-digit substitution of a valid id is caught.
func TestVerhoeffCatchesSubstitutions(t *testing.T) {
	for _, id := range []string{"22298006", "73211009", "38341003"} {
		for i := 0; i < len(id); i++ {
			for d := byte('0'); d <= '9'; d++ {
				if d == id[i] {
					continue
				}
				bad := id[:i] + string(d) + id[i+1:]
				if VerhoeffValid(bad) {
					t.Errorf("%s (from %s) passes the check", bad, id)
				}
			}
		}
	}
}
