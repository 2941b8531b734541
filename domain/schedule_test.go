package domain_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
)

func madrid(t *testing.T) *time.Location {
	t.Helper()
	loc, err := domain.LoadZone("Europe/Madrid")
	require.NoError(t, err)
	return loc
}

func utc(s string) time.Time {
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return v
}

func clockTimes(t *testing.T, values ...string) []domain.ClockTime {
	t.Helper()
	out, err := domain.ParseClockTimes(values)
	require.NoError(t, err)
	return out
}

func TestResolveLocalTime(t *testing.T) {
	t.Parallel()
	loc := madrid(t)

	cases := []struct {
		name  string
		date  string
		time  string
		at    string
		shift domain.SlotShift
	}{
		{"WinterDay", "2025-01-15", "07:00", "2025-01-15T06:00:00Z", domain.SlotExact},
		{"SummerDay", "2025-07-15", "07:00", "2025-07-15T05:00:00Z", domain.SlotExact},
		{"SpringBeforeGap", "2025-03-30", "01:59", "2025-03-30T00:59:00Z", domain.SlotExact},
		{"SpringGapStart", "2025-03-30", "02:00", "2025-03-30T01:00:00Z", domain.SlotAfterGap},
		{"SpringInGap", "2025-03-30", "02:30", "2025-03-30T01:00:00Z", domain.SlotAfterGap},
		{"SpringGapEnd", "2025-03-30", "02:59", "2025-03-30T01:00:00Z", domain.SlotAfterGap},
		{"SpringAfterGap", "2025-03-30", "03:00", "2025-03-30T01:00:00Z", domain.SlotExact},
		{"SpringMorning", "2025-03-30", "07:00", "2025-03-30T05:00:00Z", domain.SlotExact},
		{"FallBeforeOverlap", "2025-10-26", "01:59", "2025-10-25T23:59:00Z", domain.SlotExact},
		{"FallOverlapStart", "2025-10-26", "02:00", "2025-10-26T00:00:00Z", domain.SlotFirstOfOverlap},
		{"FallInOverlap", "2025-10-26", "02:30", "2025-10-26T00:30:00Z", domain.SlotFirstOfOverlap},
		{"FallOverlapEnd", "2025-10-26", "02:59", "2025-10-26T00:59:00Z", domain.SlotFirstOfOverlap},
		{"FallAfterOverlap", "2025-10-26", "03:00", "2025-10-26T02:00:00Z", domain.SlotExact},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := time.Parse(time.DateOnly, tc.date)
			require.NoError(t, err)
			ct, err := domain.ParseClockTime(tc.time)
			require.NoError(t, err)

			at, shift := domain.ResolveLocalTime(d.Year(), d.Month(), d.Day(), ct, loc)
			require.Equal(t, utc(tc.at), at)
			require.Equal(t, time.UTC, at.Location())
			require.Equal(t, tc.shift, shift)
		})
	}
}

func TestResolveLocalTimeOtherZones(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name  string
		zone  string
		date  string
		time  string
		at    string
		shift domain.SlotShift
	}{
		{"NewYorkGap", "America/New_York", "2025-03-09", "02:30", "2025-03-09T07:00:00Z", domain.SlotAfterGap},
		{"NewYorkOverlap", "America/New_York", "2025-11-02", "01:30", "2025-11-02T05:30:00Z", domain.SlotFirstOfOverlap},
		{"LordHoweHalfHourGap", "Australia/Lord_Howe", "2025-10-05", "02:15", "2025-10-04T15:30:00Z", domain.SlotAfterGap},
		{"UTC", "UTC", "2025-03-30", "02:30", "2025-03-30T02:30:00Z", domain.SlotExact},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			loc, err := domain.LoadZone(tc.zone)
			require.NoError(t, err)
			d, err := time.Parse(time.DateOnly, tc.date)
			require.NoError(t, err)
			ct, err := domain.ParseClockTime(tc.time)
			require.NoError(t, err)

			at, shift := domain.ResolveLocalTime(d.Year(), d.Month(), d.Day(), ct, loc)
			require.Equal(t, utc(tc.at), at)
			require.Equal(t, tc.shift, shift)
		})
	}
}

func TestPlanSlots(t *testing.T) {
	t.Parallel()

	type skipped struct {
		nominal string
		reason  domain.SkipReason
	}
	cases := []struct {
		name      string
		times     []string
		grace     time.Duration
		since     string
		now       string
		fire      []string // nominal local date and time
		fireAt    []string
		skipped   []skipped
		truncated bool
	}{
		{
			name: "OnTime", times: []string{"07:00"},
			since: "2025-01-15T05:59:00Z", now: "2025-01-15T06:00:01Z",
			fire: []string{"2025-01-15 07:00"}, fireAt: []string{"2025-01-15T06:00:00Z"},
		},
		{
			name: "NotYet", times: []string{"07:00"},
			since: "2025-01-15T05:58:00Z", now: "2025-01-15T05:59:59Z",
		},
		{
			name: "SinceExcluded", times: []string{"07:00"},
			since: "2025-01-15T06:00:00Z", now: "2025-01-15T06:01:00Z",
		},
		{
			name: "NowIncluded", times: []string{"07:00"},
			since: "2025-01-15T05:59:00Z", now: "2025-01-15T06:00:00Z",
			fire: []string{"2025-01-15 07:00"}, fireAt: []string{"2025-01-15T06:00:00Z"},
		},
		{
			name: "NowBeforeSince", times: []string{"07:00"},
			since: "2025-01-15T06:30:00Z", now: "2025-01-15T05:00:00Z",
		},
		{
			name: "SpringGapRunsAfterGap", times: []string{"02:30"},
			since: "2025-03-30T00:59:00Z", now: "2025-03-30T01:00:00Z",
			fire: []string{"2025-03-30 02:30"}, fireAt: []string{"2025-03-30T01:00:00Z"},
		},
		{
			name: "SpringGapBeforeTransition", times: []string{"02:30"},
			since: "2025-03-30T00:58:00Z", now: "2025-03-30T00:59:59Z",
		},
		{
			name: "SpringGapMergesWithThreeOClock", times: []string{"02:30", "03:00"},
			since: "2025-03-30T00:59:00Z", now: "2025-03-30T01:00:30Z",
			fire: []string{"2025-03-30 03:00"}, fireAt: []string{"2025-03-30T01:00:00Z"},
		},
		{
			name: "FallOverlapFirstOccurrence", times: []string{"02:30"},
			since: "2025-10-26T00:29:00Z", now: "2025-10-26T00:30:00Z",
			fire: []string{"2025-10-26 02:30"}, fireAt: []string{"2025-10-26T00:30:00Z"},
		},
		{
			name: "FallOverlapSecondOccurrenceIgnored", times: []string{"02:30"},
			since: "2025-10-26T01:29:00Z", now: "2025-10-26T01:30:00Z",
		},
		{
			name: "OutageTwentyFiveMinutesCatchesUp", times: []string{"07:00"},
			since: "2025-01-15T05:50:00Z", now: "2025-01-15T06:15:00Z",
			fire: []string{"2025-01-15 07:00"}, fireAt: []string{"2025-01-15T06:00:00Z"},
		},
		{
			name: "OutageTwentyFiveMinutesTwoSlots", times: []string{"07:00", "07:10"},
			since: "2025-01-15T05:50:00Z", now: "2025-01-15T06:15:00Z",
			fire: []string{"2025-01-15 07:10"}, fireAt: []string{"2025-01-15T06:10:00Z"},
			skipped: []skipped{{"2025-01-15 07:00", domain.SkipSuperseded}},
		},
		{
			name: "OutagePastGrace", times: []string{"07:00"},
			since: "2025-01-15T05:50:00Z", now: "2025-01-15T07:00:01Z",
			skipped: []skipped{{"2025-01-15 07:00", domain.SkipLate}},
		},
		{
			name: "OutageAtGraceBoundary", times: []string{"07:00"},
			since: "2025-01-15T05:50:00Z", now: "2025-01-15T07:00:00Z",
			fire: []string{"2025-01-15 07:00"}, fireAt: []string{"2025-01-15T06:00:00Z"},
		},
		{
			name: "CustomGrace", times: []string{"07:00"}, grace: 10 * time.Minute,
			since: "2025-01-15T05:50:00Z", now: "2025-01-15T06:15:00Z",
			skipped: []skipped{{"2025-01-15 07:00", domain.SkipLate}},
		},
		{
			name: "OutageThreeDaysNoBurst", times: []string{"07:00", "19:00"},
			since: "2025-01-12T05:00:00Z", now: "2025-01-15T07:30:00Z",
			skipped: []skipped{
				{"2025-01-12 07:00", domain.SkipLate}, {"2025-01-12 19:00", domain.SkipLate},
				{"2025-01-13 07:00", domain.SkipLate}, {"2025-01-13 19:00", domain.SkipLate},
				{"2025-01-14 07:00", domain.SkipLate}, {"2025-01-14 19:00", domain.SkipLate},
				{"2025-01-15 07:00", domain.SkipLate},
			},
		},
		{
			name: "OutageThreeDaysLastWithinGrace", times: []string{"07:00", "19:00"},
			since: "2025-01-12T05:00:00Z", now: "2025-01-15T06:20:00Z",
			fire: []string{"2025-01-15 07:00"}, fireAt: []string{"2025-01-15T06:00:00Z"},
			skipped: []skipped{
				{"2025-01-12 07:00", domain.SkipLate}, {"2025-01-12 19:00", domain.SkipLate},
				{"2025-01-13 07:00", domain.SkipLate}, {"2025-01-13 19:00", domain.SkipLate},
				{"2025-01-14 07:00", domain.SkipLate}, {"2025-01-14 19:00", domain.SkipLate},
			},
		},
		{
			name: "OutageLongerThanLookback", times: []string{"07:00"},
			since: "2024-12-01T00:00:00Z", now: "2025-01-15T06:05:00Z",
			fire: []string{"2025-01-15 07:00"}, fireAt: []string{"2025-01-15T06:00:00Z"},
			skipped: []skipped{
				{"2025-01-09 07:00", domain.SkipLate}, {"2025-01-10 07:00", domain.SkipLate},
				{"2025-01-11 07:00", domain.SkipLate}, {"2025-01-12 07:00", domain.SkipLate},
				{"2025-01-13 07:00", domain.SkipLate}, {"2025-01-14 07:00", domain.SkipLate},
			},
			truncated: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := domain.Schedule{Times: clockTimes(t, tc.times...), TimeZone: "Europe/Madrid", GracePeriod: tc.grace}

			plan, err := s.PlanSlots(utc(tc.since), utc(tc.now))
			require.NoError(t, err)

			var fire, fireAt []string
			for _, slot := range plan.Fire {
				fire = append(fire, slot.Nominal())
				fireAt = append(fireAt, slot.At.Format(time.RFC3339))
			}
			require.Equal(t, tc.fire, fire)
			require.Equal(t, tc.fireAt, fireAt)

			var gotSkipped []skipped
			for _, slot := range plan.Skipped {
				gotSkipped = append(gotSkipped, skipped{slot.Nominal(), slot.Reason})
			}
			require.Equal(t, tc.skipped, gotSkipped)
			require.Equal(t, tc.truncated, plan.Truncated)
		})
	}
}

// TestPlanSlotsMinuteTicks checks a whole day of checks one minute apart,
// as the scheduler runs them, on the two DST days and an ordinary one.
func TestPlanSlotsMinuteTicks(t *testing.T) {
	t.Parallel()
	loc := madrid(t)

	cases := []struct {
		name string
		date string
		// runs maps each firing instant (UTC) to the nominal time that fires.
		runs map[string]string
	}{
		{
			name: "SpringForward", date: "2025-03-30",
			runs: map[string]string{
				"2025-03-30T00:30:00Z": "01:30",
				"2025-03-30T01:00:00Z": "03:00", // 02:00, 02:30 and 03:00 fire once, at 03:00 local
				"2025-03-30T01:30:00Z": "03:30",
				"2025-03-30T05:00:00Z": "07:00",
			},
		},
		{
			name: "FallBack", date: "2025-10-26",
			runs: map[string]string{
				"2025-10-25T23:30:00Z": "01:30",
				"2025-10-26T00:00:00Z": "02:00",
				"2025-10-26T00:30:00Z": "02:30",
				"2025-10-26T02:00:00Z": "03:00",
				"2025-10-26T02:30:00Z": "03:30",
				"2025-10-26T06:00:00Z": "07:00",
			},
		},
		{
			name: "OrdinaryDay", date: "2025-01-15",
			runs: map[string]string{
				"2025-01-15T00:30:00Z": "01:30",
				"2025-01-15T01:00:00Z": "02:00",
				"2025-01-15T01:30:00Z": "02:30",
				"2025-01-15T02:00:00Z": "03:00",
				"2025-01-15T02:30:00Z": "03:30",
				"2025-01-15T06:00:00Z": "07:00",
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := domain.Schedule{Times: clockTimes(t, "01:30", "02:00", "02:30", "03:00", "03:30", "07:00"), TimeZone: "Europe/Madrid"}
			day, err := time.ParseInLocation(time.DateOnly, tc.date, loc)
			require.NoError(t, err)
			start, end := domain.LocalDayRange(day, loc)

			runs := map[string]string{}
			prev := start.Add(-time.Second)
			for now := start.Add(5 * time.Second); now.Before(end); now = now.Add(time.Minute) {
				plan, err := s.PlanSlots(prev, now)
				require.NoError(t, err)
				require.Empty(t, plan.Skipped, "check at %s", now)
				for _, slot := range plan.Fire {
					key := slot.At.Format(time.RFC3339)
					require.NotContains(t, runs, key, "slot fired twice")
					require.Equal(t, tc.date, slot.Date)
					runs[key] = slot.Time.String()
				}
				prev = now
			}
			require.Equal(t, tc.runs, runs)
		})
	}
}

func TestScheduleValidate(t *testing.T) {
	t.Parallel()

	valid := func() domain.Schedule {
		return domain.Schedule{
			Name: "reprovision", Times: []domain.ClockTime{{Hour: 7}}, TimeZone: "Europe/Madrid",
			Action: "generic", Parameters: json.RawMessage(`{"statuses":["provision_error"]}`),
		}
	}
	require.NoError(t, valid().Validate())

	cases := []struct {
		name   string
		change func(s *domain.Schedule)
		field  string
	}{
		{"EmptyName", func(s *domain.Schedule) { s.Name = "  " }, "name"},
		{"LongName", func(s *domain.Schedule) { s.Name = string(make([]byte, 201)) }, "name"},
		{"NoTimes", func(s *domain.Schedule) { s.Times = nil }, "times"},
		{"TimeOutOfRange", func(s *domain.Schedule) { s.Times = []domain.ClockTime{{Hour: 7}, {Hour: 24}} }, "times[1]"},
		{"DuplicateTime", func(s *domain.Schedule) { s.Times = []domain.ClockTime{{Hour: 7}, {Hour: 8}, {Hour: 7}} }, "times[2]"},
		{"UnknownZone", func(s *domain.Schedule) { s.TimeZone = "Europe/Atlantis" }, "time_zone"},
		{"LocalZone", func(s *domain.Schedule) { s.TimeZone = "Local" }, "time_zone"},
		{"EmptyAction", func(s *domain.Schedule) { s.Action = "" }, "action"},
		{"ActionWithSpaces", func(s *domain.Schedule) { s.Action = "re provision" }, "action"},
		{"ParametersArray", func(s *domain.Schedule) { s.Parameters = json.RawMessage(`[1]`) }, "parameters"},
		{"ParametersBroken", func(s *domain.Schedule) { s.Parameters = json.RawMessage(`{"statuses":`) }, "parameters"},
		{"GraceTooShort", func(s *domain.Schedule) { s.GracePeriod = 30 * time.Second }, "grace_period"},
		{"GraceTooLong", func(s *domain.Schedule) { s.GracePeriod = 25 * time.Hour }, "grace_period"},
		{"GraceNegative", func(s *domain.Schedule) { s.GracePeriod = -time.Minute }, "grace_period"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := valid()
			tc.change(&s)
			err := s.Validate()
			require.ErrorIs(t, err, domain.ErrInvalid)
			var ve *domain.ValidationError
			require.True(t, errors.As(err, &ve))
			require.Equal(t, tc.field, ve.Field)
		})
	}
}

func TestScheduleWithDefaults(t *testing.T) {
	t.Parallel()
	s := domain.Schedule{Name: " nightly ", Times: []domain.ClockTime{{Hour: 19}, {Hour: 7, Minute: 30}}}.WithDefaults()

	require.Equal(t, "nightly", s.Name)
	require.Equal(t, domain.DefaultTimeZone, s.TimeZone)
	require.Equal(t, domain.DefaultGracePeriod, s.GracePeriod)
	require.JSONEq(t, `{}`, string(s.Parameters))
	require.Equal(t, []domain.ClockTime{{Hour: 7, Minute: 30}, {Hour: 19}}, s.Times)
}

func TestParseClockTimesNamesEntry(t *testing.T) {
	t.Parallel()
	_, err := domain.ParseClockTimes([]string{"07:00", "7h"})
	var ve *domain.ValidationError
	require.True(t, errors.As(err, &ve))
	require.Equal(t, "times[1]", ve.Field)
	require.Equal(t, "7h", ve.Value)
}

func TestParsePurchaseSelection(t *testing.T) {
	t.Parallel()

	t.Run("Defaults", func(t *testing.T) {
		t.Parallel()
		sel, err := domain.ParsePurchaseSelection(json.RawMessage(`{"statuses":["provision_error"]}`))
		require.NoError(t, err)
		require.Equal(t, domain.AgeFromCreated, sel.AgeField)
		require.Equal(t, domain.DefaultSelectionLimit, sel.Limit)
	})

	t.Run("AllFilters", func(t *testing.T) {
		t.Parallel()
		sel, err := domain.ParsePurchaseSelection(json.RawMessage(`{
			"channels": ["tienda-online"], "purchase_types": ["portability"],
			"statuses": ["provision_error", "pending_provision"], "error_codes": ["E42"],
			"age_field": "last_attempt_at", "min_age_minutes": 30, "max_age_minutes": 4320,
			"max_attempts": 5, "limit": 100}`))
		require.NoError(t, err)
		require.Equal(t, domain.PurchaseSelection{
			Channels: []string{"tienda-online"}, PurchaseTypes: []string{"portability"},
			Statuses:   []domain.PurchaseStatus{domain.PurchaseProvisionError, domain.PurchasePendingProvision},
			ErrorCodes: []string{"E42"}, AgeField: domain.AgeFromLastAttempt,
			MinAgeMinutes: 30, MaxAgeMinutes: 4320, MaxAttempts: 5, Limit: 100,
		}, sel)
	})

	invalid := []struct {
		name   string
		params string
		field  string
	}{
		{"UnknownKey", `{"statuses":["provision_error"],"statuss":["x"]}`, "parameters"},
		{"NotObject", `["provision_error"]`, "parameters"},
		{"TwoObjects", `{"statuses":["provision_error"]} {}`, "parameters"},
		{"NoStatuses", `{}`, "parameters.statuses"},
		{"UnknownStatus", `{"statuses":["provision_error","broken"]}`, "parameters.statuses[1]"},
		{"BadChannel", `{"statuses":["provision_error"],"channels":["Tienda Online"]}`, "parameters.channels[0]"},
		{"EmptyType", `{"statuses":["provision_error"],"purchase_types":[""]}`, "parameters.purchase_types[0]"},
		{"EmptyErrorCode", `{"statuses":["provision_error"],"error_codes":[" "]}`, "parameters.error_codes[0]"},
		{"BadAgeField", `{"statuses":["provision_error"],"age_field":"updated_at"}`, "parameters.age_field"},
		{"NegativeMinAge", `{"statuses":["provision_error"],"min_age_minutes":-1}`, "parameters.min_age_minutes"},
		{"NegativeMaxAge", `{"statuses":["provision_error"],"max_age_minutes":-1}`, "parameters.max_age_minutes"},
		{"EmptyWindow", `{"statuses":["provision_error"],"min_age_minutes":60,"max_age_minutes":60}`, "parameters.max_age_minutes"},
		{"NegativeAttempts", `{"statuses":["provision_error"],"max_attempts":-2}`, "parameters.max_attempts"},
		{"LimitTooLarge", `{"statuses":["provision_error"],"limit":10001}`, "parameters.limit"},
		{"NegativeLimit", `{"statuses":["provision_error"],"limit":-1}`, "parameters.limit"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := domain.ParsePurchaseSelection(json.RawMessage(tc.params))
			var ve *domain.ValidationError
			require.True(t, errors.As(err, &ve), "error %v", err)
			require.Equal(t, tc.field, ve.Field)
		})
	}
}

func TestPurchaseSelectionWindow(t *testing.T) {
	t.Parallel()
	now := utc("2025-01-15T12:00:00Z")

	from, to := domain.PurchaseSelection{}.Window(now)
	require.Nil(t, from)
	require.Nil(t, to)

	from, to = domain.PurchaseSelection{MinAgeMinutes: 30, MaxAgeMinutes: 120}.Window(now)
	require.Equal(t, utc("2025-01-15T10:00:00Z"), *from)
	require.Equal(t, utc("2025-01-15T11:30:00Z"), *to)
}
