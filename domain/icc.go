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
	// AssignedAt is when the ICC was assigned to PurchaseID, in UTC.
	AssignedAt *time.Time
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

// IccKinds lists every ICC kind.
var IccKinds = []IccKind{IccESIM, IccPhysical}

// ParseIccKind validates an ICC kind name.
func ParseIccKind(s string) (IccKind, error) {
	for _, k := range IccKinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", Invalid("ICC kind", s, "expected one of "+joinStrings(IccKinds))
}

// ESIMPDFKey returns the blob-store key of the PDF of the eSIM with that
// canonical ICCID.
func ESIMPDFKey(iccid string) string { return "iccs/esim/" + iccid + ".pdf" }

// EsimStockAlert is the stored state of the alert on the stock of free eSIM
// ICCs, which keeps the alert from being repeated on every run.
type EsimStockAlert struct {
	// Version grows by one with each saved change, so that two runs that
	// read the same state cannot both save theirs.
	Version int64
	// LastAlertAt is when the last alert was sent, in UTC. It is nil when
	// no alert was sent since the stock last reached the threshold.
	LastAlertAt *time.Time
	// LastAlertCount is the count of free eSIMs that the last alert
	// reported.
	LastAlertCount int
}

// EsimStockPolicy decides when the low-stock alert is sent.
type EsimStockPolicy struct {
	// Threshold is the stock below which the stock is low. Must be positive.
	Threshold int
	// RepeatAfter is how long the alert stays quiet while the stock stays
	// low, unless it falls by RepeatDrop. Typically 24 hours.
	RepeatAfter time.Duration
	// RepeatDrop is the fall in stock since the last alert that sends a new
	// one before RepeatAfter. At least 1.
	RepeatDrop int
}

// Evaluate decides, for count free eSIMs at now, whether an alert is sent,
// and returns the state to store. A stock below the threshold sends the
// alert in four cases: no alert was sent since the stock was last
// sufficient, RepeatAfter has passed since the last alert, the stock fell by
// RepeatDrop or more since then, or it reached zero. A stock at or above
// the threshold clears the state, so that the next fall alerts at once.
// changed reports whether next differs from a.
func (p EsimStockPolicy) Evaluate(a EsimStockAlert, count int, now time.Time) (next EsimStockAlert, send, changed bool) {
	next = a
	if count >= p.Threshold {
		if a.LastAlertAt == nil {
			return next, false, false
		}
		next.LastAlertAt, next.LastAlertCount = nil, 0
		return next, false, true
	}

	due := a.LastAlertAt == nil ||
		!now.Before(a.LastAlertAt.Add(p.RepeatAfter)) ||
		a.LastAlertCount-count >= max(p.RepeatDrop, 1) ||
		(count == 0 && a.LastAlertCount > 0)
	if !due {
		return next, false, false
	}
	at := now.UTC()
	next.LastAlertAt, next.LastAlertCount = &at, count
	return next, true, true
}
