package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ClockTime is a wall-clock time of day, HH:MM, without a date or a zone.
type ClockTime struct {
	Hour   int
	Minute int
}

// ParseClockTime reads "HH:MM" (or "H:MM") with hours 0-23 and minutes 0-59.
func ParseClockTime(s string) (ClockTime, error) {
	raw := s
	s = strings.TrimSpace(s)
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 {
		return ClockTime{}, Invalid("time", raw, "expected HH:MM, such as 07:30")
	}
	// strconv.Atoi also takes a sign, so it alone would accept "+7:30".
	if strings.Trim(h+m, "0123456789") != "" {
		return ClockTime{}, Invalid("time", raw, "expected HH:MM, such as 07:30")
	}
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return ClockTime{}, Invalid("time", raw, "expected HH:MM between 00:00 and 23:59")
	}
	return ClockTime{Hour: hour, Minute: minute}, nil
}

// String formats the time as HH:MM.
func (c ClockTime) String() string { return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute) }

// Minutes returns the minutes since midnight.
func (c ClockTime) Minutes() int { return c.Hour*60 + c.Minute }

// MarshalText implements encoding.TextMarshaler.
func (c ClockTime) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *ClockTime) UnmarshalText(b []byte) error {
	v, err := ParseClockTime(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// DefaultTimeZone is the business time zone used when none is configured.
const DefaultTimeZone = "Europe/Madrid"

// LoadZone loads an IANA time zone by name. An empty name gives the default
// business zone. "Local" is rejected because it depends on the machine.
func LoadZone(name string) (*time.Location, error) {
	if name == "" {
		name = DefaultTimeZone
	}
	if name == "Local" {
		return nil, Invalid("time zone", name, "expected an IANA zone name such as Europe/Madrid")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, Invalid("time zone", name, "expected an IANA zone name such as Europe/Madrid")
	}
	return loc, nil
}

// LocalDayRange returns [start, end) of the calendar day that contains t in
// loc: from midnight to the next midnight. On a day when the clocks change it
// lasts 23 or 25 hours.
func LocalDayRange(t time.Time, loc *time.Location) (start, end time.Time) {
	l := t.In(loc)
	start = time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	end = time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc)
	return start, end
}
