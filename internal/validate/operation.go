package validate

import (
	"context"
	"fmt"

	"github.com/joinedup/joinedup/fhir"
)

// OperationRequest is a $validate call (https://hl7.org/fhir/R4/resource-operation-validate.html)
// at type level (ID empty) or instance level.
type OperationRequest struct {
	Type, ID string
	// Body is the request body as JSON: the resource itself, or a Parameters resource
	// with parameters resource, mode and profile.
	Body []byte
	// Mode and Profile come from the URL; parameters in the body take precedence.
	Mode, Profile string
	// Current reads the stored resource of an instance-level call; it is used when the
	// body carries no resource.
	Current func(ctx context.Context) (fhir.Resource, error)
}

// ErrOperation wraps errors in a $validate request itself (400 Bad Request).
type ErrOperation struct{ Msg string }

func (e *ErrOperation) Error() string { return "$validate: " + e.Msg }

// Operation runs $validate under the policy and returns the issues found. A resource
// that fails validation is not an error of the operation: its issues say why.
func (p *Policy) Operation(ctx context.Context, req OperationRequest) ([]Issue, error) {
	mode, prof := req.Mode, req.Profile
	var res fhir.Resource
	if len(req.Body) > 0 {
		parsed, err := fhir.ParseResource(req.Body)
		if err != nil {
			return ParseIssues(err), nil
		}
		if params, ok := parsed.(*fhir.Parameters); ok && req.Type != "Parameters" {
			for _, pp := range params.Parameter {
				switch lit(pp.Name) {
				case "resource":
					res = pp.Resource
				case "mode":
					if pp.ValueCode != nil {
						mode = lit(pp.ValueCode)
					}
				case "profile":
					switch {
					case pp.ValueURI != nil:
						prof = lit(pp.ValueURI)
					case pp.ValueCanonical != nil:
						prof = lit(pp.ValueCanonical)
					}
				}
			}
		} else {
			res = parsed
		}
	}
	switch mode {
	case "", "create", "update", "delete":
	default:
		return nil, &ErrOperation{fmt.Sprintf("mode must be create, update or delete, not %q", mode)}
	}
	if mode == "delete" {
		if req.ID == "" {
			return nil, &ErrOperation{"mode delete needs an instance: [type]/[id]/$validate"}
		}
		// Whether a delete is allowed is decided by referential integrity at delete time.
		return nil, nil
	}
	if res == nil {
		if req.ID == "" || req.Current == nil {
			return nil, &ErrOperation{"no resource to validate"}
		}
		cur, err := req.Current(ctx)
		if err != nil {
			return nil, err
		}
		res = cur
	}
	var issues []Issue
	if res.ResourceType() != req.Type {
		issues = append(issues, Issue{Severity: Error, Code: "invalid", Expression: res.ResourceType(),
			Text: fmt.Sprintf("The resource is a %s, but $validate was called on %s", res.ResourceType(), req.Type)})
	}
	switch {
	case mode == "update" && res.ResourceID() == "":
		issues = append(issues, Issue{Severity: Error, Code: "required", Expression: res.ResourceType() + ".id", Text: "An update needs the resource's id"})
	case mode == "update" && req.ID != "" && res.ResourceID() != req.ID:
		issues = append(issues, Issue{Severity: Error, Code: "invalid", Expression: res.ResourceType() + ".id",
			Text: fmt.Sprintf("The resource's id %q is not the id %q of the URL", res.ResourceID(), req.ID)})
	}
	var extra []string
	if prof != "" {
		extra = append(extra, prof)
	}
	return append(issues, p.Check(ctx, res, extra...)...), nil
}
