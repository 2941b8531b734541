package usecases

import (
	"context"
	"log/slog"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// UpdateSellersInput is the input of update_sellers.
type UpdateSellersInput struct {
	ChannelSlug string `json:"channel_slug"`
	// FileKey is the blob-store key of the CSV file of sellers.
	FileKey string `json:"file_key"`
	// Force disables the sellers that the file leaves out or marks as not
	// enabled even when they are more than ImportConfig.MaxDisableShare of
	// the channel's enabled sellers. It never makes a file without valid
	// rows disable anything.
	Force bool `json:"force,omitempty"`
}

// Kind returns the job's name on the queue.
func (UpdateSellersInput) Kind() string { return "update_sellers" }

// UpdateSellers runs update_sellers: it imports a channel's sellers from a
// CSV file in the blob store, with the same rules as UpdateShops. A seller
// file may also have a shop column (tienda) with the code of the seller's
// shop, which must be a shop of the same channel: import the shops first.
type UpdateSellers struct{ imp *outletImporter }

// NewUpdateSellers builds the handler.
func NewUpdateSellers(cfg ImportConfig, blobs ports.BlobStore, channels ports.ChannelStore, outlets ports.OutletStore,
	alarms ports.AlarmStore, clock ports.Clock, logger *slog.Logger) (*UpdateSellers, error) {
	imp, err := newOutletImporter(domain.KindSeller, cfg, blobs, channels, outlets, alarms, clock, logger)
	if err != nil {
		return nil, err
	}
	return &UpdateSellers{imp: imp}, nil
}

// Handle imports the file.
func (h *UpdateSellers) Handle(ctx context.Context, in UpdateSellersInput) (ImportResult, error) {
	return h.imp.run(ctx, in.Kind(), in.ChannelSlug, in.FileKey, in.Force)
}

// HandleJob implements ports.JobHandler.
func (h *UpdateSellers) HandleJob(ctx context.Context, in UpdateSellersInput) error {
	_, err := h.Handle(ctx, in)
	return err
}
