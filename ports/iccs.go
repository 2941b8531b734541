package ports

import (
	"context"
	"time"

	"github.com/telcojobs/telcojobs/domain"
)

// IccStore keeps the ICC inventory. An ICC is free while it is assigned to
// no purchase (its PurchaseID is nil).
type IccStore interface {
	// CreateIcc stores a new free ICC and returns it with its id. A taken
	// ICCID is domain.ErrConflict; an unknown kind is domain.ErrInvalid.
	CreateIcc(ctx context.Context, icc domain.Icc) (domain.Icc, error)
	// Icc returns the ICC with that ICCID, or domain.ErrNotFound.
	Icc(ctx context.Context, iccid string) (domain.Icc, error)
	// KnownICCIDs returns the ICCIDs among iccids that are stored, in no
	// particular order. It takes any number of ICCIDs.
	KnownICCIDs(ctx context.Context, iccids []string) ([]string, error)
	// CountFreeIccs counts the free ICCs of one kind.
	CountFreeIccs(ctx context.Context, kind domain.IccKind) (int, error)
}

// IccAssigner hands out free ICCs.
type IccAssigner interface {
	// TakeFreeIcc assigns the oldest free ICC of the kind to the purchase
	// and copies its ICCID to the purchase's ICC code, in one transaction.
	// Concurrent callers never get the same ICC. It returns
	// domain.ErrNotFound when no ICC of the kind is free or the purchase
	// does not exist, and then changes nothing.
	TakeFreeIcc(ctx context.Context, kind domain.IccKind, purchaseID int64) (domain.Icc, error)
}

// IccReleaseFilter selects the purchases whose ICCs are released.
type IccReleaseFilter struct {
	// LastAttemptFrom and LastAttemptTo bound the last provisioning attempt
	// of the purchases, [LastAttemptFrom, LastAttemptTo). Both required.
	LastAttemptFrom time.Time
	LastAttemptTo   time.Time
	// Statuses keeps purchases in these statuses. Required.
	Statuses []domain.PurchaseStatus
	// DeliveryType keeps purchases delivered this way. Required.
	DeliveryType domain.DeliveryType
	// Kind releases only ICCs of this kind. Required.
	Kind domain.IccKind
}

// IccReleaser frees ICCs that purchases hold but will not use.
type IccReleaser interface {
	// ReleaseIccs frees the ICCs of the kind assigned to the purchases that
	// f selects, in one set-based update, and clears the ICC code of those
	// purchases where it names the released ICC. It returns how many ICCs
	// it freed. A filter with a missing field is domain.ErrInvalid.
	ReleaseIccs(ctx context.Context, f IccReleaseFilter) (int, error)
}

// UsedIccPurger deletes the ICCs of old purchases.
type UsedIccPurger interface {
	// DeleteUsedIccs deletes at most limit ICCs, oldest id first, that are
	// assigned to purchases created before createdBefore, and returns the
	// deleted ones (with their PDF keys). The purchases keep their ICC code.
	// A call that returns fewer than limit found no more.
	DeleteUsedIccs(ctx context.Context, createdBefore time.Time, limit int) ([]domain.Icc, error)
}

// EsimStockAlertStore keeps the state of the low-stock alert on free eSIMs.
type EsimStockAlertStore interface {
	// EsimStockAlert returns the stored state. Before the first save it is
	// the zero state (Version 0, no alert sent).
	EsimStockAlert(ctx context.Context) (domain.EsimStockAlert, error)
	// SaveEsimStockAlert stores next if the stored version is still
	// prevVersion, and then the stored version becomes prevVersion+1. When
	// another run saved first it returns domain.ErrConflict and changes
	// nothing.
	SaveEsimStockAlert(ctx context.Context, prevVersion int64, next domain.EsimStockAlert) error
}
