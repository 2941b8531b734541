package domain_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
)

func TestParseClockTime(t *testing.T) {
	t.Parallel()

	valid := []struct {
		name   string
		input  string
		hour   int
		minute int
	}{
		{"Midnight", "00:00", 0, 0},
		{"TwoDigitHour", "07:30", 7, 30},
		{"OneDigitHour", "7:30", 7, 30},
		{"LastMinute", "23:59", 23, 59},
		{"Noon", "12:00", 12, 0},
		{"SurroundingSpace", " 08:05 ", 8, 5},
	}
	for _, tc := range valid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseClockTime(tc.input)
			require.NoError(t, err)
			require.Equal(t, domain.ClockTime{Hour: tc.hour, Minute: tc.minute}, got)
		})
	}

	invalid := []struct {
		name  string
		input string
	}{
		{"Empty", ""},
		{"NoColon", "0730"},
		{"HourOnly", "7"},
		{"MissingHour", ":30"},
		{"OneDigitMinute", "7:5"},
		{"ThreeDigitHour", "007:30"},
		{"ThreeDigitMinute", "07:300"},
		{"WithSeconds", "07:30:00"},
		{"Hour24", "24:00"},
		{"Minute60", "23:60"},
		{"Letters", "ab:cd"},
		{"NegativeHour", "-1:30"},
		{"NegativeZeroHour", "-0:30"},
		{"PlusHour", "+7:30"},
		{"PlusMinute", "07:+5"},
		{"NegativeZeroMinute", "07:-0"},
		{"SpaceInside", "07: 30"},
		{"DotSeparator", "07.30"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseClockTime(tc.input)
			require.ErrorIs(t, err, domain.ErrInvalid)
			require.Zero(t, got)

			var verr *domain.ValidationError
			require.True(t, errors.As(err, &verr))
			require.Equal(t, "time", verr.Field)
			require.Equal(t, tc.input, verr.Value)
		})
	}
}

func TestClockTimeStringAndMinutes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		input   domain.ClockTime
		text    string
		minutes int
	}{
		{"Midnight", domain.ClockTime{}, "00:00", 0},
		{"Morning", domain.ClockTime{Hour: 7, Minute: 5}, "07:05", 425},
		{"LastMinute", domain.ClockTime{Hour: 23, Minute: 59}, "23:59", 1439},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.text, tc.input.String())
			require.Equal(t, tc.minutes, tc.input.Minutes())
		})
	}
}

func TestClockTimeJSON(t *testing.T) {
	t.Parallel()
	type config struct {
		At domain.ClockTime `json:"at"`
	}

	t.Run("RoundTrip", func(t *testing.T) {
		t.Parallel()
		b, err := json.Marshal(config{At: domain.ClockTime{Hour: 9, Minute: 15}})
		require.NoError(t, err)
		require.JSONEq(t, `{"at":"09:15"}`, string(b))

		var got config
		require.NoError(t, json.Unmarshal(b, &got))
		require.Equal(t, domain.ClockTime{Hour: 9, Minute: 15}, got.At)
	})

	t.Run("InvalidKeepsValue", func(t *testing.T) {
		t.Parallel()
		got := config{At: domain.ClockTime{Hour: 6, Minute: 0}}
		err := json.Unmarshal([]byte(`{"at":"25:00"}`), &got)
		require.ErrorIs(t, err, domain.ErrInvalid)
		require.Equal(t, domain.ClockTime{Hour: 6, Minute: 0}, got.At)
	})
}

func TestLoadZone(t *testing.T) {
	t.Parallel()

	valid := []struct {
		name  string
		input string
		want  string
	}{
		{"EmptyIsMadrid", "", "Europe/Madrid"},
		{"Madrid", "Europe/Madrid", "Europe/Madrid"},
		{"Canary", "Atlantic/Canary", "Atlantic/Canary"},
		{"UTC", "UTC", "UTC"},
	}
	for _, tc := range valid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			loc, err := domain.LoadZone(tc.input)
			require.NoError(t, err)
			require.Equal(t, tc.want, loc.String())
		})
	}

	invalid := []struct {
		name  string
		input string
	}{
		{"Local", "Local"},
		{"Unknown", "Europe/Atlantis"},
		{"LowerCase", "europe/madrid"},
		{"TrailingSpace", "Europe/Madrid "},
		{"Offset", "+01:00"},
		{"Abbreviation", "CEST"},
		{"PathTraversal", "../../etc/passwd"},
		{"AbsolutePath", "/etc/localtime"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			loc, err := domain.LoadZone(tc.input)
			require.ErrorIs(t, err, domain.ErrInvalid)
			require.Nil(t, loc)

			var verr *domain.ValidationError
			require.True(t, errors.As(err, &verr))
			require.Equal(t, "time zone", verr.Field)
			require.Equal(t, tc.input, verr.Value)
		})
	}
}

func TestLocalDayRange(t *testing.T) {
	t.Parallel()
	madrid, err := domain.LoadZone("Europe/Madrid")
	require.NoError(t, err)

	tests := []struct {
		name      string
		input     time.Time
		wantStart time.Time
		wantHours time.Duration
	}{
		{
			name:      "OrdinaryDay",
			input:     time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC),
			wantStart: time.Date(2025, 6, 14, 22, 0, 0, 0, time.UTC),
			wantHours: 24,
		},
		{
			name:      "WinterDay",
			input:     time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC),
			wantStart: time.Date(2025, 1, 14, 23, 0, 0, 0, time.UTC),
			wantHours: 24,
		},
		{
			name:      "SpringForwardIs23Hours",
			input:     time.Date(2025, 3, 30, 12, 0, 0, 0, time.UTC),
			wantStart: time.Date(2025, 3, 29, 23, 0, 0, 0, time.UTC),
			wantHours: 23,
		},
		{
			name:      "FallBackIs25Hours",
			input:     time.Date(2025, 10, 26, 12, 0, 0, 0, time.UTC),
			wantStart: time.Date(2025, 10, 25, 22, 0, 0, 0, time.UTC),
			wantHours: 25,
		},
		{
			name:      "FallBackRepeatedHour",
			input:     time.Date(2025, 10, 26, 2, 30, 0, 0, madrid).Add(time.Hour),
			wantStart: time.Date(2025, 10, 25, 22, 0, 0, 0, time.UTC),
			wantHours: 25,
		},
		{
			name:      "UTCEveningIsNextLocalDay",
			input:     time.Date(2025, 3, 29, 23, 30, 0, 0, time.UTC),
			wantStart: time.Date(2025, 3, 29, 23, 0, 0, 0, time.UTC),
			wantHours: 23,
		},
		{
			name:      "LocalMidnightStartsDay",
			input:     time.Date(2025, 10, 26, 0, 0, 0, 0, madrid),
			wantStart: time.Date(2025, 10, 25, 22, 0, 0, 0, time.UTC),
			wantHours: 25,
		},
		{
			name:      "LastNanosecondOfDay",
			input:     time.Date(2025, 3, 30, 23, 59, 59, 999999999, madrid),
			wantStart: time.Date(2025, 3, 29, 23, 0, 0, 0, time.UTC),
			wantHours: 23,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start, end := domain.LocalDayRange(tc.input, madrid)
			require.True(t, start.Equal(tc.wantStart), "start %s, expected %s", start.UTC(), tc.wantStart)
			require.Equal(t, tc.wantHours*time.Hour, end.Sub(start))
			require.False(t, tc.input.Before(start), "input %s before start %s", tc.input, start)
			require.True(t, tc.input.Before(end), "input %s not before end %s", tc.input, end)
			require.Equal(t, madrid, start.Location())
			require.Equal(t, 0, start.Hour())
			require.Equal(t, 0, end.Hour())
		})
	}
}
