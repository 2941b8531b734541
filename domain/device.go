package domain

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// DefaultMaxDisableShare is the largest share of the enabled devices that a
// catalogue sync may disable in one run unless it is forced: 0.2, or 20 %.
const DefaultMaxDisableShare = 0.2

// Device is a handset of the shop's catalogue, synced from the vendor. Alias
// is the vendor's identifier and is unique. A device the vendor no longer
// lists is disabled, never deleted, so that purchases keep their reference.
type Device struct {
	ID      int64
	Alias   string
	Name    string
	Brand   string
	Enabled bool
	Detail  DeviceDetail
	// Offers are the device's sellable variants, such as a colour and a
	// storage size, each with its own alias, price and stock.
	Offers []DeviceSetting
}

// DeviceDetail is the commercial and technical description of a device.
type DeviceDetail struct {
	Description string
	// Specs maps a specification name, such as "screen", to its value.
	Specs map[string]string
}

// DeviceSetting is one offer of a device. Alias is unique within the device.
type DeviceSetting struct {
	ID        int64
	Alias     string
	Color     string
	StorageGB int
	Price     Cents
	Stock     int
	Enabled   bool
	// Payments are the instalment plans of the offer. A sync replaces them
	// as a whole.
	Payments []DevicePayment
}

// DevicePayment is an instalment plan of an offer: an upfront amount and
// Months monthly amounts. Plan names the plan and is unique within the offer.
type DevicePayment struct {
	Plan    string
	Months  int
	Upfront Cents
	Monthly Cents
}

// Validate checks a device received from the vendor: an alias, offers with
// unique non-empty aliases, non-negative prices and stock, and payment plans
// with a unique name, at least one month and non-negative amounts.
func (d Device) Validate() error {
	if strings.TrimSpace(d.Alias) == "" {
		return Invalid("device alias", d.Alias, "must not be empty")
	}
	offers := make(map[string]bool, len(d.Offers))
	for _, o := range d.Offers {
		if err := o.validate(d.Alias); err != nil {
			return err
		}
		if offers[o.Alias] {
			return Invalid("offer alias", o.Alias, fmt.Sprintf("appears twice in device %s", d.Alias))
		}
		offers[o.Alias] = true
	}
	return nil
}

func (o DeviceSetting) validate(device string) error {
	switch {
	case strings.TrimSpace(o.Alias) == "":
		return Invalid("offer alias", o.Alias, fmt.Sprintf("must not be empty (device %s)", device))
	case o.Price < 0:
		return Invalid("offer price", o.Price.String(), fmt.Sprintf("must not be negative (offer %s)", o.Alias))
	case o.Stock < 0:
		return Invalid("offer stock", fmt.Sprint(o.Stock), fmt.Sprintf("must not be negative (offer %s)", o.Alias))
	case o.StorageGB < 0:
		return Invalid("offer storage", fmt.Sprint(o.StorageGB), fmt.Sprintf("must not be negative (offer %s)", o.Alias))
	}

	plans := make(map[string]bool, len(o.Payments))
	for _, p := range o.Payments {
		switch {
		case strings.TrimSpace(p.Plan) == "":
			return Invalid("payment plan", p.Plan, fmt.Sprintf("must not be empty (offer %s)", o.Alias))
		case plans[p.Plan]:
			return Invalid("payment plan", p.Plan, fmt.Sprintf("appears twice in offer %s", o.Alias))
		case p.Months < 1:
			return Invalid("payment months", fmt.Sprint(p.Months), fmt.Sprintf("must be at least 1 (plan %s of offer %s)", p.Plan, o.Alias))
		case p.Upfront < 0 || p.Monthly < 0:
			return Invalid("payment amount", p.Upfront.String()+" / "+p.Monthly.String(), fmt.Sprintf("must not be negative (plan %s of offer %s)", p.Plan, o.Alias))
		}
		plans[p.Plan] = true
	}
	return nil
}

// SameData reports whether two devices carry the same vendor data: name,
// brand, enabled flag and detail. Offers and ids are not compared.
func (d Device) SameData(other Device) bool {
	return d.Alias == other.Alias && d.Name == other.Name && d.Brand == other.Brand &&
		d.Enabled == other.Enabled && d.Detail.Description == other.Detail.Description &&
		specsEqual(d.Detail.Specs, other.Detail.Specs)
}

// SameData reports whether two offers carry the same vendor data. Payment
// plans and ids are not compared; see [SamePayments].
func (o DeviceSetting) SameData(other DeviceSetting) bool {
	return o.Alias == other.Alias && o.Color == other.Color && o.StorageGB == other.StorageGB &&
		o.Price == other.Price && o.Stock == other.Stock && o.Enabled == other.Enabled
}

// SamePayments reports whether two lists hold the same plans, in any order.
func SamePayments(a, b []DevicePayment) bool {
	if len(a) != len(b) {
		return false
	}
	sa, sb := SortedPayments(a), SortedPayments(b)
	return slices.Equal(sa, sb)
}

// SortedPayments returns a copy of plans ordered by plan name.
func SortedPayments(plans []DevicePayment) []DevicePayment {
	out := slices.Clone(plans)
	slices.SortFunc(out, func(x, y DevicePayment) int { return strings.Compare(x.Plan, y.Plan) })
	return out
}

// Offer returns the offer with that alias.
func (d Device) Offer(alias string) (DeviceSetting, bool) {
	for _, o := range d.Offers {
		if o.Alias == alias {
			return o, true
		}
	}
	return DeviceSetting{}, false
}

func specsEqual(a, b map[string]string) bool {
	// A nil map and an empty one are the same specification.
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return maps.Equal(a, b)
}

// DisableShareExceeded reports whether disabling `disabling` of `enabled`
// devices would go over maxShare, a fraction between 0 and 1. Disabling
// exactly maxShare is allowed; with no enabled device nothing is exceeded.
func DisableShareExceeded(enabled, disabling int, maxShare float64) bool {
	if enabled <= 0 || disabling <= 0 {
		return false
	}
	return float64(disabling) > maxShare*float64(enabled)
}

// CatalogueHold is the reason a catalogue sync disabled nothing. The empty value
// means it was free to disable.
type CatalogueHold string

// Reasons to hold back the disabling of a catalogue sync.
const (
	// HoldNone means the disabling was applied.
	HoldNone CatalogueHold = ""
	// HoldListingFailed means a listing page could not be read.
	HoldListingFailed CatalogueHold = "listing_failed"
	// HoldListingIncomplete means the pages held fewer or more devices than
	// the total the vendor announced, or a page was missing.
	HoldListingIncomplete CatalogueHold = "listing_incomplete"
	// HoldListingEmpty means the vendor listed no device at all while some
	// are enabled here.
	HoldListingEmpty CatalogueHold = "listing_empty"
	// HoldRetrieveFailed means at least one listed device could not be
	// retrieved for a reason other than "not found".
	HoldRetrieveFailed CatalogueHold = "retrieve_failed"
	// HoldShareExceeded means the run would disable more than the allowed
	// share of the enabled devices.
	HoldShareExceeded CatalogueHold = "disable_share_exceeded"
)

// CatalogueSyncFacts are the facts a catalogue sync gathered before deciding
// whether it may disable devices.
type CatalogueSyncFacts struct {
	// ListingFailed is true when a page of the listing could not be read.
	ListingFailed bool
	// Listed is the number of distinct devices the pages contained.
	Listed int
	// AnnouncedTotal is the total the vendor gave with the listing.
	AnnouncedTotal int
	// RetrieveFailures counts listed devices whose retrieval failed with an
	// error other than not found.
	RetrieveFailures int
	// Enabled is the number of enabled devices before the sync.
	Enabled int
	// Disabling is the number of enabled devices the sync would disable.
	Disabling int
}

// DecideCatalogueHold applies the guard of the catalogue sync. A failed or
// incomplete listing, and a failed retrieval, always hold, even with force
// and even when nothing would be disabled, because the feed cannot be
// trusted and the missing devices may still be on sale. An empty listing and
// a share of disabled devices above maxShare hold unless force is set, and
// only when something would be disabled.
func DecideCatalogueHold(f CatalogueSyncFacts, maxShare float64, force bool) CatalogueHold {
	switch {
	case f.ListingFailed:
		return HoldListingFailed
	case f.Listed != f.AnnouncedTotal:
		return HoldListingIncomplete
	case f.RetrieveFailures > 0:
		return HoldRetrieveFailed
	case force || f.Disabling == 0:
		return HoldNone
	case f.Listed == 0:
		return HoldListingEmpty
	case DisableShareExceeded(f.Enabled, f.Disabling, maxShare):
		return HoldShareExceeded
	}
	return HoldNone
}
