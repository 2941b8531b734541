package usecases_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/fake"
	"github.com/telcojobs/telcojobs/adapters/pongo2"
	"github.com/telcojobs/telcojobs/adapters/postgres/pgtest"
	"github.com/telcojobs/telcojobs/adapters/sqlite/sqlitetest"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// notifyStore is what the notification use cases need from storage.
type notifyStore interface {
	ports.TxRunner
	ports.TemplateStore
	ports.NotificationStore
	ports.ActivationStore
}

// notifyStores opens an empty store per database; the tests of the
// notification use cases run once on each.
var notifyStores = map[string]func(t *testing.T) notifyStore{
	"SQLite":     func(t *testing.T) notifyStore { return sqlitetest.Open(t) },
	"PostgreSQL": func(t *testing.T) notifyStore { return pgtest.Open(t) },
}

// notifyFixture bundles the use cases of notifications on one store.
type notifyFixture struct {
	store  notifyStore
	queue  *fake.Queue
	mailer *fake.Mailer
	sms    *fake.SMSGateway
	clock  *fake.Clock
	create *usecases.CreateNotification
	email  *usecases.SendAsyncEmail
	text   *usecases.SendAsyncSMS
}

var notifyNow = time.Date(2025, 3, 30, 8, 0, 0, 0, time.UTC)

func notifySetup(t *testing.T, open func(t *testing.T) notifyStore) *notifyFixture {
	t.Helper()
	f := &notifyFixture{store: open(t), queue: &fake.Queue{}, mailer: &fake.Mailer{}, sms: &fake.SMSGateway{}, clock: fake.NewClock(notifyNow)}
	renderer, err := pongo2.New(pongo2.Config{})
	require.NoError(t, err)

	f.create, err = usecases.NewCreateNotification(f.store, f.store, f.store, f.queue, f.clock, nil)
	require.NoError(t, err)
	cfg := usecases.SendConfig{DefaultSender: "Operaciones <ops@telco.example>"}
	f.email, err = usecases.NewSendAsyncEmail(cfg, f.store, f.store, renderer, f.mailer, f.clock, nil)
	require.NoError(t, err)
	f.text, err = usecases.NewSendAsyncSMS(cfg, f.store, f.store, renderer, f.sms, f.clock, nil)
	require.NoError(t, err)

	_, err = f.store.CreateTemplate(context.Background(), domain.NotificationTemplate{
		Name: "codigo_sms", Channel: domain.ChannelSMS, Body: "{{ texto }}", Sender: "Telco",
	})
	require.NoError(t, err)
	return f
}

// forEachNotifyStore runs test as a parallel subtest per database.
func forEachNotifyStore(t *testing.T, test func(t *testing.T, f *notifyFixture)) {
	for name, open := range notifyStores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, notifySetup(t, open))
		})
	}
}

func TestCreateNotificationEmail(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		ctx := context.Background()
		res, err := f.create.Handle(ctx, usecases.CreateNotificationInput{
			TemplateName: "esim_low_stock_alert",
			Recipient:    " Operaciones <OPS@telco.example> ",
			Context:      map[string]any{"count": 3, "threshold": 10},
			Attachments:  []domain.Attachment{{Filename: "a.txt", Content: []byte("hola")}},
			MaxAttempts:  4,
		})
		require.NoError(t, err)

		jobs := f.queue.Jobs()
		require.Len(t, jobs, 1)
		require.Equal(t, usecases.SendAsyncEmailInput{NotificationID: res.NotificationID}, jobs[0].Args)
		require.Equal(t, res.JobID, jobs[0].ID)
		require.Equal(t, 6, jobs[0].Options.MaxAttempts, "the job gets two runs beyond the notification's attempts")

		n, err := f.store.Notification(ctx, res.NotificationID)
		require.NoError(t, err)
		require.Equal(t, domain.ChannelEmail, n.Channel)
		require.Equal(t, "OPS@telco.example", n.Recipient)
		require.Equal(t, domain.NotificationPending, n.Status)
		require.Equal(t, 4, n.MaxAttempts)
		require.Equal(t, []byte("hola"), n.Attachments[0].Content)
		require.True(t, n.CreatedAt.Equal(notifyNow))
	})
}

func TestCreateNotificationDedupeKey(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		ctx := context.Background()
		in := usecases.CreateNotificationInput{TemplateName: "esim_low_stock_alert", Recipient: "ops@telco.example",
			Context: map[string]any{"count": 3, "threshold": 10}, DedupeKey: "alerta:2025-03-30"}
		first, err := f.create.Handle(ctx, in)
		require.NoError(t, err)
		require.False(t, first.Existing)

		again, err := f.create.Handle(ctx, in)
		require.NoError(t, err)
		require.Equal(t, usecases.CreateNotificationResult{NotificationID: first.NotificationID, Existing: true}, again)
		require.Len(t, f.queue.Jobs(), 1, "the second call enqueues nothing")

		n, err := f.store.Notification(ctx, first.NotificationID)
		require.NoError(t, err)
		require.Equal(t, "alerta:2025-03-30", n.DedupeKey)
	})
}

func TestCreateNotificationDedupeKeyRace(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		ctx := context.Background()
		in := usecases.CreateNotificationInput{TemplateName: "esim_low_stock_alert", Recipient: "ops@telco.example",
			Context: map[string]any{"count": 3, "threshold": 10}, DedupeKey: "alerta:carrera"}

		// The first call stays uncommitted while the second one runs, so
		// that on PostgreSQL the second one's insert waits for it.
		stored := make(chan usecases.CreateNotificationResult, 1)
		release := make(chan struct{})
		firstErr := make(chan error, 1)
		go func() {
			firstErr <- f.store.InTx(ctx, func(ctx context.Context) error {
				res, err := f.create.Handle(ctx, in)
				stored <- res
				<-release
				return err
			})
		}()
		first := <-stored

		second := make(chan error, 1)
		var again usecases.CreateNotificationResult
		go func() {
			var err error
			again, err = f.create.Handle(ctx, in)
			second <- err
		}()
		time.Sleep(200 * time.Millisecond)
		close(release)
		require.NoError(t, <-firstErr)
		require.NoError(t, <-second, "the call that loses the race reads the winner's notification")

		require.False(t, first.Existing)
		require.True(t, again.Existing)
		require.Equal(t, first.NotificationID, again.NotificationID)
		require.Len(t, f.queue.Jobs(), 1)
	})
}

func TestCreateNotificationSMS(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		ctx := context.Background()
		res, err := f.create.Handle(ctx, usecases.CreateNotificationInput{TemplateName: "codigo_sms", Recipient: "600 11 22 33"})
		require.NoError(t, err)

		require.Equal(t, []string{"send_async_sms"}, f.queue.Kinds())
		n, err := f.store.Notification(ctx, res.NotificationID)
		require.NoError(t, err)
		require.Equal(t, "+34600112233", n.Recipient)
		require.Equal(t, domain.DefaultMaxAttempts, n.MaxAttempts)
	})
}

func TestCreateNotificationRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   usecases.CreateNotificationInput
		err  error
	}{
		{"UnknownTemplate", usecases.CreateNotificationInput{TemplateName: "nope", Recipient: "a@b.es"}, domain.ErrNotFound},
		{"EmptyTemplate", usecases.CreateNotificationInput{Recipient: "a@b.es"}, domain.ErrInvalid},
		{"BadEmail", usecases.CreateNotificationInput{TemplateName: "esim_low_stock_alert", Recipient: "ops@"}, domain.ErrInvalid},
		{"BadPhone", usecases.CreateNotificationInput{TemplateName: "codigo_sms", Recipient: "12345"}, domain.ErrInvalid},
		{"SMSAttachment", usecases.CreateNotificationInput{TemplateName: "codigo_sms", Recipient: "600112233",
			Attachments: []domain.Attachment{{Filename: "x"}}}, domain.ErrInvalid},
		{"NegativeAttempts", usecases.CreateNotificationInput{TemplateName: "codigo_sms", Recipient: "600112233", MaxAttempts: -1}, domain.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
				_, err := f.create.Handle(context.Background(), tt.in)
				require.ErrorIs(t, err, tt.err)
				require.Empty(t, f.queue.Jobs())
				_, err = f.store.Notification(context.Background(), 1)
				require.ErrorIs(t, err, domain.ErrNotFound, "nothing is stored")
			})
		})
	}
}

func TestCreateNotificationEnqueueFailureRollsBack(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		f.queue.Err = errors.New("queue down")
		_, err := f.create.Handle(context.Background(), usecases.CreateNotificationInput{
			TemplateName: "esim_low_stock_alert", Recipient: "ops@telco.example",
		})
		require.ErrorContains(t, err, "queue down")
		_, err = f.store.Notification(context.Background(), 1)
		require.ErrorIs(t, err, domain.ErrNotFound, "the notification is rolled back with the enqueue")
	})
}
