package usecases

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// SendDailyValidationReportInput is the input of send_daily_validation_report.
type SendDailyValidationReportInput struct {
	// Emails are the recipients of the report.
	Emails []string `json:"emails"`
	// Date is the calendar day, YYYY-MM-DD in the business zone, whose
	// report is sent: the window ends at the cutoff time of that day.
	// Empty means today, for the scheduled run; a date sends an older
	// report.
	Date string `json:"date,omitempty"`
	// Resend sends the day's report again to recipients who already had
	// it. Without it a second run for the same day, such as a run again
	// after a crashed worker, sends nothing new to them.
	Resend bool `json:"resend,omitempty"`
}

// Kind returns the job's name on the queue.
func (SendDailyValidationReportInput) Kind() string { return "send_daily_validation_report" }

// Reasons why the report sends nothing.
const (
	ReportSkippedNoData            = "no_data"
	ReportSkippedNoTemplate        = "no_template"
	ReportSkippedNoValidRecipients = "no_valid_recipients"
	ReportSkippedAlreadySent       = "already_sent"
)

// SendDailyValidationReportConfig configures send_daily_validation_report.
type SendDailyValidationReportConfig struct {
	// TimeZone is the IANA zone of the window's calendar dates. Default
	// Europe/Madrid.
	TimeZone string
	// Cutoff is the time of day, HH:MM, where one report's window ends and
	// the next begins. Default "07:00".
	Cutoff string
	// TemplateName is the e-mail template of the report. Default
	// "icc_daily_validation_report".
	TemplateName string
	// MaxAttempts caps the send attempts of each e-mail. Zero means
	// domain.DefaultMaxAttempts.
	MaxAttempts int
}

// WithDefaults returns a copy with the defaults filled in.
func (c SendDailyValidationReportConfig) WithDefaults() SendDailyValidationReportConfig {
	if c.TimeZone == "" {
		c.TimeZone = domain.DefaultTimeZone
	}
	if c.Cutoff == "" {
		c.Cutoff = "07:00"
	}
	if c.TemplateName == "" {
		c.TemplateName = "icc_daily_validation_report"
	}
	return c
}

// Validate reports the first invalid field.
func (c SendDailyValidationReportConfig) Validate() error {
	if _, err := domain.LoadZone(c.TimeZone); err != nil {
		return fmt.Errorf("daily validation report config: TimeZone: %w", err)
	}
	if _, err := domain.ParseClockTime(c.Cutoff); err != nil {
		return fmt.Errorf("daily validation report config: Cutoff: %w", err)
	}
	if c.MaxAttempts < 0 {
		return fmt.Errorf("daily validation report config: MaxAttempts %d must not be negative", c.MaxAttempts)
	}
	return nil
}

// ReportNotification is the notification created for one recipient.
type ReportNotification struct {
	Recipient      string `json:"recipient"`
	NotificationID int64  `json:"notification_id"`
	JobID          int64  `json:"job_id"`
}

// RejectedRecipient is a recipient that was not sent the report.
type RejectedRecipient struct {
	Email string `json:"email"`
	Error string `json:"error"`
	// ReasonES is the problem in Spanish, for the command's summary.
	ReasonES string `json:"reason_es,omitempty"`
}

// SendDailyValidationReportResult is the outcome of one run.
type SendDailyValidationReportResult struct {
	WindowStart time.Time `json:"window_start,omitzero"`
	WindowEnd   time.Time `json:"window_end,omitzero"`
	// Rows is the number of activation rows in the window.
	Rows int `json:"rows"`
	// Skipped is the reason nothing was sent: "no_data", "no_template",
	// "no_valid_recipients" or "already_sent". Empty when the report was
	// queued for at least one recipient.
	Skipped  string `json:"skipped,omitempty"`
	Filename string `json:"filename,omitempty"`
	// Notifications lists one new notification per valid recipient who
	// had not been sent the day's report.
	Notifications []ReportNotification `json:"notifications"`
	// AlreadySent lists the recipients who had been sent the day's report
	// by an earlier run, with that run's notification and no job.
	AlreadySent       []ReportNotification `json:"already_sent,omitempty"`
	InvalidRecipients []RejectedRecipient  `json:"invalid_recipients,omitempty"`
}

// SendDailyValidationReport e-mails the activation rows whose last retry
// falls in the day's window as a CSV attachment, one notification per
// recipient, all created and enqueued in one transaction.
type SendDailyValidationReport struct {
	cfg         SendDailyValidationReportConfig
	loc         *time.Location
	cutoff      domain.ClockTime
	activations ports.ActivationStore
	templates   ports.TemplateStore
	create      *CreateNotification
	clock       ports.Clock
	logger      *slog.Logger
}

// NewSendDailyValidationReport builds the use case. A nil logger discards.
func NewSendDailyValidationReport(cfg SendDailyValidationReportConfig, activations ports.ActivationStore,
	templates ports.TemplateStore, create *CreateNotification, clock ports.Clock, logger *slog.Logger) (*SendDailyValidationReport, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch {
	case activations == nil:
		return nil, errors.New("send_daily_validation_report: ActivationStore is nil")
	case templates == nil:
		return nil, errors.New("send_daily_validation_report: TemplateStore is nil")
	case create == nil:
		return nil, errors.New("send_daily_validation_report: CreateNotification is nil")
	case clock == nil:
		return nil, errors.New("send_daily_validation_report: Clock is nil")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	loc, _ := domain.LoadZone(cfg.TimeZone)
	cutoff, _ := domain.ParseClockTime(cfg.Cutoff)
	return &SendDailyValidationReport{cfg: cfg, loc: loc, cutoff: cutoff, activations: activations,
		templates: templates, create: create, clock: clock, logger: logger.With("job", "send_daily_validation_report")}, nil
}

// Handle builds and queues the report. With no valid recipient it returns
// an error wrapped with domain.Permanent; with no data or no template it
// sends nothing and sets Skipped to the reason.
func (h *SendDailyValidationReport) Handle(ctx context.Context, in SendDailyValidationReportInput) (SendDailyValidationReportResult, error) {
	res := SendDailyValidationReportResult{Notifications: []ReportNotification{}}

	day, err := h.reportDay(in.Date)
	if err != nil {
		return res, domain.Permanent(err)
	}
	start, end := domain.DailyReportWindow(day.Year(), day.Month(), day.Day(), h.cutoff, h.loc)
	res.WindowStart, res.WindowEnd = start, end
	log := h.logger.With("window_start", start, "window_end", end)

	recipients := h.recipients(in.Emails, &res)
	if len(recipients) == 0 {
		res.Skipped = ReportSkippedNoValidRecipients
		return res, domain.Permanent(domain.Invalid("emails", strings.Join(in.Emails, ","), "expected at least one valid e-mail address"))
	}

	rows, err := h.activations.ActivationsRetriedBetween(ctx, start.UTC(), end.UTC())
	if err != nil {
		return res, fmt.Errorf("send_daily_validation_report: %w", err)
	}
	res.Rows = len(rows)
	if len(rows) == 0 {
		res.Skipped = ReportSkippedNoData
		log.InfoContext(ctx, "no activation data in the window, report not sent")
		return res, nil
	}

	if _, err := h.templates.Template(ctx, h.cfg.TemplateName); errors.Is(err, domain.ErrNotFound) {
		res.Skipped = ReportSkippedNoTemplate
		log.WarnContext(ctx, "report template missing, report not sent", "template", h.cfg.TemplateName)
		return res, nil
	} else if err != nil {
		return res, fmt.Errorf("send_daily_validation_report: %w", err)
	}

	content, err := domain.ValidationReportCSV(rows, h.loc)
	if err != nil {
		return res, fmt.Errorf("send_daily_validation_report: write CSV: %w", err)
	}
	res.Filename = fmt.Sprintf("validaciones_icc_%s.csv", end.Format("2006-01-02"))
	vars := map[string]any{
		"date":     end.Format("02/01/2006"),
		"start":    start.Format("02/01/2006 15:04"),
		"end":      end.Format("02/01/2006 15:04"),
		"rows":     len(rows),
		"filename": res.Filename,
	}
	attachment := domain.Attachment{Filename: res.Filename, ContentType: "text/csv; charset=utf-8", Content: content}

	// Notifications are created in the order of their keys. Two runs for
	// one day with shared recipients then wait for each other on
	// PostgreSQL instead of deadlocking. The result keeps the given order.
	sorted := slices.Clone(recipients)
	slices.SortFunc(sorted, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	err = h.create.tx.InTx(ctx, func(ctx context.Context) error {
		created := make(map[string]CreateNotificationResult, len(sorted))
		for _, to := range sorted {
			key := ""
			if !in.Resend {
				key = reportDedupeKey(end, to)
			}
			result, err := h.create.Handle(ctx, CreateNotificationInput{
				TemplateName: h.cfg.TemplateName, Recipient: to, Context: vars,
				Attachments: []domain.Attachment{attachment}, MaxAttempts: h.cfg.MaxAttempts, DedupeKey: key,
			})
			if err != nil {
				return fmt.Errorf("notify %s: %w", to, err)
			}
			created[to] = result
		}

		res.Notifications, res.AlreadySent = res.Notifications[:0], nil
		for _, to := range recipients {
			result := created[to]
			n := ReportNotification{Recipient: to, NotificationID: result.NotificationID, JobID: result.JobID}
			if result.Existing {
				res.AlreadySent = append(res.AlreadySent, n)
				continue
			}
			res.Notifications = append(res.Notifications, n)
		}
		return nil
	})
	if err != nil {
		res.Notifications, res.AlreadySent = []ReportNotification{}, nil
		return res, fmt.Errorf("send_daily_validation_report: %w", err)
	}

	if len(res.Notifications) == 0 {
		res.Skipped = ReportSkippedAlreadySent
		log.InfoContext(ctx, "daily validation report already sent to every recipient; set Resend to send it again",
			"recipients", len(recipients))
		return res, nil
	}
	log.InfoContext(ctx, "daily validation report queued", "rows", len(rows), "recipients", len(res.Notifications),
		"already_sent", len(res.AlreadySent), "invalid_recipients", len(res.InvalidRecipients))
	return res, nil
}

// HandleJob implements ports.JobHandler.
func (h *SendDailyValidationReport) HandleJob(ctx context.Context, in SendDailyValidationReportInput) error {
	_, err := h.Handle(ctx, in)
	return err
}

// reportDedupeKey returns the key of the report of the window ending at
// end for one recipient, so that one day's report reaches a recipient once.
func reportDedupeKey(end time.Time, recipient string) string {
	return "send_daily_validation_report:" + end.Format("2006-01-02") + ":" + strings.ToLower(recipient)
}

// reportDay returns the report's calendar day in the business zone.
func (h *SendDailyValidationReport) reportDay(date string) (time.Time, error) {
	if date == "" {
		return h.clock.Now().In(h.loc), nil
	}
	day, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(date), h.loc)
	if err != nil {
		return time.Time{}, domain.Invalid("date", date, "expected YYYY-MM-DD, such as 2025-03-30")
	}
	return day, nil
}

// recipients normalises the addresses, drops repeats and records the
// invalid ones in res.
func (h *SendDailyValidationReport) recipients(emails []string, res *SendDailyValidationReportResult) []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range emails {
		addr, err := domain.NormalizeEmail(e)
		if err != nil {
			res.InvalidRecipients = append(res.InvalidRecipients, RejectedRecipient{Email: e, Error: err.Error(),
				ReasonES: fmt.Sprintf("%s no es una dirección de correo válida: escriba una como ana@example.com", quoted(e))})
			continue
		}
		key := strings.ToLower(addr)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, addr)
	}
	return out
}
