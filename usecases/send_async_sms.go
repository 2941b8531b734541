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

// SendAsyncSMSInput is the input of send_async_sms.
type SendAsyncSMSInput struct {
	NotificationID int64 `json:"notification_id"`
}

// Kind returns the job's name on the queue.
func (SendAsyncSMSInput) Kind() string { return "send_async_sms" }

// SendAsyncSMSResult is the outcome of send_async_sms.
type SendAsyncSMSResult struct {
	SendNotificationResult
	// To is the recipient in E.164 form.
	To string `json:"to,omitempty"`
	// Encoding is "GSM-7" or "UCS-2".
	Encoding string `json:"encoding,omitempty"`
	// Segments is the number of parts the text is sent in.
	Segments int `json:"segments,omitempty"`
	// GatewayID is the gateway's id of the message.
	GatewayID string `json:"gateway_id,omitempty"`
}

// SendAsyncSMS sends one SMS notification with the same retry rules as
// [SendAsyncEmail]. It stores the text's encoding and segment count, and an
// invalid phone number cancels the notification at once.
type SendAsyncSMS struct {
	attempts *attemptRunner
	renderer ports.TemplateRenderer
	gateway  ports.SMSGateway
}

// NewSendAsyncSMS builds the use case. A nil logger discards.
func NewSendAsyncSMS(cfg SendConfig, templates ports.TemplateStore, notifications ports.NotificationStore,
	renderer ports.TemplateRenderer, gateway ports.SMSGateway, clock ports.Clock, logger *slog.Logger) (*SendAsyncSMS, error) {
	runner, err := newAttemptRunner("send_async_sms", cfg, templates, notifications, clock, logger)
	if err != nil {
		return nil, err
	}
	switch {
	case renderer == nil:
		return nil, errors.New("send_async_sms: TemplateRenderer is nil")
	case gateway == nil:
		return nil, errors.New("send_async_sms: SMSGateway is nil")
	}
	return &SendAsyncSMS{attempts: runner, renderer: renderer, gateway: gateway}, nil
}

// Handle runs one attempt. On a failure it returns the result together with
// the error.
func (h *SendAsyncSMS) Handle(ctx context.Context, in SendAsyncSMSInput) (SendAsyncSMSResult, error) {
	var out SendAsyncSMSResult
	res, err := h.attempts.run(ctx, in.NotificationID, domain.ChannelSMS,
		func(ctx context.Context, n *domain.Notification, tmpl domain.NotificationTemplate) (string, error) {
			to, err := domain.NormalizePhone(n.Recipient)
			if err != nil {
				return "", err
			}
			out.To = to

			rendered, err := h.renderer.Render(ctx, tmpl, n.Context)
			if err != nil {
				return "", domain.Permanent(err)
			}
			text := strings.TrimSpace(rendered.Text)
			if text == "" {
				return "", domain.Permanent(fmt.Errorf("template %q rendered an empty text", tmpl.Name))
			}

			info := domain.AnalyzeSMS(text)
			n.Encoding, n.Segments = string(info.Encoding), info.Segments
			out.Encoding, out.Segments = n.Encoding, n.Segments
			if info.Segments > h.attempts.cfg.MaxSMSSegments {
				return "", domain.Permanent(fmt.Errorf("text of %d %s units needs %d segments, more than the maximum of %d",
					info.Units, info.Encoding, info.Segments, h.attempts.cfg.MaxSMSSegments))
			}

			sender := tmpl.Sender
			if sender == "" {
				sender = h.attempts.cfg.DefaultSender
			}
			id, err := h.gateway.SendSMS(ctx, ports.SMSMessage{
				To: to, Text: text, Sender: sender, Reference: fmt.Sprintf("notification-%d", n.ID),
			})
			out.GatewayID = id
			return id, err
		})
	out.SendNotificationResult = res
	return out, err
}

// HandleJob implements ports.JobHandler.
func (h *SendAsyncSMS) HandleJob(ctx context.Context, in SendAsyncSMSInput) error {
	_, err := h.Handle(ctx, in)
	return err
}
