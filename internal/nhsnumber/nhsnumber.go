package nhsnumber

import (
	"errors"
	"fmt"
	"strings"
)

// System is the FHIR identifier system of NHS numbers.
const System = "https://fhir.nhs.uk/Id/nhs-number"

// Error kinds, for errors.Is.
var (
	ErrLength     = errors.New("NHS number must be 10 digits")
	ErrCheckDigit = errors.New("NHS number check digit does not match")
	ErrNeverValid = errors.New("NHS number can never be valid")
)

// Error explains why a value is not a valid NHS number.
type Error struct {
	Value string // the value as given
	Kind  error  // ErrLength, ErrCheckDigit or ErrNeverValid
	// Expected is the check digit the first nine digits call for (ErrCheckDigit only).
	Expected int
}

func (e *Error) Error() string {
	switch e.Kind {
	case ErrCheckDigit:
		return fmt.Sprintf("NHS number %s is not valid: its check digit does not match (expected %d)", Format(e.Value), e.Expected)
	case ErrNeverValid:
		return fmt.Sprintf("NHS number %s is not valid: no check digit can make its first nine digits valid", Format(e.Value))
	default:
		return fmt.Sprintf("NHS number %q is not valid: it must be 10 digits", e.Value)
	}
}

func (e *Error) Unwrap() error { return e.Kind }

// Validate reports whether s is a valid NHS number: exactly ten ASCII digits, no spaces,
// with a matching Modulus 11 check digit. The FHIR identifier value carries the number
// without separators, so "943 476 5919" is rejected.
func Validate(s string) error {
	if len(s) != 10 {
		return &Error{Value: s, Kind: ErrLength}
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return &Error{Value: s, Kind: ErrLength}
		}
	}
	want, ok := CheckDigit(s[:9])
	if !ok {
		return &Error{Value: s, Kind: ErrNeverValid}
	}
	if int(s[9]-'0') != want {
		return &Error{Value: s, Kind: ErrCheckDigit, Expected: want}
	}
	return nil
}

// CheckDigit computes the Modulus 11 check digit of the nine digits in first. ok is false
// when first is not nine digits or when the remainder calls for 10, which no NHS number
// may have.
func CheckDigit(first string) (digit int, ok bool) {
	if len(first) != 9 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		c := first[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		sum += int(c-'0') * (10 - i)
	}
	switch d := 11 - sum%11; d {
	case 11:
		return 0, true
	case 10:
		return 0, false
	default:
		return d, true
	}
}

// Format groups a ten-digit number as 3-3-4 ("943 476 5919"), the way the NHS displays it.
// Anything else is returned unchanged.
func Format(s string) string {
	if len(s) != 10 || strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
		return s
	}
	return s[:3] + " " + s[3:6] + " " + s[6:]
}

// CheckIdentifier validates an Identifier (system and value) the way the validator must:
// when the system is the NHS number system the value must be a valid NHS number; other
// identifiers are not checked here.
func CheckIdentifier(system, value string) error {
	if system != System {
		return nil
	}
	return Validate(value)
}
