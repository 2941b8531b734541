package usecases

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// SendAsyncEmailInput is the input of send_async_email.
type SendAsyncEmailInput struct {
	NotificationID int64 `json:"notification_id"`
}

// Kind returns the job's name on the queue.
func (SendAsyncEmailInput) Kind() string { return "send_async_email" }

// SendConfig configures send_async_email and send_async_sms.
type SendConfig struct {
	// DefaultSender is the From address of e-mails, or the sender id of
	// SMS, whose template has no sender. Empty leaves the mailer's or the
	// gateway's own default. Default empty.
	DefaultSender string
	// SendTimeout bounds one send to the mail server or the SMS gateway.
	// Default 2 minutes.
	SendTimeout time.Duration
	// ClaimDuration is how long one run holds a notification while it
	// sends it; another run of the same job waits until then. It must be
	// longer than SendTimeout, so that a claim expires only after its run
	// died. Default 5 minutes.
	ClaimDuration time.Duration
	// MaxSMSSegments caps the parts of one SMS; a longer text cancels the
	// notification instead of sending a costly message. Default 10.
	MaxSMSSegments int
}

// WithDefaults returns a copy with the defaults filled in.
func (c SendConfig) WithDefaults() SendConfig {
	if c.SendTimeout == 0 {
		c.SendTimeout = 2 * time.Minute
	}
	if c.ClaimDuration == 0 {
		c.ClaimDuration = 5 * time.Minute
	}
	if c.MaxSMSSegments == 0 {
		c.MaxSMSSegments = 10
	}
	return c
}

// Validate reports the first invalid field.
func (c SendConfig) Validate() error {
	switch {
	case c.SendTimeout < 0:
		return fmt.Errorf("send config: SendTimeout %s must not be negative", c.SendTimeout)
	case c.ClaimDuration <= c.SendTimeout:
		return fmt.Errorf("send config: ClaimDuration %s must be longer than SendTimeout %s", c.ClaimDuration, c.SendTimeout)
	case c.MaxSMSSegments < 0:
		return fmt.Errorf("send config: MaxSMSSegments %d must not be negative", c.MaxSMSSegments)
	}
	return nil
}

// SendNotificationResult is the outcome of one run of a send job.
type SendNotificationResult struct {
	NotificationID int64                     `json:"notification_id"`
	Status         domain.NotificationStatus `json:"status"`
	Attempts       int                       `json:"attempts"`
	MaxAttempts    int                       `json:"max_attempts"`
	// Sent is true when this run sent the message.
	Sent bool `json:"sent"`
	// Skipped is the reason this run sent nothing without trying:
	// "already_consumed" or "already_cancelled".
	Skipped string `json:"skipped,omitempty"`
	// Error is the failure of this run's attempt, if any.
	Error string `json:"error,omitempty"`
}

// SendAsyncEmailResult is the outcome of send_async_email.
type SendAsyncEmailResult struct {
	SendNotificationResult
	// MessageID is the Message-ID header of the e-mail.
	MessageID string `json:"message_id,omitempty"`
}

// SendAsyncEmail sends one e-mail notification: it claims the notification
// and counts the attempt, renders its template and sends it with its
// attachments. A transient failure returns an error so that the job engine
// retries with backoff; once the notification's attempts are used up it is
// cancelled. A permanent failure cancels it at once and returns an error
// wrapped with domain.Permanent. A consumed or cancelled notification is
// never sent again.
type SendAsyncEmail struct {
	attempts *attemptRunner
	renderer ports.TemplateRenderer
	mailer   ports.Mailer
}

// NewSendAsyncEmail builds the use case. A nil logger discards.
func NewSendAsyncEmail(cfg SendConfig, templates ports.TemplateStore, notifications ports.NotificationStore,
	renderer ports.TemplateRenderer, mailer ports.Mailer, clock ports.Clock, logger *slog.Logger) (*SendAsyncEmail, error) {
	runner, err := newAttemptRunner("send_async_email", cfg, templates, notifications, clock, logger)
	if err != nil {
		return nil, err
	}
	switch {
	case renderer == nil:
		return nil, errors.New("send_async_email: TemplateRenderer is nil")
	case mailer == nil:
		return nil, errors.New("send_async_email: Mailer is nil")
	}
	return &SendAsyncEmail{attempts: runner, renderer: renderer, mailer: mailer}, nil
}

// Handle runs one attempt. On a failure it returns the result together with
// the error.
func (h *SendAsyncEmail) Handle(ctx context.Context, in SendAsyncEmailInput) (SendAsyncEmailResult, error) {
	var messageID string
	res, err := h.attempts.run(ctx, in.NotificationID, domain.ChannelEmail,
		func(ctx context.Context, n *domain.Notification, tmpl domain.NotificationTemplate) (string, error) {
			rendered, err := h.renderer.Render(ctx, tmpl, n.Context)
			if err != nil {
				return "", domain.Permanent(err)
			}

			from := tmpl.Sender
			if from == "" {
				from = h.attempts.cfg.DefaultSender
			}
			messageID = n.MessageID(from)
			err = h.mailer.SendMail(ctx, ports.MailMessage{
				MessageID:   messageID,
				From:        from,
				To:          []string{n.Recipient},
				Subject:     rendered.Subject,
				Text:        rendered.Text,
				HTML:        rendered.HTML,
				Attachments: n.Attachments,
			})
			return messageID, err
		})
	return SendAsyncEmailResult{SendNotificationResult: res, MessageID: messageID}, err
}

// HandleJob implements ports.JobHandler.
func (h *SendAsyncEmail) HandleJob(ctx context.Context, in SendAsyncEmailInput) error {
	_, err := h.Handle(ctx, in)
	return err
}

// deliverFunc sends a claimed notification and returns the provider's id
// of the message. It may set the notification's encoding and segments.
type deliverFunc func(ctx context.Context, n *domain.Notification, tmpl domain.NotificationTemplate) (string, error)

// attemptRunner holds what send_async_email and send_async_sms share: the
// claim, the attempt count and the storing of the outcome.
type attemptRunner struct {
	job           string
	cfg           SendConfig
	templates     ports.TemplateStore
	notifications ports.NotificationStore
	clock         ports.Clock
	logger        *slog.Logger
}

func newAttemptRunner(job string, cfg SendConfig, templates ports.TemplateStore, notifications ports.NotificationStore,
	clock ports.Clock, logger *slog.Logger) (*attemptRunner, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", job, err)
	}
	switch {
	case templates == nil:
		return nil, fmt.Errorf("%s: TemplateStore is nil", job)
	case notifications == nil:
		return nil, fmt.Errorf("%s: NotificationStore is nil", job)
	case clock == nil:
		return nil, fmt.Errorf("%s: Clock is nil", job)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &attemptRunner{job: job, cfg: cfg, templates: templates, notifications: notifications, clock: clock, logger: logger}, nil
}

func (r *attemptRunner) run(ctx context.Context, id int64, channel domain.NotificationChannel, deliver deliverFunc) (SendNotificationResult, error) {
	log := r.logger.With("job", r.job, "notification_id", id)
	now := r.clock.Now()

	// A job of the wrong channel is a mistake of the enqueuer, not of the
	// notification, so it is rejected before an attempt is counted.
	peek, err := r.notifications.Notification(ctx, id)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return SendNotificationResult{NotificationID: id}, domain.Permanent(fmt.Errorf("%s: notification %d: %w", r.job, id, err))
	case err != nil:
		return SendNotificationResult{NotificationID: id}, fmt.Errorf("%s: %w", r.job, err)
	case peek.Channel != channel:
		return resultOf(peek), domain.Invalid("notification_id", strconv.FormatInt(id, 10),
			fmt.Sprintf("notification %d is an %s notification; send it with the %s job instead", id, peek.Channel, senderJob(peek.Channel)))
	}

	n, err := r.notifications.StartNotificationAttempt(ctx, id, now, now.Add(r.cfg.ClaimDuration))
	res := resultOf(n)
	res.NotificationID = id
	switch {
	case err == nil:
	case errors.Is(err, domain.ErrNotificationFinal):
		res.Skipped = "already_" + string(n.Status)
		log.InfoContext(ctx, "notification already final, nothing sent", "status", n.Status)
		return res, nil
	case errors.Is(err, domain.ErrAttemptsUsed):
		return r.cancel(ctx, log, n, fmt.Errorf("no attempts left: %w", err))
	case errors.Is(err, domain.ErrNotFound):
		return res, domain.Permanent(fmt.Errorf("%s: %w", r.job, err))
	default:
		// A claim held by another run, or a storage failure: try later.
		log.WarnContext(ctx, "notification attempt not started", "error", err)
		return res, fmt.Errorf("%s: %w", r.job, err)
	}

	tmpl, err := r.templates.Template(ctx, n.TemplateName)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return r.cancel(ctx, log, n, fmt.Errorf("template %q of notification %d: %w", n.TemplateName, n.ID, err))
	case err != nil:
		return r.fail(ctx, log, n, fmt.Errorf("load template %q: %w", n.TemplateName, err))
	case tmpl.Channel != channel:
		return r.cancel(ctx, log, n, fmt.Errorf("template %q is for channel %s, not %s", tmpl.Name, tmpl.Channel, channel))
	}

	sendCtx, stop := context.WithTimeout(ctx, r.cfg.SendTimeout)
	providerID, err := deliver(sendCtx, &n, tmpl)
	stop()
	switch {
	case err == nil:
		return r.consume(ctx, log, n, providerID)
	case domain.IsPermanent(err):
		return r.cancel(ctx, log, n, err)
	default:
		return r.fail(ctx, log, n, err)
	}
}

func (r *attemptRunner) consume(ctx context.Context, log *slog.Logger, n domain.Notification, providerID string) (SendNotificationResult, error) {
	// The outcome is stored even when the job's context was cancelled
	// (shutdown, timeout), or the notification would stay claimed.
	ctx, cancelStore := storeContext(ctx)
	defer cancelStore()

	if err := n.Consume(r.clock.Now(), providerID); err != nil {
		return resultOf(n), err
	}
	res := resultOf(n)
	res.Sent = true
	if err := r.notifications.UpdateNotification(ctx, n); err != nil {
		// NOTE: the message is out but not marked consumed. The claim keeps
		// other runs away until it expires. A run after that sends again,
		// with the same Message-ID or SMS reference, so the receiver can
		// drop the duplicate.
		log.ErrorContext(ctx, "notification sent but not marked consumed", "error", err)
		return res, fmt.Errorf("%s: mark notification %d consumed: %w", r.job, n.ID, err)
	}
	log.InfoContext(ctx, "notification sent", "attempt", n.Attempts, "provider_id", providerID)
	return res, nil
}

func (r *attemptRunner) cancel(ctx context.Context, log *slog.Logger, n domain.Notification, cause error) (SendNotificationResult, error) {
	// The outcome is stored even when the job's context was cancelled
	// (shutdown, timeout), or the notification would stay claimed.
	ctx, cancelStore := storeContext(ctx)
	defer cancelStore()

	if err := n.Cancel(cause.Error()); err != nil {
		return resultOf(n), err
	}
	res := resultOf(n)
	res.Error = cause.Error()
	if err := r.notifications.UpdateNotification(ctx, n); err != nil {
		log.ErrorContext(ctx, "store cancelled notification", "error", err, "cause", cause)
		return res, fmt.Errorf("%s: cancel notification %d: %w", r.job, n.ID, err)
	}
	log.WarnContext(ctx, "notification cancelled", "attempt", n.Attempts, "error", cause)
	return res, domain.Permanent(fmt.Errorf("%s: notification %d cancelled: %w", r.job, n.ID, cause))
}

func (r *attemptRunner) fail(ctx context.Context, log *slog.Logger, n domain.Notification, cause error) (SendNotificationResult, error) {
	// The outcome is stored even when the job's context was cancelled
	// (shutdown, timeout), or the notification would stay claimed.
	ctx, cancelStore := storeContext(ctx)
	defer cancelStore()

	retry, err := n.Fail(cause.Error())
	if err != nil {
		return resultOf(n), err
	}
	res := resultOf(n)
	res.Error = cause.Error()
	if err := r.notifications.UpdateNotification(ctx, n); err != nil {
		log.ErrorContext(ctx, "store failed attempt", "error", err, "cause", cause)
		return res, fmt.Errorf("%s: store failed attempt of notification %d: %w", r.job, n.ID, err)
	}
	if !retry {
		log.WarnContext(ctx, "notification cancelled after its last attempt", "attempt", n.Attempts, "error", cause)
		return res, domain.Permanent(fmt.Errorf("%s: notification %d cancelled after %d attempts: %w", r.job, n.ID, n.Attempts, cause))
	}
	log.WarnContext(ctx, "notification attempt failed, will retry", "attempt", n.Attempts,
		"max_attempts", n.MaxAttempts, "error", cause)
	return res, fmt.Errorf("%s: attempt %d of %d: %w", r.job, n.Attempts, n.MaxAttempts, cause)
}

func resultOf(n domain.Notification) SendNotificationResult {
	return SendNotificationResult{NotificationID: n.ID, Status: n.Status, Attempts: n.Attempts, MaxAttempts: n.MaxAttempts}
}

// senderJob names the job that sends notifications of a channel.
func senderJob(ch domain.NotificationChannel) string {
	if ch == domain.ChannelSMS {
		return "send_async_sms"
	}
	return "send_async_email"
}

// storeContext returns a context for recording an attempt's outcome: not
// cancelled with the job's context, and bounded so that a stuck database
// cannot hold the job.
func storeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
}
