package fhirpath

import "fmt"

// ErrorKind says at which stage an expression failed, as the FHIRPath test suite
// distinguishes them.
type ErrorKind uint8

const (
	// SyntaxError: the text is not a FHIRPath expression.
	SyntaxError ErrorKind = iota + 1
	// SemanticError: the expression parses but cannot be valid (an unknown function, a
	// wrong number of arguments, in strict mode a path the model does not have).
	SemanticError
	// ExecutionError: evaluation failed (a singleton was required, types do not mix).
	ExecutionError
)

func (k ErrorKind) String() string {
	switch k {
	case SyntaxError:
		return "syntax error"
	case SemanticError:
		return "semantic error"
	case ExecutionError:
		return "execution error"
	}
	return "error"
}

// Error is the error of Compile and Evaluate. Pos is the byte offset in the expression
// (Line and Col, 1-based, say the same for people).
type Error struct {
	Kind      ErrorKind
	Pos       int
	Line, Col int
	Msg       string
	Err       error // the underlying error, if any
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("fhirpath: %s at %d:%d: %s", e.Kind, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("fhirpath: %s: %s", e.Kind, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// newError builds an Error at a position in src.
func newError(kind ErrorKind, src string, pos int, format string, args ...any) *Error {
	e := &Error{Kind: kind, Pos: pos, Msg: fmt.Sprintf(format, args...)}
	for _, a := range args {
		if err, ok := a.(error); ok {
			e.Err = err
		}
	}
	if pos >= 0 && pos <= len(src) {
		e.Line, e.Col = 1, 1
		for i := 0; i < pos; i++ {
			if src[i] == '\n' {
				e.Line++
				e.Col = 1
			} else {
				e.Col++
			}
		}
	}
	return e
}

// errorf makes the plain errors of value operations; evaluation wraps them in *Error
// with the position of the operator.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
