package fhirpath

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Dates and times keep the precision they were written with (FHIRPath section 2.1.6
// "Date/Time" literals; comparisons of different precisions are empty, section 6.2).

type precision uint8

const (
	precYear precision = iota + 1
	precMonth
	precDay
	precHour
	precMinute
	precSecond
	precMillis // seconds with a fraction
)

type temporal struct {
	year, month, day     int
	hour, minute, second int
	nanos                int
	fracDigits           int // digits of the fraction as written
	prec                 precision
	tz                   bool // a time zone is given
	zulu                 bool // written as Z
	offset               int  // minutes east of UTC
}

// Date is System.Date (year, month or day precision).
type Date struct{ t temporal }

// DateTime is System.DateTime (year to millisecond precision, optional time zone).
type DateTime struct{ t temporal }

// Time is System.Time (hour to millisecond precision, no time zone).
type Time struct{ t temporal }

func (d Date) String() string     { return d.t.formatDate() }
func (d DateTime) String() string { return d.t.formatDateTime() }
func (t Time) String() string     { return t.t.formatTime() }

// Time returns the value as a time.Time (missing parts take their lowest value; no time
// zone means UTC).
func (d DateTime) Time() time.Time { return d.t.goTime() }

// Time returns the date at midnight UTC.
func (d Date) Time() time.Time { return d.t.goTime() }

// Range returns the interval the value stands for at its precision, [start, end): a
// day for 2024-03-05, a month for 2024-03. Without a time zone the times are UTC.
func (d DateTime) Range() (start, end time.Time) { return d.t.interval() }

// Range returns the day, month or year the date stands for, [start, end), in UTC.
func (d Date) Range() (start, end time.Time) { return d.t.interval() }

func (t temporal) interval() (time.Time, time.Time) {
	start := t.goTime()
	switch t.prec {
	case precYear:
		return start, start.AddDate(1, 0, 0)
	case precMonth:
		return start, start.AddDate(0, 1, 0)
	case precDay:
		return start, start.AddDate(0, 0, 1)
	case precHour:
		return start, start.Add(time.Hour)
	case precMinute:
		return start, start.Add(time.Minute)
	case precSecond:
		return start, start.Add(time.Second)
	}
	// A fraction of n digits stands for an interval of 10^-n seconds.
	step := time.Second
	for d := 0; d < t.fracDigits && d < 9; d++ {
		step /= 10
	}
	return start, start.Add(step)
}

func (t temporal) goTime() time.Time {
	loc := time.UTC
	if t.tz && t.offset != 0 {
		loc = time.FixedZone("", t.offset*60)
	}
	m, d := t.month, t.day
	if m == 0 {
		m = 1
	}
	if d == 0 {
		d = 1
	}
	return time.Date(t.year, time.Month(m), d, t.hour, t.minute, t.second, t.nanos, loc)
}

func (t temporal) formatDate() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%04d", t.year)
	if t.prec >= precMonth {
		fmt.Fprintf(&b, "-%02d", t.month)
	}
	if t.prec >= precDay {
		fmt.Fprintf(&b, "-%02d", t.day)
	}
	return b.String()
}

func (t temporal) formatTime() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%02d", t.hour)
	if t.prec >= precMinute {
		fmt.Fprintf(&b, ":%02d", t.minute)
	}
	if t.prec >= precSecond {
		fmt.Fprintf(&b, ":%02d", t.second)
	}
	if t.prec >= precMillis {
		digits := t.fracDigits
		if digits <= 0 {
			digits = 3
		}
		frac := fmt.Sprintf("%09d", t.nanos)
		if digits > 9 {
			digits = 9
		}
		b.WriteByte('.')
		b.WriteString(frac[:digits])
	}
	return b.String()
}

func (t temporal) formatZone() string {
	if !t.tz {
		return ""
	}
	if t.zulu {
		return "Z"
	}
	o := t.offset
	sign := '+'
	if o < 0 {
		sign, o = '-', -o
	}
	return fmt.Sprintf("%c%02d:%02d", sign, o/60, o%60)
}

func (t temporal) formatDateTime() string {
	s := t.formatDate()
	if t.prec >= precHour {
		s += "T" + t.formatTime() + t.formatZone()
	}
	return s
}

var errBadTemporal = fmt.Errorf("invalid date/time")

func atoiN(s string, n int) (int, string, bool) {
	if len(s) < n {
		return 0, s, false
	}
	v := 0
	for i := 0; i < n; i++ {
		if !isDigit(s[i]) {
			return 0, s, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, s[n:], true
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parseDatePart reads YYYY[-MM[-DD]] and returns the rest.
func parseDatePart(s string) (temporal, string, error) {
	var t temporal
	var ok bool
	if t.year, s, ok = atoiN(s, 4); !ok {
		return t, s, errBadTemporal
	}
	t.prec = precYear
	if len(s) > 0 && s[0] == '-' {
		if t.month, s, ok = atoiN(s[1:], 2); !ok || t.month < 1 || t.month > 12 {
			return t, s, errBadTemporal
		}
		t.prec = precMonth
		if len(s) > 0 && s[0] == '-' {
			if t.day, s, ok = atoiN(s[1:], 2); !ok || t.day < 1 || t.day > daysIn(t.year, t.month) {
				return t, s, errBadTemporal
			}
			t.prec = precDay
		}
	}
	return t, s, nil
}

// parseTimePart reads hh[:mm[:ss[.fff]]] into t and returns the rest.
func parseTimePart(t *temporal, s string) (string, error) {
	var ok bool
	if t.hour, s, ok = atoiN(s, 2); !ok || t.hour > 23 {
		return s, errBadTemporal
	}
	t.prec = precHour
	if len(s) > 0 && s[0] == ':' {
		if t.minute, s, ok = atoiN(s[1:], 2); !ok || t.minute > 59 {
			return s, errBadTemporal
		}
		t.prec = precMinute
		if len(s) > 0 && s[0] == ':' {
			if t.second, s, ok = atoiN(s[1:], 2); !ok || t.second > 59 {
				return s, errBadTemporal
			}
			t.prec = precSecond
			if len(s) > 1 && s[0] == '.' && isDigit(s[1]) {
				i := 1
				for i < len(s) && isDigit(s[i]) {
					i++
				}
				frac := s[1:i]
				t.fracDigits = len(frac)
				if len(frac) > 9 {
					frac = frac[:9]
				}
				n, _ := strconv.Atoi(frac + strings.Repeat("0", 9-len(frac)))
				t.nanos = n
				t.prec = precMillis
				s = s[i:]
			}
		}
	}
	return s, nil
}

func parseZone(t *temporal, s string) (string, error) {
	if s == "" {
		return s, nil
	}
	if s[0] == 'Z' {
		t.tz, t.zulu = true, true
		return s[1:], nil
	}
	if s[0] == '+' || s[0] == '-' {
		h, rest, ok := atoiN(s[1:], 2)
		if !ok || len(rest) < 3 || rest[0] != ':' {
			return s, errBadTemporal
		}
		m, rest, ok := atoiN(rest[1:], 2)
		if !ok || h > 14 || m > 59 {
			return s, errBadTemporal
		}
		t.tz = true
		t.offset = h*60 + m
		if s[0] == '-' {
			t.offset = -t.offset
		}
		return rest, nil
	}
	return s, errBadTemporal
}

func parseDate(s string) (temporal, error) {
	t, rest, err := parseDatePart(s)
	if err != nil || rest != "" {
		return t, errBadTemporal
	}
	return t, nil
}

// parseDateTime reads a dateTime as FHIR writes it (and as FHIRPath literals after '@'):
// YYYY[-MM[-DD[Thh[:mm[:ss[.fff]]][tz]]]], also "YYYYT" style partial literals.
func parseDateTime(s string) (temporal, error) {
	t, rest, err := parseDatePart(s)
	if err != nil {
		return t, err
	}
	if rest == "" {
		return t, nil
	}
	if rest[0] != 'T' {
		return t, errBadTemporal
	}
	rest = rest[1:]
	if rest == "" {
		return t, nil
	}
	if t.prec != precDay {
		return t, errBadTemporal
	}
	if rest, err = parseTimePart(&t, rest); err != nil {
		return t, err
	}
	if rest, err = parseZone(&t, rest); err != nil || rest != "" {
		return t, errBadTemporal
	}
	return t, nil
}

func parseTime(s string) (temporal, error) {
	var t temporal
	rest, err := parseTimePart(&t, s)
	if err != nil || rest != "" {
		return t, errBadTemporal
	}
	return t, nil
}

// parseTemporalLiteral parses the text of a @ literal.
func parseTemporalLiteral(s string) (Value, error) {
	if strings.HasPrefix(s, "T") {
		t, err := parseTime(s[1:])
		return Time{t}, err
	}
	if strings.IndexByte(s, 'T') >= 0 {
		t, err := parseDateTime(s)
		return DateTime{t}, err
	}
	t, err := parseDate(s)
	return Date{t}, err
}

// level maps precisions for comparison: seconds and milliseconds are one level.
func level(p precision) precision {
	if p == precMillis {
		return precSecond
	}
	return p
}

// compareTemporal compares two dates/times (of the same kind, or a Date with a
// DateTime). ok is false when the result is unknown: different precisions that agree
// as far as both go, or a time zone on one side only.
func compareTemporal(a, b temporal) (cmp int, ok bool) {
	if a.prec >= precHour && b.prec >= precHour && a.year != 0 && b.year != 0 {
		if a.tz != b.tz {
			return 0, false
		}
		if a.tz {
			a, b = a.utc(), b.utc()
		}
	}
	pa, pb := level(a.prec), level(b.prec)
	p := min(pa, pb)
	fields := func(t temporal, i precision) int {
		switch i {
		case precYear:
			return t.year
		case precMonth:
			return t.month
		case precDay:
			return t.day
		case precHour:
			return t.hour
		case precMinute:
			return t.minute
		}
		return t.second*1_000_000_000 + t.nanos
	}
	start := precYear
	if a.year == 0 && b.year == 0 && a.prec >= precHour && a.month == 0 { // times
		start = precHour
	}
	for i := start; i <= p; i++ {
		x, y := fields(a, i), fields(b, i)
		if x != y {
			if x < y {
				return -1, true
			}
			return 1, true
		}
	}
	if pa != pb {
		return 0, false
	}
	return 0, true
}

// utc converts a time with a zone to UTC, keeping its precision.
func (t temporal) utc() temporal {
	g := t.goTime().UTC()
	r := t
	r.year, r.month, r.day = g.Year(), int(g.Month()), g.Day()
	r.hour, r.minute, r.second, r.nanos = g.Hour(), g.Minute(), g.Second(), g.Nanosecond()
	r.offset, r.zulu = 0, true
	return r
}

func fromGoTime(g time.Time, prec precision, tz bool) temporal {
	_, off := g.Zone()
	t := temporal{
		year: g.Year(), month: int(g.Month()), day: g.Day(),
		hour: g.Hour(), minute: g.Minute(), second: g.Second(), nanos: g.Nanosecond(),
		prec: prec, tz: tz, offset: off / 60,
	}
	if prec == precMillis {
		t.fracDigits = 3
		t.nanos = t.nanos / 1_000_000 * 1_000_000
	}
	return t
}
