package ucum

import (
	"errors"
	"testing"

	"github.com/cockroachdb/apd/v3"
)

func dec(t *testing.T, s string) *apd.Decimal {
	t.Helper()
	d, _, err := apd.NewFromString(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestConvert(t *testing.T) {
	tests := []struct {
		value, from, to, want string
	}{
		{"4", "g", "mg", "4000"},
		{"4000", "mg", "g", "4"},
		{"1", "h", "min", "60"},
		{"90", "min", "h", "1.5"},
		{"1", "d", "s", "86400"},
		{"2", "wk", "d", "14"},
		{"1", "a", "d", "365.25"},
		{"12", "mo", "a", "1"},
		{"500", "ms", "s", "0.5"},
		{"1", "L", "mL", "1000"},
		{"250", "mL", "dL", "2.5"},
		{"1", "kg", "[lb_av]", "2.204622621848775807229738013450270"},
		{"185", "[lb_av]", "kg", "83.91458845"},
		{"1", "[in_i]", "cm", "2.54"},
		{"37", "Cel", "K", "310.15"},
		{"310.15", "K", "Cel", "37"},
		{"212", "[degF]", "Cel", "100"},
		{"120", "mm[Hg]", "kPa", "15.998640"},
		{"50", "%", "1", "0.5"},
		{"72", "/min", "{beats}/min", "72"},
		{"72", "/min", "Hz", "1.2"},
		{"25", "kg/m2", "g/cm2", "2.5"},
		{"1", "10*3/uL", "10*9/L", "1"},
		{"1", "m2", "cm2", "10000"},
		{"1", "mmol/L", "umol/mL", "1"},
		{"1", "s-1", "Hz", "1"},
		{"1", "(kg.m)/s2", "N", "1"},
		{"1", "kcal", "kJ", "4.184"},
	}
	for _, tt := range tests {
		t.Run(tt.value+tt.from+"→"+tt.to, func(t *testing.T) {
			got, err := Convert(dec(t, tt.value), tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			if got.Cmp(dec(t, tt.want)) != 0 {
				t.Errorf("Convert(%s %s → %s) = %s, want %s", tt.value, tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		from, to string
		want     error
	}{
		{"mg", "mL", ErrIncompatible},
		{"s", "m", ErrIncompatible},
		{"Cel", "kg", ErrIncompatible},
		{"[s]", "s", ErrUnknownUnit},
		{"mg", "xyz", ErrUnknownUnit},
		{"Cel2", "K", ErrUnknownUnit},
		{"Cel/s", "K/s", ErrUnknownUnit},
		{"m(", "m", ErrUnknownUnit},
		{"[in_i", "m", ErrUnknownUnit},
		{"", "m", ErrUnknownUnit},
	}
	for _, tt := range tests {
		_, err := Convert(apd.New(1, 0), tt.from, tt.to)
		if !errors.Is(err, tt.want) {
			t.Errorf("Convert(%q, %q) error = %v, want %v", tt.from, tt.to, err, tt.want)
		}
	}
}

func TestCanonical(t *testing.T) {
	tests := []struct {
		value, unit, want, wantUnit string
	}{
		{"1000", "mg", "1", "g"},
		{"1", "kPa", "1000000", "m-1.s-2.g"},
		{"3", "%", "0.03", "1"},
		{"2", "h", "7200", "s"},
	}
	for _, tt := range tests {
		got, unit, err := Canonical(dec(t, tt.value), tt.unit)
		if err != nil {
			t.Fatal(err)
		}
		if got.Cmp(dec(t, tt.want)) != 0 || unit != tt.wantUnit {
			t.Errorf("Canonical(%s %s) = %s %s, want %s %s", tt.value, tt.unit, got, unit, tt.want, tt.wantUnit)
		}
	}
}

func TestComparable(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"cm", "[in_i]", true},
		{"cm", "[s]", false},
		{"cm", "s", false},
		{"mg/dL", "g/L", true},
		{"Cel", "K", true},
		{"1", "%", true},
	}
	for _, tt := range tests {
		if got := Comparable(tt.a, tt.b); got != tt.want {
			t.Errorf("Comparable(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestConvertKeepsPlaces(t *testing.T) {
	tests := []struct{ value, from, to, want string }{
		{"500", "g", "kg", "0.5"},
		{"1.50", "kg", "g", "1500.00"},
		{"4000", "mg", "g", "4"},
	}
	for _, tt := range tests {
		got, err := Convert(dec(t, tt.value), tt.from, tt.to)
		if err != nil {
			t.Fatal(err)
		}
		if got.String() != tt.want {
			t.Errorf("Convert(%s %s → %s) = %s, want %s", tt.value, tt.from, tt.to, got, tt.want)
		}
	}
}
