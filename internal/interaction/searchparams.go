package interaction

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/store"
)

// This file is the one place that turns search parameters into store clauses. The search
// work grows searchParam to every SearchParameter of the specification.

// SearchParam is one search parameter the store can answer.
type SearchParam struct {
	Code       string
	Kind       store.ParamKind
	Type       string // the SearchParameter type: token, uri, date ...
	Definition string // canonical URL of its SearchParameter
	Modifiers  []string
}

// commonParams apply to every resource type
// (https://hl7.org/fhir/R4/resource.html#search).
var commonParams = []SearchParam{
	{"_id", store.KindID, "token", "http://hl7.org/fhir/SearchParameter/Resource-id", nil},
	{"_lastUpdated", store.KindLastUpdated, "date", "http://hl7.org/fhir/SearchParameter/Resource-lastUpdated", nil},
	{"_tag", store.KindToken, "token", "http://hl7.org/fhir/SearchParameter/Resource-tag", []string{"not", "missing"}},
	{"_security", store.KindToken, "token", "http://hl7.org/fhir/SearchParameter/Resource-security", []string{"not", "missing"}},
	{"_profile", store.KindURI, "uri", "http://hl7.org/fhir/SearchParameter/Resource-profile", nil},
	{"_source", store.KindURI, "uri", "http://hl7.org/fhir/SearchParameter/Resource-source", nil},
}

var (
	identifierOnce sync.Once
	identifierDefs map[string]string // resource type → its "identifier" SearchParameter
)

// SearchParams lists the parameters a search on typ supports ("" for a system search).
func SearchParams(typ string) []SearchParam {
	params := slices.Clone(commonParams)
	identifierOnce.Do(func() {
		identifierDefs = map[string]string{}
		for _, sp := range fhir.SearchParameters() {
			if sp.Code != "identifier" || sp.Type != "token" {
				continue
			}
			for _, b := range sp.Base {
				identifierDefs[b] = sp.URL
			}
		}
	})
	if def, ok := identifierDefs[typ]; ok {
		params = append(params, SearchParam{"identifier", store.KindToken, "token", def, []string{"not", "missing"}})
	}
	return params
}

func lookupParam(typ, code string) (SearchParam, bool) {
	for _, p := range SearchParams(typ) {
		if p.Code == code {
			return p, true
		}
	}
	return SearchParam{}, false
}

// resultParams are the search result parameters this server applies; others of the
// specification (_sort, _include, _summary ...) are reported as not supported.
var resultParams = map[string]bool{"_count": true, "_total": true, "_cursor": true}

// ignoredParams concern the HTTP representation, not the search.
var ignoredParams = map[string]bool{"_format": true, "_pretty": true}

// searchQuery is a search translated for the store.
type searchQuery struct {
	clauses []store.Clause
	count   int
	cursor  string
	total   bool
	// used holds the parameters applied, for the self link.
	used url.Values
	// skipped reports parameters that were not applied (lenient handling).
	skipped []Issue
}

// parseSearch translates the query parameters of a search on typ. Unknown or unsupported
// parameters are errors when strict, and reported in skipped otherwise.
func (s *Service) parseSearch(typ string, q url.Values, strict bool) (*searchQuery, error) {
	sq := &searchQuery{count: s.opt.DefaultCount, used: url.Values{}}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		values := q[key]
		if ignoredParams[key] {
			continue
		}
		if resultParams[key] {
			if err := s.resultParam(sq, key, values[len(values)-1]); err != nil {
				return nil, err
			}
			continue
		}
		code, modifier, _ := strings.Cut(key, ":")
		def, ok := lookupParam(typ, code)
		if ok && modifier != "" && !slices.Contains(def.Modifiers, modifier) {
			ok = false
		}
		if !ok {
			text := "the search parameter " + key + " is not supported"
			if typ != "" {
				text += " for " + typ
			}
			is := Issue{Severity: "warning", Code: "not-supported", Text: text}
			if strict {
				is.Severity = "error"
				return nil, &Error{Status: http.StatusBadRequest, Issues: []Issue{is}}
			}
			sq.skipped = append(sq.skipped, is)
			continue
		}
		for _, v := range values {
			c, err := clause(def, modifier, v)
			if err != nil {
				return nil, err
			}
			sq.clauses = append(sq.clauses, c)
			sq.used.Add(key, v)
		}
	}
	return sq, nil
}

func (s *Service) resultParam(sq *searchQuery, key, v string) error {
	switch key {
	case "_count":
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return invalid("", "_count must be a positive integer, not %q", v)
		}
		sq.count = min(n, s.opt.MaxCount)
		sq.used.Set(key, strconv.Itoa(sq.count))
	case "_total":
		switch v {
		case "none":
		case "estimate", "accurate":
			sq.total = true
			sq.used.Set(key, v)
		default:
			return invalid("", "_total must be none, estimate or accurate, not %q", v)
		}
	case "_cursor":
		sq.cursor = v
	}
	return nil
}

// clause parses one parameter's comma-separated (OR-ed) values.
func clause(def SearchParam, modifier, raw string) (store.Clause, error) {
	c := store.Clause{Param: def.Code, Kind: def.Kind, Modifier: modifier}
	if modifier == "missing" {
		switch raw {
		case "true", "false":
			c.Values = []store.Value{{Missing: raw == "true"}}
			return c, nil
		}
		return c, invalid("", "%s:missing must be true or false", def.Code)
	}
	for _, v := range splitValues(raw) {
		if v == "" {
			return c, invalid("", "empty value for search parameter %s", def.Code)
		}
		var val store.Value
		switch def.Kind {
		case store.KindID, store.KindURI:
			val.Text = unescape(v)
		case store.KindToken:
			if sys, code, ok := cutUnescaped(v, '|'); ok {
				val.System, val.HasSystem, val.Code = unescape(sys), true, unescape(code)
			} else {
				val.Code = unescape(v)
			}
		case store.KindLastUpdated, store.KindDate:
			val.Prefix, v = datePrefix(v)
			low, high, err := dateRange(v)
			if err != nil {
				return c, invalid("", "%s: %v", def.Code, err)
			}
			val.Low, val.High = low, high
		}
		c.Values = append(c.Values, val)
	}
	return c, nil
}

var prefixes = []string{"eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"}

func datePrefix(v string) (string, string) {
	if len(v) > 2 && slices.Contains(prefixes, v[:2]) {
		return v[:2], v[2:]
	}
	return "eq", v
}

// splitValues splits on commas not escaped with a backslash.
func splitValues(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ',':
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// cutUnescaped cuts s at the first sep not escaped with a backslash.
func cutUnescaped(s string, sep byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
