package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

func init() {
	register("Templates", testTemplates)
	register("Notifications", testNotifications)
}

func testTemplates(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("DefaultsShipped", func(t *testing.T) {
		t.Parallel()
		s := As[ports.TemplateStore](t, open(t))

		for _, name := range []string{"icc_daily_validation_report", "esim_low_stock_alert"} {
			tmpl, err := s.Template(ctx, name)
			require.NoError(t, err, name)
			require.Equal(t, domain.ChannelEmail, tmpl.Channel, name)
			require.NotEmpty(t, tmpl.Subject, name)
			require.NotEmpty(t, tmpl.Body, name)
		}
		alert, err := s.Template(ctx, "esim_low_stock_alert")
		require.NoError(t, err)
		require.Contains(t, alert.Body, "{{ count }}")
		require.Contains(t, alert.Body, "{{ threshold }}")
	})

	t.Run("CreateGetUpdateList", func(t *testing.T) {
		t.Parallel()
		s := As[ports.TemplateStore](t, open(t))

		created, err := s.CreateTemplate(ctx, domain.NotificationTemplate{
			Name: "bienvenida", Channel: domain.ChannelSMS, Body: "Hola {{ nombre }}", Sender: "Telco", UpdatedAt: base,
		})
		require.NoError(t, err)
		require.Positive(t, created.ID)

		got, err := s.Template(ctx, "bienvenida")
		require.NoError(t, err)
		require.Equal(t, created, got)
		require.True(t, got.UpdatedAt.Equal(base))

		got.Body = "Buenas {{ nombre }}"
		got.Channel = domain.ChannelEmail
		got.Subject = "Bienvenida"
		got.HTMLBody = "<p>Buenas</p>"
		got.UpdatedAt = base.Add(time.Hour)
		updated, err := s.UpdateTemplate(ctx, got)
		require.NoError(t, err)
		require.Equal(t, got, updated)

		all, err := s.ListTemplates(ctx)
		require.NoError(t, err)
		var names []string
		for _, tmpl := range all {
			names = append(names, tmpl.Name)
		}
		require.Equal(t, []string{"bienvenida", "esim_low_stock_alert", "icc_daily_validation_report"}, names)
	})

	t.Run("Errors", func(t *testing.T) {
		t.Parallel()
		s := As[ports.TemplateStore](t, open(t))

		_, err := s.CreateTemplate(ctx, domain.NotificationTemplate{Name: "esim_low_stock_alert", Channel: domain.ChannelEmail, Body: "x"})
		require.ErrorIs(t, err, domain.ErrConflict)
		_, err = s.Template(ctx, "missing")
		require.ErrorIs(t, err, domain.ErrNotFound)
		_, err = s.UpdateTemplate(ctx, domain.NotificationTemplate{Name: "missing", Channel: domain.ChannelEmail, Body: "x"})
		require.ErrorIs(t, err, domain.ErrNotFound)
		_, err = s.CreateTemplate(ctx, domain.NotificationTemplate{Name: "fax", Channel: "fax", Body: "x"})
		require.ErrorIs(t, err, domain.ErrInvalid)
		_, err = s.CreateTemplate(ctx, domain.NotificationTemplate{Name: "empty", Channel: domain.ChannelEmail})
		require.ErrorIs(t, err, domain.ErrInvalid)
	})
}

func newNotification() domain.Notification {
	return domain.Notification{
		TemplateName: "esim_low_stock_alert",
		Channel:      domain.ChannelEmail,
		Recipient:    "ops@example.com",
		Context:      map[string]any{"count": 3, "threshold": 10.5, "nested": map[string]any{"list": []any{1, "a"}}},
		Status:       domain.NotificationPending,
		MaxAttempts:  3,
		CreatedAt:    base,
	}
}

func testNotifications(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("CreateKeepsContextAndAttachments", func(t *testing.T) {
		t.Parallel()
		s := As[ports.NotificationStore](t, open(t))
		n := newNotification()
		binary := []byte{0xEF, 0xBB, 0xBF, 0, 1, 2, 0xFF, '\n', ';'}
		n.Attachments = []domain.Attachment{
			{Filename: "informe.csv", ContentType: "text/csv; charset=utf-8", Content: binary},
			{Filename: "vacio.txt", ContentType: "text/plain", Content: nil},
		}

		created, err := s.CreateNotification(ctx, n)
		require.NoError(t, err)
		require.Positive(t, created.ID)

		got, err := s.Notification(ctx, created.ID)
		require.NoError(t, err)
		require.Equal(t, domain.NotificationPending, got.Status)
		require.Equal(t, 0, got.Attempts)
		require.Equal(t, 3, got.MaxAttempts)
		require.True(t, got.CreatedAt.Equal(base))
		require.Nil(t, got.SentAt)
		require.Nil(t, got.ClaimedUntil)
		require.Equal(t, int64(3), got.Context["count"], "whole numbers come back as int64")
		require.Equal(t, 10.5, got.Context["threshold"])
		require.Equal(t, map[string]any{"list": []any{int64(1), "a"}}, got.Context["nested"])
		require.Len(t, got.Attachments, 2)
		require.Equal(t, binary, got.Attachments[0].Content, "the stored bytes are exact")
		require.Equal(t, "informe.csv", got.Attachments[0].Filename)
		require.Equal(t, "text/csv; charset=utf-8", got.Attachments[0].ContentType)
		require.Empty(t, got.Attachments[1].Content)
	})

	t.Run("GetMissing", func(t *testing.T) {
		t.Parallel()
		s := As[ports.NotificationStore](t, open(t))
		_, err := s.Notification(ctx, 4242)
		require.ErrorIs(t, err, domain.ErrNotFound)
		_, err = s.StartNotificationAttempt(ctx, 4242, base, base.Add(time.Minute))
		require.ErrorIs(t, err, domain.ErrNotFound)
		err = s.UpdateNotification(ctx, domain.Notification{ID: 4242, Status: domain.NotificationConsumed})
		require.ErrorIs(t, err, domain.ErrNotFound)
	})

	t.Run("CreateRejectsBadInput", func(t *testing.T) {
		t.Parallel()
		s := As[ports.NotificationStore](t, open(t))
		n := newNotification()
		n.Channel = "fax"
		_, err := s.CreateNotification(ctx, n)
		require.ErrorIs(t, err, domain.ErrInvalid)

		n = newNotification()
		n.Attachments = []domain.Attachment{{Filename: ""}}
		_, err = s.CreateNotification(ctx, n)
		require.ErrorIs(t, err, domain.ErrInvalid)
	})

	t.Run("AttemptClaimCountsAndExpires", func(t *testing.T) {
		t.Parallel()
		s := As[ports.NotificationStore](t, open(t))
		n, err := s.CreateNotification(ctx, newNotification())
		require.NoError(t, err)

		first, err := s.StartNotificationAttempt(ctx, n.ID, base, base.Add(time.Minute))
		require.NoError(t, err)
		require.Equal(t, 1, first.Attempts)
		require.True(t, first.ClaimedUntil.Equal(base.Add(time.Minute)))

		held, err := s.StartNotificationAttempt(ctx, n.ID, base.Add(30*time.Second), base.Add(2*time.Minute))
		require.ErrorIs(t, err, domain.ErrNotificationClaimed)
		require.Equal(t, 1, held.Attempts, "a rejected claim counts nothing")

		second, err := s.StartNotificationAttempt(ctx, n.ID, base.Add(time.Minute), base.Add(2*time.Minute))
		require.NoError(t, err, "an expired claim is taken over")
		require.Equal(t, 2, second.Attempts)

		second.LastError = "421 try later"
		require.NoError(t, s.UpdateNotification(ctx, second))
		third, err := s.StartNotificationAttempt(ctx, n.ID, base.Add(time.Minute), base.Add(2*time.Minute))
		require.NoError(t, err, "storing the outcome releases the claim")
		require.Equal(t, 3, third.Attempts)
		require.Equal(t, "421 try later", third.LastError)

		require.NoError(t, s.UpdateNotification(ctx, third))
		_, err = s.StartNotificationAttempt(ctx, n.ID, base.Add(time.Hour), base.Add(2*time.Hour))
		require.ErrorIs(t, err, domain.ErrAttemptsUsed)
	})

	t.Run("FinalStateIsKept", func(t *testing.T) {
		t.Parallel()
		s := As[ports.NotificationStore](t, open(t))
		n, err := s.CreateNotification(ctx, newNotification())
		require.NoError(t, err)
		n, err = s.StartNotificationAttempt(ctx, n.ID, base, base.Add(time.Minute))
		require.NoError(t, err)

		require.NoError(t, n.Consume(base.Add(time.Second), "<notification-1.telcojobs@example.com>"))
		n.Encoding, n.Segments = "GSM-7", 2
		require.NoError(t, s.UpdateNotification(ctx, n))

		got, err := s.Notification(ctx, n.ID)
		require.NoError(t, err)
		require.Equal(t, domain.NotificationConsumed, got.Status)
		require.True(t, got.SentAt.Equal(base.Add(time.Second)))
		require.Equal(t, "<notification-1.telcojobs@example.com>", got.ProviderID)
		require.Equal(t, "GSM-7", got.Encoding)
		require.Equal(t, 2, got.Segments)
		require.Nil(t, got.ClaimedUntil)

		_, err = s.StartNotificationAttempt(ctx, n.ID, base.Add(time.Hour), base.Add(2*time.Hour))
		require.ErrorIs(t, err, domain.ErrNotificationFinal)
		cancelled := got
		cancelled.Status = domain.NotificationCancelled
		err = s.UpdateNotification(ctx, cancelled)
		require.ErrorIs(t, err, domain.ErrNotificationFinal)

		got, err = s.Notification(ctx, n.ID)
		require.NoError(t, err)
		require.Equal(t, domain.NotificationConsumed, got.Status, "a final state never changes")
	})

	t.Run("RolledBackCreateLeavesNothing", func(t *testing.T) {
		t.Parallel()
		store := open(t)
		s := As[ports.NotificationStore](t, store)
		boom := errors.New("boom")
		var id int64
		err := store.InTx(ctx, func(ctx context.Context) error {
			n := newNotification()
			n.Attachments = []domain.Attachment{{Filename: "a.csv", Content: []byte("x")}}
			created, err := s.CreateNotification(ctx, n)
			require.NoError(t, err)
			id = created.ID
			return boom
		})
		require.ErrorIs(t, err, boom)
		_, err = s.Notification(ctx, id)
		require.ErrorIs(t, err, domain.ErrNotFound)
	})

	t.Run("ConcurrentClaimsGiveOneAttempt", func(t *testing.T) {
		t.Parallel()
		s := As[ports.NotificationStore](t, open(t))
		n, err := s.CreateNotification(ctx, newNotification())
		require.NoError(t, err)

		const runs = 8
		var wg sync.WaitGroup
		errs := make([]error, runs)
		for i := range runs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.StartNotificationAttempt(ctx, n.ID, base, base.Add(time.Minute))
			}()
		}
		wg.Wait()

		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			require.ErrorIs(t, err, domain.ErrConflict, "a losing run sees a conflict: %v", err)
		}
		require.Equal(t, 1, won, "exactly one run claims the notification")
		got, err := s.Notification(ctx, n.ID)
		require.NoError(t, err)
		require.Equal(t, 1, got.Attempts)
	})

	t.Run("DedupeKeyIsUnique", func(t *testing.T) {
		t.Parallel()
		s := As[ports.NotificationStore](t, open(t))
		n := newNotification()
		n.DedupeKey = "informe:2025-03-30:ana@example.com"
		n.Attachments = []domain.Attachment{{Filename: "a.csv", Content: []byte("x")}}
		first, err := s.CreateNotification(ctx, n)
		require.NoError(t, err)
		require.Equal(t, n.DedupeKey, first.DedupeKey)

		_, err = s.CreateNotification(ctx, n)
		require.ErrorIs(t, err, domain.ErrConflict)
		require.ErrorContains(t, err, n.DedupeKey)

		got, err := s.NotificationByDedupeKey(ctx, n.DedupeKey)
		require.NoError(t, err)
		require.Equal(t, first.ID, got.ID)
		require.Len(t, got.Attachments, 1)

		_, err = s.NotificationByDedupeKey(ctx, "informe:otro")
		require.ErrorIs(t, err, domain.ErrNotFound)
		_, err = s.NotificationByDedupeKey(ctx, "")
		require.ErrorIs(t, err, domain.ErrInvalid)

		// Notifications without a key never collide.
		for range 2 {
			plain, err := s.CreateNotification(ctx, newNotification())
			require.NoError(t, err)
			require.Empty(t, plain.DedupeKey)
		}
	})

	t.Run("ConcurrentCreatesOfOneKey", func(t *testing.T) {
		t.Parallel()
		s := As[ports.NotificationStore](t, open(t))

		const runs = 8
		var wg sync.WaitGroup
		errs := make([]error, runs)
		for i := range runs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n := newNotification()
				n.DedupeKey = "carrera"
				_, errs[i] = s.CreateNotification(ctx, n)
			}()
		}
		wg.Wait()

		created := 0
		for _, err := range errs {
			if err == nil {
				created++
				continue
			}
			require.ErrorIs(t, err, domain.ErrConflict, "a losing create sees a conflict: %v", err)
		}
		require.Equal(t, 1, created, "exactly one notification has the key")
	})
}
