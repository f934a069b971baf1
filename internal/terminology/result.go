package terminology

import "strings"

// Verdict is the outcome of checking a code.
type Verdict int

const (
	// Invalid: the code is not a code of its system, not in the value set, or malformed.
	Invalid Verdict = iota
	// Valid: the server checked the code against content it holds and it passed.
	Valid
	// NotValidated: the server does not hold the content needed to decide (SNOMED CT
	// without a loaded release, LOINC, dm+d, an unknown code system). Such a code is
	// neither accepted nor refused as valid; a well-formed code gets this verdict.
	NotValidated
)

func (v Verdict) String() string {
	switch v {
	case Valid:
		return "valid"
	case NotValidated:
		return "not validated"
	default:
		return "invalid"
	}
}

// Issue severities and codes, as in OperationOutcome.issue
// (https://hl7.org/fhir/R4/valueset-issue-type.html).
const (
	SeverityError       = "error"
	SeverityWarning     = "warning"
	SeverityInformation = "information"

	CodeInvalid      = "code-invalid"
	CodeNotFound     = "not-found"
	CodeNotSupported = "not-supported"
	CodeInvalidValue = "value"
	CodeInformation  = "informational"
	CodeBusinessRule = "business-rule"
)

// Issue is one finding about a code, ready to become an OperationOutcome issue.
type Issue struct {
	Severity string
	Code     string
	Message  string
}

// messages joins the issue texts of the given severities, or of all when none is given.
func messages(issues []Issue, severities ...string) string {
	var parts []string
	for _, is := range issues {
		if len(severities) == 0 || contains(severities, is.Severity) {
			parts = append(parts, is.Message)
		}
	}
	return strings.Join(parts, "; ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// tri is three-valued logic for membership when some content is missing.
type tri int8

const (
	no tri = iota
	yes
	unknown
)

// and combines two conditions that must both hold.
func (a tri) and(b tri) tri {
	switch {
	case a == no || b == no:
		return no
	case a == unknown || b == unknown:
		return unknown
	default:
		return yes
	}
}

// or combines alternatives.
func (a tri) or(b tri) tri {
	switch {
	case a == yes || b == yes:
		return yes
	case a == unknown || b == unknown:
		return unknown
	default:
		return no
	}
}

func (a tri) not() tri {
	switch a {
	case yes:
		return no
	case no:
		return yes
	default:
		return unknown
	}
}

func triOf(b bool) tri {
	if b {
		return yes
	}
	return no
}
