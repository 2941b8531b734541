package domain

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// NotificationChannel is the medium a notification is sent through.
type NotificationChannel string

// Notification channels.
const (
	ChannelEmail NotificationChannel = "email"
	ChannelSMS   NotificationChannel = "sms"
)

// ParseNotificationChannel validates a channel name.
func ParseNotificationChannel(s string) (NotificationChannel, error) {
	switch NotificationChannel(s) {
	case ChannelEmail, ChannelSMS:
		return NotificationChannel(s), nil
	}
	return "", Invalid("notification channel", s, "expected email or sms")
}

// NotificationStatus is the life-cycle state of a notification. A
// notification starts pending and ends consumed (sent) or cancelled; the two
// final states never change again.
type NotificationStatus string

// Notification statuses.
const (
	NotificationPending   NotificationStatus = "pending"
	NotificationConsumed  NotificationStatus = "consumed"
	NotificationCancelled NotificationStatus = "cancelled"
)

// Final reports whether the status can no longer change.
func (s NotificationStatus) Final() bool {
	return s == NotificationConsumed || s == NotificationCancelled
}

// ErrNotificationFinal is returned when a consumed or cancelled notification
// would be sent or changed again.
var ErrNotificationFinal = fmt.Errorf("notification already in a final state: %w", ErrConflict)

// ErrNotificationClaimed is returned when another run of the send job holds
// an unexpired claim on the notification, so this run must not send it.
var ErrNotificationClaimed = fmt.Errorf("notification is being sent by another run: %w", ErrConflict)

// ErrAttemptsUsed is returned when a pending notification has used all its
// attempts, for example because a worker died after counting the last one.
// The sender cancels it.
var ErrAttemptsUsed = errors.New("notification used all its attempts")

// DefaultMaxAttempts is the number of send attempts a notification gets when
// its creator does not say.
const DefaultMaxAttempts = 5

// NotificationTemplate is the subject and body of a kind of notification,
// written in Django template syntax so that templates of the old system work
// unchanged.
type NotificationTemplate struct {
	ID       int64
	Name     string
	Channel  NotificationChannel
	Subject  string
	Body     string
	HTMLBody string
	// Sender is the From address of e-mails or the sender id of SMS.
	Sender    string
	UpdatedAt time.Time
}

// Attachment is a file sent with an e-mail notification. Content is stored
// with the notification so that a retry sends the same bytes.
type Attachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Content     []byte `json:"content"`
}

// Notification is one message to one recipient, rendered from a template and
// sent by a job with retries.
type Notification struct {
	ID           int64
	TemplateName string
	Channel      NotificationChannel
	Recipient    string
	// Context holds the template variables.
	Context     map[string]any
	Attachments []Attachment
	Status      NotificationStatus
	// Attempts counts send attempts, including the one in progress.
	Attempts    int
	MaxAttempts int
	LastError   string
	SentAt      *time.Time
	CreatedAt   time.Time
	// Encoding and Segments describe an SMS once rendered: "GSM-7" or
	// "UCS-2", and the number of parts the gateway sends.
	Encoding string
	Segments int
	// ProviderID is the id the mail server or SMS gateway gave the message.
	ProviderID string
	// ClaimedUntil is set while a run of the send job holds the
	// notification for an attempt; another run waits until it has passed.
	// It is cleared when the attempt's outcome is stored.
	ClaimedUntil *time.Time
	// DedupeKey, when not empty, is unique among notifications, so that a
	// job run again finds the notification it created before. Empty keys
	// do not count.
	DedupeKey string
}

// CanStartAttempt reports why a send attempt may not start at now: the
// notification is final, another run's claim has not expired, or its
// attempts are used up. It returns nil when an attempt may start.
func (n Notification) CanStartAttempt(now time.Time) error {
	if n.Status.Final() {
		return fmt.Errorf("notification %d is %s: %w", n.ID, n.Status, ErrNotificationFinal)
	}
	if n.ClaimedUntil != nil && n.ClaimedUntil.After(now) {
		return fmt.Errorf("notification %d is claimed until %s: %w", n.ID, n.ClaimedUntil.UTC().Format(time.RFC3339), ErrNotificationClaimed)
	}
	if n.MaxAttempts > 0 && n.Attempts >= n.MaxAttempts {
		return fmt.Errorf("notification %d used its %d attempts: %w", n.ID, n.MaxAttempts, ErrAttemptsUsed)
	}
	return nil
}

// MessageID returns the stable Message-ID header of an e-mail notification,
// such as <notification-42.telcojobs@example.com>, with the domain of the
// sender address. A sender without a domain gives "localhost".
func (n Notification) MessageID(sender string) string {
	host := "localhost"
	if addr, err := mail.ParseAddress(sender); err == nil {
		if _, d, ok := strings.Cut(addr.Address, "@"); ok && d != "" {
			host = d
		}
	}
	return fmt.Sprintf("<notification-%d.telcojobs@%s>", n.ID, host)
}

// NormalizeEmail checks one e-mail address and returns it bare and trimmed,
// without a display name: " Ana <ana@example.com>" gives "ana@example.com".
// The domain part must contain a dot.
func NormalizeEmail(s string) (string, error) {
	raw := s
	s = strings.TrimSpace(s)
	addr, err := mail.ParseAddress(s)
	if err != nil || strings.ContainsAny(addr.Address, " \t\r\n") {
		return "", Invalid("e-mail address", raw, "expected an address such as ana@example.com")
	}
	local, host, ok := strings.Cut(addr.Address, "@")
	if !ok || local == "" || !strings.Contains(host, ".") || strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") {
		return "", Invalid("e-mail address", raw, "expected an address with a domain, such as ana@example.com")
	}
	return addr.Address, nil
}

// NormalizeRecipient checks a recipient for the channel: an e-mail address
// for e-mail, a phone number normalised to E.164 for SMS.
func NormalizeRecipient(ch NotificationChannel, recipient string) (string, error) {
	switch ch {
	case ChannelEmail:
		return NormalizeEmail(recipient)
	case ChannelSMS:
		return NormalizePhone(recipient)
	}
	return "", Invalid("notification channel", string(ch), "expected email or sms")
}

// TemplateError reports a template that failed to render.
type TemplateError struct {
	// Template is the template's name.
	Template string
	// Part is "subject", "body" or "html".
	Part string
	// Variable is the variable or expression at fault, when known.
	Variable string
	// Line is the line in the part, when known.
	Line int
	Err  error
}

// Error names the template, the part, the line and the variable.
func (e *TemplateError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "render template %q (%s", e.Template, e.Part)
	if e.Line > 0 {
		fmt.Fprintf(&b, ", line %d", e.Line)
	}
	b.WriteString(")")
	if e.Variable != "" {
		fmt.Fprintf(&b, ", variable %q", e.Variable)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

// Unwrap returns the renderer's error.
func (e *TemplateError) Unwrap() error { return e.Err }

// StartAttempt counts one more send attempt. It fails for a notification in a
// final state and for one whose attempts are used up.
func (n *Notification) StartAttempt() error {
	if n.Status.Final() {
		return fmt.Errorf("notification %d is %s: %w", n.ID, n.Status, ErrNotificationFinal)
	}
	if n.MaxAttempts > 0 && n.Attempts >= n.MaxAttempts {
		return fmt.Errorf("notification %d used its %d attempts: %w", n.ID, n.MaxAttempts, ErrAttemptsUsed)
	}
	n.Attempts++
	return nil
}

// Consume marks the notification as sent at the given time.
func (n *Notification) Consume(at time.Time, providerID string) error {
	if n.Status.Final() {
		return fmt.Errorf("notification %d is %s: %w", n.ID, n.Status, ErrNotificationFinal)
	}
	at = at.UTC()
	n.Status = NotificationConsumed
	n.SentAt = &at
	n.ProviderID = providerID
	n.LastError = ""
	return nil
}

// Cancel gives up on the notification and stores the reason.
func (n *Notification) Cancel(reason string) error {
	if n.Status.Final() {
		return fmt.Errorf("notification %d is %s: %w", n.ID, n.Status, ErrNotificationFinal)
	}
	n.Status = NotificationCancelled
	n.LastError = reason
	return nil
}

// Fail records a transient failure. The notification stays pending while it
// has attempts left, and is cancelled when they are used up. It returns true
// when another attempt may follow.
func (n *Notification) Fail(reason string) (retry bool, err error) {
	if n.Status.Final() {
		return false, fmt.Errorf("notification %d is %s: %w", n.ID, n.Status, ErrNotificationFinal)
	}
	n.LastError = reason
	if n.MaxAttempts > 0 && n.Attempts >= n.MaxAttempts {
		n.Status = NotificationCancelled
		return false, nil
	}
	return true, nil
}
