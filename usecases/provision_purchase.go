package usecases

import (
	"context"
	"errors"
	"fmt"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// ProvisionPurchaseInput is the input of provision_purchase, the job that
// calls the host application's ports.Provisioner.
type ProvisionPurchaseInput struct {
	PurchaseID int64 `json:"purchase_id"`
}

// Kind returns the job's name on the queue.
func (ProvisionPurchaseInput) Kind() string { return "provision_purchase" }

// ProvisionPurchase runs the host application's provisioner for one purchase.
type ProvisionPurchase struct {
	Provisioner ports.Provisioner
}

// ProvisionPurchaseResult reports the provisioned purchase.
type ProvisionPurchaseResult struct {
	PurchaseID int64 `json:"purchase_id"`
}

// Handle calls the provisioner. A purchase id that is not positive is a
// permanent error, since no retry can fix it.
func (h *ProvisionPurchase) Handle(ctx context.Context, in ProvisionPurchaseInput) (ProvisionPurchaseResult, error) {
	if in.PurchaseID <= 0 {
		return ProvisionPurchaseResult{}, domain.Permanent(domain.Invalid("purchase_id", fmt.Sprint(in.PurchaseID), "must be a positive purchase id"))
	}
	if h.Provisioner == nil {
		return ProvisionPurchaseResult{}, domain.Permanent(errors.New("provision_purchase: no provisioner configured; the host application must provide ports.Provisioner"))
	}
	if err := h.Provisioner.Provision(ctx, in.PurchaseID); err != nil {
		return ProvisionPurchaseResult{}, fmt.Errorf("provision purchase %d: %w", in.PurchaseID, err)
	}
	return ProvisionPurchaseResult{PurchaseID: in.PurchaseID}, nil
}

// HandleJob runs Handle for the job engine.
func (h *ProvisionPurchase) HandleJob(ctx context.Context, in ProvisionPurchaseInput) error {
	_, err := h.Handle(ctx, in)
	return err
}
