package domain_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
)

func validDevice() domain.Device {
	return domain.Device{
		Alias: "galaxy-s24", Name: "Galaxy S24", Brand: "Samsung", Enabled: true,
		Detail: domain.DeviceDetail{Description: "Pantalla 6,2", Specs: map[string]string{"screen": "6.2"}},
		Offers: []domain.DeviceSetting{{
			Alias: "galaxy-s24-black-128", Color: "black", StorageGB: 128, Price: 79900, Stock: 3, Enabled: true,
			Payments: []domain.DevicePayment{{Plan: "24m", Months: 24, Upfront: 0, Monthly: 3329}},
		}},
	}
}

func TestDeviceValidate(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name   string
		change func(d *domain.Device)
		field  string
	}{
		{"Valid", func(d *domain.Device) {}, ""},
		{"EmptyAlias", func(d *domain.Device) { d.Alias = " " }, "device alias"},
		{"EmptyOfferAlias", func(d *domain.Device) { d.Offers[0].Alias = "" }, "offer alias"},
		{"DuplicateOffer", func(d *domain.Device) { d.Offers = append(d.Offers, d.Offers[0]) }, "offer alias"},
		{"NegativePrice", func(d *domain.Device) { d.Offers[0].Price = -1 }, "offer price"},
		{"NegativeStock", func(d *domain.Device) { d.Offers[0].Stock = -2 }, "offer stock"},
		{"NegativeStorage", func(d *domain.Device) { d.Offers[0].StorageGB = -1 }, "offer storage"},
		{"EmptyPlan", func(d *domain.Device) { d.Offers[0].Payments[0].Plan = "" }, "payment plan"},
		{"DuplicatePlan", func(d *domain.Device) {
			d.Offers[0].Payments = append(d.Offers[0].Payments, d.Offers[0].Payments[0])
		}, "payment plan"},
		{"ZeroMonths", func(d *domain.Device) { d.Offers[0].Payments[0].Months = 0 }, "payment months"},
		{"NegativeMonthly", func(d *domain.Device) { d.Offers[0].Payments[0].Monthly = -5 }, "payment amount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := validDevice()
			tt.change(&d)
			err := d.Validate()
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, domain.ErrInvalid)
			var ve *domain.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tt.field, ve.Field)
		})
	}
}

func TestDeviceSameData(t *testing.T) {
	t.Parallel()

	a := validDevice()
	b := validDevice()
	b.ID = 99
	require.True(t, a.SameData(b), "ids are not data")

	b.Detail.Specs = map[string]string{"screen": "6.1"}
	require.False(t, a.SameData(b))

	a.Detail.Specs, b.Detail.Specs = nil, map[string]string{}
	require.True(t, a.SameData(b), "nil and empty specs are equal")

	b.Enabled = false
	require.False(t, a.SameData(b))
}

func TestSamePayments(t *testing.T) {
	t.Parallel()

	x := []domain.DevicePayment{{Plan: "12m", Months: 12, Monthly: 100}, {Plan: "24m", Months: 24, Monthly: 50}}
	y := []domain.DevicePayment{x[1], x[0]}
	require.True(t, domain.SamePayments(x, y), "order does not matter")
	require.False(t, domain.SamePayments(x, x[:1]))

	z := []domain.DevicePayment{x[0], {Plan: "24m", Months: 24, Monthly: 51}}
	require.False(t, domain.SamePayments(x, z))
	require.Equal(t, "12m", domain.SortedPayments(y)[0].Plan)
}

func TestDisableShareExceeded(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name      string
		enabled   int
		disabling int
		maxShare  float64
		want      bool
	}{
		{"NothingEnabled", 0, 0, 0.2, false},
		{"NothingDisabled", 10, 0, 0.2, false},
		{"BelowShare", 10, 1, 0.2, false},
		{"ExactlyAtShare", 10, 2, 0.2, false},
		{"AboveShare", 10, 3, 0.2, true},
		{"AllOfFew", 3, 3, 0.2, true},
		{"OneOfFiveAtShare", 5, 1, 0.2, false},
		{"ZeroShareBlocksAny", 100, 1, 0, true},
		{"FullShareAllowsAll", 100, 100, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, domain.DisableShareExceeded(tt.enabled, tt.disabling, tt.maxShare))
		})
	}
}

func TestDecideCatalogueHold(t *testing.T) {
	t.Parallel()

	complete := domain.CatalogueSyncFacts{Listed: 10, AnnouncedTotal: 10, Enabled: 10, Disabling: 1}
	with := func(change func(f *domain.CatalogueSyncFacts)) domain.CatalogueSyncFacts {
		f := complete
		change(&f)
		return f
	}

	tests := []struct {
		name  string
		facts domain.CatalogueSyncFacts
		force bool
		want  domain.CatalogueHold
	}{
		{"Complete", complete, false, domain.HoldNone},
		{"ListingFailed", with(func(f *domain.CatalogueSyncFacts) { f.ListingFailed = true }), false, domain.HoldListingFailed},
		{"ListingFailedForced", with(func(f *domain.CatalogueSyncFacts) { f.ListingFailed = true }), true, domain.HoldListingFailed},
		{"ListingFailedNothingToDisable", with(func(f *domain.CatalogueSyncFacts) { f.ListingFailed, f.Disabling = true, 0 }), false, domain.HoldListingFailed},
		{"FewerThanTotal", with(func(f *domain.CatalogueSyncFacts) { f.Listed = 9 }), false, domain.HoldListingIncomplete},
		{"MoreThanTotal", with(func(f *domain.CatalogueSyncFacts) { f.Listed = 11 }), true, domain.HoldListingIncomplete},
		{"RetrieveFailed", with(func(f *domain.CatalogueSyncFacts) { f.RetrieveFailures = 1 }), true, domain.HoldRetrieveFailed},
		{"EmptyListing", with(func(f *domain.CatalogueSyncFacts) { f.Listed, f.AnnouncedTotal, f.Disabling = 0, 0, 10 }), false, domain.HoldListingEmpty},
		{"EmptyListingForced", with(func(f *domain.CatalogueSyncFacts) { f.Listed, f.AnnouncedTotal, f.Disabling = 0, 0, 10 }), true, domain.HoldNone},
		{"EmptyListingEmptyStore", domain.CatalogueSyncFacts{}, false, domain.HoldNone},
		{"ShareExceeded", with(func(f *domain.CatalogueSyncFacts) { f.Disabling = 3 }), false, domain.HoldShareExceeded},
		{"ShareExceededForced", with(func(f *domain.CatalogueSyncFacts) { f.Disabling = 3 }), true, domain.HoldNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, domain.DecideCatalogueHold(tt.facts, domain.DefaultMaxDisableShare, tt.force))
		})
	}
}
