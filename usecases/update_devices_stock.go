package usecases

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// UpdateDevicesStockInput is the input of update_devices_stock.
type UpdateDevicesStockInput struct {
}

// Kind returns the job's name on the queue.
func (UpdateDevicesStockInput) Kind() string { return "update_devices_stock" }

// UpdateDevicesStockConfig configures update_devices_stock.
type UpdateDevicesStockConfig struct {
	// Concurrency is the number of devices retrieved at once. Default 8.
	Concurrency int
}

// WithDefaults returns a copy with the defaults filled in.
func (c UpdateDevicesStockConfig) WithDefaults() UpdateDevicesStockConfig {
	if c.Concurrency == 0 {
		c.Concurrency = 8
	}
	return c
}

// Validate reports the first invalid field.
func (c UpdateDevicesStockConfig) Validate() error {
	if c.Concurrency < 1 {
		return fmt.Errorf("update_devices_stock config: Concurrency %d must be at least 1", c.Concurrency)
	}
	return nil
}

// UnknownOffer is an offer the vendor reported that the stored device does
// not have; update_device_data adds it on its next run.
type UnknownOffer struct {
	Device string `json:"device"`
	Offer  string `json:"offer"`
}

// UpdateDevicesStockResult is the outcome of one stock update.
type UpdateDevicesStockResult struct {
	// Devices counts the enabled devices; Updated the devices whose offers
	// were all read and written.
	Devices int `json:"devices"`
	Updated int `json:"updated"`
	// OffersUpdated counts offers whose stock changed; OffersUnchanged
	// those that already had it.
	OffersUpdated   int `json:"offers_updated"`
	OffersUnchanged int `json:"offers_unchanged"`
	// UnknownOffers lists offers the vendor reported that are not stored.
	UnknownOffers []UnknownOffer `json:"unknown_offers"`
	// Gone lists enabled devices for which the vendor returned 404.
	Gone []string `json:"gone"`
	// Failed lists devices that could not be retrieved or written.
	Failed []DeviceFailure `json:"failed"`
}

// UpdateDevicesStock refreshes the stock of every offer of the enabled
// devices.
type UpdateDevicesStock struct {
	cfg       UpdateDevicesStockConfig
	catalogue ports.Catalogue
	devices   ports.DeviceStore
	logger    *slog.Logger
}

// NewUpdateDevicesStock builds the use case. A nil logger discards.
func NewUpdateDevicesStock(cfg UpdateDevicesStockConfig, catalogue ports.Catalogue, devices ports.DeviceStore,
	logger *slog.Logger) (*UpdateDevicesStock, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if catalogue == nil || devices == nil {
		return nil, errors.New("update_devices_stock: catalogue and devices are required")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &UpdateDevicesStock{cfg: cfg, catalogue: catalogue, devices: devices,
		logger: logger.With("job", UpdateDevicesStockInput{}.Kind())}, nil
}

// HandleJob implements ports.JobHandler. It fails, so that the engine
// retries, only when there were devices and none could be updated.
func (u *UpdateDevicesStock) HandleJob(ctx context.Context, in UpdateDevicesStockInput) error {
	res, err := u.Handle(ctx, in)
	if err != nil {
		return err
	}
	return res.Err()
}

// Err returns the failure that a result stands for, or nil: every device
// failed. A run where some devices were updated is not an error; its
// failures are listed in the result.
func (r UpdateDevicesStockResult) Err() error {
	if r.Devices > 0 && r.Updated == 0 && len(r.Failed) > 0 {
		return fmt.Errorf("update_devices_stock: all %d devices failed, first: %s: %s", r.Devices, r.Failed[0].Alias, r.Failed[0].Error)
	}
	return nil
}

// Handle retrieves every enabled device from the vendor, with bounded
// concurrency, and sets each offer's stock by its alias. A device that
// fails is reported and the others are still updated.
func (u *UpdateDevicesStock) Handle(ctx context.Context, _ UpdateDevicesStockInput) (UpdateDevicesStockResult, error) {
	aliases, err := u.devices.EnabledDeviceAliases(ctx)
	if err != nil {
		return UpdateDevicesStockResult{}, fmt.Errorf("update_devices_stock: list enabled devices: %w", err)
	}
	res := UpdateDevicesStockResult{Devices: len(aliases)}
	progress := ports.ProgressFrom(ctx)
	progress.Total(int64(len(aliases)))

	var mu sync.Mutex
	work := make(chan string)
	var wg sync.WaitGroup
	for range min(u.cfg.Concurrency, max(len(aliases), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for alias := range work {
				changes, err := u.updateDevice(ctx, alias)
				progress.Add(1)
				mu.Lock()
				u.record(ctx, &res, alias, changes, err)
				mu.Unlock()
			}
		}()
	}
	for _, alias := range aliases {
		select {
		case work <- alias:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("update_devices_stock: %w", err)
	}

	slices.SortFunc(res.Failed, func(a, b DeviceFailure) int { return strings.Compare(a.Alias, b.Alias) })
	slices.Sort(res.Gone)
	slices.SortFunc(res.UnknownOffers, func(a, b UnknownOffer) int {
		return strings.Compare(a.Device+"\x00"+a.Offer, b.Device+"\x00"+b.Offer)
	})
	u.logger.InfoContext(ctx, "device stock updated", "devices", res.Devices, "updated", res.Updated,
		"offers_updated", res.OffersUpdated, "unknown_offers", len(res.UnknownOffers), "gone", len(res.Gone), "failed", len(res.Failed))
	return res, nil
}

func (u *UpdateDevicesStock) updateDevice(ctx context.Context, alias string) (ports.StockChanges, error) {
	d, err := u.catalogue.RetrieveDevice(ctx, alias)
	if err != nil {
		return ports.StockChanges{}, err
	}
	stocks := make(map[string]int, len(d.Offers))
	for _, o := range d.Offers {
		stocks[o.Alias] = o.Stock
	}
	changes, err := u.devices.SetOfferStocks(ctx, alias, stocks)
	if err != nil {
		return ports.StockChanges{}, fmt.Errorf("write stock: %w", err)
	}
	return changes, nil
}

// record adds one device's outcome to res. The caller holds the lock.
func (u *UpdateDevicesStock) record(ctx context.Context, res *UpdateDevicesStockResult, alias string, c ports.StockChanges, err error) {
	switch {
	case err == nil:
		res.Updated++
		res.OffersUpdated += c.Updated
		res.OffersUnchanged += c.Unchanged
		for _, offer := range c.Unknown {
			res.UnknownOffers = append(res.UnknownOffers, UnknownOffer{Device: alias, Offer: offer})
		}
		if len(c.Unknown) > 0 {
			u.logger.InfoContext(ctx, "vendor reported offers that are not stored", "alias", alias, "offers", c.Unknown)
		}
	case ctx.Err() != nil:
		// Cancelled: the caller returns the context's error.
	case errors.Is(err, domain.ErrNotFound):
		u.logger.WarnContext(ctx, "enabled device not found at vendor", "alias", alias)
		res.Gone = append(res.Gone, alias)
	default:
		u.logger.WarnContext(ctx, "update device stock failed", "alias", alias, "error", err)
		res.Failed = append(res.Failed, DeviceFailure{Alias: alias, Error: err.Error()})
	}
}
