package usecases_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// countingProgress records what a job reports.
type countingProgress struct {
	total atomic.Int64
	done  atomic.Int64
}

func (p *countingProgress) Total(n int64) { p.total.Store(n) }
func (p *countingProgress) Add(n int64)   { p.done.Add(n) }

func TestVendorJobsReportProgress(t *testing.T) {
	t.Parallel()
	forEachVendorStore(t, func(t *testing.T, f *vendorFixture) {
		catalogue := &countingProgress{}
		_, err := f.sync.Handle(ports.WithProgress(context.Background(), catalogue), usecases.UpdateDeviceDataInput{})
		require.NoError(t, err)
		require.EqualValues(t, 6, catalogue.total.Load(), "the listing's total")
		require.EqualValues(t, 6, catalogue.done.Load(), "one step per retrieved device")

		stock := &countingProgress{}
		_, err = f.stock.Handle(ports.WithProgress(context.Background(), stock), usecases.UpdateDevicesStockInput{})
		require.NoError(t, err)
		require.EqualValues(t, 6, stock.total.Load())
		require.EqualValues(t, 6, stock.done.Load())
	})
}
