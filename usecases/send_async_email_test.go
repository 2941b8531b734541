package usecases_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/fake"
	"github.com/telcojobs/telcojobs/adapters/pongo2"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// createAlert stores a low-stock alert notification and returns its id.
func createAlert(t *testing.T, f *notifyFixture, maxAttempts int) int64 {
	t.Helper()
	res, err := f.create.Handle(context.Background(), usecases.CreateNotificationInput{
		TemplateName: "esim_low_stock_alert",
		Recipient:    "ops@telco.example",
		Context:      map[string]any{"count": 3, "threshold": 10},
		Attachments:  []domain.Attachment{{Filename: "datos.bin", ContentType: "application/octet-stream", Content: []byte{0, 1, 0xFF}}},
		MaxAttempts:  maxAttempts,
	})
	require.NoError(t, err)
	return res.NotificationID
}

func TestSendAsyncEmailSends(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		ctx := context.Background()
		id := createAlert(t, f, 3)
		f.clock.Advance(time.Minute)

		res, err := f.email.Handle(ctx, usecases.SendAsyncEmailInput{NotificationID: id})
		require.NoError(t, err)
		require.True(t, res.Sent)
		require.Equal(t, domain.NotificationConsumed, res.Status)
		require.Equal(t, 1, res.Attempts)

		sent := f.mailer.Sent()
		require.Len(t, sent, 1)
		msg := sent[0]
		require.Equal(t, "<notification-"+itoa(id)+".telcojobs@telco.example>", msg.MessageID)
		require.Equal(t, res.MessageID, msg.MessageID)
		require.Equal(t, "Operaciones <ops@telco.example>", msg.From, "the template has no sender, so the default is used")
		require.Equal(t, []string{"ops@telco.example"}, msg.To)
		require.Equal(t, "Alerta: quedan 3 eSIM sin asignar", msg.Subject)
		require.Contains(t, msg.Text, "Quedan 3 ICC de eSIM sin asignar, por debajo del umbral de 10.")
		require.Equal(t, []byte{0, 1, 0xFF}, msg.Attachments[0].Content)

		n, err := f.store.Notification(ctx, id)
		require.NoError(t, err)
		require.Equal(t, domain.NotificationConsumed, n.Status)
		require.True(t, n.SentAt.Equal(notifyNow.Add(time.Minute)))
		require.Equal(t, msg.MessageID, n.ProviderID)
		require.Nil(t, n.ClaimedUntil)
	})
}

func TestSendAsyncEmailNeverResendsConsumed(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		ctx := context.Background()
		id := createAlert(t, f, 3)
		_, err := f.email.Handle(ctx, usecases.SendAsyncEmailInput{NotificationID: id})
		require.NoError(t, err)

		again, err := f.email.Handle(ctx, usecases.SendAsyncEmailInput{NotificationID: id})
		require.NoError(t, err, "a job that runs again succeeds without sending")
		require.False(t, again.Sent)
		require.Equal(t, "already_consumed", again.Skipped)
		require.Equal(t, 1, f.mailer.Attempts())

		n, err := f.store.Notification(ctx, id)
		require.NoError(t, err)
		require.Equal(t, 1, n.Attempts, "a skipped run counts no attempt")
	})
}

func TestSendAsyncEmailConcurrentRunsSendOnce(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		id := createAlert(t, f, 3)

		const runs = 6
		var wg sync.WaitGroup
		for range runs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = f.email.Handle(context.Background(), usecases.SendAsyncEmailInput{NotificationID: id})
			}()
		}
		wg.Wait()

		require.Len(t, f.mailer.Sent(), 1, "concurrent runs of one job send once")
		n, err := f.store.Notification(context.Background(), id)
		require.NoError(t, err)
		require.Equal(t, domain.NotificationConsumed, n.Status)
		require.Equal(t, 1, n.Attempts)
	})
}

func TestSendAsyncEmailTransientRetries(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		ctx := context.Background()
		id := createAlert(t, f, 3)
		f.mailer.FailNext(fake.FailTransient)

		res, err := f.email.Handle(ctx, usecases.SendAsyncEmailInput{NotificationID: id})
		require.ErrorIs(t, err, fake.ErrTransient)
		require.False(t, domain.IsPermanent(err), "a transient failure lets the job engine retry")
		require.Equal(t, domain.NotificationPending, res.Status)
		require.Equal(t, 1, res.Attempts)
		n, err := f.store.Notification(ctx, id)
		require.NoError(t, err)
		require.Contains(t, n.LastError, "transient")
		require.Nil(t, n.ClaimedUntil, "the claim is released for the retry")

		res, err = f.email.Handle(ctx, usecases.SendAsyncEmailInput{NotificationID: id})
		require.NoError(t, err)
		require.True(t, res.Sent)
		require.Equal(t, 2, res.Attempts)
		require.Len(t, f.mailer.Sent(), 1)
	})
}

func TestSendAsyncEmailCancelsAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		ctx := context.Background()
		id := createAlert(t, f, 3)
		f.mailer.FailAlways(fake.FailTransient)

		for attempt := 1; attempt <= 2; attempt++ {
			res, err := f.email.Handle(ctx, usecases.SendAsyncEmailInput{NotificationID: id})
			require.Error(t, err)
			require.False(t, domain.IsPermanent(err), "attempt %d", attempt)
			require.Equal(t, domain.NotificationPending, res.Status)
			require.Equal(t, attempt, res.Attempts)
		}
		res, err := f.email.Handle(ctx, usecases.SendAsyncEmailInput{NotificationID: id})
		require.True(t, domain.IsPermanent(err), "the last attempt cancels: %v", err)
		require.Equal(t, domain.NotificationCancelled, res.Status)
		require.Equal(t, 3, res.Attempts)

		res, err = f.email.Handle(ctx, usecases.SendAsyncEmailInput{NotificationID: id})
		require.NoError(t, err)
		require.Equal(t, "already_cancelled", res.Skipped)
		require.Equal(t, 3, f.mailer.Attempts(), "a cancelled notification is never sent again")

		n, err := f.store.Notification(ctx, id)
		require.NoError(t, err)
		require.Equal(t, domain.NotificationCancelled, n.Status)
		require.Contains(t, n.LastError, "transient")
	})
}

func TestSendAsyncEmailPermanentCancels(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		ctx := context.Background()
		id := createAlert(t, f, 5)
		f.mailer.FailNext(fake.FailPermanent)

		res, err := f.email.Handle(ctx, usecases.SendAsyncEmailInput{NotificationID: id})
		require.True(t, domain.IsPermanent(err))
		require.ErrorIs(t, err, fake.ErrRejected)
		require.Equal(t, domain.NotificationCancelled, res.Status)
		require.Equal(t, 1, res.Attempts)

		n, err := f.store.Notification(ctx, id)
		require.NoError(t, err)
		require.Equal(t, domain.NotificationCancelled, n.Status)
		require.Contains(t, n.LastError, "rejected", "the reason is stored")
	})
}

func TestSendAsyncEmailCancelsUnusableNotification(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		template domain.NotificationTemplate
		reason   string
	}{
		{"MissingTemplate", domain.NotificationTemplate{}, "not found"},
		{"BrokenTemplate", domain.NotificationTemplate{Name: "roto", Channel: domain.ChannelEmail, Body: "{{ count|nofilter }}"}, `"roto"`},
		{"SMSTemplate", domain.NotificationTemplate{Name: "corto", Channel: domain.ChannelSMS, Body: "hola"}, "channel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
				ctx := context.Background()
				name := "ausente"
				if tt.template.Name != "" {
					_, err := f.store.CreateTemplate(ctx, tt.template)
					require.NoError(t, err)
					name = tt.template.Name
				}
				n, err := f.store.CreateNotification(ctx, domain.Notification{
					TemplateName: name, Channel: domain.ChannelEmail, Recipient: "ops@telco.example", MaxAttempts: 5,
				})
				require.NoError(t, err)

				res, err := f.email.Handle(ctx, usecases.SendAsyncEmailInput{NotificationID: n.ID})
				require.True(t, domain.IsPermanent(err), "%v", err)
				require.Equal(t, domain.NotificationCancelled, res.Status)
				require.Contains(t, res.Error, tt.reason)
				require.Zero(t, f.mailer.Attempts())
			})
		})
	}
}

func TestSendAsyncEmailMissingNotification(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		_, err := f.email.Handle(context.Background(), usecases.SendAsyncEmailInput{NotificationID: 999})
		require.ErrorIs(t, err, domain.ErrNotFound)
		require.True(t, domain.IsPermanent(err))
	})
}

func TestSendAsyncEmailClaimedWaits(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		ctx := context.Background()
		id := createAlert(t, f, 3)
		_, err := f.store.StartNotificationAttempt(ctx, id, notifyNow, notifyNow.Add(time.Hour))
		require.NoError(t, err, "another run holds the claim")

		_, err = f.email.Handle(ctx, usecases.SendAsyncEmailInput{NotificationID: id})
		require.ErrorIs(t, err, domain.ErrNotificationClaimed)
		require.False(t, domain.IsPermanent(err), "the job retries later")
		require.Zero(t, f.mailer.Attempts())

		f.clock.Advance(time.Hour)
		res, err := f.email.Handle(ctx, usecases.SendAsyncEmailInput{NotificationID: id})
		require.NoError(t, err, "an expired claim is taken over")
		require.True(t, res.Sent)
		require.Equal(t, 2, res.Attempts)
	})
}

func TestSendConfigValidate(t *testing.T) {
	t.Parallel()
	err := usecases.SendConfig{SendTimeout: time.Hour}.WithDefaults().Validate()
	require.ErrorContains(t, err, "ClaimDuration")
	require.NoError(t, usecases.SendConfig{}.WithDefaults().Validate())
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// cancellingMailer cancels the job's context while it sends, as a shutdown
// or a timeout does, and fails like a cut connection.
type cancellingMailer struct{ cancel context.CancelFunc }

func (m cancellingMailer) SendMail(ctx context.Context, _ ports.MailMessage) error {
	m.cancel()
	return ctx.Err()
}

func TestSendAsyncEmailCancelledJobReleasesClaim(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		id := createAlert(t, f, 3)
		renderer, err := pongo2.New(pongo2.Config{})
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		send, err := usecases.NewSendAsyncEmail(usecases.SendConfig{DefaultSender: "avisos@telcojobs.example"},
			f.store, f.store, renderer, cancellingMailer{cancel: cancel}, f.clock, nil)
		require.NoError(t, err)

		_, err = send.Handle(ctx, usecases.SendAsyncEmailInput{NotificationID: id})
		require.Error(t, err)

		// The failed attempt is stored although the context was cancelled,
		// so the next run can start at once instead of waiting for the
		// claim to expire.
		n, err := f.store.Notification(context.Background(), id)
		require.NoError(t, err)
		require.Equal(t, 1, n.Attempts)
		require.NotEmpty(t, n.LastError)
		res, err := f.email.Handle(context.Background(), usecases.SendAsyncEmailInput{NotificationID: id})
		require.NoError(t, err)
		require.True(t, res.Sent)
	})
}
