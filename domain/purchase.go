package domain

import "time"

// PurchaseStatus is the provisioning state of a purchase.
type PurchaseStatus string

// Purchase statuses. The pending ones are those a retry can still complete.
const (
	PurchaseCreated          PurchaseStatus = "created"
	PurchasePendingProvision PurchaseStatus = "pending_provision"
	PurchaseProvisionError   PurchaseStatus = "provision_error"
	PurchasePendingPayment   PurchaseStatus = "pending_payment"
	PurchaseProvisioned      PurchaseStatus = "provisioned"
	PurchaseCompleted        PurchaseStatus = "completed"
	PurchaseCancelled        PurchaseStatus = "cancelled"
)

// PurchaseStatuses lists every known status in a stable order.
var PurchaseStatuses = []PurchaseStatus{
	PurchaseCreated, PurchasePendingProvision, PurchaseProvisionError,
	PurchasePendingPayment, PurchaseProvisioned, PurchaseCompleted, PurchaseCancelled,
}

// PendingPurchaseStatuses are the statuses of purchases that have not been
// provisioned yet and may still hold an ICC they will not use.
var PendingPurchaseStatuses = []PurchaseStatus{
	PurchaseCreated, PurchasePendingProvision, PurchaseProvisionError, PurchasePendingPayment,
}

// ParsePurchaseStatus validates a status name.
func ParsePurchaseStatus(s string) (PurchaseStatus, error) {
	for _, v := range PurchaseStatuses {
		if string(v) == s {
			return v, nil
		}
	}
	return "", Invalid("purchase status", s, "expected one of "+joinStrings(PurchaseStatuses))
}

// DeliveryType says how the SIM of a purchase reaches the customer.
type DeliveryType string

// Delivery types. An eSIM is delivered by e-mail.
const (
	DeliveryEmail   DeliveryType = "email"
	DeliveryCourier DeliveryType = "courier"
	DeliveryShop    DeliveryType = "shop"
)

// DeliveryTypes lists every known delivery type.
var DeliveryTypes = []DeliveryType{DeliveryEmail, DeliveryCourier, DeliveryShop}

// ParseDeliveryType validates a delivery type name.
func ParseDeliveryType(s string) (DeliveryType, error) {
	for _, v := range DeliveryTypes {
		if string(v) == s {
			return v, nil
		}
	}
	return "", Invalid("delivery type", s, "expected one of "+joinStrings(DeliveryTypes))
}

// Purchase is an order in the shop whose line must be provisioned.
type Purchase struct {
	ID           int64
	ChannelID    int64
	Type         string
	Status       PurchaseStatus
	DeliveryType DeliveryType
	ErrorCode    string
	Attempts     int
	// LastAttemptAt is the time of the last provisioning attempt, in UTC.
	LastAttemptAt *time.Time
	CreatedAt     time.Time
	// IccCode is the ICCID assigned to the purchase. It stays on the purchase
	// after the Icc row itself is deleted.
	IccCode string
}

func joinStrings[T ~string](vs []T) string {
	out := ""
	for i, v := range vs {
		if i > 0 {
			out += ", "
		}
		out += string(v)
	}
	return out
}
