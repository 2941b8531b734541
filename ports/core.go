package ports

import (
	"context"
	"time"

	"github.com/telcojobs/telcojobs/domain"
)

// TxRunner runs a function inside one database transaction.
type TxRunner interface {
	// InTx begins a transaction, calls fn with a context that carries it, and
	// commits when fn returns nil or rolls back when it returns an error or
	// panics. Called with a context that already carries a transaction, it
	// joins that transaction instead of starting another one.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Clock tells the current time. Tests inject a fixed or stepping clock.
type Clock interface {
	Now() time.Time
}

// SystemClock is the Clock of the machine.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// AlarmStore keeps operator alarms.
type AlarmStore interface {
	// RaiseAlarm opens an alarm, or counts one more occurrence of the open
	// alarm with the same name (keeping one row per open name, also under
	// concurrent callers). It returns the stored alarm.
	RaiseAlarm(ctx context.Context, a domain.Alarm) (domain.Alarm, error)
	// ResolveAlarm closes the open alarm with that name. It returns
	// domain.ErrNotFound when none is open.
	ResolveAlarm(ctx context.Context, name string, at time.Time) error
	// OpenAlarm returns the open alarm with that name, or domain.ErrNotFound.
	OpenAlarm(ctx context.Context, name string) (domain.Alarm, error)
	// ListAlarms returns alarms newest first; openOnly leaves out resolved ones.
	ListAlarms(ctx context.Context, openOnly bool, limit int) ([]domain.Alarm, error)
}

// AuditStore keeps the audit trail.
type AuditStore interface {
	// AddAudit appends an entry and returns it with its id.
	AddAudit(ctx context.Context, e domain.AuditEntry) (domain.AuditEntry, error)
	// ListAudit returns the entries of one object, or of every object when
	// object is empty, oldest first.
	ListAudit(ctx context.Context, object string, limit int) ([]domain.AuditEntry, error)
}

// ChannelStore keeps sales channels.
type ChannelStore interface {
	// CreateChannel stores a new channel; a taken slug is domain.ErrConflict.
	CreateChannel(ctx context.Context, c domain.Channel) (domain.Channel, error)
	// ChannelBySlug returns the channel or domain.ErrNotFound.
	ChannelBySlug(ctx context.Context, slug string) (domain.Channel, error)
	// ListChannels returns every channel ordered by slug.
	ListChannels(ctx context.Context) ([]domain.Channel, error)
}

// PurchaseStore keeps purchases. Jobs that select purchases by other
// criteria declare their own interfaces next to their use cases.
type PurchaseStore interface {
	// CreatePurchase stores a purchase and returns it with its id.
	CreatePurchase(ctx context.Context, p domain.Purchase) (domain.Purchase, error)
	// Purchase returns one purchase or domain.ErrNotFound.
	Purchase(ctx context.Context, id int64) (domain.Purchase, error)
}

// ActivationStore keeps activation results.
type ActivationStore interface {
	// AddActivation stores a row and returns it with its id.
	AddActivation(ctx context.Context, a domain.ActivationData) (domain.ActivationData, error)
	// ActivationsRetriedBetween returns the rows whose last retry date is in
	// [from, to), ordered by that date and then by id.
	ActivationsRetriedBetween(ctx context.Context, from, to time.Time) ([]domain.ActivationData, error)
}
