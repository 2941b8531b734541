package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

func init() { register("Devices", testDevices) }

// catalogueDevice builds a device with two offers of two plans each.
func catalogueDevice(alias string) domain.Device {
	offer := func(suffix, color string, storage int, price domain.Cents) domain.DeviceSetting {
		return domain.DeviceSetting{
			Alias: alias + "-" + suffix, Color: color, StorageGB: storage, Price: price, Stock: 5, Enabled: true,
			Payments: []domain.DevicePayment{
				{Plan: "12m", Months: 12, Upfront: 1000, Monthly: price / 12},
				{Plan: "24m", Months: 24, Upfront: 0, Monthly: price / 24},
			},
		}
	}
	return domain.Device{
		Alias: alias, Name: "Phone " + alias, Brand: "Acme", Enabled: true,
		Detail: domain.DeviceDetail{Description: "Descripción de " + alias, Specs: map[string]string{"screen": "6.1", "ram": "8GB"}},
		Offers: []domain.DeviceSetting{offer("black-128", "black", 128, 59900), offer("blue-256", "blue", 256, 69900)},
	}
}

func testDevices(t *testing.T, open Opener) {
	ctx := context.Background()
	setup := func(t *testing.T) ports.DeviceStore {
		t.Helper()
		return As[ports.DeviceStore](t, open(t))
	}

	t.Run("UpsertCreatesThenChangesNothing", func(t *testing.T) {
		t.Parallel()
		s := setup(t)

		changes, err := s.UpsertDevices(ctx, []domain.Device{catalogueDevice("a1"), catalogueDevice("b2")})
		require.NoError(t, err)
		require.Equal(t, ports.DeviceChanges{DevicesCreated: 2, OffersCreated: 4}, changes)

		got, err := s.Device(ctx, "a1")
		require.NoError(t, err)
		require.NotZero(t, got.ID)
		want := catalogueDevice("a1")
		require.True(t, want.SameData(got), "stored %+v", got)
		require.Len(t, got.Offers, 2)
		for i, o := range got.Offers {
			require.NotZero(t, o.ID)
			require.True(t, want.Offers[i].SameData(o), "offer %d: %+v", i, o)
			require.Equal(t, want.Offers[i].Payments, o.Payments)
		}

		again, err := s.UpsertDevices(ctx, []domain.Device{catalogueDevice("a1"), catalogueDevice("b2")})
		require.NoError(t, err)
		require.Zero(t, again.Total(), "second run: %+v", again)

		list, err := s.ListDevices(ctx)
		require.NoError(t, err)
		require.Len(t, list, 2)
		require.Equal(t, "a1", list[0].Alias)
		require.Equal(t, got, list[0])
	})

	t.Run("UpsertUpdatesChangedFields", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		_, err := s.UpsertDevices(ctx, []domain.Device{catalogueDevice("a1")})
		require.NoError(t, err)

		d := catalogueDevice("a1")
		d.Name = "Phone A1 Pro"
		d.Detail.Specs = map[string]string{"screen": "6.7"}
		d.Offers[1].Price = 64900
		d.Offers[1].Payments = d.Offers[1].Payments[:1]
		changes, err := s.UpsertDevices(ctx, []domain.Device{d})
		require.NoError(t, err)
		require.Equal(t, ports.DeviceChanges{DevicesUpdated: 1, OffersUpdated: 1, PaymentsReplaced: 1}, changes)

		got, err := s.Device(ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, "Phone A1 Pro", got.Name)
		require.Equal(t, map[string]string{"screen": "6.7"}, got.Detail.Specs)
		require.Equal(t, domain.Cents(64900), got.Offers[1].Price)
		require.Equal(t, d.Offers[1].Payments, got.Offers[1].Payments)
		require.Len(t, got.Offers[0].Payments, 2, "the other offer keeps its plans")
	})

	t.Run("PaymentPlansReplaced", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		_, err := s.UpsertDevices(ctx, []domain.Device{catalogueDevice("a1")})
		require.NoError(t, err)

		d := catalogueDevice("a1")
		d.Offers[0].Payments = []domain.DevicePayment{{Plan: "36m", Months: 36, Upfront: 500, Monthly: 1700}}
		changes, err := s.UpsertDevices(ctx, []domain.Device{d})
		require.NoError(t, err)
		require.Equal(t, ports.DeviceChanges{PaymentsReplaced: 1}, changes)

		got, err := s.Device(ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, d.Offers[0].Payments, got.Offers[0].Payments)
	})

	t.Run("DroppedOfferDisabledThenRestored", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		_, err := s.UpsertDevices(ctx, []domain.Device{catalogueDevice("a1")})
		require.NoError(t, err)

		d := catalogueDevice("a1")
		d.Offers = d.Offers[:1]
		changes, err := s.UpsertDevices(ctx, []domain.Device{d})
		require.NoError(t, err)
		require.Equal(t, ports.DeviceChanges{OffersDisabled: 1}, changes)
		got, err := s.Device(ctx, "a1")
		require.NoError(t, err)
		require.True(t, got.Enabled)
		require.True(t, got.Offers[0].Enabled)
		require.False(t, got.Offers[1].Enabled)

		again, err := s.UpsertDevices(ctx, []domain.Device{d})
		require.NoError(t, err)
		require.Zero(t, again.Total(), "an offer already disabled is not counted again")

		restored, err := s.UpsertDevices(ctx, []domain.Device{catalogueDevice("a1")})
		require.NoError(t, err)
		require.Equal(t, ports.DeviceChanges{OffersUpdated: 1}, restored)
		got, err = s.Device(ctx, "a1")
		require.NoError(t, err)
		require.True(t, got.Offers[1].Enabled)
	})

	t.Run("DisableDevicesWithOffers", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		_, err := s.UpsertDevices(ctx, []domain.Device{catalogueDevice("a1"), catalogueDevice("b2"), catalogueDevice("c3")})
		require.NoError(t, err)

		changes, err := s.DisableDevices(ctx, []string{"a1", "c3", "missing"})
		require.NoError(t, err)
		require.Equal(t, ports.DeviceChanges{DevicesDisabled: 2, OffersDisabled: 4}, changes)

		enabled, err := s.EnabledDeviceAliases(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"b2"}, enabled)
		got, err := s.Device(ctx, "a1")
		require.NoError(t, err)
		require.False(t, got.Enabled)
		for _, o := range got.Offers {
			require.False(t, o.Enabled, "offer %s", o.Alias)
		}

		again, err := s.DisableDevices(ctx, []string{"a1"})
		require.NoError(t, err)
		require.Zero(t, again.Total())

		back, err := s.UpsertDevices(ctx, []domain.Device{catalogueDevice("a1")})
		require.NoError(t, err)
		require.Equal(t, ports.DeviceChanges{DevicesUpdated: 1, OffersUpdated: 2}, back, "a listed device is enabled again")
	})

	t.Run("DeviceNotFound", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		_, err := s.Device(ctx, "missing")
		require.ErrorIs(t, err, domain.ErrNotFound)
		_, err = s.Device(ctx, "")
		require.ErrorIs(t, err, domain.ErrInvalid)

		list, err := s.ListDevices(ctx)
		require.NoError(t, err)
		require.Empty(t, list)
	})

	t.Run("InvalidDeviceWritesNothing", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		bad := catalogueDevice("b2")
		bad.Offers[1].Alias = bad.Offers[0].Alias
		_, err := s.UpsertDevices(ctx, []domain.Device{catalogueDevice("a1"), bad})
		require.ErrorIs(t, err, domain.ErrInvalid)

		list, err := s.ListDevices(ctx)
		require.NoError(t, err)
		require.Empty(t, list)
	})

	t.Run("CallerRollbackUndoesUpsert", func(t *testing.T) {
		t.Parallel()
		store := open(t)
		s := As[ports.DeviceStore](t, store)
		boom := errors.New("boom")

		err := store.InTx(ctx, func(ctx context.Context) error {
			if _, err := s.UpsertDevices(ctx, []domain.Device{catalogueDevice("a1")}); err != nil {
				return err
			}
			if _, err := s.DisableDevices(ctx, []string{"a1"}); err != nil {
				return err
			}
			return boom
		})
		require.ErrorIs(t, err, boom)

		_, err = s.Device(ctx, "a1")
		require.ErrorIs(t, err, domain.ErrNotFound)
	})

	t.Run("SetOfferStocks", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		_, err := s.UpsertDevices(ctx, []domain.Device{catalogueDevice("a1")})
		require.NoError(t, err)

		changes, err := s.SetOfferStocks(ctx, "a1", map[string]int{"a1-black-128": 0, "a1-blue-256": 5, "a1-gold-512": 3, "a1-pink-64": 1})
		require.NoError(t, err)
		require.Equal(t, ports.StockChanges{Updated: 1, Unchanged: 1, Unknown: []string{"a1-gold-512", "a1-pink-64"}}, changes)

		got, err := s.Device(ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, 0, got.Offers[0].Stock)
		require.Equal(t, 5, got.Offers[1].Stock)

		_, err = s.SetOfferStocks(ctx, "missing", map[string]int{"x": 1})
		require.ErrorIs(t, err, domain.ErrNotFound)

		_, err = s.SetOfferStocks(ctx, "a1", map[string]int{"a1-blue-256": 9, "a1-black-128": -1})
		require.ErrorIs(t, err, domain.ErrInvalid)
		got, err = s.Device(ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, 5, got.Offers[1].Stock, "a rejected update changes nothing")
	})

	t.Run("ConcurrentUpsertsCreateOnce", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		feed := []domain.Device{catalogueDevice("a1"), catalogueDevice("b2"), catalogueDevice("c3")}

		const workers = 6
		var wg sync.WaitGroup
		results := make([]ports.DeviceChanges, workers)
		errs := make([]error, workers)
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = s.UpsertDevices(ctx, feed)
			}()
		}
		wg.Wait()

		var total ports.DeviceChanges
		for i := range workers {
			require.NoError(t, errs[i], "worker %d", i)
			total = total.Add(results[i])
		}
		require.Equal(t, ports.DeviceChanges{DevicesCreated: 3, OffersCreated: 6}, total, "each row created by one writer only")

		list, err := s.ListDevices(ctx)
		require.NoError(t, err)
		require.Len(t, list, 3)
		for _, d := range list {
			require.Len(t, d.Offers, 2, "device %s", d.Alias)
			for _, o := range d.Offers {
				require.Len(t, o.Payments, 2, fmt.Sprintf("offer %s", o.Alias))
			}
		}
	})
}
