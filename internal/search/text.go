package search

import (
	"html"
	"math"
	"strings"
	"time"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/store"
)

// seconds is a date bound in Unix seconds, open ends infinite.
func seconds(t time.Time, high bool) float64 {
	if t.IsZero() {
		if high {
			return math.Inf(1)
		}
		return math.Inf(-1)
	}
	return float64(t.UnixMicro()) / 1e6
}

// maxText bounds the text indexed for one resource.
const maxText = 16 << 10

// textIndex adds the _text (narrative) and _content (every string value) rows.
func textIndex(r fhir.Resource, idx *store.Index) {
	var content strings.Builder
	var narrative string
	var walk func(name string, el fhir.Element) bool
	walk = func(name string, el fhir.Element) bool {
		if content.Len() > maxText {
			return false
		}
		switch e := el.(type) {
		case *fhir.XHTML:
			narrative = stripTags(lit(e))
			return true
		case *fhir.String, *fhir.Markdown:
			s, _ := e.(fhir.Primitive).Literal()
			content.WriteString(s)
			content.WriteByte(' ')
			return true
		case *fhir.Code:
			content.WriteString(lit(e))
			content.WriteByte(' ')
			return true
		case fhir.Primitive:
			return true
		}
		return el.EachChild(walk)
	}
	r.EachChild(walk)
	if narrative != "" {
		idx.Texts = append(idx.Texts, store.TextEntry{Param: "_text", Value: truncate(narrative, maxText)})
		content.WriteString(narrative)
	}
	if content.Len() > 0 {
		idx.Texts = append(idx.Texts, store.TextEntry{Param: "_content", Value: truncate(content.String(), maxText)})
	}
}

// stripTags returns the text of an XHTML fragment.
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '<':
			in = true
			b.WriteByte(' ')
		case c == '>':
			in = false
		case !in:
			b.WriteByte(c)
		}
	}
	return strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
}
