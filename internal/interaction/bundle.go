package interaction

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/joinedup/joinedup/internal/store"
)

// bundleWriter writes a Bundle's JSON by splicing stored resource bytes into it, so that
// history, search and transaction responses never unmarshal a stored resource.
// Members are written in the specification's element order.
type bundleWriter struct {
	buf     []byte
	entries int
}

type bundleLink struct{ relation, url string }

// entryRequest and entryResponse are Bundle.entry.request and .response.
type entryRequest struct{ method, url string }

type entryResponse struct {
	status       int
	location     string
	etag         string
	lastModified time.Time
	outcome      []byte
}

func newBundle(typ string, now time.Time, total int, links []bundleLink) *bundleWriter {
	b := &bundleWriter{buf: make([]byte, 0, 4096)}
	b.buf = append(b.buf, `{"resourceType":"Bundle","id":`...)
	b.str(NewID())
	b.buf = append(b.buf, `,"meta":{"lastUpdated":`...)
	b.str(FormatInstant(now))
	b.buf = append(b.buf, `},"type":`...)
	b.str(typ)
	if total >= 0 {
		b.buf = append(b.buf, `,"total":`...)
		b.buf = strconv.AppendInt(b.buf, int64(total), 10)
	}
	if len(links) > 0 {
		b.buf = append(b.buf, `,"link":[`...)
		for i, l := range links {
			if i > 0 {
				b.buf = append(b.buf, ',')
			}
			b.buf = append(b.buf, `{"relation":`...)
			b.str(l.relation)
			b.buf = append(b.buf, `,"url":`...)
			b.str(l.url)
			b.buf = append(b.buf, '}')
		}
		b.buf = append(b.buf, ']')
	}
	return b
}

func (b *bundleWriter) str(s string) {
	// AppendQuote replaces invalid UTF-8 (from a client's URL) and reports it: the
	// replacement is what we want, so the error is not needed.
	b.buf, _ = jsontext.AppendQuote(b.buf, s)
}

// grow makes room for n more bytes at once, so that splicing a page of resources copies
// each once instead of regrowing the buffer (and copying what it holds) along the way.
func (b *bundleWriter) grow(n int) { b.buf = slices.Grow(b.buf, n) }

// entry appends one entry; empty parts are left out. resource is spliced as is.
func (b *bundleWriter) entry(fullURL string, resource []byte, searchMode string, req *entryRequest, resp *entryResponse) {
	if b.entries == 0 {
		b.buf = append(b.buf, `,"entry":[`...)
	} else {
		b.buf = append(b.buf, ',')
	}
	b.entries++
	b.buf = append(b.buf, '{')
	sep := false
	member := func(name string) {
		if sep {
			b.buf = append(b.buf, ',')
		}
		sep = true
		b.buf = append(b.buf, '"')
		b.buf = append(b.buf, name...)
		b.buf = append(b.buf, `":`...)
	}
	if fullURL != "" {
		member("fullUrl")
		b.str(fullURL)
	}
	if resource != nil {
		member("resource")
		b.buf = append(b.buf, resource...)
	}
	if searchMode != "" {
		member("search")
		b.buf = append(b.buf, `{"mode":`...)
		b.str(searchMode)
		b.buf = append(b.buf, '}')
	}
	if req != nil {
		member("request")
		b.buf = append(b.buf, `{"method":`...)
		b.str(req.method)
		b.buf = append(b.buf, `,"url":`...)
		b.str(req.url)
		b.buf = append(b.buf, '}')
	}
	if resp != nil {
		member("response")
		b.buf = append(b.buf, `{"status":`...)
		b.str(StatusLine(resp.status))
		if resp.location != "" {
			b.buf = append(b.buf, `,"location":`...)
			b.str(resp.location)
		}
		if resp.etag != "" {
			b.buf = append(b.buf, `,"etag":`...)
			b.str(resp.etag)
		}
		if !resp.lastModified.IsZero() {
			b.buf = append(b.buf, `,"lastModified":`...)
			b.str(FormatInstant(resp.lastModified))
		}
		if resp.outcome != nil {
			b.buf = append(b.buf, `,"outcome":`...)
			b.buf = append(b.buf, resp.outcome...)
		}
		b.buf = append(b.buf, '}')
	}
	b.buf = append(b.buf, '}')
}

func (b *bundleWriter) finish() []byte {
	if b.entries > 0 {
		b.buf = append(b.buf, ']')
	}
	return append(b.buf, '}')
}

// StatusLine renders a status as Bundle.entry.response.status wants it: "201 Created".
func StatusLine(status int) string {
	return strconv.Itoa(status) + " " + http.StatusText(status)
}

// versionResponse describes a stored version as an entry response.
func versionResponse(status int, v *store.Resource) *entryResponse {
	r := &entryResponse{status: status}
	if v != nil {
		r.location = v.Type + "/" + v.ID + "/_history/" + strconv.FormatInt(v.VersionID, 10)
		r.etag = ETag(v)
		r.lastModified = v.LastUpdated
	}
	return r
}
