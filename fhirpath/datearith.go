package fhirpath

import (
	"time"

	"github.com/cockroachdb/apd/v3"
)

// Date/time arithmetic (FHIRPath section 6.6.7 "Date/Time Arithmetic"): calendar
// durations, or the UCUM units of a fixed length up to weeks; the quantity is
// truncated to a whole number of its unit.

type calUnit uint8

const (
	calYear calUnit = iota + 1
	calMonth
	calWeek
	calDay
	calHour
	calMinute
	calSecond
	calMillisecond
)

func calendarUnitOf(unit string) (calUnit, bool) {
	switch unit {
	case "year", "years":
		return calYear, true
	case "month", "months":
		return calMonth, true
	case "week", "weeks", "wk":
		return calWeek, true
	case "day", "days", "d":
		return calDay, true
	case "hour", "hours", "h":
		return calHour, true
	case "minute", "minutes", "min":
		return calMinute, true
	case "second", "seconds", "s":
		return calSecond, true
	case "millisecond", "milliseconds", "ms":
		return calMillisecond, true
	}
	return 0, false
}

func addTemporal(v Value, q Quantity, subtract bool) (Value, error) {
	unit, ok := calendarUnitOf(q.Unit)
	if !ok {
		return nil, errorf("cannot add a quantity in '%s' to a date or time", q.Unit)
	}
	var whole apd.Decimal
	decCtx.RoundToIntegralValue(&whole, truncated(q.Value))
	n, err := whole.Int64()
	if err != nil {
		return nil, errorf("quantity %s is out of range", q)
	}
	if subtract {
		n = -n
	}
	t, kind := temporalOf(v)
	if kind == kindTime && unit < calHour {
		return nil, errorf("cannot add %s to a time", q)
	}
	r := t.add(unit, int(n))
	switch kind {
	case kindDate:
		return Date{r}, nil
	case kindDateTime:
		return DateTime{r}, nil
	}
	return Time{r}, nil
}

func truncated(d *apd.Decimal) *apd.Decimal {
	r := newDec()
	c := decCtx.WithPrecision(decCtx.Precision)
	c.Rounding = apd.RoundDown
	c.Quantize(r, d, 0)
	return r
}

func (t temporal) add(unit calUnit, n int) temporal {
	r := t
	isTime := t.year == 0 && t.month == 0 && t.day == 0
	switch unit {
	case calYear, calMonth:
		months := n
		if unit == calYear {
			months = n * 12
		}
		total := r.year*12 + (r.month - 1) + months
		if r.month == 0 {
			total = r.year*12 + months
			r.year = total / 12
			return r
		}
		r.year, r.month = total/12, total%12+1
		if r.day > 0 {
			r.day = min(r.day, daysIn(r.year, r.month))
		}
		return r
	}
	var d time.Duration
	switch unit {
	case calWeek:
		return r.addDays(7 * n)
	case calDay:
		return r.addDays(n)
	case calHour:
		d = time.Duration(n) * time.Hour
	case calMinute:
		d = time.Duration(n) * time.Minute
	case calSecond:
		d = time.Duration(n) * time.Second
	case calMillisecond:
		d = time.Duration(n) * time.Millisecond
	}
	if isTime {
		g := time.Date(2000, 1, 1, r.hour, r.minute, r.second, r.nanos, time.UTC).Add(d)
		r.hour, r.minute, r.second, r.nanos = g.Hour(), g.Minute(), g.Second(), g.Nanosecond()
		return r
	}
	return r.withGoTime(r.goTime().Add(d))
}

func (t temporal) addDays(n int) temporal {
	if t.prec < precDay {
		return t
	}
	return t.withGoTime(t.goTime().AddDate(0, 0, n))
}

// withGoTime takes the fields of g (in t's zone), keeping t's precision and zone.
func (t temporal) withGoTime(g time.Time) temporal {
	r := t
	r.year, r.month, r.day = g.Year(), int(g.Month()), g.Day()
	r.hour, r.minute, r.second, r.nanos = g.Hour(), g.Minute(), g.Second(), g.Nanosecond()
	return r
}
