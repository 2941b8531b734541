package domain

import "time"

// IccKind is the form factor of a SIM card.
type IccKind string

// ICC kinds.
const (
	IccESIM     IccKind = "esim"
	IccPhysical IccKind = "physical"
)

// Icc is one SIM card of the inventory. An eSIM has a PDF with its activation
// QR code in the blob store.
type Icc struct {
	ID     int64
	ICCID  string
	Kind   IccKind
	PDFKey string
	// PurchaseID is set while the ICC is assigned to a purchase.
	PurchaseID *int64
	CreatedAt  time.Time
}

// Free reports whether the ICC is not assigned to any purchase.
func (i Icc) Free() bool { return i.PurchaseID == nil }

// ActivationData is the result of activating a line, reported daily to the
// validation team.
type ActivationData struct {
	ID       int64
	ICC      string
	MSISDN   string
	Document string
	Status   string
	Retries  int
	// LastRetryDate is the time of the last activation attempt, in UTC.
	LastRetryDate time.Time
	Error         string
}
