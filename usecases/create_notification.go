package usecases

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// CreateNotificationInput asks for one notification to one recipient.
type CreateNotificationInput struct {
	// TemplateName names the notification template; its channel decides
	// whether an e-mail or an SMS is sent.
	TemplateName string `json:"template_name"`
	// Recipient is an e-mail address for an e-mail template, or a phone
	// number for an SMS template (normalised to E.164; Spanish numbers
	// without a country code get +34).
	Recipient string `json:"recipient"`
	// Context holds the template variables. It is stored as JSON, so its
	// values must be JSON-encodable.
	Context map[string]any `json:"context,omitempty"`
	// Attachments are stored with the notification, so every attempt sends
	// the same bytes. E-mail only.
	Attachments []domain.Attachment `json:"attachments,omitempty"`
	// MaxAttempts caps the send attempts. Zero means
	// domain.DefaultMaxAttempts.
	MaxAttempts int `json:"max_attempts,omitempty"`
	// DedupeKey, when not empty, makes the call idempotent: when a
	// notification with this key exists, nothing is created or enqueued
	// and the result names the existing notification.
	DedupeKey string `json:"dedupe_key,omitempty"`
}

// CreateNotificationResult identifies the stored notification and its send
// job.
type CreateNotificationResult struct {
	NotificationID int64 `json:"notification_id"`
	// JobID is zero when Existing is true.
	JobID int64 `json:"job_id"`
	// Existing is true when a notification with the input's DedupeKey was
	// already stored, so none was created.
	Existing bool `json:"existing,omitempty"`
}

// sendJobExtraAttempts is how many job runs beyond the notification's own
// attempts the send job gets. A run that finds the notification claimed by
// a concurrent run fails without counting a notification attempt, and the
// job must still reach the run that cancels the notification.
const sendJobExtraAttempts = 2

// CreateNotification stores a notification and enqueues its send job in
// one transaction, so a notification never exists without its job, nor a
// job without its notification. Host applications call it to notify their
// customers; the daily report and the stock alert use it too.
type CreateNotification struct {
	tx            ports.TxRunner
	templates     ports.TemplateStore
	notifications ports.NotificationStore
	queue         ports.JobQueue
	clock         ports.Clock
	logger        *slog.Logger
}

// NewCreateNotification builds the use case. A nil logger discards.
func NewCreateNotification(tx ports.TxRunner, templates ports.TemplateStore, notifications ports.NotificationStore,
	queue ports.JobQueue, clock ports.Clock, logger *slog.Logger) (*CreateNotification, error) {
	switch {
	case tx == nil:
		return nil, errors.New("create notification: TxRunner is nil")
	case templates == nil:
		return nil, errors.New("create notification: TemplateStore is nil")
	case notifications == nil:
		return nil, errors.New("create notification: NotificationStore is nil")
	case queue == nil:
		return nil, errors.New("create notification: JobQueue is nil")
	case clock == nil:
		return nil, errors.New("create notification: Clock is nil")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &CreateNotification{tx: tx, templates: templates, notifications: notifications, queue: queue, clock: clock, logger: logger}, nil
}

// Handle validates the input, then creates the notification and enqueues
// send_async_email or send_async_sms in one transaction. When ctx already
// carries a transaction, both writes join it. An unknown template or an
// invalid recipient is an error matching domain.ErrNotFound or
// domain.ErrInvalid, and nothing is written.
func (h *CreateNotification) Handle(ctx context.Context, in CreateNotificationInput) (CreateNotificationResult, error) {
	name := strings.TrimSpace(in.TemplateName)
	if name == "" {
		return CreateNotificationResult{}, domain.Invalid("template name", in.TemplateName, "must not be empty")
	}
	if in.MaxAttempts < 0 {
		return CreateNotificationResult{}, domain.Invalid("max attempts", fmt.Sprint(in.MaxAttempts), "must not be negative")
	}
	maxAttempts := in.MaxAttempts
	if maxAttempts == 0 {
		maxAttempts = domain.DefaultMaxAttempts
	}

	var res CreateNotificationResult
	err := h.tx.InTx(ctx, func(ctx context.Context) error {
		return h.create(ctx, name, maxAttempts, in, &res)
	})
	if err != nil {
		return CreateNotificationResult{}, err
	}

	if res.Existing {
		h.logger.InfoContext(ctx, "notification already created", "notification_id", res.NotificationID,
			"dedupe_key", in.DedupeKey, "template", name)
		return res, nil
	}
	h.logger.InfoContext(ctx, "notification created", "notification_id", res.NotificationID,
		"job_id", res.JobID, "template", name)
	return res, nil
}

// create stores the notification and enqueues its send job in the
// transaction of ctx. When a notification with the same dedupe key is
// stored already, even by a concurrent call, it sets res to that one.
func (h *CreateNotification) create(ctx context.Context, name string, maxAttempts int, in CreateNotificationInput,
	res *CreateNotificationResult) error {
	tmpl, err := h.templates.Template(ctx, name)
	if err != nil {
		return fmt.Errorf("create notification: template %q: %w", name, err)
	}
	if tmpl.Channel == domain.ChannelSMS && len(in.Attachments) > 0 {
		return domain.Invalid("attachments", fmt.Sprint(len(in.Attachments)), "an SMS template takes no attachments")
	}
	recipient, err := domain.NormalizeRecipient(tmpl.Channel, in.Recipient)
	if err != nil {
		return err
	}

	n, err := h.notifications.CreateNotification(ctx, domain.Notification{
		TemplateName: tmpl.Name,
		Channel:      tmpl.Channel,
		Recipient:    recipient,
		Context:      in.Context,
		Attachments:  in.Attachments,
		Status:       domain.NotificationPending,
		MaxAttempts:  maxAttempts,
		CreatedAt:    h.clock.Now(),
		DedupeKey:    in.DedupeKey,
	})
	if in.DedupeKey != "" && errors.Is(err, domain.ErrConflict) {
		found, findErr := h.notifications.NotificationByDedupeKey(ctx, in.DedupeKey)
		if findErr != nil {
			return fmt.Errorf("create notification: %w", errors.Join(err, findErr))
		}
		*res = CreateNotificationResult{NotificationID: found.ID, Existing: true}
		return nil
	}
	if err != nil {
		return fmt.Errorf("create notification: %w", err)
	}

	var args ports.JobArgs = SendAsyncEmailInput{NotificationID: n.ID}
	if tmpl.Channel == domain.ChannelSMS {
		args = SendAsyncSMSInput{NotificationID: n.ID}
	}
	job, err := h.queue.Enqueue(ctx, args, ports.EnqueueOptions{MaxAttempts: maxAttempts + sendJobExtraAttempts})
	if err != nil {
		return fmt.Errorf("enqueue %s for notification %d: %w", args.Kind(), n.ID, err)
	}

	*res = CreateNotificationResult{NotificationID: n.ID, JobID: job.JobID}
	return nil
}
