package interaction

import (
	"testing"
	"time"
)

func TestDateRange(t *testing.T) {
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		in        string
		low, high string // "" high: error expected
	}{
		{"2024", "2024-01-01T00:00:00Z", "2024-12-31T23:59:59.999999999Z"},
		{"2024-02", "2024-02-01T00:00:00Z", "2024-02-29T23:59:59.999999999Z"},
		{"2024-05-06", "2024-05-06T00:00:00Z", "2024-05-06T23:59:59.999999999Z"},
		{"2024-05-06T10:00Z", "2024-05-06T10:00:00Z", "2024-05-06T10:00:59.999999999Z"},
		{"2024-05-06T10:00:30+01:00", "2024-05-06T09:00:30Z", "2024-05-06T09:00:30.999999999Z"},
		{"2024-05-06T10:00:30", "2024-05-06T10:00:30Z", "2024-05-06T10:00:30.999999999Z"},
		{"2024-05-06T10:00:30.5Z", "2024-05-06T10:00:30.5Z", "2024-05-06T10:00:30.599999999Z"},
		{"2024-05-06T10:00:30.123Z", "2024-05-06T10:00:30.123Z", "2024-05-06T10:00:30.123999999Z"},
		{"yesterday", "", ""},
		{"2024-13", "", ""},
		{"", "", ""},
	}
	for _, c := range cases {
		low, high, err := dateRange(c.in)
		if c.high == "" {
			if err == nil {
				t.Errorf("dateRange(%q) = %v..%v, want an error", c.in, low, high)
			}
			continue
		}
		if err != nil || !low.Equal(utc(c.low)) || !high.Equal(utc(c.high)) {
			t.Errorf("dateRange(%q) = %v..%v, %v; want %s..%s", c.in, low, high, err, c.low, c.high)
		}
	}
}

func TestParseETag(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{`W/"3"`, 3, true}, {`"12"`, 12, true}, {` W/"1" `, 1, true},
		{`W/"0"`, 0, false}, {`3`, 0, false}, {`W/"x"`, 0, false}, {`W/""`, 0, false}, {``, 0, false},
	}
	for _, c := range cases {
		if got, ok := ParseETag(c.in); got != c.want || ok != c.ok {
			t.Errorf("ParseETag(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
