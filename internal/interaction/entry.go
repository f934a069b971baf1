package interaction

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/index"
	"github.com/joinedup/joinedup/internal/store"
)

// BundleResult is the outcome of a batch or transaction.
type BundleResult struct {
	// Body is the batch-response or transaction-response Bundle.
	Body []byte
	// Entries holds one result per entry, in the request's order.
	Entries []EntryResult
}

// EntryResult is the outcome of one bundle entry.
type EntryResult struct {
	Status int
	// Version is the version written, matched, deleted or read (nil for searches).
	Version *store.Resource
	// Err is set for a failed batch entry.
	Err *Error
}

// entryOp is one bundle entry's request, parsed.
type entryOp struct {
	i        int
	prefix   string // "Bundle.entry[3]"
	method   string
	typ, id  string
	version  string // GET Type/id/_history/version
	criteria string // conditional PUT/DELETE criteria or GET search parameters
	hasQuery bool
	fullURL  string
	resource metaResource
	ifMatch  string
	ifNone   string // ifNoneExist
	cascade  bool
	patch    fhir.Resource // PATCH: the Binary or Parameters holding the patch

	// GET conditions: ifNoneMatch (an ETag or *) and ifModifiedSince (an instant).
	ifNoneMatch, ifModifiedSince string

	// Set while processing.
	target  store.Ref
	pre     *prepared
	matched bool // a conditional create found its resource
	status  int
	result  *store.Resource
	body    []byte // GET: the resource or searchset served
	err     *Error
}

// Bundle processes a transaction or batch Bundle, as POSTed to the FHIR base.
func (s *Service) Bundle(ctx context.Context, req *Request, body []byte) (*BundleResult, error) {
	r, err := fhir.ParseResource(body)
	if err != nil {
		return nil, parseError(err, "")
	}
	b, ok := r.(*fhir.Bundle)
	if !ok {
		return nil, invalid(r.ResourceType(), "the FHIR base takes a transaction or batch Bundle, not a %s", r.ResourceType())
	}
	switch lit(b.Type) {
	case "transaction":
		return s.Transaction(ctx, req, b)
	case "batch":
		return s.Batch(ctx, req, b)
	}
	return nil, invalid("Bundle.type", "the FHIR base takes a transaction or batch Bundle, not a %q Bundle", lit(b.Type))
}

// parseEntry reads entry i's request.
func (s *Service) parseEntry(req *Request, i int, e *fhir.BundleEntry) (*entryOp, error) {
	op := &entryOp{i: i, prefix: "Bundle.entry[" + strconv.Itoa(i) + "]", fullURL: lit(e.FullURL)}
	if e.Request == nil {
		return op, invalid(op.prefix, "the entry has no request")
	}
	op.method = lit(e.Request.Method)
	op.ifMatch, op.ifNone = lit(e.Request.IfMatch), lit(e.Request.IfNoneExist)
	op.ifNoneMatch, op.ifModifiedSince = lit(e.Request.IfNoneMatch), lit(e.Request.IfModifiedSince)
	raw := lit(e.Request.URL)
	if req.BaseURL != "" {
		raw = strings.TrimPrefix(raw, req.BaseURL+"/")
	}
	raw = strings.TrimPrefix(raw, "/")
	path, query, hasQuery := strings.Cut(raw, "?")
	seg := strings.Split(path, "/")
	urlExpr := op.prefix + ".request.url"
	if !fhir.IsResourceType(seg[0]) {
		return op, invalid(urlExpr, "%q does not start with a resource type", raw)
	}
	op.typ = seg[0]
	switch {
	case len(seg) == 1:
	case len(seg) == 2:
		op.id = seg[1]
	case len(seg) == 4 && seg[2] == "_history" && op.method == "GET":
		op.id, op.version = seg[1], seg[3]
	default:
		return op, invalid(urlExpr, "%q is not a URL this server takes in a bundle", raw)
	}
	if op.id != "" && !index.ValidID(op.id) {
		return op, invalid(urlExpr, "%q is not a valid id", op.id)
	}
	op.criteria, op.hasQuery = query, hasQuery
	if op.method == "DELETE" && hasQuery {
		q, err := url.ParseQuery(query)
		if err != nil {
			return op, invalid(urlExpr, "%q has a malformed query: %v", raw, err)
		}
		op.cascade = q.Get("_cascade") == "delete"
		q.Del("_cascade")
		op.criteria, op.hasQuery = q.Encode(), len(q) > 0
	}

	needsBody := false
	switch op.method {
	case "POST":
		needsBody = true
		if op.id != "" || hasQuery {
			return op, invalid(urlExpr, "a POST entry's url is the resource type, not %q", raw)
		}
	case "PUT":
		needsBody = true
		if (op.id == "") == !op.hasQuery {
			return op, invalid(urlExpr, "a PUT entry's url is Type/id or Type?criteria, not %q", raw)
		}
	case "DELETE":
		if (op.id == "") == !op.hasQuery {
			return op, invalid(urlExpr, "a DELETE entry's url is Type/id or Type?criteria, not %q", raw)
		}
	case "PATCH":
		if (op.id == "") == !op.hasQuery {
			return op, invalid(urlExpr, "a PATCH entry's url is Type/id or Type?criteria, not %q", raw)
		}
		if e.Resource == nil {
			return op, invalid(op.prefix+".resource", "a PATCH entry needs a Binary or Parameters resource holding the patch")
		}
		op.patch = e.Resource
	case "GET":
	case "":
		return op, invalid(op.prefix+".request.method", "the entry has no request method")
	default:
		return op, newError(http.StatusMethodNotAllowed, "not-supported", op.prefix+".request.method",
			"%s entries are not supported", op.method)
	}
	if needsBody {
		if e.Resource == nil {
			return op, invalid(op.prefix+".resource", "a %s entry needs a resource", op.method)
		}
		mr, ok := e.Resource.(metaResource)
		if !ok || e.Resource.ResourceType() != op.typ {
			return op, invalid(op.prefix+".resource", "the resource is a %s, the url names %s", e.Resource.ResourceType(), op.typ)
		}
		op.resource = mr
	}
	return op, nil
}

// fail records err as the entry's error, naming the entry in every issue.
func (op *entryOp) fail(err error) *Error {
	e := AsError(err)
	for i := range e.Issues {
		if len(e.Issues[i].Expression) == 0 {
			e.Issues[i].Expression = []string{op.prefix}
		}
		if e.Issues[i].Diagnostics == "" {
			e.Issues[i].Diagnostics = op.prefix + ": " + op.method + " " + op.typ
		}
	}
	return e
}

// response renders the entry's Bundle.entry.response and resource for the response bundle.
func (op *entryOp) respond(b *bundleWriter, req *Request) {
	if op.err != nil {
		b.entry("", nil, "", nil, &entryResponse{status: op.err.Status, outcome: OutcomeJSON(op.err.Issues)})
		return
	}
	if op.method == "GET" {
		if op.notModified() {
			op.status, op.body = http.StatusNotModified, nil
		}
		resp := &entryResponse{status: op.status}
		if op.result != nil {
			resp.etag, resp.lastModified = ETag(op.result), op.result.LastUpdated
		}
		b.entry(fullURL(req, op.result), op.body, "", nil, resp)
		return
	}
	resp := versionResponse(op.status, op.result)
	if op.method == "DELETE" {
		resp = &entryResponse{status: op.status}
	}
	var resource []byte
	switch req.Return {
	case ReturnRepresentation:
		if op.result != nil && !op.result.Deleted() {
			resource = op.result.Body
		}
	case ReturnOutcome:
		resp.outcome = OutcomeJSON([]Issue{{Severity: "information", Code: "informational",
			Text: op.method + " " + op.typ + ": " + StatusLine(op.status)}})
	}
	if op.method == "DELETE" {
		b.entry("", resource, "", nil, resp)
		return
	}
	b.entry(fullURL(req, op.result), resource, "", nil, resp)
}

// notModified reports whether a read entry's ifNoneMatch or ifModifiedSince condition
// says the client's copy is current (https://hl7.org/fhir/R4/http.html#cread).
func (op *entryOp) notModified() bool {
	v := op.result
	if v == nil {
		return false
	}
	if op.ifNoneMatch != "" {
		if op.ifNoneMatch == "*" {
			return true
		}
		n, ok := ParseETag(op.ifNoneMatch)
		return ok && n == v.VersionID
	}
	if op.ifModifiedSince != "" {
		t, err := time.Parse(time.RFC3339Nano, op.ifModifiedSince)
		return err == nil && !v.LastUpdated.After(t)
	}
	return false
}

func fullURL(req *Request, v *store.Resource) string {
	if v == nil {
		return ""
	}
	return req.BaseURL + "/" + v.Type + "/" + v.ID
}

// results lists the entries' outcomes.
func results(ops []*entryOp) []EntryResult {
	out := make([]EntryResult, len(ops))
	for i, op := range ops {
		out[i] = EntryResult{Status: op.status, Version: op.result, Err: op.err}
		if op.err != nil {
			out[i].Status = op.err.Status
		}
	}
	return out
}
