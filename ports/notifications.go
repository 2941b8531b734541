package ports

import (
	"context"
	"time"

	"github.com/telcojobs/telcojobs/domain"
)

// TemplateStore keeps notification templates, one per name.
type TemplateStore interface {
	// CreateTemplate stores a new template; a taken name is
	// domain.ErrConflict.
	CreateTemplate(ctx context.Context, t domain.NotificationTemplate) (domain.NotificationTemplate, error)
	// Template returns the template with that name, or domain.ErrNotFound.
	Template(ctx context.Context, name string) (domain.NotificationTemplate, error)
	// UpdateTemplate replaces the channel, subject, bodies and sender of the
	// template named t.Name, or returns domain.ErrNotFound.
	UpdateTemplate(ctx context.Context, t domain.NotificationTemplate) (domain.NotificationTemplate, error)
	// ListTemplates returns every template ordered by name.
	ListTemplates(ctx context.Context) ([]domain.NotificationTemplate, error)
}

// NotificationStore keeps notifications and their attachments. The methods
// that change a notification are conditional updates on its stored state,
// so two runs of the same send job, even concurrent ones, never both send
// it and never move it out of a final state.
type NotificationStore interface {
	// CreateNotification stores a new pending notification with its
	// attachments and returns it with its id. A DedupeKey that another
	// notification has is domain.ErrConflict.
	CreateNotification(ctx context.Context, n domain.Notification) (domain.Notification, error)
	// Notification returns one notification with its attachments, or
	// domain.ErrNotFound.
	Notification(ctx context.Context, id int64) (domain.Notification, error)
	// NotificationByDedupeKey returns the notification with that
	// DedupeKey, with its attachments, or domain.ErrNotFound.
	NotificationByDedupeKey(ctx context.Context, key string) (domain.Notification, error)
	// StartNotificationAttempt claims a pending notification for one send
	// attempt: in a single conditional update it counts the attempt and
	// sets the claim until claimUntil, provided the notification is
	// pending, has attempts left and holds no unexpired claim at now. It
	// returns the notification as updated. When the update changes nothing
	// it returns the stored notification with the error of
	// [domain.Notification.CanStartAttempt]: domain.ErrNotificationFinal,
	// domain.ErrNotificationClaimed or domain.ErrAttemptsUsed; or
	// domain.ErrNotFound.
	StartNotificationAttempt(ctx context.Context, id int64, now, claimUntil time.Time) (domain.Notification, error)
	// UpdateNotification writes the status, last error, sent time, provider
	// id, encoding and segment count of n and releases its claim, provided
	// the stored notification is still pending. A stored notification in a
	// final state is domain.ErrNotificationFinal; a missing one is
	// domain.ErrNotFound.
	UpdateNotification(ctx context.Context, n domain.Notification) error
}
