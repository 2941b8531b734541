package river

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/usecases"
)

func madrid(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Madrid")
	require.NoError(t, err)
	return loc
}

// utc parses an RFC 3339 instant.
func utc(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	require.NoError(t, err)
	return v
}

func TestDailyScheduleNext(t *testing.T) {
	t.Parallel()
	loc := madrid(t)
	cases := []struct {
		name  string
		at    string
		after string
		want  string
	}{
		{name: "LaterToday", at: "07:05", after: "2025-06-10T04:00:00Z", want: "2025-06-10T05:05:00Z"},
		{name: "Tomorrow", at: "07:05", after: "2025-06-10T05:05:00Z", want: "2025-06-11T05:05:00Z"},
		{name: "Winter", at: "07:05", after: "2025-01-10T07:00:00Z", want: "2025-01-11T06:05:00Z"},
		{name: "DayAfterSpringForward", at: "07:05", after: "2025-03-29T12:00:00Z", want: "2025-03-30T05:05:00Z"},
		{name: "SkippedTimeRunsAtChange", at: "02:30", after: "2025-03-29T12:00:00Z", want: "2025-03-30T01:00:00Z"},
		{name: "DayAfterSkippedTime", at: "02:30", after: "2025-03-30T01:00:00Z", want: "2025-03-31T00:30:00Z"},
		{name: "RepeatedTimeRunsFirst", at: "02:30", after: "2025-10-25T12:00:00Z", want: "2025-10-26T00:30:00Z"},
		{name: "RepeatedTimeRunsOnce", at: "02:30", after: "2025-10-26T00:30:00Z", want: "2025-10-27T01:30:00Z"},
		{name: "Midnight", at: "00:00", after: "2025-12-31T22:30:00Z", want: "2025-12-31T23:00:00Z"},
		{name: "MidnightNextYear", at: "00:00", after: "2025-12-31T23:00:00Z", want: "2026-01-01T23:00:00Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, err := Daily(c.at, loc)
			require.NoError(t, err)
			require.Equal(t, utc(t, c.want), s.Next(utc(t, c.after)).UTC())
		})
	}
}

func TestIntervalScheduleNext(t *testing.T) {
	t.Parallel()
	loc := madrid(t)
	cases := []struct {
		name     string
		interval time.Duration
		after    string
		want     string
	}{
		{name: "MinuteRoundsUp", interval: time.Minute, after: "2025-06-10T04:00:30Z", want: "2025-06-10T04:01:00Z"},
		{name: "MinuteOnBoundary", interval: time.Minute, after: "2025-06-10T04:01:00Z", want: "2025-06-10T04:02:00Z"},
		{name: "HourOnLocalHour", interval: time.Hour, after: "2025-06-10T04:20:00Z", want: "2025-06-10T05:00:00Z"},
		{name: "SixHoursLocal", interval: 6 * time.Hour, after: "2025-06-10T05:00:00Z", want: "2025-06-10T10:00:00Z"},
		{name: "HourSkipsMissingHour", interval: time.Hour, after: "2025-03-30T00:00:00Z", want: "2025-03-30T01:00:00Z"},
		{name: "HourRepeatsHour", interval: time.Hour, after: "2025-10-26T00:00:00Z", want: "2025-10-26T01:00:00Z"},
		{name: "HourAfterRepeat", interval: time.Hour, after: "2025-10-26T01:00:00Z", want: "2025-10-26T02:00:00Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, err := Every(c.interval, loc)
			require.NoError(t, err)
			require.Equal(t, utc(t, c.want), s.Next(utc(t, c.after)).UTC())
		})
	}
}

func TestIntervalScheduleMinutesAcrossChanges(t *testing.T) {
	t.Parallel()
	s, err := Every(time.Minute, madrid(t))
	require.NoError(t, err)

	// Every minute runs once per real minute through both clock changes.
	for _, start := range []string{"2025-03-30T00:30:00Z", "2025-10-26T00:30:00Z"} {
		at := utc(t, start)
		for range 120 {
			next := s.Next(at)
			require.Equal(t, time.Minute, next.Sub(at), "after %s", at)
			at = next
		}
	}
}

func TestScheduleRejectsBadInput(t *testing.T) {
	t.Parallel()
	loc := madrid(t)
	for _, interval := range []time.Duration{0, 30 * time.Second, 90 * time.Second, 7 * time.Minute, 48 * time.Hour} {
		_, err := Every(interval, loc)
		require.Error(t, err, "interval %s", interval)
	}
	_, err := Every(time.Minute, nil)
	require.Error(t, err)

	for _, at := range []string{"", "7", "24:00", "07:60", "7:5"} {
		_, err := Daily(at, loc)
		require.Error(t, err, "clock time %q", at)
	}
	_, err = Daily("07:00", nil)
	require.Error(t, err)
}

func TestDefaultPeriodicJobs(t *testing.T) {
	t.Parallel()

	jobs, err := DefaultPeriodicJobs(Config{})
	require.NoError(t, err)
	kinds := map[string]PeriodicJob{}
	for _, j := range jobs {
		kinds[j.Args.Kind()] = j
	}
	require.NotContains(t, kinds, "send_daily_validation_report", "no recipients, no report")
	require.Contains(t, kinds, "check_schedules")
	require.Contains(t, kinds, "update_devices_stock")
	require.Contains(t, kinds, "update_device_data")
	require.Contains(t, kinds, "check_number_of_unassigned_esim_iccs")
	require.Contains(t, kinds, "unassign_esim_iccs")
	require.Contains(t, kinds, "delete_used_iccs")
	require.Equal(t, usecases.CheckNumberOfUnassignedEsimIccsInput{Threshold: 100}, kinds["check_number_of_unassigned_esim_iccs"].Args)
	require.Equal(t, usecases.DeleteUsedIccsInput{DaysOld: 60}, kinds["delete_used_iccs"].Args)

	now := utc(t, "2025-06-10T05:00:30Z") // 07:00:30 in Madrid
	require.Equal(t, utc(t, "2025-06-10T05:01:00Z"), kinds["check_schedules"].Schedule.Next(now))
	require.Equal(t, utc(t, "2025-06-10T06:00:00Z"), kinds["update_devices_stock"].Schedule.Next(now))
	require.Equal(t, utc(t, "2025-06-11T01:30:00Z"), kinds["update_device_data"].Schedule.Next(now))

	jobs, err = DefaultPeriodicJobs(Config{
		DailyReportRecipients: []string{"ops@example.com"},
		EsimStockThreshold:    25,
		EsimAlertRecipients:   []string{"stock@example.com"},
		TimeZone:              "Atlantic/Canary",
	})
	require.NoError(t, err)
	for _, j := range jobs {
		kinds[j.Args.Kind()] = j
	}
	require.Equal(t, usecases.SendDailyValidationReportInput{Emails: []string{"ops@example.com"}}, kinds["send_daily_validation_report"].Args)
	require.Equal(t, usecases.CheckNumberOfUnassignedEsimIccsInput{Threshold: 25, Recipients: []string{"stock@example.com"}},
		kinds["check_number_of_unassigned_esim_iccs"].Args)
	// 07:05 in the Canary Islands is 06:05 UTC in summer.
	require.Equal(t, utc(t, "2025-06-10T06:05:00Z"), kinds["send_daily_validation_report"].Schedule.Next(now))

	_, err = DefaultPeriodicJobs(Config{TimeZone: "Mars/Olympus"})
	require.ErrorContains(t, err, "TimeZone")
}
