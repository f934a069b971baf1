package interaction

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/store"
)

// Error is a failed interaction: a status code as https://hl7.org/fhir/R4/http.html gives
// it (400, 404, 409, 410, 412, 422 ...) and the OperationOutcome issues that explain it.
type Error struct {
	Status int
	Issues []Issue
	// Version is the version the error concerns, when there is one: the deleted version
	// behind a 410 Gone (its ETag goes into the response).
	Version *store.Resource
	// Err is the underlying cause for logs (never shown to clients when Status is 500).
	Err error
}

// Issue is one OperationOutcome.issue.
type Issue struct {
	Severity    string // fatal | error | warning | information
	Code        string // an IssueType code: invalid, not-found, conflict ...
	Text        string // details.text: the human message
	Diagnostics string
	// Expression holds FHIRPath expressions of the elements at fault.
	Expression []string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", e.Status, http.StatusText(e.Status))
	for _, is := range e.Issues {
		b.WriteString(": ")
		b.WriteString(is.Text)
		if len(is.Expression) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(is.Expression, ", "))
		}
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// AsError turns any error into an *Error: an *Error as is, anything else a 500.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Status: http.StatusInternalServerError, Err: err, Issues: []Issue{{
		Severity: "fatal", Code: "exception", Text: "internal server error",
	}}}
}

func newError(status int, code, expression, format string, args ...any) *Error {
	is := Issue{Severity: "error", Code: code, Text: fmt.Sprintf(format, args...)}
	if expression != "" {
		is.Expression = []string{expression}
	}
	return &Error{Status: status, Issues: []Issue{is}}
}

func invalid(expression, format string, args ...any) *Error {
	return newError(http.StatusBadRequest, "invalid", expression, format, args...)
}

func notFound(typ, id string) *Error {
	return newError(http.StatusNotFound, "not-found", "", "%s/%s is not known", typ, id)
}

func preconditionFailed(format string, args ...any) *Error {
	return newError(http.StatusPreconditionFailed, "conflict", "", format, args...)
}

// parseError maps the model's read errors to a 400 naming each element at fault.
func parseError(err error, prefix string) *Error {
	var pe *fhir.ParseError
	if !errors.As(err, &pe) || len(pe.Issues) == 0 {
		return invalid(prefix, "the body is not a valid FHIR JSON resource: %v", err)
	}
	e := &Error{Status: http.StatusBadRequest}
	for _, is := range pe.Issues {
		issue := Issue{Severity: "error", Code: "structure", Text: is.Message}
		if at := rebase(is.Path, prefix); at != "" {
			issue.Expression = []string{at}
		}
		e.Issues = append(e.Issues, issue)
	}
	return e
}

// rebase moves a resource-rooted FHIRPath ("Observation.subject") under prefix
// ("Bundle.entry[3].resource" → "Bundle.entry[3].resource.subject").
func rebase(path, prefix string) string {
	if prefix == "" {
		return path
	}
	_, rest, ok := strings.Cut(path, ".")
	if !ok {
		return prefix
	}
	return prefix + "." + rest
}

// OutcomeJSON renders issues as an OperationOutcome resource.
func OutcomeJSON(issues []Issue) []byte {
	type coding struct {
		Text string `json:"text"`
	}
	type issue struct {
		Severity    string   `json:"severity"`
		Code        string   `json:"code"`
		Details     *coding  `json:"details,omitempty"`
		Diagnostics string   `json:"diagnostics,omitempty"`
		Expression  []string `json:"expression,omitempty"`
	}
	out := struct {
		ResourceType string  `json:"resourceType"`
		Issue        []issue `json:"issue"`
	}{ResourceType: "OperationOutcome"}
	for _, is := range issues {
		o := issue{Severity: is.Severity, Code: is.Code, Diagnostics: is.Diagnostics, Expression: is.Expression}
		if is.Text != "" {
			o.Details = &coding{Text: is.Text}
		}
		out.Issue = append(out.Issue, o)
	}
	if len(out.Issue) == 0 {
		out.Issue = []issue{{Severity: "information", Code: "informational", Details: &coding{Text: "ok"}}}
	}
	b, err := json.Marshal(out)
	if err != nil {
		// Only strings and slices of strings: Marshal cannot fail.
		panic(err)
	}
	return b
}
