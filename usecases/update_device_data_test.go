package usecases_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/fake"
	"github.com/telcojobs/telcojobs/adapters/orion"
	"github.com/telcojobs/telcojobs/adapters/postgres/pgtest"
	"github.com/telcojobs/telcojobs/adapters/sqlite/sqlitetest"
	"github.com/telcojobs/telcojobs/adapters/telco"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/examples/fakevendor"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// vendorStore is what the vendor jobs need from storage.
type vendorStore interface {
	ports.TxRunner
	ports.DeviceStore
	ports.AlarmStore
	ports.LeadStore
}

// vendorStores opens an empty store per database; the vendor jobs' tests
// run once on each.
var vendorStores = map[string]func(t testing.TB) vendorStore{
	"SQLite":     func(t testing.TB) vendorStore { return sqlitetest.Open(t) },
	"PostgreSQL": func(t testing.TB) vendorStore { return pgtest.Open(t) },
}

// vendorFixture runs the vendor jobs against the fake vendor server through
// the real Orion and Telco clients, on one store.
type vendorFixture struct {
	store  vendorStore
	server *fakevendor.Server
	clock  *fake.Clock
	logs   *lockedBuffer
	sync   *usecases.UpdateDeviceData
	stock  *usecases.UpdateDevicesStock
	check  *usecases.CheckCoverageFromLeads
}

var vendorNow = time.Date(2025, 10, 26, 1, 30, 0, 0, time.UTC)

// vendorSetup serves testdata/ (six devices, two per page) and builds the
// jobs with fast retries.
func vendorSetup(t testing.TB, store vendorStore) *vendorFixture {
	t.Helper()
	opts, err := fakevendor.LoadTestdata("../testdata")
	require.NoError(t, err)
	opts.PageSize, opts.Token = 2, "test-token"
	server, err := fakevendor.NewServer(opts)
	require.NoError(t, err)
	t.Cleanup(server.Close)

	f := &vendorFixture{store: store, server: server, clock: fake.NewClock(vendorNow), logs: &lockedBuffer{}}
	logger := slog.New(slog.NewTextHandler(f.logs, nil))

	catalogue, err := orion.NewClient(orion.Config{BaseURL: server.URL, Token: "test-token", Timeout: 2 * time.Second,
		RetryWait: time.Millisecond, MaxRetryWait: 2 * time.Millisecond, MaxRetryAfter: 5 * time.Millisecond}, logger)
	require.NoError(t, err)
	coverage, err := telco.NewClient(telco.Config{BaseURL: server.URL, Token: "test-token", Timeout: 2 * time.Second,
		RetryWait: time.Millisecond, MaxRetryWait: 2 * time.Millisecond, MaxRetryAfter: 5 * time.Millisecond}, logger)
	require.NoError(t, err)

	f.sync, err = usecases.NewUpdateDeviceData(usecases.UpdateDeviceDataConfig{}, catalogue, store, store, store, f.clock, logger)
	require.NoError(t, err)
	f.stock, err = usecases.NewUpdateDevicesStock(usecases.UpdateDevicesStockConfig{}, catalogue, store, logger)
	require.NoError(t, err)
	f.check, err = usecases.NewCheckCoverageFromLeads(usecases.CheckCoverageFromLeadsConfig{RatePerSecond: 1000}, coverage, store, f.clock, logger)
	require.NoError(t, err)
	return f
}

// forEachVendorStore runs test as a parallel subtest per database.
func forEachVendorStore(t *testing.T, test func(t *testing.T, f *vendorFixture)) {
	for name, open := range vendorStores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, vendorSetup(t, open(t)))
		})
	}
}

// syncCatalogue runs update_device_data and fails the test on error.
func syncCatalogue(t *testing.T, f *vendorFixture, in usecases.UpdateDeviceDataInput) usecases.UpdateDeviceDataResult {
	t.Helper()
	res, err := f.sync.Handle(context.Background(), in)
	require.NoError(t, err)
	return res
}

func catalogueSnapshot(t *testing.T, f *vendorFixture) []domain.Device {
	t.Helper()
	list, err := f.store.ListDevices(context.Background())
	require.NoError(t, err)
	return list
}

func TestUpdateDeviceDataTwice(t *testing.T) {
	t.Parallel()
	forEachVendorStore(t, func(t *testing.T, f *vendorFixture) {
		first := syncCatalogue(t, f, usecases.UpdateDeviceDataInput{})
		require.Equal(t, 3, first.Pages)
		require.Equal(t, 6, first.Listed)
		require.Equal(t, 6, first.Retrieved)
		require.Empty(t, first.Held)
		require.Equal(t, ports.DeviceChanges{DevicesCreated: 6, OffersCreated: 11}, first.DeviceChanges)

		d, err := f.store.Device(context.Background(), "iphone-15")
		require.NoError(t, err)
		require.Len(t, d.Offers, 3)
		black, ok := d.Offer("iphone-15-negro-128")
		require.True(t, ok)
		require.Equal(t, domain.Cents(95900), black.Price)
		require.Len(t, black.Payments, 2)

		second := syncCatalogue(t, f, usecases.UpdateDeviceDataInput{})
		require.Zero(t, second.DeviceChanges.Total(), "second run on the same feed: %+v", second.DeviceChanges)
		require.Empty(t, second.ToDisable)
		require.False(t, second.AlarmRaised)
	})
}

func TestUpdateDeviceDataFaultsChangeNothing(t *testing.T) {
	t.Parallel()

	list := func(key string, kind fakevendor.FaultKind) fakevendor.Fault {
		return fakevendor.Fault{Endpoint: fakevendor.EndpointList, Key: key, Kind: kind, RetryAfter: "0"}
	}
	device := func(key string, kind fakevendor.FaultKind) fakevendor.Fault {
		return fakevendor.Fault{Endpoint: fakevendor.EndpointDevice, Key: key, Kind: kind, RetryAfter: "0"}
	}
	tests := []struct {
		name   string
		faults []fakevendor.Fault
		held   domain.CatalogueHold
	}{
		{"PageServerError", []fakevendor.Fault{list("2", fakevendor.FaultServerError)}, domain.HoldListingFailed},
		{"PageTooManyRequests", []fakevendor.Fault{list("2", fakevendor.FaultTooManyRequests)}, domain.HoldListingFailed},
		{"PageTruncated", []fakevendor.Fault{list("3", fakevendor.FaultTruncated)}, domain.HoldListingFailed},
		{"PageHTML", []fakevendor.Fault{list("2", fakevendor.FaultHTML)}, domain.HoldListingFailed},
		{"PageMissing", []fakevendor.Fault{list("2", fakevendor.FaultNotFound)}, domain.HoldListingFailed},
		{"FirstPageHTML", []fakevendor.Fault{list("1", fakevendor.FaultHTML)}, domain.HoldListingFailed},
		{"ShortPage", []fakevendor.Fault{list("2", fakevendor.FaultShortPage)}, domain.HoldListingIncomplete},
		{"EmptyListing", []fakevendor.Fault{list("", fakevendor.FaultEmptyListing)}, domain.HoldListingEmpty},
		{"DeviceServerError", []fakevendor.Fault{device("pixel-8", fakevendor.FaultServerError)}, domain.HoldRetrieveFailed},
		{"DeviceTruncated", []fakevendor.Fault{device("pixel-8", fakevendor.FaultTruncated)}, domain.HoldRetrieveFailed},
		{"DeviceHTML", []fakevendor.Fault{device("pixel-8", fakevendor.FaultHTML)}, domain.HoldRetrieveFailed},
		{"TwoDevicesGone", []fakevendor.Fault{device("pixel-8", fakevendor.FaultNotFound), device("moto-g84", fakevendor.FaultNotFound)},
			domain.HoldShareExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forEachVendorStore(t, func(t *testing.T, f *vendorFixture) {
				syncCatalogue(t, f, usecases.UpdateDeviceDataInput{})
				before := catalogueSnapshot(t, f)

				f.server.SetFaults(tt.faults...)
				res, err := f.sync.Handle(context.Background(), usecases.UpdateDeviceDataInput{})
				require.NoError(t, err)
				require.Equal(t, tt.held, res.Held)
				require.True(t, res.AlarmRaised)
				require.Zero(t, res.DeviceChanges.Total(), "%+v", res.DeviceChanges)
				require.Equal(t, before, catalogueSnapshot(t, f), "the fault changed the catalogue")

				alarm, err := f.store.OpenAlarm(context.Background(), usecases.UpdateDeviceDataAlarm)
				require.NoError(t, err)
				require.Contains(t, alarm.Message, "no se ha deshabilitado ningún dispositivo")

				jobErr := f.sync.HandleJob(context.Background(), usecases.UpdateDeviceDataInput{})
				if tt.held == domain.HoldListingEmpty || tt.held == domain.HoldShareExceeded {
					require.NoError(t, jobErr, "retrying would not help")
				} else {
					require.Error(t, jobErr, "the engine retries an unreliable feed")
				}
			})
		})
	}
}

func TestUpdateDeviceDataEmptyFeedOnEmptyStore(t *testing.T) {
	t.Parallel()
	forEachVendorStore(t, func(t *testing.T, f *vendorFixture) {
		f.server.SetDevices(nil)
		res := syncCatalogue(t, f, usecases.UpdateDeviceDataInput{})
		require.Empty(t, res.Held, "nothing enabled, nothing to hold")
		require.Zero(t, res.DeviceChanges.Total())
		require.Empty(t, catalogueSnapshot(t, f))
	})
}

func TestUpdateDeviceDataDisablesGone(t *testing.T) {
	t.Parallel()
	forEachVendorStore(t, func(t *testing.T, f *vendorFixture) {
		ctx := context.Background()
		syncCatalogue(t, f, usecases.UpdateDeviceDataInput{})

		// One of six (17 %) is within the 20 % share.
		f.server.SetFaults(fakevendor.Fault{Endpoint: fakevendor.EndpointDevice, Key: "pixel-8", Kind: fakevendor.FaultNotFound})
		res := syncCatalogue(t, f, usecases.UpdateDeviceDataInput{})
		require.Empty(t, res.Held)
		require.Equal(t, []string{"pixel-8"}, res.Gone)
		require.Equal(t, []string{"pixel-8"}, res.ToDisable)
		require.Equal(t, ports.DeviceChanges{DevicesDisabled: 1, OffersDisabled: 1}, res.DeviceChanges)

		d, err := f.store.Device(ctx, "pixel-8")
		require.NoError(t, err)
		require.False(t, d.Enabled)
		require.False(t, d.Offers[0].Enabled)

		f.server.SetFaults()
		back := syncCatalogue(t, f, usecases.UpdateDeviceDataInput{})
		require.Equal(t, ports.DeviceChanges{DevicesUpdated: 1, OffersUpdated: 1}, back.DeviceChanges, "listed again, enabled again")
	})
}

func TestUpdateDeviceDataShareAndForce(t *testing.T) {
	t.Parallel()
	forEachVendorStore(t, func(t *testing.T, f *vendorFixture) {
		ctx := context.Background()
		syncCatalogue(t, f, usecases.UpdateDeviceDataInput{})
		all := f.server.Devices()
		f.server.SetDevices(all[:3])

		held := syncCatalogue(t, f, usecases.UpdateDeviceDataInput{})
		require.Equal(t, domain.HoldShareExceeded, held.Held)
		require.Len(t, held.ToDisable, 3)
		alarm, err := f.store.OpenAlarm(ctx, usecases.UpdateDeviceDataAlarm)
		require.NoError(t, err)
		require.Contains(t, alarm.Message, "se deshabilitarían 3 de los 6 dispositivos habilitados (50 %)")
		require.Contains(t, alarm.Details, "force")
		enabled, err := f.store.EnabledDeviceAliases(ctx)
		require.NoError(t, err)
		require.Len(t, enabled, 6)

		forced := syncCatalogue(t, f, usecases.UpdateDeviceDataInput{Force: true})
		require.Empty(t, forced.Held)
		require.Equal(t, 3, forced.DevicesDisabled)
		enabled, err = f.store.EnabledDeviceAliases(ctx)
		require.NoError(t, err)
		require.Len(t, enabled, 3)
		_, err = f.store.OpenAlarm(ctx, usecases.UpdateDeviceDataAlarm)
		require.ErrorIs(t, err, domain.ErrNotFound, "a run that disables freely resolves the alarm")
	})
}

func TestUpdateDeviceDataReplacesPlans(t *testing.T) {
	t.Parallel()
	forEachVendorStore(t, func(t *testing.T, f *vendorFixture) {
		ctx := context.Background()
		syncCatalogue(t, f, usecases.UpdateDeviceDataInput{})

		devices := f.server.Devices()
		for i := range devices {
			if devices[i].Alias == "iphone-15" {
				d := devices[i]
				d.Offers = append([]fakevendor.Offer(nil), d.Offers[:2]...)
				d.Offers[0].Payments = []fakevendor.Payment{{Plan: "12m", Months: 12, UpfrontCents: 0, MonthlyCents: 7992}}
				d.Offers[1].PriceCents = 89900
				devices[i] = d
			}
		}
		f.server.SetDevices(devices)

		res := syncCatalogue(t, f, usecases.UpdateDeviceDataInput{})
		require.Equal(t, ports.DeviceChanges{OffersUpdated: 1, OffersDisabled: 1, PaymentsReplaced: 1}, res.DeviceChanges)

		d, err := f.store.Device(ctx, "iphone-15")
		require.NoError(t, err)
		black, _ := d.Offer("iphone-15-negro-128")
		require.Equal(t, []domain.DevicePayment{{Plan: "12m", Months: 12, Monthly: 7992}}, black.Payments)
		pink, _ := d.Offer("iphone-15-rosa-128")
		require.Equal(t, domain.Cents(89900), pink.Price)
		blue, _ := d.Offer("iphone-15-azul-256")
		require.False(t, blue.Enabled, "the offer no longer in the detail is disabled")

		again := syncCatalogue(t, f, usecases.UpdateDeviceDataInput{})
		require.Zero(t, again.DeviceChanges.Total())
	})
}

func TestUpdateDeviceDataBoundedConcurrency(t *testing.T) {
	t.Parallel()
	store := sqlitetest.Open(t)
	devices := make([]domain.Device, 40)
	for i := range devices {
		devices[i] = domain.Device{Alias: "d" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Name: "x"}
	}
	catalogue := fake.NewCatalogue(devices...)
	catalogue.PageSize = 7

	var mu sync.Mutex
	inFlight, peak := 0, 0
	catalogue.RetrieveErr = func(string) error {
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		inFlight--
		mu.Unlock()
		return nil
	}
	job, err := usecases.NewUpdateDeviceData(usecases.UpdateDeviceDataConfig{Concurrency: 3}, catalogue, store, store, store,
		fake.NewClock(vendorNow), nil)
	require.NoError(t, err)

	res, err := job.Handle(context.Background(), usecases.UpdateDeviceDataInput{})
	require.NoError(t, err)
	require.Equal(t, 40, res.Retrieved)
	require.Equal(t, 40, res.DevicesCreated)
	require.LessOrEqual(t, peak, 3)
	require.Equal(t, 3, peak, "the pool was used")
	list, retrieve := catalogue.Calls()
	require.Equal(t, 6, list)
	require.Equal(t, 40, retrieve)
}

func TestUpdateDeviceDataConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cfg   usecases.UpdateDeviceDataConfig
		field string
	}{
		{"NegativeConcurrency", usecases.UpdateDeviceDataConfig{Concurrency: -1}, "Concurrency"},
		{"ShareAboveOne", usecases.UpdateDeviceDataConfig{MaxDisableShare: 1.5}, "MaxDisableShare"},
		{"NegativePages", usecases.UpdateDeviceDataConfig{MaxPages: -1}, "MaxPages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.ErrorContains(t, tt.cfg.WithDefaults().Validate(), tt.field)
		})
	}
	cfg := usecases.UpdateDeviceDataConfig{}.WithDefaults()
	require.Equal(t, 8, cfg.Concurrency)
	require.InDelta(t, 0.2, cfg.MaxDisableShare, 1e-9)
}

// lockedBuffer is a bytes.Buffer safe for concurrent log writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
