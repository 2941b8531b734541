package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
)

func init() {
	register("Alarms", testAlarms)
	register("Audit", testAudit)
	register("Channels", testChannels)
	register("Purchases", testPurchases)
	register("Activations", testActivations)
	register("Transactions", testTransactions)
}

// base is a fixed instant so that stored times can be compared exactly.
var base = time.Date(2025, 3, 30, 0, 30, 0, 123456000, time.UTC)

func testAlarms(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("RaiseTwiceCountsOccurrences", func(t *testing.T) {
		t.Parallel()
		s := open(t)

		first, err := s.RaiseAlarm(ctx, domain.Alarm{Name: "no_codes", Message: "uno", StartedAt: base})
		require.NoError(t, err)
		require.Equal(t, 1, first.Occurrences)
		second, err := s.RaiseAlarm(ctx, domain.Alarm{Name: "no_codes", Message: "dos", StartedAt: base.Add(time.Hour)})
		require.NoError(t, err)

		require.Equal(t, first.ID, second.ID)
		require.Equal(t, 2, second.Occurrences)
		require.Equal(t, "dos", second.Message)
		require.True(t, second.StartedAt.Equal(base), "started_at kept: %s", second.StartedAt)
		require.True(t, second.LastSeenAt.Equal(base.Add(time.Hour)))
	})

	t.Run("ResolveThenRaiseOpensNewRow", func(t *testing.T) {
		t.Parallel()
		s := open(t)

		first, err := s.RaiseAlarm(ctx, domain.Alarm{Name: "low_stock", StartedAt: base})
		require.NoError(t, err)
		require.NoError(t, s.ResolveAlarm(ctx, "low_stock", base.Add(time.Minute)))
		_, err = s.OpenAlarm(ctx, "low_stock")
		require.ErrorIs(t, err, domain.ErrNotFound)

		again, err := s.RaiseAlarm(ctx, domain.Alarm{Name: "low_stock", StartedAt: base.Add(time.Hour)})
		require.NoError(t, err)
		require.NotEqual(t, first.ID, again.ID)
		require.Equal(t, 1, again.Occurrences)

		all, err := s.ListAlarms(ctx, false, 10)
		require.NoError(t, err)
		require.Len(t, all, 2)
		open, err := s.ListAlarms(ctx, true, 10)
		require.NoError(t, err)
		require.Len(t, open, 1)
		require.Equal(t, again.ID, open[0].ID)
	})

	t.Run("NULAndInvalidUTF8Stored", func(t *testing.T) {
		t.Parallel()
		s := open(t)

		// Alarm details quote the names of rejected ZIP entries as the
		// operator's file had them.
		a, err := s.RaiseAlarm(ctx, domain.Alarm{Name: "zip", Message: "entradas rechazadas",
			Details: "bad\x00name.pdf\n\xff\xfe.pdf", StartedAt: base})
		require.NoError(t, err)
		require.Equal(t, "bad\uFFFDname.pdf\n\uFFFD.pdf", a.Details, "a run of invalid bytes becomes one U+FFFD")
	})

	t.Run("ResolveUnknownNotFound", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		err := s.ResolveAlarm(ctx, "missing", base)
		require.ErrorIs(t, err, domain.ErrNotFound)
	})

	t.Run("EmptyNameInvalid", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		_, err := s.RaiseAlarm(ctx, domain.Alarm{Name: " "})
		require.ErrorIs(t, err, domain.ErrInvalid)
	})

	t.Run("ConcurrentRaisesKeepOneRow", func(t *testing.T) {
		t.Parallel()
		s := open(t)

		const workers = 8
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.RaiseAlarm(ctx, domain.Alarm{Name: "race", Message: fmt.Sprint(i), StartedAt: base})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}

		a, err := s.OpenAlarm(ctx, "race")
		require.NoError(t, err)
		require.Equal(t, workers, a.Occurrences)
		all, err := s.ListAlarms(ctx, false, 100)
		require.NoError(t, err)
		require.Len(t, all, 1)
	})
}

func testAudit(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)

	e, err := s.AddAudit(ctx, domain.AuditEntry{Actor: "user:7", Action: "assign", Object: "promotion_code:A1", Message: "asignado", At: base})
	require.NoError(t, err)
	require.NotZero(t, e.ID)
	_, err = s.AddAudit(ctx, domain.AuditEntry{Actor: "user:7", Action: "assign", Object: "promotion_code:B2", At: base})
	require.NoError(t, err)

	one, err := s.ListAudit(ctx, "promotion_code:A1", 0)
	require.NoError(t, err)
	require.Len(t, one, 1)
	require.Equal(t, "asignado", one[0].Message)
	require.True(t, one[0].At.Equal(base))

	all, err := s.ListAudit(ctx, "", 0)
	require.NoError(t, err)
	require.Len(t, all, 2)
}

func testChannels(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)

	c, err := s.CreateChannel(ctx, domain.Channel{Slug: "tienda-online", Name: "Tienda online"})
	require.NoError(t, err)
	require.NotZero(t, c.ID)

	_, err = s.CreateChannel(ctx, domain.Channel{Slug: "tienda-online", Name: "Otra"})
	require.ErrorIs(t, err, domain.ErrConflict)

	_, err = s.CreateChannel(ctx, domain.Channel{Slug: "Bad Slug"})
	require.ErrorIs(t, err, domain.ErrInvalid)

	got, err := s.ChannelBySlug(ctx, "tienda-online")
	require.NoError(t, err)
	require.Equal(t, c, got)

	_, err = s.ChannelBySlug(ctx, "missing")
	require.ErrorIs(t, err, domain.ErrNotFound)

	_, err = s.CreateChannel(ctx, domain.Channel{Slug: "distribuidores", Name: "Distribuidores"})
	require.NoError(t, err)
	list, err := s.ListChannels(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, "distribuidores", list[0].Slug)
}

func testPurchases(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)

	c, err := s.CreateChannel(ctx, domain.Channel{Slug: "web", Name: "Web"})
	require.NoError(t, err)
	last := base.Add(-time.Hour)
	p, err := s.CreatePurchase(ctx, domain.Purchase{
		ChannelID: c.ID, Type: "portability", Status: domain.PurchaseProvisionError,
		DeliveryType: domain.DeliveryEmail, ErrorCode: "E42", Attempts: 2,
		LastAttemptAt: &last, CreatedAt: base, IccCode: "8934071234567890123",
	})
	require.NoError(t, err)
	require.NotZero(t, p.ID)

	got, err := s.Purchase(ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, p, got)
	require.True(t, got.LastAttemptAt.Equal(last))

	_, err = s.Purchase(ctx, p.ID+1000)
	require.ErrorIs(t, err, domain.ErrNotFound)
}

func testActivations(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)

	for i, at := range []time.Time{base.Add(-time.Second), base, base.Add(time.Hour), base.Add(2 * time.Hour)} {
		_, err := s.AddActivation(ctx, domain.ActivationData{ICC: fmt.Sprint("icc", i), MSISDN: "600000000", LastRetryDate: at})
		require.NoError(t, err)
	}

	got, err := s.ActivationsRetriedBetween(ctx, base, base.Add(2*time.Hour))
	require.NoError(t, err)
	require.Len(t, got, 2, "the range is half-open")
	require.Equal(t, "icc1", got[0].ICC)
	require.Equal(t, "icc2", got[1].ICC)
	require.True(t, got[0].LastRetryDate.Equal(base))
}

func testTransactions(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("RollbackLeavesNothing", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		boom := errors.New("boom")

		err := s.InTx(ctx, func(ctx context.Context) error {
			if _, err := s.CreateChannel(ctx, domain.Channel{Slug: "temporal", Name: "T"}); err != nil {
				return err
			}
			if _, err := s.RaiseAlarm(ctx, domain.Alarm{Name: "temporal", StartedAt: base}); err != nil {
				return err
			}
			return boom
		})
		require.ErrorIs(t, err, boom)

		_, err = s.ChannelBySlug(ctx, "temporal")
		require.ErrorIs(t, err, domain.ErrNotFound)
		_, err = s.OpenAlarm(ctx, "temporal")
		require.ErrorIs(t, err, domain.ErrNotFound)
	})

	t.Run("CommitKeepsWrites", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		err := s.InTx(ctx, func(ctx context.Context) error {
			_, err := s.CreateChannel(ctx, domain.Channel{Slug: "firme", Name: "F"})
			return err
		})
		require.NoError(t, err)
		_, err = s.ChannelBySlug(ctx, "firme")
		require.NoError(t, err)
	})

	t.Run("NestedJoinsOuter", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		boom := errors.New("boom")
		err := s.InTx(ctx, func(ctx context.Context) error {
			inner := s.InTx(ctx, func(ctx context.Context) error {
				_, err := s.CreateChannel(ctx, domain.Channel{Slug: "anidado", Name: "A"})
				return err
			})
			require.NoError(t, inner)
			return boom
		})
		require.ErrorIs(t, err, boom)
		_, err = s.ChannelBySlug(ctx, "anidado")
		require.ErrorIs(t, err, domain.ErrNotFound, "the inner call joined the rolled-back transaction")
	})

	t.Run("PanicRollsBack", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		require.Panics(t, func() {
			_ = s.InTx(ctx, func(ctx context.Context) error {
				_, _ = s.CreateChannel(ctx, domain.Channel{Slug: "panico", Name: "P"})
				panic("boom")
			})
		})
		_, err := s.ChannelBySlug(ctx, "panico")
		require.ErrorIs(t, err, domain.ErrNotFound)
	})
}
