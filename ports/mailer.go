package ports

import (
	"context"

	"github.com/telcojobs/telcojobs/domain"
)

// MailMessage is one e-mail to send.
type MailMessage struct {
	// MessageID is the Message-ID header with its angle brackets, such as
	// <notification-42.telcojobs@example.com>. It stays the same on every
	// attempt of a notification, so a receiver can drop a duplicate.
	MessageID string
	// From is the sender address. Empty means the mailer's configured one.
	From string
	// To lists the recipient addresses; at least one is required.
	To      []string
	Subject string
	// Text is the plain-text body. It is always sent.
	Text string
	// HTML is an optional alternative HTML body.
	HTML        string
	Attachments []domain.Attachment
}

// Mailer sends e-mail. An error that retrying cannot fix (a 5xx reply, an
// address the server rejects, a malformed message) is wrapped with
// domain.Permanent; any other error, such as a 4xx reply, a network error
// or a timeout, is transient and the send may be retried.
type Mailer interface {
	// SendMail sends one message.
	SendMail(ctx context.Context, msg MailMessage) error
}
