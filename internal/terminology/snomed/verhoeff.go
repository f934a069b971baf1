package snomed

// Verhoeff's dihedral-group check digit scheme, which catches every single-digit error and
// every transposition of adjacent digits. Tables from Verhoeff (1969), as given in the
// SNOMED CT Technical Implementation Guide, 6.6.

// verhoeffD is the multiplication table of the dihedral group D5.
var verhoeffD = [10][10]byte{
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

// verhoeffP is the position permutation, applied i mod 8 times for the i-th digit from
// the right.
var verhoeffP = [8][10]byte{
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
	{1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
	{5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
	{8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
	{9, 4, 5, 3, 1, 2, 6, 8, 7, 0},
	{4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
	{2, 7, 9, 3, 8, 0, 6, 4, 1, 5},
	{7, 0, 4, 6, 9, 1, 3, 2, 5, 8},
}

// verhoeffInv gives each group element's inverse.
var verhoeffInv = [10]byte{0, 4, 3, 2, 1, 5, 6, 7, 8, 9}

// VerhoeffValid reports whether the last digit of digits is its Verhoeff check digit.
// digits must be ASCII digits only; anything else is reported invalid.
func VerhoeffValid(digits string) bool {
	if digits == "" {
		return false
	}
	var c byte
	for i := 0; i < len(digits); i++ {
		d := digits[len(digits)-1-i]
		if d < '0' || d > '9' {
			return false
		}
		c = verhoeffD[c][verhoeffP[i%8][d-'0']]
	}
	return c == 0
}

// VerhoeffDigit computes the check digit to append to digits. ok is false when digits is
// empty or has a non-digit.
func VerhoeffDigit(digits string) (digit byte, ok bool) {
	if digits == "" {
		return 0, false
	}
	var c byte
	for i := 0; i < len(digits); i++ {
		d := digits[len(digits)-1-i]
		if d < '0' || d > '9' {
			return 0, false
		}
		// Position 0 is the check digit still to come.
		c = verhoeffD[c][verhoeffP[(i+1)%8][d-'0']]
	}
	return '0' + verhoeffInv[c], true
}
