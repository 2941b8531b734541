package usecases_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/fake"
	"github.com/telcojobs/telcojobs/adapters/sqlite/sqlitetest"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/usecases"
)

// iccPurchase stores a purchase of the test channel, creating the channel
// on first use, and gives it a free eSIM when one is left.
func iccPurchase(t *testing.T, store iccStore, p domain.Purchase) domain.Purchase {
	t.Helper()
	ctx := context.Background()
	c, err := store.ChannelBySlug(ctx, "web-esim")
	if err != nil {
		c, err = store.CreateChannel(ctx, domain.Channel{Slug: "web-esim", Name: "Web eSIM"})
		require.NoError(t, err)
	}
	p.ChannelID = c.ID
	if p.Status == "" {
		p.Status = domain.PurchasePendingPayment
	}
	if p.DeliveryType == "" {
		p.DeliveryType = domain.DeliveryEmail
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = iccNow.Add(-72 * time.Hour)
	}
	out, err := store.CreatePurchase(ctx, p)
	require.NoError(t, err)
	return out
}

// assignedEsim creates an eSIM numbered n and assigns it to p.
func assignedEsim(t *testing.T, store iccStore, n int, p domain.Purchase) domain.Icc {
	t.Helper()
	ctx := context.Background()
	_, err := store.CreateIcc(ctx, domain.Icc{ICCID: validICCID(n), Kind: domain.IccESIM, PDFKey: domain.ESIMPDFKey(validICCID(n))})
	require.NoError(t, err)
	icc, err := store.TakeFreeIcc(ctx, domain.IccESIM, p.ID)
	require.NoError(t, err)
	require.Equal(t, validICCID(n), icc.ICCID)
	return icc
}

func madridTime(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := domain.LoadZone("Europe/Madrid")
	require.NoError(t, err)
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	require.NoError(t, err)
	return v
}

func TestUnassignEsimIccsDefaultRange(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		now   string
		start string
		end   string
		hours float64
	}{
		{"OrdinaryDay", "2025-06-11 09:00", "2025-06-10 00:00", "2025-06-11 00:00", 24},
		{"SpringForward", "2025-03-31 09:00", "2025-03-30 00:00", "2025-03-31 00:00", 23},
		{"FallBack", "2025-10-27 00:30", "2025-10-26 00:00", "2025-10-27 00:00", 25},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			forEachIccStore(t, func(t *testing.T, store iccStore) {
				start, end := madridTime(t, tc.start), madridTime(t, tc.end)
				inside := iccPurchase(t, store, domain.Purchase{LastAttemptAt: ptr(end.Add(-time.Minute))})
				first := iccPurchase(t, store, domain.Purchase{LastAttemptAt: ptr(start)})
				atEnd := iccPurchase(t, store, domain.Purchase{LastAttemptAt: ptr(end)})
				before := iccPurchase(t, store, domain.Purchase{LastAttemptAt: ptr(start.Add(-time.Minute))})
				iccInside := assignedEsim(t, store, 1, inside)
				iccFirst := assignedEsim(t, store, 2, first)
				iccEnd := assignedEsim(t, store, 3, atEnd)
				iccBefore := assignedEsim(t, store, 4, before)

				h, err := usecases.NewUnassignEsimIccs(usecases.UnassignEsimIccsConfig{}, store, fake.NewClock(madridTime(t, tc.now)), nil)
				require.NoError(t, err)
				res, err := h.Handle(context.Background(), usecases.UnassignEsimIccsInput{})
				require.NoError(t, err)

				require.True(t, res.Start.Equal(start), "start %s", res.Start)
				require.True(t, res.End.Equal(end), "end %s", res.End)
				require.Equal(t, time.UTC, res.Start.Location())
				require.Equal(t, tc.hours, res.End.Sub(res.Start).Hours())
				require.Equal(t, 2, res.Released)

				for _, icc := range []domain.Icc{iccInside, iccFirst} {
					got, err := store.Icc(context.Background(), icc.ICCID)
					require.NoError(t, err)
					require.True(t, got.Free(), icc.ICCID)
				}
				for _, icc := range []domain.Icc{iccEnd, iccBefore} {
					got, err := store.Icc(context.Background(), icc.ICCID)
					require.NoError(t, err)
					require.False(t, got.Free(), icc.ICCID)
				}
			})
		})
	}
}

func TestUnassignEsimIccsConfigured(t *testing.T) {
	t.Parallel()
	forEachIccStore(t, func(t *testing.T, store iccStore) {
		ctx := context.Background()
		at := ptr(iccNow.Add(-time.Hour))
		courier := iccPurchase(t, store, domain.Purchase{LastAttemptAt: at, DeliveryType: domain.DeliveryCourier})
		completed := iccPurchase(t, store, domain.Purchase{LastAttemptAt: at, Status: domain.PurchaseCompleted})
		pending := iccPurchase(t, store, domain.Purchase{LastAttemptAt: at})
		assignedEsim(t, store, 1, courier)
		assignedEsim(t, store, 2, completed)
		assignedEsim(t, store, 3, pending)

		h, err := usecases.NewUnassignEsimIccs(usecases.UnassignEsimIccsConfig{
			Statuses: []domain.PurchaseStatus{domain.PurchaseCompleted}, DeliveryType: domain.DeliveryEmail,
		}, store, fake.NewClock(iccNow), nil)
		require.NoError(t, err)
		res, err := h.Handle(ctx, usecases.UnassignEsimIccsInput{Start: iccNow.Add(-2 * time.Hour), End: iccNow})
		require.NoError(t, err)
		require.Equal(t, 1, res.Released)

		got, err := store.Icc(ctx, validICCID(2))
		require.NoError(t, err)
		require.True(t, got.Free())
		p, err := store.Purchase(ctx, completed.ID)
		require.NoError(t, err)
		require.Empty(t, p.IccCode, "the purchase no longer names the released ICC")
	})
}

func TestUnassignEsimIccsInvalidRange(t *testing.T) {
	t.Parallel()
	h, err := usecases.NewUnassignEsimIccs(usecases.UnassignEsimIccsConfig{}, sqlitetest.Open(t), fake.NewClock(iccNow), nil)
	require.NoError(t, err)
	cases := []struct {
		name string
		in   usecases.UnassignEsimIccsInput
	}{
		{"OnlyStart", usecases.UnassignEsimIccsInput{Start: iccNow}},
		{"OnlyEnd", usecases.UnassignEsimIccsInput{End: iccNow}},
		{"EndBeforeStart", usecases.UnassignEsimIccsInput{Start: iccNow, End: iccNow.Add(-time.Hour)}},
	}
	for _, tc := range cases {
		_, err := h.Handle(context.Background(), tc.in)
		require.ErrorIs(t, err, domain.ErrInvalid, tc.name)
		require.True(t, domain.IsPermanent(err), tc.name)
	}
}

func TestUnassignEsimIccsConfigValidate(t *testing.T) {
	t.Parallel()
	_, err := usecases.NewUnassignEsimIccs(usecases.UnassignEsimIccsConfig{TimeZone: "Mars/Olympus"}, sqlitetest.Open(t), fake.NewClock(iccNow), nil)
	require.ErrorContains(t, err, "TimeZone")
	_, err = usecases.NewUnassignEsimIccs(usecases.UnassignEsimIccsConfig{Statuses: []domain.PurchaseStatus{"lost"}}, sqlitetest.Open(t), fake.NewClock(iccNow), nil)
	require.ErrorContains(t, err, "Statuses")
}

func ptr[T any](v T) *T { return &v }
