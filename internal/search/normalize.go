package search

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
	"golang.org/x/text/unicode/norm"
)

// NormalizeString is how string parameters are indexed and matched by default: lower
// case, accents removed, so that "Émile" matches "emile" (search.html#string).
func NormalizeString(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return norm.NFC.String(b.String())
}

// DateRange returns the instants a FHIR date, dateTime or instant covers given its
// precision, both ends inclusive (microsecond resolution): "2020" is the whole year,
// "2020-03-01T10:00:00Z" one second. Dates without a time zone are taken as UTC.
func DateRange(s string) (low, high time.Time, err error) {
	layouts := []struct {
		layout string
		step   func(time.Time) time.Time
	}{
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
	}
	for _, l := range layouts {
		if len(s) == len(l.layout) {
			t, err := time.Parse(l.layout, s)
			if err != nil {
				return time.Time{}, time.Time{}, fmt.Errorf("invalid date %q", s)
			}
			return t, l.step(t).Add(-time.Microsecond), nil
		}
	}
	date, clock, ok := strings.Cut(s, "T")
	if !ok || len(date) != 10 {
		return time.Time{}, time.Time{}, fmt.Errorf("invalid date %q", s)
	}
	// The time zone may be absent in search values (and in lenient data): UTC then.
	zone := ""
	if i := strings.IndexAny(clock, "Z+-"); i >= 0 {
		clock, zone = clock[:i], clock[i:]
	}
	if zone == "" {
		zone = "Z"
	}
	var step time.Duration
	frac := ""
	switch {
	case len(clock) == 5: // hh:mm, allowed in search values
		step = time.Minute
	case len(clock) == 8:
		step = time.Second
	case len(clock) > 9 && clock[8] == '.':
		frac = clock[9:]
		if len(frac) > 9 || strings.Trim(frac, "0123456789") != "" {
			return time.Time{}, time.Time{}, fmt.Errorf("invalid time in %q", s)
		}
		step = time.Duration(math.Pow10(9 - len(frac)))
		clock = clock[:8]
	default:
		return time.Time{}, time.Time{}, fmt.Errorf("invalid time in %q", s)
	}
	if len(clock) == 5 {
		clock += ":00"
	}
	t, err := time.Parse(time.RFC3339, date+"T"+clock+zone)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("invalid dateTime %q", s)
	}
	if frac != "" {
		var ns int64
		for _, c := range frac + strings.Repeat("0", 9-len(frac)) {
			ns = ns*10 + int64(c-'0')
		}
		t = t.Add(time.Duration(ns))
	}
	t = t.UTC()
	high = t.Add(step).Add(-time.Microsecond)
	if step < time.Microsecond {
		high = t
	}
	return t, high, nil
}

// NumberRange returns the value of a decimal literal and the range its precision
// implies by its significant figures (search.html#number: "100" is [99.5, 100.5],
// "100.0" [99.95, 100.05], "1e2" [50, 150]).
func NumberRange(lit string) (value, low, high float64, err error) {
	d, _, err := apd.NewFromString(lit)
	if err != nil || d.Form != apd.Finite {
		return 0, 0, 0, fmt.Errorf("invalid number %q", lit)
	}
	v, err := d.Float64()
	if err != nil {
		return 0, 0, 0, fmt.Errorf("invalid number %q", lit)
	}
	half := 0.5 * math.Pow10(int(d.Exponent))
	return v, v - half, v + half, nil
}
