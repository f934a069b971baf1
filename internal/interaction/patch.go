package interaction

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/patch/fhirpathpatch"
	"github.com/joinedup/joinedup/internal/patch/jsonpatch"
	"github.com/joinedup/joinedup/internal/patch/xmlpatch"
	"github.com/joinedup/joinedup/internal/store"
)

// The patch interaction (https://hl7.org/fhir/R4/http.html#patch). A patch is applied to
// the current version and the result goes through the update path — parse, validate,
// version, index, store — with If-Match set to the version patched, so that a concurrent
// write in between is detected instead of lost.

// PatchKind is the kind of patch document, from the request's media type.
type PatchKind int

const (
	// PatchJSON is JSON Patch, application/json-patch+json (RFC 6902).
	PatchJSON PatchKind = iota + 1
	// PatchXML is XML Patch, application/xml-patch+xml (RFC 5261).
	PatchXML
	// PatchFHIRPathJSON is FHIRPath Patch: a Parameters resource in JSON.
	PatchFHIRPathJSON
	// PatchFHIRPathXML is FHIRPath Patch: a Parameters resource in XML.
	PatchFHIRPathXML
)

// PatchFormats are the patch media types the CapabilityStatement lists.
var PatchFormats = []string{"application/json-patch+json", "application/xml-patch+xml", "application/fhir+json", "application/fhir+xml"}

// PatchKindOf maps a media type (without parameters) to a patch kind; ok is false for a
// type that carries no patch this server applies.
func PatchKindOf(mediaType string) (PatchKind, bool) {
	switch strings.ToLower(strings.TrimSpace(mediaType)) {
	case "application/json-patch+json":
		return PatchJSON, true
	case "application/xml-patch+xml":
		return PatchXML, true
	case "application/fhir+json", "application/json", "json":
		return PatchFHIRPathJSON, true
	case "application/fhir+xml", "application/xml", "text/xml", "xml":
		return PatchFHIRPathXML, true
	}
	return 0, false
}

// PatchOptions are the options of a patch.
type PatchOptions struct {
	// IfMatch is the If-Match header: the patch applies only to that version (412
	// otherwise).
	IfMatch string
}

// patchRetries bounds the re-reads when another write lands between reading the version
// to patch and storing the result.
const patchRetries = 3

// Patch applies body, a patch document of the given kind, to typ/id.
func (s *Service) Patch(ctx context.Context, req *Request, typ, id string, kind PatchKind, body []byte, o PatchOptions) (*Result, error) {
	res, err := s.patch(ctx, req, typ, id, "", kind, body, o, "")
	s.auditWrite(ctx, "patch", typ, id, res, err)
	return res, err
}

// ConditionalPatch patches the one resource of type typ matching criteria (PATCH
// Type?criteria): no match is a 404, several a 412.
func (s *Service) ConditionalPatch(ctx context.Context, req *Request, typ, criteria string, kind PatchKind, body []byte, o PatchOptions) (*Result, error) {
	res, err := s.patch(ctx, req, typ, "", criteria, kind, body, o, "")
	id := ""
	if res != nil && res.Version != nil {
		id = res.Version.ID
	}
	s.auditWrite(ctx, "patch", typ, id, res, err)
	return res, err
}

func (s *Service) patch(ctx context.Context, req *Request, typ, id, criteria string, kind PatchKind, body []byte, o PatchOptions, prefix string) (*Result, error) {
	if len(body) == 0 {
		return nil, invalid(prefix, "the patch has no body")
	}
	doc, err := parsePatch(kind, body, prefix)
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		cur, err := s.patchTarget(ctx, req, typ, id, criteria)
		if err != nil {
			return nil, err
		}
		ifMatch := o.IfMatch
		if ifMatch != "" {
			v, ok := ParseETag(ifMatch)
			if !ok {
				return nil, invalid("", "If-Match %q is not a version ETag like W/\"1\"", ifMatch)
			}
			if v != cur.VersionID {
				return nil, preconditionFailed("If-Match %s: the current version of %s/%s is %s", ifMatch, typ, cur.ID, describe(cur))
			}
		} else {
			ifMatch = ETag(cur)
		}
		r, err := applyPatch(doc, cur.Body, prefix)
		if err != nil {
			return nil, err
		}
		if r.ResourceType() != typ {
			return nil, invalid(expr(prefix, r.ResourceType()), "the patch changes the resource type from %s to %s", typ, r.ResourceType())
		}
		res, err := s.updateResource(ctx, r, cur.ID, "", UpdateOptions{IfMatch: ifMatch}, s.base(req), prefix)
		var e *Error
		if o.IfMatch == "" && attempt < patchRetries && errors.As(err, &e) && e.Status == http.StatusPreconditionFailed {
			continue // another write came first: patch the new version
		}
		return res, err
	}
}

// patchTarget returns the current version to patch: typ/id, or the one match of
// criteria.
func (s *Service) patchTarget(ctx context.Context, req *Request, typ, id, criteria string) (*store.Resource, error) {
	if criteria == "" {
		return s.read(ctx, req, typ, id)
	}
	q, err := s.conditionalQuery(typ, s.base(req), criteria)
	if err != nil {
		return nil, err
	}
	page, err := s.opt.Store.Search(ctx, req.Filter, store.Query{Type: typ, Clauses: q.Query.Clauses, Count: 2})
	if err != nil {
		return nil, err
	}
	switch len(page.Resources) {
	case 0:
		return nil, newError(http.StatusNotFound, "not-found", "", "no %s matches the criteria %q", typ, criteria)
	case 1:
		return page.Resources[0], nil
	}
	return nil, preconditionFailed("the criteria %q match more than one %s", criteria, typ)
}

// patchDoc is a parsed patch document.
type patchDoc struct {
	kind     PatchKind
	json     jsonpatch.Patch
	xml      []byte
	fhirpath *fhir.Parameters
}

func parsePatch(kind PatchKind, body []byte, prefix string) (*patchDoc, error) {
	d := &patchDoc{kind: kind}
	switch kind {
	case PatchJSON:
		p, err := jsonpatch.Parse(body)
		if err != nil {
			return nil, invalid(prefix, "%v", err)
		}
		d.json = p
	case PatchXML:
		d.xml = body
	case PatchFHIRPathJSON, PatchFHIRPathXML:
		var (
			r   fhir.Resource
			err error
		)
		if kind == PatchFHIRPathJSON {
			r, err = fhir.ParseResource(body)
		} else {
			r, err = fhir.ParseResourceXML(body)
		}
		if err != nil {
			return nil, parseError(err, prefix)
		}
		p, ok := r.(*fhir.Parameters)
		if !ok {
			return nil, invalid(prefix, "a FHIRPath Patch is a Parameters resource, not a %s", r.ResourceType())
		}
		if _, err := fhirpathpatch.Parse(p); err != nil {
			return nil, invalid(prefix, "%v", err)
		}
		d.fhirpath = p
	default:
		return nil, newError(http.StatusUnsupportedMediaType, "not-supported", prefix, "unsupported patch format")
	}
	return d, nil
}

// applyPatch applies the patch to a stored JSON body and reads the result strictly: a
// patch that leaves something that is not FHIR is refused like any invalid write.
func applyPatch(d *patchDoc, current []byte, prefix string) (metaResource, error) {
	var r fhir.Resource
	var err error
	switch d.kind {
	case PatchJSON:
		js, perr := d.json.ApplyTo(current)
		if perr != nil {
			return nil, invalid(prefix, "%v", perr)
		}
		r, err = fhir.ParseResource(js)
	case PatchXML:
		x, xerr := fhir.JSONToXML(current)
		if xerr != nil {
			return nil, xerr
		}
		out, perr := xmlpatch.ApplyXML(x, d.xml)
		if perr != nil {
			return nil, invalid(prefix, "%v", perr)
		}
		r, err = fhir.ParseResourceXML(out)
	default:
		if r, err = fhir.ParseResource(current); err != nil {
			return nil, err
		}
		if perr := fhirpathpatch.Apply(r, d.fhirpath); perr != nil {
			return nil, invalid(prefix, "%v", perr)
		}
		// Reading the result back applies the same checks as a client's update.
		js, merr := fhir.MarshalResource(r)
		if merr != nil {
			return nil, invalid(prefix, "the patched resource cannot be written: %v", merr)
		}
		r, err = fhir.ParseResource(js)
	}
	if err != nil {
		return nil, parseError(err, prefix)
	}
	mr, ok := r.(metaResource)
	if !ok {
		return nil, invalid(prefix, "%s cannot be stored", r.ResourceType())
	}
	return mr, nil
}

// patchEntryDoc returns a bundle entry's patch: the entry's resource is a Binary holding a
// JSON or XML Patch, or a Parameters holding a FHIRPath Patch
// (https://hl7.org/fhir/R4/http.html#transaction).
func patchEntryDoc(e fhir.Resource, prefix string) (PatchKind, []byte, error) {
	switch r := e.(type) {
	case *fhir.Binary:
		ct := ""
		if r.ContentType != nil && r.ContentType.Value != nil {
			ct = *r.ContentType.Value
		}
		kind, ok := PatchKindOf(strings.TrimSpace(strings.Split(ct, ";")[0]))
		if !ok || (kind != PatchJSON && kind != PatchXML) {
			return 0, nil, invalid(prefix+".contentType", "a Binary patch must be application/json-patch+json or application/xml-patch+xml, not %q", ct)
		}
		if r.Data == nil || r.Data.Value == nil {
			return 0, nil, invalid(prefix+".data", "the Binary patch has no data")
		}
		data, err := base64.StdEncoding.DecodeString(*r.Data.Value)
		if err != nil {
			return 0, nil, invalid(prefix+".data", "the Binary patch data is not base64: %v", err)
		}
		return kind, data, nil
	case *fhir.Parameters:
		body, err := fhir.MarshalResource(r)
		if err != nil {
			return 0, nil, err
		}
		return PatchFHIRPathJSON, body, nil
	}
	return 0, nil, invalid(prefix, "a PATCH entry's resource is a Binary (JSON or XML Patch) or Parameters (FHIRPath Patch), not a %s", e.ResourceType())
}

// prepareEntryPatch turns a transaction's PATCH entry into the PUT of the patched
// resource, guarded by ifMatch on the version patched. The patch is applied to the
// version committed before the transaction starts.
func (s *Service) prepareEntryPatch(ctx context.Context, req *Request, op *entryOp) error {
	kind, body, err := patchEntryDoc(op.patch, op.prefix+".resource")
	if err != nil {
		return err
	}
	doc, err := parsePatch(kind, body, op.prefix+".resource")
	if err != nil {
		return err
	}
	criteria := ""
	if op.hasQuery {
		criteria = op.criteria
	}
	cur, err := s.patchTarget(ctx, req, op.typ, op.id, criteria)
	if err != nil {
		return err
	}
	if op.ifMatch != "" {
		if v, ok := ParseETag(op.ifMatch); ok && v != cur.VersionID {
			return preconditionFailed("ifMatch %s: the current version of %s/%s is %s", op.ifMatch, op.typ, cur.ID, describe(cur))
		}
	}
	r, err := applyPatch(doc, cur.Body, op.prefix+".resource")
	if err != nil {
		return err
	}
	if r.ResourceType() != op.typ || r.ResourceID() != cur.ID {
		return invalid(op.prefix+".resource", "the patch changes the resource's type or id")
	}
	op.method, op.id, op.hasQuery, op.criteria = "PUT", cur.ID, false, ""
	op.ifMatch = ETag(cur)
	op.resource = r
	return nil
}

// batchPatch is a batch's PATCH entry, through the instance-level patch.
func (s *Service) batchPatch(ctx context.Context, req *Request, op *entryOp) (*Result, error) {
	kind, body, err := patchEntryDoc(op.patch, op.prefix+".resource")
	if err != nil {
		return nil, err
	}
	criteria := ""
	if op.hasQuery {
		criteria = op.criteria
	}
	return s.patch(ctx, req, op.typ, op.id, criteria, kind, body, PatchOptions{IfMatch: op.ifMatch}, "")
}

// ReadError turns an error from reading a request body as FHIR (JSON, or XML through
// fhir.ParseResourceXML) into a 400 whose issues point at the offending elements.
func ReadError(err error) *Error { return parseError(err, "") }
