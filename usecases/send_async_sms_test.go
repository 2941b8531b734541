package usecases_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/fake"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/usecases"
)

func createSMS(t *testing.T, f *notifyFixture, recipient, text string) int64 {
	t.Helper()
	n, err := f.store.CreateNotification(context.Background(), domain.Notification{
		TemplateName: "codigo_sms", Channel: domain.ChannelSMS, Recipient: recipient,
		Context: map[string]any{"texto": text}, MaxAttempts: 3,
	})
	require.NoError(t, err)
	return n.ID
}

func TestSendAsyncSMSEncodings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		text     string
		encoding string
		segments int
	}{
		{"AccentsNeedUCS2", "Tu código es 1234. Válido 10 min.", "UCS-2", 1},
		{"GSM7Plain", "Tu codigo es 1234 {ok}", "GSM-7", 1},
		{"GSM7Long", strings.Repeat("a", 161), "GSM-7", 2},
		{"UCS2Emoji", "Hola 👋", "UCS-2", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
				ctx := context.Background()
				id := createSMS(t, f, "612 345 678", tt.text)

				res, err := f.text.Handle(ctx, usecases.SendAsyncSMSInput{NotificationID: id})
				require.NoError(t, err)
				require.True(t, res.Sent)
				require.Equal(t, "+34612345678", res.To)
				require.Equal(t, tt.encoding, res.Encoding)
				require.Equal(t, tt.segments, res.Segments)
				require.Equal(t, "sms-1", res.GatewayID)

				sent := f.sms.Sent()
				require.Len(t, sent, 1)
				require.Equal(t, "+34612345678", sent[0].To)
				require.Equal(t, tt.text, sent[0].Text)
				require.Equal(t, "Telco", sent[0].Sender)
				require.Equal(t, "notification-"+itoa(id), sent[0].Reference)

				n, err := f.store.Notification(ctx, id)
				require.NoError(t, err)
				require.Equal(t, domain.NotificationConsumed, n.Status)
				require.Equal(t, tt.encoding, n.Encoding)
				require.Equal(t, tt.segments, n.Segments)
				require.Equal(t, "sms-1", n.ProviderID)

				again, err := f.text.Handle(ctx, usecases.SendAsyncSMSInput{NotificationID: id})
				require.NoError(t, err)
				require.Equal(t, "already_consumed", again.Skipped)
				require.Equal(t, 1, f.sms.Attempts(), "a consumed SMS is never sent again")
			})
		})
	}
}

func TestSendAsyncSMSCancelsAtOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		recipient string
		text      string
		fail      fake.Failure
		reason    string
		attempts  int
	}{
		{"InvalidNumber", "12345", "hola", fake.Succeed, "phone number", 0},
		{"GatewayRejects", "+33612345678", "hola", fake.FailPermanent, "rejected", 1},
		{"TooLong", "600111222", strings.Repeat("á", 700), fake.Succeed, "segments", 0},
		{"EmptyText", "600111222", "  ", fake.Succeed, "empty", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
				ctx := context.Background()
				id := createSMS(t, f, tt.recipient, tt.text)
				f.sms.FailNext(tt.fail)

				res, err := f.text.Handle(ctx, usecases.SendAsyncSMSInput{NotificationID: id})
				require.True(t, domain.IsPermanent(err), "%v", err)
				require.Equal(t, domain.NotificationCancelled, res.Status)
				require.Equal(t, 1, res.Attempts)
				require.Equal(t, tt.attempts, f.sms.Attempts())

				n, err := f.store.Notification(ctx, id)
				require.NoError(t, err)
				require.Equal(t, domain.NotificationCancelled, n.Status)
				require.Contains(t, n.LastError, tt.reason)
			})
		})
	}
}

func TestSendAsyncSMSTransientThenCancelled(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		ctx := context.Background()
		id := createSMS(t, f, "600111222", "hola")
		f.sms.FailAlways(fake.FailTransient)

		for attempt := 1; attempt <= 3; attempt++ {
			res, err := f.text.Handle(ctx, usecases.SendAsyncSMSInput{NotificationID: id})
			require.ErrorIs(t, err, fake.ErrTransient)
			require.Equal(t, attempt == 3, domain.IsPermanent(err), "attempt %d", attempt)
			require.Equal(t, attempt, res.Attempts)
		}
		n, err := f.store.Notification(ctx, id)
		require.NoError(t, err)
		require.Equal(t, domain.NotificationCancelled, n.Status)
		require.Equal(t, "GSM-7", n.Encoding, "the encoding is stored even when sending failed")
		require.Equal(t, 1, n.Segments)
	})
}

func TestSendAsyncSMSRejectsEmailNotification(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		ctx := context.Background()
		id := createAlert(t, f, 3)

		_, err := f.text.Handle(ctx, usecases.SendAsyncSMSInput{NotificationID: id})
		require.ErrorIs(t, err, domain.ErrInvalid)
		require.ErrorContains(t, err, "send_async_email")

		n, err := f.store.Notification(ctx, id)
		require.NoError(t, err)
		require.Equal(t, domain.NotificationPending, n.Status, "the notification is left as it was")
		require.Zero(t, n.Attempts)
		require.Empty(t, f.sms.Sent())
	})
}
