package river

import (
	"errors"
	"fmt"
	"time"

	"github.com/telcojobs/telcojobs/domain"
)

// Schedule gives the run times of a periodic job. Next returns the first run
// time strictly after the given instant. It has the method set of River's
// PeriodicSchedule, so any River schedule fits too.
type Schedule interface {
	Next(after time.Time) time.Time
}

// IntervalSchedule runs at every multiple of Interval counted from midnight
// on the wall clock of Location: with one hour it runs at 00:00, 01:00, ...
// local time. The times follow the clock changes. On the night the clocks
// go forward the skipped hour has no runs. On the night they go back the
// repeated hour runs twice. So runs stay one Interval apart in real time.
type IntervalSchedule struct {
	interval time.Duration
	location *time.Location
}

// Every returns an IntervalSchedule. interval must be a whole number of
// minutes that divides 24 hours, such as 1m, 15m, 1h or 6h.
func Every(interval time.Duration, location *time.Location) (*IntervalSchedule, error) {
	if location == nil {
		return nil, errors.New("schedule: location is nil")
	}
	if interval < time.Minute || interval%time.Minute != 0 || (24*time.Hour)%interval != 0 {
		return nil, fmt.Errorf("schedule: interval %s must be a whole number of minutes that divides 24h, such as 1m, 15m or 1h", interval)
	}
	return &IntervalSchedule{interval: interval, location: location}, nil
}

// Next returns the first run time after t.
func (s *IntervalSchedule) Next(t time.Time) time.Time {
	step := int(s.interval / time.Minute)

	// Zone offsets are whole minutes, so every local minute boundary is a
	// UTC minute boundary, and a walk minute by minute finds every clock
	// change. It ends within one interval plus the longest clock change.
	c := t.Truncate(time.Minute)
	for range step + 24*60 {
		c = c.Add(time.Minute)
		l := c.In(s.location)
		if (l.Hour()*60+l.Minute())%step == 0 {
			return c
		}
	}
	// NOTE: unreachable for real zones, whose clock changes are shorter than
	// a day; the fallback keeps a broken zone table from stopping the job.
	return t.Add(s.interval)
}

// String describes the schedule, such as "every 1h0m0s in Europe/Madrid".
func (s *IntervalSchedule) String() string {
	return fmt.Sprintf("every %s in %s", s.interval, s.location)
}

// DailySchedule runs once a day at a wall-clock time of Location. On the
// night the clocks go forward, a time in the skipped hour runs at the first
// instant after it (02:30 in Madrid runs at 03:00 summer time). On the night
// they go back, a time in the repeated hour runs once, at its first
// occurrence.
type DailySchedule struct {
	at       domain.ClockTime
	location *time.Location
}

// Daily returns a DailySchedule at the clock time at ("HH:MM").
func Daily(at string, location *time.Location) (*DailySchedule, error) {
	if location == nil {
		return nil, errors.New("schedule: location is nil")
	}
	clock, err := domain.ParseClockTime(at)
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	return &DailySchedule{at: clock, location: location}, nil
}

// Next returns the first run time after t.
func (s *DailySchedule) Next(t time.Time) time.Time {
	l := t.In(s.location)
	for day := 0; ; day++ {
		run := localInstant(l.Year(), l.Month(), l.Day()+day, s.at, s.location)
		if run.After(t) {
			return run
		}
	}
}

// String describes the schedule, such as "daily at 07:05 in Europe/Madrid".
func (s *DailySchedule) String() string {
	return fmt.Sprintf("daily at %s in %s", s.at, s.location)
}

// localInstant returns the first instant at which the wall clock of loc
// shows the clock time at on the given date, or, when the clocks skip that
// time, the instant at which they skip it.
func localInstant(year int, month time.Month, day int, at domain.ClockTime, loc *time.Location) time.Time {
	// Read the wall time as if it were UTC, then try the zone offsets in
	// force a day before and a day after. One of them is the offset of the
	// wall time. Both are when the clocks repeat the wall time.
	wall := time.Date(year, month, day, at.Hour, at.Minute, 0, 0, time.UTC)
	var found time.Time
	for _, probe := range []time.Time{wall.Add(-24 * time.Hour), wall.Add(24 * time.Hour)} {
		_, offset := probe.In(loc).Zone()
		c := wall.Add(-time.Duration(offset) * time.Second)
		l := c.In(loc)
		if l.Hour() != at.Hour || l.Minute() != at.Minute || l.Day() != wall.Day() {
			continue
		}
		if found.IsZero() || c.Before(found) {
			found = c
		}
	}
	if !found.IsZero() {
		return found
	}

	// The wall time falls in a gap. time.Date resolves it to an instant on
	// one side of the change, and its documentation does not say which.
	// The change is where the zone period of that instant starts or ends.
	t := time.Date(year, month, day, at.Hour, at.Minute, 0, 0, loc)
	start, end := t.ZoneBounds()
	if time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC).After(wall) {
		return start
	}
	return end
}
