package usecases_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/fake"
	"github.com/telcojobs/telcojobs/adapters/orion"
	"github.com/telcojobs/telcojobs/adapters/postgres/pgtest"
	"github.com/telcojobs/telcojobs/adapters/sqlite/sqlitetest"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/examples/fakevendor"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// BenchmarkUpdateDeviceData syncs 1,000 devices with 5 offers each from the
// fake vendor, which adds 20 ms to every call, into an empty store. It
// reports the wall time of the job against the ideal (calls × latency ÷
// concurrency) and against the old system's sequential algorithm (list
// every page, then retrieve and write one device at a time), both measured
// in the same iteration. Run it with:
//
//	go test -run '^$' -bench BenchmarkUpdateDeviceData -benchtime 1x ./usecases/
func BenchmarkUpdateDeviceData(b *testing.B) {
	const (
		devices     = 1000
		offers      = 5
		pageSize    = 50
		latency     = 20 * time.Millisecond
		concurrency = 8
	)
	stores := map[string]func(testing.TB) vendorStore{
		"SQLite":     func(t testing.TB) vendorStore { return sqlitetest.Open(t) },
		"PostgreSQL": func(t testing.TB) vendorStore { return pgtest.Open(t) },
	}
	for _, name := range []string{"SQLite", "PostgreSQL"} {
		b.Run(name, func(b *testing.B) {
			server, err := fakevendor.NewServer(fakevendor.Options{
				Devices: fakevendor.GenerateCatalogue(devices, offers), PageSize: pageSize, Latency: latency,
			})
			require.NoError(b, err)
			b.Cleanup(server.Close)
			catalogue, err := orion.NewClient(orion.Config{BaseURL: server.URL, MaxConns: 2 * concurrency}, nil)
			require.NoError(b, err)

			calls := devices/pageSize + devices
			ideal := time.Duration(calls) * latency / concurrency

			var wall, sequential time.Duration
			for b.Loop() {
				store := stores[name](b)
				job, err := usecases.NewUpdateDeviceData(usecases.UpdateDeviceDataConfig{Concurrency: concurrency},
					catalogue, store, store, store, fake.NewClock(vendorNow), nil)
				require.NoError(b, err)
				start := time.Now()
				res, err := job.Handle(context.Background(), usecases.UpdateDeviceDataInput{})
				wall += time.Since(start)
				require.NoError(b, err)
				require.Equal(b, devices, res.DevicesCreated)
				require.Equal(b, devices*offers, res.OffersCreated)

				start = time.Now()
				syncSequentially(b, catalogue, stores[name](b))
				sequential += time.Since(start)
			}

			n := float64(b.N)
			b.ReportMetric(wall.Seconds()/n, "wall_s")
			b.ReportMetric(ideal.Seconds(), "ideal_s")
			b.ReportMetric(wall.Seconds()/n/ideal.Seconds(), "x_ideal")
			b.ReportMetric(sequential.Seconds()/n, "sequential_s")
			b.ReportMetric(sequential.Seconds()/wall.Seconds(), "speedup")
		})
	}
}

// syncSequentially is the old system's algorithm: list every page, then
// retrieve and write each device in turn, one request at a time.
func syncSequentially(b *testing.B, catalogue ports.Catalogue, store vendorStore) {
	b.Helper()
	ctx := context.Background()
	var aliases []string
	for page, pages := 1, 1; page <= pages; page++ {
		p, err := catalogue.ListDevices(ctx, page)
		require.NoError(b, err)
		pages = p.Pages
		for _, e := range p.Devices {
			aliases = append(aliases, e.Alias)
		}
	}
	for _, alias := range aliases {
		d, err := catalogue.RetrieveDevice(ctx, alias)
		require.NoError(b, err)
		_, err = store.UpsertDevices(ctx, []domain.Device{d})
		require.NoError(b, err)
	}
}
