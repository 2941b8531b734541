package ports

import (
	"context"

	"github.com/telcojobs/telcojobs/domain"
)

// DeviceChanges counts the rows a catalogue write changed. A write that finds
// the stored data equal to the new data changes nothing and counts nothing.
type DeviceChanges struct {
	DevicesCreated  int `json:"devices_created"`
	DevicesUpdated  int `json:"devices_updated"`
	DevicesDisabled int `json:"devices_disabled"`
	OffersCreated   int `json:"offers_created"`
	OffersUpdated   int `json:"offers_updated"`
	OffersDisabled  int `json:"offers_disabled"`
	// PaymentsReplaced counts offers whose payment plans were replaced.
	PaymentsReplaced int `json:"payments_replaced"`
}

// Add returns the sum of two counts.
func (c DeviceChanges) Add(o DeviceChanges) DeviceChanges {
	return DeviceChanges{
		DevicesCreated:   c.DevicesCreated + o.DevicesCreated,
		DevicesUpdated:   c.DevicesUpdated + o.DevicesUpdated,
		DevicesDisabled:  c.DevicesDisabled + o.DevicesDisabled,
		OffersCreated:    c.OffersCreated + o.OffersCreated,
		OffersUpdated:    c.OffersUpdated + o.OffersUpdated,
		OffersDisabled:   c.OffersDisabled + o.OffersDisabled,
		PaymentsReplaced: c.PaymentsReplaced + o.PaymentsReplaced,
	}
}

// Total returns the number of changed rows of every kind.
func (c DeviceChanges) Total() int {
	return c.DevicesCreated + c.DevicesUpdated + c.DevicesDisabled +
		c.OffersCreated + c.OffersUpdated + c.OffersDisabled + c.PaymentsReplaced
}

// StockChanges counts what a stock update did for one device.
type StockChanges struct {
	// Updated counts offers whose stock changed.
	Updated int
	// Unchanged counts offers that already had that stock.
	Unchanged int
	// Unknown lists the offer aliases the device does not have, sorted.
	Unknown []string
}

// DeviceStore keeps the device catalogue: devices with their detail, offers
// (device settings) and the offers' payment plans.
type DeviceStore interface {
	// UpsertDevices writes each device as the vendor describes it, inside
	// one transaction (joining the caller's, if any): it creates or updates
	// the device and its detail, creates or updates each offer, replaces an
	// offer's payment plans when they differ, and disables the stored offers
	// that the device no longer has. Rows equal to the new data are not
	// written. Each device must pass domain validation. Concurrent calls
	// are serialised, so they never create a device or an offer twice.
	UpsertDevices(ctx context.Context, devices []domain.Device) (DeviceChanges, error)
	// DisableDevices disables the devices with those aliases and all their
	// offers. Unknown and already disabled devices are skipped.
	DisableDevices(ctx context.Context, aliases []string) (DeviceChanges, error)
	// EnabledDeviceAliases returns the aliases of the enabled devices,
	// sorted.
	EnabledDeviceAliases(ctx context.Context) ([]string, error)
	// Device returns one device with its detail, offers and payment plans
	// (offers ordered by alias, plans by plan name), or domain.ErrNotFound.
	Device(ctx context.Context, alias string) (domain.Device, error)
	// ListDevices returns every device, enabled or not, with its detail,
	// offers and payment plans, ordered by alias.
	ListDevices(ctx context.Context) ([]domain.Device, error)
	// SetOfferStocks sets the stock of the device's offers, keyed by offer
	// alias. Offers missing from the map keep their stock. A device that
	// does not exist is domain.ErrNotFound; a negative stock is
	// domain.ErrInvalid and changes nothing.
	SetOfferStocks(ctx context.Context, deviceAlias string, stocks map[string]int) (StockChanges, error)
}
