package usecases_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/usecases"
)

// goldenReport is the exact attachment expected from reportRows. Set
// TELCOJOBS_UPDATE_GOLDEN=1 to rewrite it after an intended change.
var goldenReport = filepath.Join("..", "testdata", "notifications", "daily_validation_report.csv")

func newReport(t *testing.T, f *notifyFixture, cfg usecases.SendDailyValidationReportConfig) *usecases.SendDailyValidationReport {
	t.Helper()
	h, err := usecases.NewSendDailyValidationReport(cfg, f.store, f.store, f.create, f.clock, nil)
	require.NoError(t, err)
	return h
}

func madrid(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Madrid")
	require.NoError(t, err)
	return loc
}

// addReportRows stores rows around the window [start, end): one just
// before it, one at its start, one inside, one just before its end and one
// at its end.
func addReportRows(t *testing.T, f *notifyFixture, start, end time.Time) {
	t.Helper()
	rows := []domain.ActivationData{
		{ICC: "8934000000000000000", MSISDN: "600000000", LastRetryDate: start.Add(-time.Microsecond)},
		{ICC: "8934071234567890123", MSISDN: "+34600111222", Document: "12345678Z", Status: "activada", Retries: 1, LastRetryDate: start},
		{ICC: "8934071234567890131", MSISDN: "600333444", Document: "X1234567L", Status: "error", Retries: 3,
			LastRetryDate: start.Add(5 * time.Hour), Error: "Línea; \"bloqueada\"\nrevisar"},
		{ICC: "8934071234567890149", MSISDN: "600555666", Document: "Y7654321G", Status: "pendiente", Retries: 2,
			LastRetryDate: end.Add(-time.Second), Error: "=HYPERLINK(\"x\")"},
		{ICC: "8934000000000000001", MSISDN: "600000001", LastRetryDate: end},
	}
	for _, r := range rows {
		_, err := f.store.AddActivation(context.Background(), r)
		require.NoError(t, err)
	}
}

func TestReportWindowDST(t *testing.T) {
	t.Parallel()
	loc := madrid(t)
	tests := []struct {
		name  string
		now   time.Time
		start time.Time
		hours float64
	}{
		{"SpringForward", time.Date(2025, 3, 30, 8, 0, 0, 0, loc), time.Date(2025, 3, 29, 6, 0, 0, 0, time.UTC), 23},
		{"FallBack", time.Date(2025, 10, 26, 8, 0, 0, 0, loc), time.Date(2025, 10, 25, 5, 0, 0, 0, time.UTC), 25},
		{"OrdinaryDay", time.Date(2025, 6, 10, 7, 30, 0, 0, loc), time.Date(2025, 6, 9, 5, 0, 0, 0, time.UTC), 24},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
				f.clock.Set(tt.now)
				end := tt.start.Add(time.Duration(tt.hours) * time.Hour)
				addReportRows(t, f, tt.start, end)

				res, err := newReport(t, f, usecases.SendDailyValidationReportConfig{}).Handle(context.Background(),
					usecases.SendDailyValidationReportInput{Emails: []string{"ops@telco.example"}})
				require.NoError(t, err)
				require.True(t, res.WindowStart.Equal(tt.start), "start %s", res.WindowStart)
				require.True(t, res.WindowEnd.Equal(end), "end %s", res.WindowEnd)
				require.Equal(t, tt.hours, res.WindowEnd.Sub(res.WindowStart).Hours())
				require.Equal(t, 7, res.WindowStart.In(loc).Hour())
				require.Equal(t, 7, res.WindowEnd.In(loc).Hour())
				require.Equal(t, 3, res.Rows, "the window is half-open")
			})
		})
	}
}

func TestReportAttachmentBytes(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		ctx := context.Background()
		loc := madrid(t)
		f.clock.Set(time.Date(2025, 3, 30, 8, 0, 0, 0, loc))
		start := time.Date(2025, 3, 29, 7, 0, 0, 0, loc)
		addReportRows(t, f, start, time.Date(2025, 3, 30, 7, 0, 0, 0, loc))

		res, err := newReport(t, f, usecases.SendDailyValidationReportConfig{}).Handle(ctx,
			usecases.SendDailyValidationReportInput{Emails: []string{"ops@telco.example", "Jefa <jefa@telco.example>"}})
		require.NoError(t, err)
		require.Empty(t, res.Skipped)
		require.Equal(t, "validaciones_icc_2025-03-30.csv", res.Filename)
		require.Len(t, res.Notifications, 2)
		require.Equal(t, "jefa@telco.example", res.Notifications[1].Recipient)
		require.Equal(t, []string{"send_async_email", "send_async_email"}, f.queue.Kinds())

		n, err := f.store.Notification(ctx, res.Notifications[0].NotificationID)
		require.NoError(t, err)
		require.Len(t, n.Attachments, 1)
		got := n.Attachments[0].Content
		if os.Getenv("TELCOJOBS_UPDATE_GOLDEN") == "1" {
			require.NoError(t, os.WriteFile(goldenReport, got, 0o644))
		}
		want, err := os.ReadFile(goldenReport)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
		require.Equal(t, []byte{0xEF, 0xBB, 0xBF}, got[:3], "UTF-8 byte order mark")
		require.Equal(t, "text/csv; charset=utf-8", n.Attachments[0].ContentType)

		send, err := f.email.Handle(ctx, usecases.SendAsyncEmailInput{NotificationID: n.ID})
		require.NoError(t, err)
		require.True(t, send.Sent)
		msg := f.mailer.Sent()[0]
		require.Equal(t, "Informe diario de validaciones de ICC del 30/03/2025", msg.Subject)
		require.Contains(t, msg.Text, "con 3 registros cuyo último reintento fue entre el 29/03/2025 07:00 y el 30/03/2025 07:00")
		require.Equal(t, want, msg.Attachments[0].Content, "the mailer gets the stored bytes")
	})
}

func TestReportSkips(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		ctx := context.Background()
		loc := madrid(t)
		f.clock.Set(time.Date(2025, 10, 26, 8, 0, 0, 0, loc))

		res, err := newReport(t, f, usecases.SendDailyValidationReportConfig{}).Handle(ctx,
			usecases.SendDailyValidationReportInput{Emails: []string{"ops@telco.example"}})
		require.NoError(t, err)
		require.Equal(t, usecases.ReportSkippedNoData, res.Skipped)
		require.Zero(t, res.Rows)

		addReportRows(t, f, time.Date(2025, 10, 25, 7, 0, 0, 0, loc), time.Date(2025, 10, 26, 7, 0, 0, 0, loc))
		res, err = newReport(t, f, usecases.SendDailyValidationReportConfig{TemplateName: "sin_plantilla"}).Handle(ctx,
			usecases.SendDailyValidationReportInput{Emails: []string{"ops@telco.example"}})
		require.NoError(t, err)
		require.Equal(t, usecases.ReportSkippedNoTemplate, res.Skipped)
		require.Equal(t, 3, res.Rows)
		require.Empty(t, res.Notifications)
		require.Empty(t, f.queue.Jobs(), "nothing is sent")
	})
}

func TestReportRecipients(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		ctx := context.Background()
		loc := madrid(t)
		addReportRows(t, f, time.Date(2025, 3, 29, 7, 0, 0, 0, loc), time.Date(2025, 3, 30, 7, 0, 0, 0, loc))
		h := newReport(t, f, usecases.SendDailyValidationReportConfig{})

		res, err := h.Handle(ctx, usecases.SendDailyValidationReportInput{
			Emails: []string{"ops@telco.example", "no-es-correo", "OPS@telco.example", "ana@localhost", "ana@telco.example"},
			Date:   "2025-03-30",
		})
		require.NoError(t, err)
		require.Len(t, res.Notifications, 2, "repeats are sent once")
		require.Equal(t, "ops@telco.example", res.Notifications[0].Recipient)
		require.Equal(t, "ana@telco.example", res.Notifications[1].Recipient)
		require.Len(t, res.InvalidRecipients, 2)
		require.Equal(t, "no-es-correo", res.InvalidRecipients[0].Email)
		require.Equal(t, "«no-es-correo» no es una dirección de correo válida: escriba una como ana@example.com",
			res.InvalidRecipients[0].ReasonES)
		require.Equal(t, "ana@localhost", res.InvalidRecipients[1].Email)
		require.Equal(t, 3, res.Rows)

		res, err = h.Handle(ctx, usecases.SendDailyValidationReportInput{Emails: []string{"mal", ""}})
		require.True(t, domain.IsPermanent(err))
		require.Equal(t, usecases.ReportSkippedNoValidRecipients, res.Skipped)
		require.Len(t, res.InvalidRecipients, 2)

		_, err = h.Handle(ctx, usecases.SendDailyValidationReportInput{Emails: []string{"ops@telco.example"}, Date: "30/03/2025"})
		require.ErrorIs(t, err, domain.ErrInvalid)
	})
}

func TestReportEnqueueFailureRollsBack(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		ctx := context.Background()
		loc := madrid(t)
		addReportRows(t, f, time.Date(2025, 3, 29, 7, 0, 0, 0, loc), time.Date(2025, 3, 30, 7, 0, 0, 0, loc))
		f.queue.Err = context.DeadlineExceeded

		res, err := newReport(t, f, usecases.SendDailyValidationReportConfig{}).Handle(ctx,
			usecases.SendDailyValidationReportInput{Emails: []string{"a@telco.example", "b@telco.example"}, Date: "2025-03-30"})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Empty(t, res.Notifications)
		_, err = f.store.Notification(ctx, 1)
		require.ErrorIs(t, err, domain.ErrNotFound, "no notification outlives the failed transaction")
	})
}

func TestReportConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cfg   usecases.SendDailyValidationReportConfig
		field string
	}{
		{"Zone", usecases.SendDailyValidationReportConfig{TimeZone: "Mars/Olympus"}, "TimeZone"},
		{"Cutoff", usecases.SendDailyValidationReportConfig{Cutoff: "25:00"}, "Cutoff"},
		{"Attempts", usecases.SendDailyValidationReportConfig{MaxAttempts: -1}, "MaxAttempts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.ErrorContains(t, tt.cfg.WithDefaults().Validate(), tt.field)
		})
	}
}

func TestReportSentOncePerDay(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		ctx := context.Background()
		loc := madrid(t)
		addReportRows(t, f, time.Date(2025, 3, 29, 7, 0, 0, 0, loc), time.Date(2025, 3, 30, 7, 0, 0, 0, loc))
		h := newReport(t, f, usecases.SendDailyValidationReportConfig{})
		in := usecases.SendDailyValidationReportInput{Emails: []string{"ops@telco.example"}, Date: "2025-03-30"}

		first, err := h.Handle(ctx, in)
		require.NoError(t, err)
		require.Len(t, first.Notifications, 1)
		require.Len(t, f.queue.Jobs(), 1)

		// A second run of the same day, such as the job run again after
		// its worker died, finds the first run's notification.
		in.Emails = []string{"OPS@telco.example", "ana@telco.example"}
		again, err := h.Handle(ctx, in)
		require.NoError(t, err)
		require.Empty(t, again.Skipped)
		require.Len(t, again.Notifications, 1, "only the new recipient gets it")
		require.Equal(t, "ana@telco.example", again.Notifications[0].Recipient)
		require.Equal(t, []usecases.ReportNotification{{Recipient: "OPS@telco.example", NotificationID: first.Notifications[0].NotificationID}},
			again.AlreadySent)
		require.Len(t, f.queue.Jobs(), 2)

		third, err := h.Handle(ctx, in)
		require.NoError(t, err)
		require.Equal(t, usecases.ReportSkippedAlreadySent, third.Skipped)
		require.Empty(t, third.Notifications)
		require.Len(t, third.AlreadySent, 2)
		require.Len(t, f.queue.Jobs(), 2, "nothing more is enqueued")

		// Another day is another report, and Resend sends the day again.
		in.Date = "2025-03-31"
		addReportRows(t, f, time.Date(2025, 3, 30, 7, 0, 0, 0, loc), time.Date(2025, 3, 31, 7, 0, 0, 0, loc))
		next, err := h.Handle(ctx, in)
		require.NoError(t, err)
		require.Len(t, next.Notifications, 2)
		in.Resend = true
		resent, err := h.Handle(ctx, in)
		require.NoError(t, err)
		require.Len(t, resent.Notifications, 2)
		require.Empty(t, resent.AlreadySent)
		require.Len(t, f.queue.Jobs(), 6)
	})
}

func TestReportConcurrentRunsShareRecipients(t *testing.T) {
	t.Parallel()
	forEachNotifyStore(t, func(t *testing.T, f *notifyFixture) {
		ctx := context.Background()
		loc := madrid(t)
		addReportRows(t, f, time.Date(2025, 3, 29, 7, 0, 0, 0, loc), time.Date(2025, 3, 30, 7, 0, 0, 0, loc))
		h := newReport(t, f, usecases.SendDailyValidationReportConfig{})

		// The two runs list their shared recipients in opposite orders.
		var shared []string
		for i := range 20 {
			shared = append(shared, fmt.Sprintf("r%02d@telco.example", i))
		}
		reversed := slices.Clone(shared)
		slices.Reverse(reversed)
		runs := [][]string{append([]string{"solo-a@telco.example"}, shared...), append(reversed, "solo-b@telco.example")}

		errs := make(chan error, len(runs))
		for _, emails := range runs {
			go func() {
				_, err := h.Handle(ctx, usecases.SendDailyValidationReportInput{Emails: emails, Date: "2025-03-30"})
				errs <- err
			}()
		}
		for range runs {
			require.NoError(t, <-errs)
		}
		require.Len(t, f.queue.Jobs(), len(shared)+2, "each recipient gets the report once")
	})
}
