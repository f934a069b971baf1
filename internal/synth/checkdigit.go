package synth

import "strconv"

// nhsNumberCheckDigit returns the Modulus 11 check digit for the first nine digits of an
// NHS number, and false when the nine digits cannot carry one (remainder gives 10).
func nhsNumberCheckDigit(nine string) (byte, bool) {
	if len(nine) != 9 {
		return 0, false
	}
	sum := 0
	for i := range 9 {
		d := nine[i]
		if d < '0' || d > '9' {
			return 0, false
		}
		sum += int(d-'0') * (10 - i)
	}
	check := 11 - sum%11
	switch check {
	case 11:
		return '0', true
	case 10:
		return 0, false
	}
	return byte('0' + check), true
}

// ValidNHSNumber reports whether s is a ten-digit NHS number with a correct Modulus 11
// check digit.
func ValidNHSNumber(s string) bool {
	if len(s) != 10 {
		return false
	}
	c, ok := nhsNumberCheckDigit(s[:9])
	return ok && c == s[9]
}

// Verhoeff tables (dihedral group D5 multiplication, permutation, inverse).
var (
	verhoeffD = [10][10]byte{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
		{1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
		{2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
		{3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
		{4, 0, 1, 2, 3, 9, 5, 6, 7, 8},
		{5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
		{6, 5, 9, 8, 7, 1, 0, 4, 3, 2},
		{7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
		{8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
		{9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
	}
	verhoeffP = [8][10]byte{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
		{1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
		{5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
		{8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
		{9, 4, 5, 3, 1, 2, 6, 8, 7, 0},
		{4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
		{2, 7, 9, 3, 8, 0, 6, 4, 1, 5},
		{7, 0, 4, 6, 9, 1, 3, 2, 5, 8},
	}
	verhoeffInv = [10]byte{0, 4, 3, 2, 1, 5, 6, 7, 8, 9}
)

// VerhoeffCheckDigit returns the Verhoeff check digit to append to the decimal string
// digits; ok is false if digits is empty or holds a non-digit.
func VerhoeffCheckDigit(digits string) (byte, bool) {
	if digits == "" {
		return 0, false
	}
	var c byte
	// Positions count from the right, starting at 1 because the check digit will take 0.
	for i := 0; i < len(digits); i++ {
		d := digits[len(digits)-1-i]
		if d < '0' || d > '9' {
			return 0, false
		}
		c = verhoeffD[c][verhoeffP[(i+1)%8][d-'0']]
	}
	return '0' + verhoeffInv[c], true
}

// ValidVerhoeff reports whether the last digit of s is the Verhoeff check digit of the rest.
func ValidVerhoeff(s string) bool {
	if len(s) < 2 {
		return false
	}
	c, ok := VerhoeffCheckDigit(s[:len(s)-1])
	return ok && c == s[len(s)-1]
}

// ValidSCTID reports whether s is a well-formed SNOMED CT concept identifier: 6 to 18
// digits without a leading zero, a concept partition identifier ("00" for the
// international release, "10" for an extension's long form) and a Verhoeff check digit.
// dm+d product identifiers are SNOMED CT concept identifiers in the UK drug extension.
func ValidSCTID(s string) bool {
	if len(s) < 6 || len(s) > 18 || s[0] == '0' {
		return false
	}
	if _, err := strconv.ParseUint(s, 10, 64); err != nil {
		return false
	}
	partition := s[len(s)-3 : len(s)-1]
	if partition != "00" && partition != "10" {
		return false
	}
	return ValidVerhoeff(s)
}

// ValidLOINC reports whether s is a LOINC code "NNNNN-C" whose check digit C is the
// Mod 10 (Luhn) digit of the part before the hyphen.
func ValidLOINC(s string) bool {
	dash := len(s) - 2
	if dash < 1 || s[dash] != '-' || len(s) > 9 {
		return false
	}
	body, check := s[:dash], s[dash+1]
	sum := 0
	for i := 0; i < len(body); i++ {
		d := body[len(body)-1-i]
		if d < '0' || d > '9' {
			return false
		}
		v := int(d - '0')
		if i%2 == 0 { // the rightmost digit and every second one leftwards are doubled
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return check == byte('0'+(10-sum%10)%10)
}
