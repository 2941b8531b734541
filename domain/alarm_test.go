package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
)

func TestNewAlarm(t *testing.T) {
	t.Parallel()
	cest := time.FixedZone("CEST", 2*60*60)
	at := time.Date(2025, 6, 1, 9, 30, 0, 0, cest)

	t.Run("Open", func(t *testing.T) {
		t.Parallel()
		a, err := domain.NewAlarm("sin_codigos_promocion", "No quedan códigos", "campaña verano", at)
		require.NoError(t, err)
		require.Equal(t, "sin_codigos_promocion", a.Name)
		require.Equal(t, "No quedan códigos", a.Message)
		require.Equal(t, "campaña verano", a.Details)
		require.Equal(t, 1, a.Occurrences)
		require.True(t, a.Open())
		require.Nil(t, a.ResolvedAt)
		require.Zero(t, a.ID)
	})

	t.Run("TimesInUTC", func(t *testing.T) {
		t.Parallel()
		a, err := domain.NewAlarm("x", "", "", at)
		require.NoError(t, err)
		require.Equal(t, time.UTC, a.StartedAt.Location())
		require.Equal(t, time.UTC, a.LastSeenAt.Location())
		require.True(t, a.StartedAt.Equal(at))
		require.True(t, a.LastSeenAt.Equal(at))
	})

	t.Run("TrimsName", func(t *testing.T) {
		t.Parallel()
		a, err := domain.NewAlarm("  sin_iccs \n", "m", "", at)
		require.NoError(t, err)
		require.Equal(t, "sin_iccs", a.Name)
	})

	t.Run("EmptyMessageAllowed", func(t *testing.T) {
		t.Parallel()
		a, err := domain.NewAlarm("x", "", "", at)
		require.NoError(t, err)
		require.Empty(t, a.Message)
	})

	blank := []struct {
		name  string
		input string
	}{
		{"EmptyName", ""},
		{"SpaceName", " "},
		{"WhitespaceName", "\t\n"},
	}
	for _, tc := range blank {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := domain.NewAlarm(tc.input, "m", "d", at)
			require.ErrorIs(t, err, domain.ErrInvalid)
			require.Zero(t, a)

			var verr *domain.ValidationError
			require.True(t, errors.As(err, &verr))
			require.Equal(t, "alarm name", verr.Field)
			require.Equal(t, tc.input, verr.Value)
		})
	}
}

func TestAlarmRecur(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 6, 1, 7, 0, 0, 0, time.UTC)
	first, err := domain.NewAlarm("sin_iccs", "Quedan 3 eSIM", "umbral 10", start)
	require.NoError(t, err)

	t.Run("CountsOccurrence", func(t *testing.T) {
		t.Parallel()
		later := start.Add(time.Hour)
		a := first.Recur("Quedan 2 eSIM", "umbral 10, canal web", later)
		require.Equal(t, 2, a.Occurrences)
		require.Equal(t, "sin_iccs", a.Name)
		require.Equal(t, "Quedan 2 eSIM", a.Message)
		require.Equal(t, "umbral 10, canal web", a.Details)
		require.True(t, a.StartedAt.Equal(start))
		require.True(t, a.LastSeenAt.Equal(later))
		require.True(t, a.Open())
	})

	t.Run("LeavesOriginalUnchanged", func(t *testing.T) {
		t.Parallel()
		_ = first.Recur("otro", "otro", start.Add(time.Hour))
		require.Equal(t, 1, first.Occurrences)
		require.Equal(t, "Quedan 3 eSIM", first.Message)
		require.True(t, first.LastSeenAt.Equal(start))
	})

	t.Run("CountsEveryOccurrence", func(t *testing.T) {
		t.Parallel()
		a := first
		for i := range 4 {
			a = a.Recur("m", "d", start.Add(time.Duration(i+1)*time.Minute))
		}
		require.Equal(t, 5, a.Occurrences)
		require.True(t, a.StartedAt.Equal(start))
		require.True(t, a.LastSeenAt.Equal(start.Add(4*time.Minute)))
	})

	t.Run("LastSeenInUTC", func(t *testing.T) {
		t.Parallel()
		at := time.Date(2025, 6, 1, 12, 0, 0, 0, time.FixedZone("CEST", 2*60*60))
		a := first.Recur("m", "d", at)
		require.Equal(t, time.UTC, a.LastSeenAt.Location())
		require.True(t, a.LastSeenAt.Equal(at))
	})
}

func TestAlarmOpen(t *testing.T) {
	t.Parallel()
	resolved := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		input domain.Alarm
		want  bool
	}{
		{"Unresolved", domain.Alarm{Name: "x"}, true},
		{"Resolved", domain.Alarm{Name: "x", ResolvedAt: &resolved}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, tc.input.Open())
		})
	}
}
