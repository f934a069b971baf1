package validate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/joinedup/joinedup/fhir"
)

// Issue is one OperationOutcome.issue.
type Issue struct {
	Severity string // fatal | error | warning | information
	// Code is an IssueType code (https://hl7.org/fhir/R4/valueset-issue-type.html):
	// structure, required, value, invariant, code-invalid, not-found ...
	Code string
	Text string
	// Expression is the FHIRPath of the element at fault: "Patient.identifier[0].value".
	Expression string
}

// Severities.
const (
	Fatal       = "fatal"
	Error       = "error"
	Warning     = "warning"
	Information = "information"
)

// HasErrors reports whether any issue is an error or fatal.
func HasErrors(issues []Issue) bool {
	for _, is := range issues {
		if is.Severity == Error || is.Severity == Fatal {
			return true
		}
	}
	return false
}

// Count returns how many issues have the severity.
func Count(issues []Issue, severity string) int {
	n := 0
	for _, is := range issues {
		if is.Severity == severity {
			n++
		}
	}
	return n
}

// OperationOutcome renders issues as an OperationOutcome; with no issues it holds one
// information issue saying all is well, as the resource needs at least one.
func OperationOutcome(issues []Issue) *fhir.OperationOutcome {
	oo := &fhir.OperationOutcome{}
	for _, is := range issues {
		i := &fhir.OperationOutcomeIssue{
			Severity: fhir.NewCode(is.Severity),
			Code:     fhir.NewCode(is.Code),
			Details:  &fhir.CodeableConcept{Text: fhir.NewString(is.Text)},
		}
		if is.Expression != "" {
			i.Expression = []*fhir.String{fhir.NewString(is.Expression)}
		}
		oo.Issue = append(oo.Issue, i)
	}
	if len(oo.Issue) == 0 {
		oo.Issue = []*fhir.OperationOutcomeIssue{{
			Severity: fhir.NewCode(Information), Code: fhir.NewCode("informational"),
			Details: &fhir.CodeableConcept{Text: fhir.NewString("No issues detected")},
		}}
	}
	return oo
}

// sortIssues orders issues by severity (errors first), then by expression, and drops
// duplicates (the same finding reached through the base and a profile).
func sortIssues(issues []Issue) []Issue {
	rank := map[string]int{Fatal: 0, Error: 1, Warning: 2, Information: 3}
	sort.SliceStable(issues, func(i, j int) bool {
		a, b := issues[i], issues[j]
		if rank[a.Severity] != rank[b.Severity] {
			return rank[a.Severity] < rank[b.Severity]
		}
		return a.Expression < b.Expression
	})
	out := issues[:0]
	seen := map[Issue]bool{}
	for _, is := range issues {
		if !seen[is] {
			seen[is] = true
			out = append(out, is)
		}
	}
	return out
}

func (r *run) add(severity, code, expr, format string, args ...any) {
	r.issues = append(r.issues, Issue{Severity: severity, Code: code, Text: fmt.Sprintf(format, args...), Expression: expr})
}

// defPath turns an instance path into its definition path: "Patient.name[0].given[1]" →
// "Patient.name.given".
func defPath(p string) string {
	if !strings.Contains(p, "[") {
		return p
	}
	var b strings.Builder
	depth := 0
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '[':
			depth++
		case c == ']':
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}
