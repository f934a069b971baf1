package interaction

import (
	"fmt"
	"strings"
	"time"
)

// dateRange parses a FHIR search date value (https://hl7.org/fhir/R4/search.html#date)
// and returns the range its precision covers: "2024" is the whole year, "2024-05-06T10:00"
// the whole minute. High is the last instant of the range (inclusive). Values without a
// time zone are read as UTC.
func dateRange(s string) (low, high time.Time, err error) {
	layouts := []struct {
		layout string
		step   func(time.Time) time.Time
	}{
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-01-02T15:04Z07:00", func(t time.Time) time.Time { return t.Add(time.Minute) }},
		{"2006-01-02T15:04", func(t time.Time) time.Time { return t.Add(time.Minute) }},
		{"2006-01-02T15:04:05Z07:00", func(t time.Time) time.Time { return t.Add(time.Second) }},
		{"2006-01-02T15:04:05", func(t time.Time) time.Time { return t.Add(time.Second) }},
	}
	// time.Parse accepts a fraction after the seconds even when the layout has none, so
	// values with one go to the branch below that keeps their precision.
	for _, l := range layouts {
		if strings.Contains(s, ".") {
			break
		}
		t, perr := time.Parse(l.layout, s)
		if perr == nil {
			return t.UTC(), l.step(t).UTC().Add(-time.Nanosecond), nil
		}
	}
	// Fractional seconds: the precision is as many digits as written.
	for _, layout := range []string{"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999"} {
		t, perr := time.Parse(layout, s)
		if perr != nil {
			continue
		}
		digits := 0
		for i := len("2006-01-02T15:04:05."); i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
		step := time.Second
		for range digits {
			step /= 10
		}
		if step == 0 {
			step = time.Nanosecond
		}
		return t.UTC(), t.Add(step).UTC().Add(-time.Nanosecond), nil
	}
	return time.Time{}, time.Time{}, fmt.Errorf("%q is not a date, dateTime or instant", s)
}
