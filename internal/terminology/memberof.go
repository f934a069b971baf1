package terminology

import "context"

// MemberOf reports whether the coding is in the value set, for FHIRPath's memberOf(). known
// is false when the server cannot decide (the value set is unknown, or it depends on
// content the server does not hold): the caller must then treat the answer as empty, not
// as false. An invalid code is known not to be a member.
func (s *Server) MemberOf(ctx context.Context, c Coding, valueSet string) (member, known bool) {
	r, err := s.ValidateCode(ctx, ValidateRequest{ValueSet: valueSet, Codings: []Coding{c}, Abstract: true})
	if err != nil {
		return false, false
	}
	switch r.Verdict {
	case Valid:
		return true, true
	case Invalid:
		return false, true
	default:
		return false, false
	}
}
