package terminology

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/joinedup/joinedup/internal/terminology/snomed"
	"github.com/joinedup/joinedup/ucum"
)

// Code systems the server knows by name but whose content it does not embed.
const (
	SystemSNOMED = snomed.System
	SystemDMD    = "https://dmd.nhs.uk"
	SystemLOINC  = "http://loinc.org"
	SystemUCUM   = "http://unitsofmeasure.org"
	SystemBCP47  = "urn:ietf:bcp:47"
	SystemURI    = "urn:ietf:rfc:3986"
	SystemCTV3   = "http://read.info/ctv3"
)

// external is a code system whose content is licensed or too large to embed, with the
// form rule its codes follow where there is one.
type external struct {
	name  string
	check func(code string) error
}

var externals = map[string]external{
	SystemSNOMED: {"SNOMED CT", snomed.CheckConceptID},
	// dm+d identifiers are SNOMED CT identifiers in the UK drug extension.
	SystemDMD:   {"dm+d", snomed.CheckConceptID},
	SystemLOINC: {"LOINC", CheckLOINC},
	// Language tags need the IANA subtag registry to be confirmed; their syntax is
	// checked here (RFC 5646, 2.1, without the grandfathered tags).
	SystemBCP47: {"BCP 47", matches(bcp47Form, "a BCP 47 language tag")},
	// Read Codes version 3, retired but still found in UK records: five characters.
	SystemCTV3: {"Read Codes (CTV3)", matches(ctv3Form, "a Read Code (five letters, digits or dots)")},
}

var (
	bcp47Form = regexp.MustCompile(`^(?:[a-zA-Z]{2,3}(?:-[a-zA-Z]{3}){0,3}|[a-zA-Z]{4,8})(?:-[a-zA-Z]{4})?(?:-(?:[a-zA-Z]{2}|[0-9]{3}))?` +
		`(?:-(?:[a-zA-Z0-9]{5,8}|[0-9][a-zA-Z0-9]{3}))*(?:-[0-9A-WY-Za-wy-z](?:-[a-zA-Z0-9]{2,8})+)*(?:-x(?:-[a-zA-Z0-9]{1,8})+)?$|^x(?:-[a-zA-Z0-9]{1,8})+$`)
	ctv3Form = regexp.MustCompile(`^[0-9A-Za-z.]{5}$`)
)

func matches(re *regexp.Regexp, what string) func(string) error {
	return func(code string) error {
		if !re.MatchString(code) {
			return fmt.Errorf("%q is not %s", code, what)
		}
		return nil
	}
}

var loincForm = regexp.MustCompile(`^(?:L[APGL]\d+|\d{1,7})-\d$`)

// CheckLOINC checks a LOINC code's form: digits, a hyphen and a mod 10 (Luhn) check digit
// (LOINC Users' Guide, "Check digit"); part, answer and list codes (LP, LA, LG, LL) are checked for
// form only.
func CheckLOINC(code string) error {
	if !loincForm.MatchString(code) {
		return fmt.Errorf("%q is not a LOINC code: it must be digits, a hyphen and a check digit", code)
	}
	if code[0] == 'L' {
		return nil
	}
	body, check := code[:len(code)-2], code[len(code)-1]
	if want := luhnDigit(body); want != check {
		return fmt.Errorf("%q is not a LOINC code: its check digit should be %c", code, want)
	}
	return nil
}

// luhnDigit computes the mod 10 check digit of a string of digits: from the right, every
// other digit starting with the last is doubled (digits of the product summed).
func luhnDigit(digits string) byte {
	sum := 0
	for i := 0; i < len(digits); i++ {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// codeCheck is what the server knows about one code in its code system.
type codeCheck struct {
	verdict Verdict
	// concept is the local concept, when the code system is held in memory.
	concept *Concept
	cs      *CodeSystem
	// display is the preferred display from the source, and displays every accepted one.
	display  string
	displays []string
	abstract bool
	inactive bool
	issues   []Issue
}

// checkCode decides whether code is a code of system.
func (s *Server) checkCode(ctx context.Context, system, version, code string) (codeCheck, error) {
	if system == "" {
		return codeCheck{issues: []Issue{{SeverityError, CodeInvalid, fmt.Sprintf("The code %q has no system, so it cannot be checked", code)}}}, nil
	}
	if code == "" {
		return codeCheck{issues: []Issue{{SeverityError, CodeInvalid, fmt.Sprintf("No code given for system %s", system)}}}, nil
	}
	cs, err := s.contentSystem(system, version)
	switch {
	case err == nil:
		return checkLocal(cs, code), nil
	case !errors.Is(err, ErrNotFound):
		return codeCheck{}, err
	}
	if version != "" {
		if other, err := s.CodeSystem(system, ""); err == nil {
			return codeCheck{verdict: NotValidated, issues: []Issue{{SeverityWarning, CodeNotFound,
				fmt.Sprintf("Version %s of the code system %s is not known (version %s is), so the code %q was not validated", version, system, other.Version, code)}}}, nil
		}
	}
	if system == SystemSNOMED && s.snomed != nil {
		return s.checkSnomed(ctx, code)
	}
	if system == SystemUCUM {
		if _, err := ucum.Parse(code); err == nil {
			return codeCheck{verdict: Valid, display: code, displays: []string{code}}, nil
		}
		return codeCheck{verdict: NotValidated, issues: []Issue{{SeverityWarning, CodeNotSupported,
			fmt.Sprintf("The unit %q is not one that joinedup's UCUM table recognises, so it was not validated", code)}}}, nil
	}
	if system == SystemURI {
		// The code system is the URI grammar itself (RFC 3986, URI-reference).
		if _, err := url.Parse(code); err != nil || strings.ContainsAny(code, " \t\n") {
			return codeCheck{issues: []Issue{{SeverityError, CodeInvalid, fmt.Sprintf("%q is not a URI", code)}}}, nil
		}
		return codeCheck{verdict: Valid, display: code, displays: []string{code}}, nil
	}
	if ext, ok := externals[system]; ok {
		if err := ext.check(code); err != nil {
			return codeCheck{issues: []Issue{{SeverityError, CodeInvalid, fmt.Sprintf("Invalid %s code: %v", ext.name, err)}}}, nil
		}
		return codeCheck{verdict: NotValidated, issues: []Issue{{SeverityInformation, CodeNotSupported,
			fmt.Sprintf("The %s code %q is well formed, but %s content is not loaded, so it was not validated", ext.name, code, ext.name)}}}, nil
	}
	return codeCheck{verdict: NotValidated, issues: []Issue{{SeverityWarning, CodeNotFound,
		fmt.Sprintf("The code system %s is not known to joinedup, so the code %q was not validated", system, code)}}}, nil
}

func checkLocal(cs *CodeSystem, code string) codeCheck {
	c := cs.Concept(code)
	if c == nil {
		if cs.HasContent() {
			return codeCheck{cs: cs, issues: []Issue{{SeverityError, CodeInvalid,
				fmt.Sprintf("Unknown code %q in the code system %s%s", code, cs.URL, versionSuffix(cs.Version))}}}
		}
		return codeCheck{cs: cs, verdict: NotValidated, issues: []Issue{{SeverityWarning, CodeNotFound,
			fmt.Sprintf("The code %q is not in joinedup's copy of %s, which is only a %s of the code system, so it was not validated", code, cs.URL, cs.Content)}}}
	}
	r := codeCheck{verdict: Valid, cs: cs, concept: c, display: c.Display, abstract: c.Abstract, inactive: c.Inactive}
	if c.Display != "" {
		r.displays = append(r.displays, c.Display)
	}
	for _, d := range c.Designations {
		r.displays = append(r.displays, d.Value)
	}
	if c.Inactive {
		r.issues = append(r.issues, Issue{SeverityWarning, CodeBusinessRule, fmt.Sprintf("The code %q in %s is inactive", code, cs.URL)})
	}
	return r
}

func (s *Server) checkSnomed(ctx context.Context, code string) (codeCheck, error) {
	if err := snomed.CheckConceptID(code); err != nil {
		return codeCheck{issues: []Issue{{SeverityError, CodeInvalid, fmt.Sprintf("Invalid SNOMED CT code: %v", err)}}}, nil
	}
	c, err := s.snomed.Concept(ctx, code)
	if err != nil {
		return codeCheck{}, fmt.Errorf("terminology: %w", err)
	}
	if c == nil {
		return codeCheck{issues: []Issue{{SeverityError, CodeInvalid,
			fmt.Sprintf("Unknown code %q in SNOMED CT (release %s)", code, s.snomed.Release())}}}, nil
	}
	r := codeCheck{verdict: Valid, display: c.Preferred, inactive: !c.Active}
	r.displays = append(r.displays, c.Preferred, c.FSN)
	r.displays = append(r.displays, c.Synonyms...)
	if !c.Active {
		r.issues = append(r.issues, Issue{SeverityWarning, CodeBusinessRule, fmt.Sprintf("The SNOMED CT concept %s is inactive", code)})
	}
	return r, nil
}

func versionSuffix(v string) string {
	if v == "" {
		return ""
	}
	return " version " + v
}
