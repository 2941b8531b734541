package ports

import (
	"context"
	"time"

	"github.com/telcojobs/telcojobs/domain"
)

// PurchaseFilter selects purchases. Every filter that is set must match, and
// an empty list or a nil bound matches everything.
type PurchaseFilter struct {
	// ChannelSlugs keeps purchases of these channels.
	ChannelSlugs []string
	// Types keeps purchases of these types.
	Types []string
	// Statuses keeps purchases in these statuses.
	Statuses []domain.PurchaseStatus
	// ErrorCodes keeps purchases whose last error code is one of these.
	ErrorCodes []string
	// AgeField is the column that From and To bound: created_at (the
	// default when empty) or last_attempt_at. A purchase without a last
	// attempt never matches a bound on last_attempt_at.
	AgeField domain.PurchaseAgeField
	// From keeps purchases whose age field is at or after it.
	From *time.Time
	// To keeps purchases whose age field is at or before it.
	To *time.Time
	// MaxAttempts keeps purchases with fewer attempts than it when positive.
	MaxAttempts int
	// Limit is the maximum count of purchases returned. It must be
	// positive.
	Limit int
}

// PurchaseSelector selects purchases for bulk jobs such as the generic
// schedule action.
type PurchaseSelector interface {
	// SelectPurchases returns the purchases that match f, oldest first (by
	// created_at, then id), at most f.Limit of them. An unknown age field or
	// a limit that is not positive is domain.ErrInvalid.
	SelectPurchases(ctx context.Context, f PurchaseFilter) ([]domain.Purchase, error)
}
