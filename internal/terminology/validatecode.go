package terminology

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ValidateRequest asks whether a code, Coding or CodeableConcept is valid, against a value
// set (ValueSet set) or against its code system alone (ValueSet empty).
type ValidateRequest struct {
	// ValueSet is the canonical ("url" or "url|version") of the value set to check
	// against; empty to check the codes against their code systems only.
	ValueSet string
	// Codings are the codes to check: one for a code+system or a Coding, several for a
	// CodeableConcept (valid when any of them is).
	Codings []Coding
	// Abstract allows codes marked abstract (not selectable) in value set checks.
	Abstract bool
}

// ValidateResult is the answer to ValidateCode.
type ValidateResult struct {
	Verdict Verdict
	// Coding is the coding the verdict is about (for a CodeableConcept, the one that was
	// valid, or the first); Display is the code system's display for it when known.
	Coding  Coding
	Display string
	// Issues explain the verdict: errors for Invalid, warnings and information otherwise
	// (a display that does not match is a warning and leaves a code valid).
	Issues []Issue
}

// Message is the result's human explanation: its issues' texts.
func (r *ValidateResult) Message() string { return messages(r.Issues) }

// ValidateCode checks codes against a value set or their code systems. It returns an error
// wrapping ErrNotFound when the value set is not known, and other errors only when the
// server cannot work (a broken resource, a failing SNOMED CT store).
func (s *Server) ValidateCode(ctx context.Context, req ValidateRequest) (*ValidateResult, error) {
	if len(req.Codings) == 0 {
		return nil, errors.New("terminology: validate-code needs a code, a Coding or a CodeableConcept")
	}
	var vs *ValueSet
	if req.ValueSet != "" {
		var err error
		if vs, err = s.ValueSet(req.ValueSet); err != nil {
			return nil, err
		}
	}
	var results []*ValidateResult
	for _, c := range req.Codings {
		r, err := s.validateOne(ctx, vs, c, req.Abstract)
		if err != nil {
			return nil, err
		}
		if r.Verdict == Valid {
			return r, nil
		}
		results = append(results, r)
	}
	if len(results) == 1 {
		return results[0], nil
	}
	// A CodeableConcept: no coding was valid. Report not validated when any coding could
	// not be decided, with every coding's issues.
	out := &ValidateResult{Verdict: Invalid, Coding: results[0].Coding, Display: results[0].Display}
	for _, r := range results {
		if r.Verdict == NotValidated && out.Verdict != NotValidated {
			out.Verdict, out.Coding, out.Display = NotValidated, r.Coding, r.Display
		}
		out.Issues = append(out.Issues, r.Issues...)
	}
	if vs != nil && out.Verdict == Invalid {
		out.Issues = append(out.Issues, Issue{SeverityError, CodeInvalid, fmt.Sprintf("None of the codings provided are in the value set %s", canonicalOf(vs.URL, vs.Version))})
	}
	return out, nil
}

func (s *Server) validateOne(ctx context.Context, vs *ValueSet, c Coding, abstractOK bool) (*ValidateResult, error) {
	chk, err := s.checkCode(ctx, c.System, c.Version, c.Code)
	if err != nil {
		return nil, err
	}
	r := &ValidateResult{Verdict: chk.verdict, Coding: c, Display: chk.display, Issues: chk.issues}
	if vs != nil && chk.verdict != Invalid {
		m, err := s.member(ctx, vs, c, chk, 0)
		if err != nil {
			return nil, err
		}
		r.Issues = append(r.Issues, m.issues...)
		switch m.in {
		case no:
			if r.Verdict != Invalid {
				r.Verdict = Invalid
				r.Issues = append(r.Issues, Issue{SeverityError, CodeInvalid, fmt.Sprintf("The code %q from system %s is not in the value set %s", c.Code, c.System, canonicalOf(vs.URL, vs.Version))})
			}
		case unknown:
			if r.Verdict == Valid {
				r.Verdict = NotValidated
				r.Issues = append(r.Issues, Issue{SeverityInformation, CodeNotSupported, fmt.Sprintf("Whether the code %q is in the value set %s could not be decided, so it was not validated", c.Code, canonicalOf(vs.URL, vs.Version))})
			}
		case yes:
			if r.Verdict == Valid && chk.abstract && !abstractOK {
				r.Verdict = Invalid
				r.Issues = append(r.Issues, Issue{SeverityError, CodeBusinessRule, fmt.Sprintf("The code %q is abstract: it groups other codes and cannot be used here", c.Code)})
			}
			if m.ref != nil && m.ref.Display != "" {
				chk.displays = append(chk.displays, m.ref.Display)
				if r.Display == "" {
					r.Display = m.ref.Display
				}
			}
		}
	}
	if c.Display != "" && r.Verdict != Invalid && len(chk.displays) > 0 && !displayMatches(c.Display, chk.displays) {
		r.Issues = append(r.Issues, Issue{SeverityWarning, CodeInvalidValue,
			fmt.Sprintf("The display %q is not a display of the code %q in %s: it should be %q", c.Display, c.Code, c.System, chk.displays[0])})
	}
	return r, nil
}

// displayMatches compares displays ignoring case and runs of white space.
func displayMatches(given string, known []string) bool {
	g := strings.Join(strings.Fields(given), " ")
	for _, k := range known {
		if strings.EqualFold(g, strings.Join(strings.Fields(k), " ")) {
			return true
		}
	}
	return false
}

func canonicalOf(url, version string) string {
	if version == "" {
		return url
	}
	return url + "|" + version
}
