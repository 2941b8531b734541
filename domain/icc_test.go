package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
)

func TestParseIccKind(t *testing.T) {
	t.Parallel()
	k, err := domain.ParseIccKind("esim")
	require.NoError(t, err)
	require.Equal(t, domain.IccESIM, k)

	_, err = domain.ParseIccKind("nano")
	require.ErrorIs(t, err, domain.ErrInvalid)
	require.ErrorContains(t, err, "esim, physical")
}

func TestESIMPDFKey(t *testing.T) {
	t.Parallel()
	require.Equal(t, "iccs/esim/8934071234567890125.pdf", domain.ESIMPDFKey("8934071234567890125"))
}

func TestEsimStockPolicyEvaluate(t *testing.T) {
	t.Parallel()
	policy := domain.EsimStockPolicy{Threshold: 100, RepeatAfter: 24 * time.Hour, RepeatDrop: 10}
	now := time.Date(2025, 10, 26, 9, 0, 0, 0, time.UTC)
	alerted := func(ago time.Duration, count int) domain.EsimStockAlert {
		at := now.Add(-ago)
		return domain.EsimStockAlert{Version: 3, LastAlertAt: &at, LastAlertCount: count}
	}

	cases := []struct {
		name    string
		state   domain.EsimStockAlert
		count   int
		send    bool
		changed bool
	}{
		{"StockSufficient", domain.EsimStockAlert{}, 100, false, false},
		{"FirstLow", domain.EsimStockAlert{}, 99, true, true},
		{"LowAgainSameDay", alerted(23*time.Hour, 50), 50, false, false},
		{"SmallFallSameDay", alerted(time.Hour, 50), 41, false, false},
		{"FurtherFallSameDay", alerted(time.Hour, 50), 40, true, true},
		{"RiseSameDay", alerted(time.Hour, 50), 60, false, false},
		{"LowNextDay", alerted(24*time.Hour, 50), 50, true, true},
		{"ReachedZero", alerted(time.Hour, 5), 0, true, true},
		{"StillZero", alerted(time.Hour, 0), 0, false, false},
		{"Recovered", alerted(time.Hour, 50), 100, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			next, send, changed := policy.Evaluate(tc.state, tc.count, now)
			require.Equal(t, tc.send, send, "send")
			require.Equal(t, tc.changed, changed, "changed")
			require.Equal(t, tc.state.Version, next.Version, "the store counts versions")

			switch {
			case send:
				require.NotNil(t, next.LastAlertAt)
				require.True(t, next.LastAlertAt.Equal(now))
				require.Equal(t, tc.count, next.LastAlertCount)
			case changed:
				require.Nil(t, next.LastAlertAt, "a recovered stock clears the state")
				require.Zero(t, next.LastAlertCount)
			default:
				require.Equal(t, tc.state, next)
			}
		})
	}
}
