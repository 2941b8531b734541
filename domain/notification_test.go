package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
)

func TestParseNotificationChannel(t *testing.T) {
	t.Parallel()

	valid := []struct {
		name  string
		input string
		want  domain.NotificationChannel
	}{
		{"Email", "email", domain.ChannelEmail},
		{"SMS", "sms", domain.ChannelSMS},
	}
	for _, tc := range valid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseNotificationChannel(tc.input)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}

	invalid := []struct {
		name  string
		input string
	}{
		{"Empty", ""},
		{"UpperCase", "SMS"},
		{"Unknown", "push"},
		{"SurroundingSpace", " email"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseNotificationChannel(tc.input)
			require.ErrorIs(t, err, domain.ErrInvalid)
			require.Empty(t, got)

			var verr *domain.ValidationError
			require.True(t, errors.As(err, &verr))
			require.Equal(t, "notification channel", verr.Field)
			require.Equal(t, tc.input, verr.Value)
		})
	}
}

func TestNotificationStatusFinal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input domain.NotificationStatus
		want  bool
	}{
		{"Pending", domain.NotificationPending, false},
		{"Consumed", domain.NotificationConsumed, true},
		{"Cancelled", domain.NotificationCancelled, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, tc.input.Final())
		})
	}
}

func TestNotificationFinalIsConflict(t *testing.T) {
	t.Parallel()
	require.ErrorIs(t, domain.ErrNotificationFinal, domain.ErrConflict)
	require.False(t, domain.IsPermanent(domain.ErrNotificationFinal))
}

// pendingNotification returns a pending e-mail notification that has made
// attempts of its maxAttempts.
func pendingNotification(attempts, maxAttempts int) *domain.Notification {
	return &domain.Notification{
		ID:           7,
		TemplateName: "esim_activation",
		Channel:      domain.ChannelEmail,
		Recipient:    "ana@example.com",
		Context:      map[string]any{"nombre": "Ana"},
		Status:       domain.NotificationPending,
		Attempts:     attempts,
		MaxAttempts:  maxAttempts,
		LastError:    "421 try again later",
		CreatedAt:    time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC),
	}
}

func TestNotificationPendingTransitions(t *testing.T) {
	t.Parallel()
	sentAt := time.Date(2025, 6, 1, 10, 0, 0, 0, time.FixedZone("CEST", 2*60*60))

	t.Run("StartAttemptCounts", func(t *testing.T) {
		t.Parallel()
		n := pendingNotification(0, 3)
		require.NoError(t, n.StartAttempt())
		require.Equal(t, 1, n.Attempts)
		require.Equal(t, domain.NotificationPending, n.Status)
	})

	t.Run("StartAttemptUpToMax", func(t *testing.T) {
		t.Parallel()
		n := pendingNotification(2, 3)
		require.NoError(t, n.StartAttempt())
		require.Equal(t, 3, n.Attempts)
	})

	t.Run("StartAttemptRejectsUsedUp", func(t *testing.T) {
		t.Parallel()
		n := pendingNotification(3, 3)
		require.ErrorIs(t, n.StartAttempt(), domain.ErrAttemptsUsed)
		require.Equal(t, 3, n.Attempts)
		require.Equal(t, domain.NotificationPending, n.Status)
	})

	t.Run("StartAttemptRejectsOverMax", func(t *testing.T) {
		t.Parallel()
		n := pendingNotification(4, 3)
		require.ErrorIs(t, n.StartAttempt(), domain.ErrAttemptsUsed)
		require.Equal(t, 4, n.Attempts)
	})

	t.Run("ConsumeMarksSent", func(t *testing.T) {
		t.Parallel()
		n := pendingNotification(1, 3)
		require.NoError(t, n.Consume(sentAt, "<abc@mail.example.com>"))
		require.Equal(t, domain.NotificationConsumed, n.Status)
		require.NotNil(t, n.SentAt)
		require.True(t, n.SentAt.Equal(sentAt))
		require.Equal(t, time.UTC, n.SentAt.Location())
		require.Equal(t, "<abc@mail.example.com>", n.ProviderID)
		require.Empty(t, n.LastError)
		require.Equal(t, 1, n.Attempts)
	})

	t.Run("CancelStoresReason", func(t *testing.T) {
		t.Parallel()
		n := pendingNotification(1, 3)
		require.NoError(t, n.Cancel("550 mailbox unavailable"))
		require.Equal(t, domain.NotificationCancelled, n.Status)
		require.Equal(t, "550 mailbox unavailable", n.LastError)
		require.Nil(t, n.SentAt)
		require.Equal(t, 1, n.Attempts)
	})

	t.Run("FailWithAttemptsLeftRetries", func(t *testing.T) {
		t.Parallel()
		n := pendingNotification(2, 3)
		retry, err := n.Fail("connection refused")
		require.NoError(t, err)
		require.True(t, retry)
		require.Equal(t, domain.NotificationPending, n.Status)
		require.Equal(t, "connection refused", n.LastError)
		require.Equal(t, 2, n.Attempts)
	})

	t.Run("FailOnLastAttemptCancels", func(t *testing.T) {
		t.Parallel()
		n := pendingNotification(3, 3)
		retry, err := n.Fail("connection refused")
		require.NoError(t, err)
		require.False(t, retry)
		require.Equal(t, domain.NotificationCancelled, n.Status)
		require.Equal(t, "connection refused", n.LastError)
		require.Nil(t, n.SentAt)
	})
}

func TestNotificationFinalStatesStay(t *testing.T) {
	t.Parallel()
	sentAt := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)

	finals := []struct {
		name   string
		status domain.NotificationStatus
	}{
		{"Consumed", domain.NotificationConsumed},
		{"Cancelled", domain.NotificationCancelled},
	}
	operations := []struct {
		name string
		run  func(n *domain.Notification) error
	}{
		{"StartAttempt", func(n *domain.Notification) error { return n.StartAttempt() }},
		{"Consume", func(n *domain.Notification) error { return n.Consume(sentAt.Add(time.Hour), "other-id") }},
		{"Cancel", func(n *domain.Notification) error { return n.Cancel("too late") }},
		{"Fail", func(n *domain.Notification) error {
			retry, err := n.Fail("too late")
			if retry {
				return errors.New("retry reported for a final notification")
			}
			return err
		}},
	}
	for _, final := range finals {
		for _, op := range operations {
			t.Run(final.name+op.name, func(t *testing.T) {
				t.Parallel()
				n := pendingNotification(1, 3)
				n.Status = final.status
				n.SentAt = &sentAt
				n.ProviderID = "first-id"
				before := *n

				err := op.run(n)
				require.ErrorIs(t, err, domain.ErrNotificationFinal)
				require.ErrorIs(t, err, domain.ErrConflict)
				require.Equal(t, before, *n)
			})
		}
	}
}

func TestNotificationLifecycle(t *testing.T) {
	t.Parallel()

	t.Run("RetriesThenSends", func(t *testing.T) {
		t.Parallel()
		n := pendingNotification(0, 3)

		require.NoError(t, n.StartAttempt())
		retry, err := n.Fail("timeout")
		require.NoError(t, err)
		require.True(t, retry)

		require.NoError(t, n.StartAttempt())
		require.NoError(t, n.Consume(time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC), "id-1"))
		require.Equal(t, domain.NotificationConsumed, n.Status)
		require.Equal(t, 2, n.Attempts)
		require.Empty(t, n.LastError)

		require.ErrorIs(t, n.StartAttempt(), domain.ErrNotificationFinal)
		require.Equal(t, 2, n.Attempts)
	})

	t.Run("UsesUpAttempts", func(t *testing.T) {
		t.Parallel()
		n := pendingNotification(0, domain.DefaultMaxAttempts)

		for i := 1; i <= domain.DefaultMaxAttempts; i++ {
			require.NoError(t, n.StartAttempt())
			require.Equal(t, i, n.Attempts)

			retry, err := n.Fail("timeout")
			require.NoError(t, err)
			require.Equal(t, i < domain.DefaultMaxAttempts, retry, "attempt %d", i)
		}
		require.Equal(t, domain.NotificationCancelled, n.Status)
		require.Equal(t, domain.DefaultMaxAttempts, n.Attempts)

		require.ErrorIs(t, n.StartAttempt(), domain.ErrNotificationFinal)
		require.Equal(t, domain.DefaultMaxAttempts, n.Attempts)
	})
}
