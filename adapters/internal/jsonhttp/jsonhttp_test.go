package jsonhttp_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/internal/jsonhttp"
	"github.com/telcojobs/telcojobs/domain"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)

	tests := []struct {
		name  string
		value string
		want  time.Duration
		ok    bool
	}{
		{"Seconds", "3", 3 * time.Second, true},
		{"Zero", "0", 0, true},
		{"Spaces", " 2 ", 2 * time.Second, true},
		{"Empty", "", 0, false},
		{"Negative", "-1", 0, false},
		{"Garbage", "soon", 0, false},
		{"Fraction", "1.5", 0, false},
		{"HugeCappedAtDay", "99999999999", 24 * time.Hour, true},
		{"FutureDate", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"PastDate", now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"RFC850Date", "Thursday, 01-May-25 10:00:30 GMT", 30 * time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := jsonhttp.ParseRetryAfter(tt.value, now)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	for attempt := 1; attempt <= 10; attempt++ {
		d := jsonhttp.Backoff(100*time.Millisecond, time.Second, attempt)
		ceiling := min(100*time.Millisecond<<(attempt-1), time.Second)
		require.GreaterOrEqual(t, d, ceiling/2, "attempt %d", attempt)
		require.LessOrEqual(t, d, ceiling, "attempt %d", attempt)
	}
}

func TestStatusError(t *testing.T) {
	t.Parallel()
	notFound := &jsonhttp.StatusError{Vendor: "orion", Method: "GET", Path: "/devices/x", StatusCode: 404}
	require.ErrorIs(t, notFound, domain.ErrNotFound)
	require.False(t, notFound.Transient())
	require.Equal(t, "orion GET /devices/x: status 404 Not Found", notFound.Error())

	busy := &jsonhttp.StatusError{StatusCode: 503}
	require.NotErrorIs(t, busy, domain.ErrNotFound)
	require.True(t, busy.Transient())
	require.True(t, (&jsonhttp.StatusError{StatusCode: 429}).Transient())
	require.False(t, (&jsonhttp.StatusError{StatusCode: 400}).Transient())
}
