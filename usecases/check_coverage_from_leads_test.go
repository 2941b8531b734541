package usecases_test

import (
	"context"
	"encoding/json"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/fake"
	"github.com/telcojobs/telcojobs/adapters/sqlite/sqlitetest"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/examples/fakevendor"
	"github.com/telcojobs/telcojobs/usecases"
)

// seedLeads stores the leads of testdata/leads/leads.json and returns their
// ids keyed by address code.
func seedLeads(t *testing.T, f *vendorFixture) map[string]int64 {
	t.Helper()
	b, err := os.ReadFile("../testdata/leads/leads.json")
	require.NoError(t, err)
	var rows []struct {
		AddressCode string `json:"address_code"`
	}
	require.NoError(t, json.Unmarshal(b, &rows))

	ids := map[string]int64{}
	for _, r := range rows {
		l, err := f.store.CreateLead(context.Background(), domain.Lead{AddressCode: r.AddressCode, CreatedAt: vendorNow})
		require.NoError(t, err)
		ids[r.AddressCode] = l.ID
	}
	return ids
}

func TestCheckCoverageFromLeads(t *testing.T) {
	t.Parallel()
	forEachVendorStore(t, func(t *testing.T, f *vendorFixture) {
		ctx := context.Background()
		ids := seedLeads(t, f)
		f.server.SetFaults(fakevendor.Fault{Endpoint: fakevendor.EndpointCoverage, Key: "46003004", Kind: fakevendor.FaultServerError})

		var input []int64
		for _, id := range ids {
			input = append(input, id, id)
		}
		input = append(input, 999999)
		res, err := f.check.Handle(ctx, usecases.CheckCoverageFromLeadsInput{LeadIDs: input})
		require.NoError(t, err)
		require.Equal(t, usecases.CheckCoverageFromLeadsResult{
			Requested: 9, Missing: 1, Checked: 3, Covered: 2, UnknownAddress: 1,
			Failed: 1, FailedLeadIDs: []int64{ids["46003004"]}, Skipped: 2, NoAddress: 1,
		}, res)
		require.Contains(t, f.logs.String(), "coverage check failed")
		require.Contains(t, f.logs.String(), "lead_id=", "the failure is logged with the lead id")

		covered, err := f.store.Lead(ctx, ids["28001001"])
		require.NoError(t, err)
		require.True(t, *covered.HasCoverage)
		require.Equal(t, "FTTH", covered.Technology)
		require.Equal(t, 1000, covered.MaxSpeedMbps)
		require.True(t, covered.CheckedAt.Equal(vendorNow))

		notCovered, err := f.store.Lead(ctx, ids["08002003"])
		require.NoError(t, err)
		require.False(t, *notCovered.HasCoverage)

		for _, code := range []string{"46003004", "99999999", "LEG-4521", ""} {
			l, err := f.store.Lead(ctx, ids[code])
			require.NoError(t, err)
			require.Nil(t, l.HasCoverage, "lead with code %q is unchanged", code)
			require.Nil(t, l.CheckedAt)
		}
		require.Equal(t, 4+4, f.server.Requests(fakevendor.EndpointCoverage),
			"four numeric codes once, the failing one with three retries, legacy codes never")
	})
}

func TestCheckCoverageFromLeadsRateLimit(t *testing.T) {
	t.Parallel()
	store := sqlitetest.Open(t)
	ctx := context.Background()
	var ids []int64
	for range 6 {
		l, err := store.CreateLead(ctx, domain.Lead{AddressCode: "100", CreatedAt: vendorNow})
		require.NoError(t, err)
		ids = append(ids, l.ID)
	}
	coverage := fake.NewCoverage(map[string]domain.Coverage{"100": {Available: true}})

	var mu sync.Mutex
	inFlight, peak := 0, 0
	coverage.Err = func(string) error {
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		mu.Unlock()
		time.Sleep(10 * time.Millisecond)
		mu.Lock()
		inFlight--
		mu.Unlock()
		return nil
	}
	job, err := usecases.NewCheckCoverageFromLeads(usecases.CheckCoverageFromLeadsConfig{Concurrency: 2, RatePerSecond: 20, Burst: 1},
		coverage, store, fake.NewClock(vendorNow), nil)
	require.NoError(t, err)

	start := time.Now()
	res, err := job.Handle(ctx, usecases.CheckCoverageFromLeadsInput{LeadIDs: ids})
	require.NoError(t, err)
	require.Equal(t, 6, res.Checked)
	require.GreaterOrEqual(t, time.Since(start), 240*time.Millisecond, "six requests at 20 per second take at least 250ms")
	require.LessOrEqual(t, peak, 2)
}

func TestCheckCoverageFromLeadsDatabaseDown(t *testing.T) {
	t.Parallel()
	store := sqlitetest.Open(t)
	ctx := context.Background()
	l, err := store.CreateLead(ctx, domain.Lead{AddressCode: "100", CreatedAt: vendorNow})
	require.NoError(t, err)
	coverage := fake.NewCoverage(map[string]domain.Coverage{"100": {Available: true}})
	job, err := usecases.NewCheckCoverageFromLeads(usecases.CheckCoverageFromLeadsConfig{}, coverage, store, fake.NewClock(vendorNow), nil)
	require.NoError(t, err)

	require.NoError(t, store.Close())
	_, err = job.Handle(ctx, usecases.CheckCoverageFromLeadsInput{LeadIDs: []int64{l.ID}})
	require.Error(t, err, "an unavailable database fails the run")
}

func TestCheckCoverageFromLeadsConfig(t *testing.T) {
	t.Parallel()
	require.ErrorContains(t, usecases.CheckCoverageFromLeadsConfig{Concurrency: -1}.WithDefaults().Validate(), "Concurrency")
	require.ErrorContains(t, usecases.CheckCoverageFromLeadsConfig{RatePerSecond: -1}.WithDefaults().Validate(), "RatePerSecond")
}
