package snomed

import (
	"errors"
	"fmt"
)

// System is the FHIR code system URI of SNOMED CT.
const System = "http://snomed.info/sct"

// Partition identifiers (the two digits before the check digit) that mark a concept id:
// 00 in the short format (an International concept), 10 in the long format (with a
// namespace, as the UK edition's extension concepts have).
const (
	partitionConceptShort = "00"
	partitionConceptLong  = "10"
)

// Errors from CheckConceptID, for errors.Is.
var (
	ErrForm       = errors.New("not a SNOMED CT identifier")
	ErrPartition  = errors.New("not a SNOMED CT concept identifier")
	ErrCheckDigit = errors.New("SNOMED CT identifier check digit does not match")
)

// CheckConceptID reports whether id has the form of a SNOMED CT concept id: 6 to 18 digits
// without a leading zero, a concept partition identifier, and a valid Verhoeff check digit
// (SNOMED CT Technical Implementation Guide, 6.1 "SCTID Data Type" and 6.6 "Check-digit").
// It says nothing about whether the concept exists.
func CheckConceptID(id string) error {
	if len(id) < 6 || len(id) > 18 || id[0] == '0' {
		return fmt.Errorf("%q: %w: it must be 6 to 18 digits and not start with 0", id, ErrForm)
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return fmt.Errorf("%q: %w: it must contain only digits", id, ErrForm)
		}
	}
	if !VerhoeffValid(id) {
		return fmt.Errorf("%q: %w", id, ErrCheckDigit)
	}
	switch p := id[len(id)-3 : len(id)-1]; p {
	case partitionConceptShort, partitionConceptLong:
		return nil
	default:
		return fmt.Errorf("%q: %w: partition %s is not a concept partition (00 or 10)", id, ErrPartition, p)
	}
}
