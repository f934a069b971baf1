package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/interaction"
	"github.com/joinedup/joinedup/internal/validate"
)

// validateOp answers $validate at type and instance level
// (https://hl7.org/fhir/R4/resource-operation-validate.html): 200 with the
// OperationOutcome of the validation, whatever its verdict.
func (s *Server) validateOp(w http.ResponseWriter, r *http.Request) {
	info(r).interaction = "validate"
	if s.cfg.Policy == nil {
		s.fail(w, r, status(http.StatusNotImplemented, "not-supported", "$validate is not configured on this server"))
		return
	}
	body, err := s.body(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	typ, id := r.PathValue("type"), r.PathValue("id")
	q := r.URL.Query()
	issues, err := s.cfg.Policy.Operation(r.Context(), validate.OperationRequest{
		Type: typ, ID: id, Body: body, Mode: q.Get("mode"), Profile: q.Get("profile"),
		Current: func(ctx context.Context) (fhir.Resource, error) {
			v, err := s.svc.Read(ctx, s.request(r), typ, id)
			if err != nil {
				return nil, err
			}
			return fhir.ParseResource(v.Body)
		},
	})
	var opErr *validate.ErrOperation
	switch {
	case errors.As(err, &opErr):
		s.fail(w, r, status(http.StatusBadRequest, "invalid", "%s", opErr.Msg))
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	if len(issues) == 0 {
		issues = []validate.Issue{{Severity: validate.Information, Code: "informational", Text: "No issues detected"}}
	}
	s.writeBody(w, r, http.StatusOK, interaction.OutcomeJSON(outcomeIssues(issues)))
}

func outcomeIssues(issues []validate.Issue) []interaction.Issue {
	out := make([]interaction.Issue, len(issues))
	for i, is := range issues {
		out[i] = interaction.Issue{Severity: is.Severity, Code: is.Code, Text: is.Text}
		if is.Expression != "" {
			out[i].Expression = []string{is.Expression}
		}
	}
	return out
}
