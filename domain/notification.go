package domain

import (
	"fmt"
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
}

// StartAttempt counts one more send attempt. It fails for a notification in a
// final state and for one whose attempts are used up.
func (n *Notification) StartAttempt() error {
	if n.Status.Final() {
		return fmt.Errorf("notification %d is %s: %w", n.ID, n.Status, ErrNotificationFinal)
	}
	if n.MaxAttempts > 0 && n.Attempts >= n.MaxAttempts {
		return fmt.Errorf("notification %d used its %d attempts: %w", n.ID, n.MaxAttempts, ErrNotificationFinal)
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
