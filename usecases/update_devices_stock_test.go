package usecases_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/examples/fakevendor"
	"github.com/telcojobs/telcojobs/usecases"
)

func TestUpdateDevicesStock(t *testing.T) {
	t.Parallel()
	forEachVendorStore(t, func(t *testing.T, f *vendorFixture) {
		ctx := context.Background()
		syncCatalogue(t, f, usecases.UpdateDeviceDataInput{})

		// New stock for two offers of one device, plus an offer the store
		// does not have yet; one device fails and one is gone.
		devices := f.server.Devices()
		for i := range devices {
			if devices[i].Alias == "galaxy-a55" {
				d := devices[i]
				d.Offers = append([]fakevendor.Offer(nil), d.Offers...)
				d.Offers[0].Stock, d.Offers[1].Stock = 0, 40
				d.Offers = append(d.Offers, fakevendor.Offer{Alias: "galaxy-a55-lila-256", PriceCents: 49900, Stock: 3})
				devices[i] = d
			}
		}
		f.server.SetDevices(devices)
		f.server.SetFaults(
			fakevendor.Fault{Endpoint: fakevendor.EndpointDevice, Key: "pixel-8", Kind: fakevendor.FaultServerError},
			fakevendor.Fault{Endpoint: fakevendor.EndpointDevice, Key: "moto-g84", Kind: fakevendor.FaultNotFound},
		)

		res, err := f.stock.Handle(ctx, usecases.UpdateDevicesStockInput{})
		require.NoError(t, err)
		require.Equal(t, 6, res.Devices)
		require.Equal(t, 4, res.Updated)
		require.Equal(t, 2, res.OffersUpdated)
		require.Equal(t, 7, res.OffersUnchanged)
		require.Equal(t, []usecases.UnknownOffer{{Device: "galaxy-a55", Offer: "galaxy-a55-lila-256"}}, res.UnknownOffers)
		require.Equal(t, []string{"moto-g84"}, res.Gone)
		require.Len(t, res.Failed, 1)
		require.Equal(t, "pixel-8", res.Failed[0].Alias)
		require.Contains(t, res.Failed[0].Error, "503")
		require.Contains(t, f.logs.String(), "alias=pixel-8", "the failure was logged with the device")

		d, err := f.store.Device(ctx, "galaxy-a55")
		require.NoError(t, err)
		blue, _ := d.Offer("galaxy-a55-azul-128")
		black, _ := d.Offer("galaxy-a55-negro-256")
		require.Equal(t, 0, blue.Stock)
		require.Equal(t, 40, black.Stock)
		require.Len(t, d.Offers, 2, "the stock job adds no offer")

		again, err := f.stock.Handle(ctx, usecases.UpdateDevicesStockInput{})
		require.NoError(t, err)
		require.Zero(t, again.OffersUpdated, "a second run changes nothing")
		require.NoError(t, f.stock.HandleJob(ctx, usecases.UpdateDevicesStockInput{}), "some devices were updated")
	})
}

func TestUpdateDevicesStockAllFailed(t *testing.T) {
	t.Parallel()
	forEachVendorStore(t, func(t *testing.T, f *vendorFixture) {
		ctx := context.Background()
		syncCatalogue(t, f, usecases.UpdateDeviceDataInput{})
		f.server.SetFaults(fakevendor.Fault{Endpoint: fakevendor.EndpointDevice, Kind: fakevendor.FaultHTML})

		res, err := f.stock.Handle(ctx, usecases.UpdateDevicesStockInput{})
		require.NoError(t, err)
		require.Len(t, res.Failed, 6)
		require.Zero(t, res.Updated)
		require.Error(t, f.stock.HandleJob(ctx, usecases.UpdateDevicesStockInput{}), "the engine retries when every device failed")
	})
}

func TestUpdateDevicesStockNoDevices(t *testing.T) {
	t.Parallel()
	forEachVendorStore(t, func(t *testing.T, f *vendorFixture) {
		res, err := f.stock.Handle(context.Background(), usecases.UpdateDevicesStockInput{})
		require.NoError(t, err)
		require.Zero(t, res.Devices)
		require.Zero(t, f.server.Requests(fakevendor.EndpointDevice))
	})
}
