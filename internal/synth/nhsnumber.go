package synth

import (
	"strconv"

	"github.com/joinedup/joinedup/internal/nhsnumber"
)

// NHS numbers are drawn from the 999 range, which NHS England reserves for testing, so a
// synthetic number can never be a real person's. Within one seed every patient index maps
// to a different number: the index picks a five-digit block through an affine permutation
// of 0..99999 and one of the first nine valid final digits within it, so up to 900,000
// patients get distinct numbers.

const nhsNumberBlocks = 100000

// maxPatients is how many distinct NHS numbers one seed can hand out.
const maxPatients = nhsNumberBlocks * 9

type nhsNumberer struct{ a, b uint64 }

func newNHSNumberer(seed uint64) nhsNumberer {
	seed = mix64(seed)
	// a must be a unit modulo 10^5 (odd and not a multiple of 5) for the map to be a
	// permutation.
	a := seed%nhsNumberBlocks | 1
	for a%5 == 0 {
		a += 2
	}
	return nhsNumberer{a: a, b: (seed / nhsNumberBlocks) % nhsNumberBlocks}
}

// number returns the NHS number of patient index i (0 ≤ i < maxPatients).
func (n nhsNumberer) number(i int) string {
	block := (n.a*uint64(i/9) + n.b) % nhsNumberBlocks
	want := i % 9
	prefix := "999" + pad(block, 5)
	for d := byte('0'); d <= '9'; d++ {
		nine := prefix + string(d)
		c, ok := nhsnumber.CheckDigit(nine)
		if !ok {
			continue
		}
		if want == 0 {
			return nine + strconv.Itoa(c)
		}
		want--
	}
	panic("unreachable: every block has nine valid final digits")
}

func pad(v uint64, width int) string {
	s := strconv.FormatUint(v, 10)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// mix64 is the SplitMix64 finaliser: it spreads neighbouring seeds far apart.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
