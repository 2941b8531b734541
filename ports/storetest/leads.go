package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

func init() { register("Leads", testLeads) }

func testLeads(t *testing.T, open Opener) {
	ctx := context.Background()
	setup := func(t *testing.T) ports.LeadStore {
		t.Helper()
		return As[ports.LeadStore](t, open(t))
	}

	t.Run("CreateAndGet", func(t *testing.T) {
		t.Parallel()
		s := setup(t)

		l, err := s.CreateLead(ctx, domain.Lead{AddressCode: "28001234", CreatedAt: base})
		require.NoError(t, err)
		require.NotZero(t, l.ID)
		require.Nil(t, l.HasCoverage)
		require.Nil(t, l.CheckedAt)

		got, err := s.Lead(ctx, l.ID)
		require.NoError(t, err)
		require.Equal(t, l, got)
		require.True(t, got.CreatedAt.Equal(base))

		_, err = s.Lead(ctx, l.ID+1000)
		require.ErrorIs(t, err, domain.ErrNotFound)
	})

	t.Run("SaveCoverage", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		l, err := s.CreateLead(ctx, domain.Lead{AddressCode: "28001234", CreatedAt: base})
		require.NoError(t, err)

		checked := base.Add(time.Hour)
		require.NoError(t, s.SaveCoverage(ctx, l.ID, domain.Coverage{Available: true, Technology: "FTTH", MaxSpeedMbps: 600}, checked))
		got, err := s.Lead(ctx, l.ID)
		require.NoError(t, err)
		require.NotNil(t, got.HasCoverage)
		require.True(t, *got.HasCoverage)
		require.Equal(t, "FTTH", got.Technology)
		require.Equal(t, 600, got.MaxSpeedMbps)
		require.True(t, got.CheckedAt.Equal(checked), "checked at %s", got.CheckedAt)

		require.NoError(t, s.SaveCoverage(ctx, l.ID, domain.Coverage{}, checked.Add(time.Hour)))
		got, err = s.Lead(ctx, l.ID)
		require.NoError(t, err)
		require.False(t, *got.HasCoverage, "a later answer replaces the earlier one")

		err = s.SaveCoverage(ctx, l.ID+1000, domain.Coverage{Available: true}, checked)
		require.ErrorIs(t, err, domain.ErrNotFound)
	})

	t.Run("LeadsByIDs", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		var ids []int64
		for _, code := range []string{"1", "C-2", "", "4"} {
			l, err := s.CreateLead(ctx, domain.Lead{AddressCode: code, CreatedAt: base})
			require.NoError(t, err)
			ids = append(ids, l.ID)
		}

		got, err := s.LeadsByIDs(ctx, []int64{ids[3], ids[0], ids[3], 99999, ids[1]})
		require.NoError(t, err)
		require.Len(t, got, 3, "missing ids left out, repeated ids once")
		require.Equal(t, []int64{ids[0], ids[1], ids[3]}, []int64{got[0].ID, got[1].ID, got[2].ID})
		require.Equal(t, "C-2", got[1].AddressCode)

		none, err := s.LeadsByIDs(ctx, nil)
		require.NoError(t, err)
		require.Empty(t, none)
	})

	t.Run("LeadsByManyIDs", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		l, err := s.CreateLead(ctx, domain.Lead{AddressCode: "1", CreatedAt: base})
		require.NoError(t, err)

		ids := make([]int64, 0, 1201)
		for i := range int64(1200) {
			ids = append(ids, l.ID+1000+i)
		}
		ids = append(ids, l.ID)
		got, err := s.LeadsByIDs(ctx, ids)
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, l.ID, got[0].ID)
	})

	t.Run("ConcurrentSaves", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		const leads = 10
		ids := make([]int64, leads)
		for i := range ids {
			l, err := s.CreateLead(ctx, domain.Lead{AddressCode: "1", CreatedAt: base})
			require.NoError(t, err)
			ids[i] = l.ID
		}

		var wg sync.WaitGroup
		errs := make([]error, leads)
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.SaveCoverage(ctx, id, domain.Coverage{Available: i%2 == 0}, base)
			}()
		}
		wg.Wait()

		got, err := s.LeadsByIDs(ctx, ids)
		require.NoError(t, err)
		for i, l := range got {
			require.NoError(t, errs[i])
			require.NotNil(t, l.HasCoverage, "lead %d", l.ID)
			require.Equal(t, i%2 == 0, *l.HasCoverage, "lead %d", l.ID)
		}
	})
}
