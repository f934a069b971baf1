package fhirpath

import "fmt"

// errorf makes the plain errors of value operations; evaluation wraps them in *Error
// with the position of the operator.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
