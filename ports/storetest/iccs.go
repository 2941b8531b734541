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
	"github.com/telcojobs/telcojobs/ports"
)

func init() { register("Iccs", testIccs) }

// iccStores is every ICC port, as one storage adapter implements them.
type iccStores interface {
	Store
	ports.IccStore
	ports.IccAssigner
	ports.IccReleaser
	ports.UsedIccPurger
	ports.EsimStockAlertStore
}

// testICCID returns a valid 19-digit ICCID numbered n.
func testICCID(n int) string {
	body := fmt.Sprintf("8934%014d", n)
	return body + string(domain.LuhnCheckDigit(body))
}

func openIccs(t *testing.T, open Opener) iccStores {
	t.Helper()
	s := open(t)
	As[ports.IccStore](t, s)
	As[ports.IccAssigner](t, s)
	As[ports.IccReleaser](t, s)
	As[ports.UsedIccPurger](t, s)
	As[ports.EsimStockAlertStore](t, s)
	return As[iccStores](t, s)
}

func addIcc(t *testing.T, s iccStores, n int, kind domain.IccKind) domain.Icc {
	t.Helper()
	iccid := testICCID(n)
	icc, err := s.CreateIcc(context.Background(), domain.Icc{ICCID: iccid, Kind: kind, PDFKey: domain.ESIMPDFKey(iccid), CreatedAt: base})
	require.NoError(t, err)
	return icc
}

func addPurchase(t *testing.T, s iccStores, p domain.Purchase) domain.Purchase {
	t.Helper()
	if p.Status == "" {
		p.Status = domain.PurchasePendingPayment
	}
	if p.DeliveryType == "" {
		p.DeliveryType = domain.DeliveryEmail
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = base
	}
	if p.ChannelID == 0 {
		p.ChannelID = iccChannel(t, s)
	}
	out, err := s.CreatePurchase(context.Background(), p)
	require.NoError(t, err)
	return out
}

// iccChannel returns the id of the channel of the test purchases, creating
// it on first use.
func iccChannel(t *testing.T, s iccStores) int64 {
	t.Helper()
	ctx := context.Background()
	c, err := s.ChannelBySlug(ctx, "tienda-esim")
	if errors.Is(err, domain.ErrNotFound) {
		c, err = s.CreateChannel(ctx, domain.Channel{Slug: "tienda-esim", Name: "Tienda eSIM"})
	}
	require.NoError(t, err)
	return c.ID
}

func testIccs(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("CreateAndGet", func(t *testing.T) {
		t.Parallel()
		s := openIccs(t, open)

		icc := addIcc(t, s, 1, domain.IccESIM)
		require.NotZero(t, icc.ID)
		require.Equal(t, testICCID(1), icc.ICCID)
		require.Equal(t, domain.IccESIM, icc.Kind)
		require.Equal(t, "iccs/esim/"+testICCID(1)+".pdf", icc.PDFKey)
		require.True(t, icc.Free())
		require.Nil(t, icc.AssignedAt)
		require.True(t, icc.CreatedAt.Equal(base))

		got, err := s.Icc(ctx, testICCID(1))
		require.NoError(t, err)
		require.Equal(t, icc, got)
	})

	t.Run("GetMissingNotFound", func(t *testing.T) {
		t.Parallel()
		s := openIccs(t, open)
		_, err := s.Icc(ctx, testICCID(404))
		require.ErrorIs(t, err, domain.ErrNotFound)
		require.ErrorContains(t, err, testICCID(404))
	})

	t.Run("CreateDuplicateConflict", func(t *testing.T) {
		t.Parallel()
		s := openIccs(t, open)
		addIcc(t, s, 1, domain.IccESIM)
		_, err := s.CreateIcc(ctx, domain.Icc{ICCID: testICCID(1), Kind: domain.IccPhysical})
		require.ErrorIs(t, err, domain.ErrConflict)
	})

	t.Run("CreateInvalid", func(t *testing.T) {
		t.Parallel()
		s := openIccs(t, open)
		_, err := s.CreateIcc(ctx, domain.Icc{ICCID: testICCID(1), Kind: "nano"})
		require.ErrorIs(t, err, domain.ErrInvalid)
		_, err = s.CreateIcc(ctx, domain.Icc{ICCID: " ", Kind: domain.IccESIM})
		require.ErrorIs(t, err, domain.ErrInvalid)
	})

	t.Run("KnownICCIDs", func(t *testing.T) {
		t.Parallel()
		s := openIccs(t, open)
		addIcc(t, s, 1, domain.IccESIM)
		addIcc(t, s, 700, domain.IccPhysical)

		// More than one chunk of the IN list.
		var iccids []string
		for n := range 1200 {
			iccids = append(iccids, testICCID(n))
		}
		known, err := s.KnownICCIDs(ctx, iccids)
		require.NoError(t, err)
		require.ElementsMatch(t, []string{testICCID(1), testICCID(700)}, known)

		none, err := s.KnownICCIDs(ctx, nil)
		require.NoError(t, err)
		require.Empty(t, none)
	})

	t.Run("CountFree", func(t *testing.T) {
		t.Parallel()
		s := openIccs(t, open)
		for n := range 3 {
			addIcc(t, s, n, domain.IccESIM)
		}
		addIcc(t, s, 10, domain.IccPhysical)
		p := addPurchase(t, s, domain.Purchase{})
		_, err := s.TakeFreeIcc(ctx, domain.IccESIM, p.ID)
		require.NoError(t, err)

		esims, err := s.CountFreeIccs(ctx, domain.IccESIM)
		require.NoError(t, err)
		require.Equal(t, 2, esims)
		physical, err := s.CountFreeIccs(ctx, domain.IccPhysical)
		require.NoError(t, err)
		require.Equal(t, 1, physical)
	})

	t.Run("TakeFreeAssigns", func(t *testing.T) {
		t.Parallel()
		s := openIccs(t, open)
		first := addIcc(t, s, 1, domain.IccESIM)
		addIcc(t, s, 2, domain.IccESIM)
		addIcc(t, s, 3, domain.IccPhysical)
		p := addPurchase(t, s, domain.Purchase{})

		icc, err := s.TakeFreeIcc(ctx, domain.IccESIM, p.ID)
		require.NoError(t, err)
		require.Equal(t, first.ID, icc.ID, "the oldest free ICC first")
		require.NotNil(t, icc.PurchaseID)
		require.Equal(t, p.ID, *icc.PurchaseID)
		require.NotNil(t, icc.AssignedAt)

		stored, err := s.Icc(ctx, icc.ICCID)
		require.NoError(t, err)
		require.Equal(t, p.ID, *stored.PurchaseID)
		purchase, err := s.Purchase(ctx, p.ID)
		require.NoError(t, err)
		require.Equal(t, icc.ICCID, purchase.IccCode)
	})

	t.Run("TakeFreeNoneLeftNotFound", func(t *testing.T) {
		t.Parallel()
		s := openIccs(t, open)
		addIcc(t, s, 1, domain.IccPhysical)
		p := addPurchase(t, s, domain.Purchase{})

		_, err := s.TakeFreeIcc(ctx, domain.IccESIM, p.ID)
		require.ErrorIs(t, err, domain.ErrNotFound)
		purchase, err := s.Purchase(ctx, p.ID)
		require.NoError(t, err)
		require.Empty(t, purchase.IccCode)
	})

	t.Run("TakeFreeMissingPurchaseChangesNothing", func(t *testing.T) {
		t.Parallel()
		s := openIccs(t, open)
		addIcc(t, s, 1, domain.IccESIM)

		_, err := s.TakeFreeIcc(ctx, domain.IccESIM, 999_999)
		require.Error(t, err)
		free, err := s.CountFreeIccs(ctx, domain.IccESIM)
		require.NoError(t, err)
		require.Equal(t, 1, free, "the ICC stays free")
	})

	t.Run("TakeFreeJoinsTransaction", func(t *testing.T) {
		t.Parallel()
		s := openIccs(t, open)
		addIcc(t, s, 1, domain.IccESIM)
		p := addPurchase(t, s, domain.Purchase{})

		rollback := errors.New("roll back")
		err := s.InTx(ctx, func(ctx context.Context) error {
			_, err := s.TakeFreeIcc(ctx, domain.IccESIM, p.ID)
			require.NoError(t, err)
			return rollback
		})
		require.ErrorIs(t, err, rollback)
		free, err := s.CountFreeIccs(ctx, domain.IccESIM)
		require.NoError(t, err)
		require.Equal(t, 1, free)
	})

	t.Run("ConcurrentTakesNeverShare", func(t *testing.T) {
		t.Parallel()
		s := openIccs(t, open)
		const workers, iccs, perWorker = 8, 20, 4
		for n := range iccs {
			addIcc(t, s, n, domain.IccESIM)
		}
		purchases := make([]domain.Purchase, workers*perWorker)
		for i := range purchases {
			purchases[i] = addPurchase(t, s, domain.Purchase{})
		}

		var mu sync.Mutex
		taken := map[int64]int64{} // ICC id to purchase id
		var notFound int
		var wg sync.WaitGroup
		errs := make(chan error, workers*perWorker)
		start := make(chan struct{})
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for k := range perWorker {
					p := purchases[w*perWorker+k]
					icc, err := s.TakeFreeIcc(ctx, domain.IccESIM, p.ID)
					mu.Lock()
					switch {
					case err == nil:
						if other, dup := taken[icc.ID]; dup {
							errs <- fmt.Errorf("ICC %d given to purchases %d and %d", icc.ID, other, p.ID)
						}
						taken[icc.ID] = p.ID
					case errors.Is(err, domain.ErrNotFound):
						notFound++
					default:
						errs <- err
					}
					mu.Unlock()
				}
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}

		require.Len(t, taken, iccs, "every ICC handed out once")
		require.Equal(t, workers*perWorker-iccs, notFound, "the rest found none free")
		free, err := s.CountFreeIccs(ctx, domain.IccESIM)
		require.NoError(t, err)
		require.Zero(t, free)
		for iccID, purchaseID := range taken {
			p, err := s.Purchase(ctx, purchaseID)
			require.NoError(t, err)
			require.NotEmpty(t, p.IccCode, "purchase %d of ICC %d", purchaseID, iccID)
		}
	})

	t.Run("Release", func(t *testing.T) {
		t.Parallel()
		s := openIccs(t, open)
		from := base
		to := base.Add(24 * time.Hour)
		at := func(d time.Duration) *time.Time { v := from.Add(d); return &v }

		cases := []struct {
			name     string
			purchase domain.Purchase
			kind     domain.IccKind
			released bool
		}{
			{"InRange", domain.Purchase{LastAttemptAt: at(time.Hour)}, domain.IccESIM, true},
			{"AtStart", domain.Purchase{LastAttemptAt: at(0)}, domain.IccESIM, true},
			{"OtherPendingStatus", domain.Purchase{LastAttemptAt: at(time.Hour), Status: domain.PurchaseProvisionError}, domain.IccESIM, true},
			{"AtEnd", domain.Purchase{LastAttemptAt: at(24 * time.Hour)}, domain.IccESIM, false},
			{"BeforeStart", domain.Purchase{LastAttemptAt: at(-time.Microsecond)}, domain.IccESIM, false},
			{"NoAttempt", domain.Purchase{}, domain.IccESIM, false},
			{"Completed", domain.Purchase{LastAttemptAt: at(time.Hour), Status: domain.PurchaseCompleted}, domain.IccESIM, false},
			{"Courier", domain.Purchase{LastAttemptAt: at(time.Hour), DeliveryType: domain.DeliveryCourier}, domain.IccESIM, false},
			{"Physical", domain.Purchase{LastAttemptAt: at(time.Hour)}, domain.IccPhysical, false},
		}
		type setup struct {
			purchase domain.Purchase
			icc      domain.Icc
		}
		assigned := make([]setup, len(cases))
		for i, tc := range cases {
			icc := addIcc(t, s, i, tc.kind)
			p := addPurchase(t, s, tc.purchase)
			taken, err := s.TakeFreeIcc(ctx, tc.kind, p.ID)
			require.NoError(t, err)
			require.Equal(t, icc.ID, taken.ID)
			assigned[i] = setup{purchase: p, icc: icc}
		}
		// A purchase whose ICC code names another ICC keeps its code.
		p := addPurchase(t, s, domain.Purchase{LastAttemptAt: at(time.Hour), IccCode: "legacy-code"})
		other, err := s.CreateIcc(ctx, domain.Icc{ICCID: testICCID(100), Kind: domain.IccESIM, PurchaseID: &p.ID, CreatedAt: base})
		require.NoError(t, err)

		released, err := s.ReleaseIccs(ctx, ports.IccReleaseFilter{
			LastAttemptFrom: from, LastAttemptTo: to,
			Statuses:     []domain.PurchaseStatus{domain.PurchasePendingPayment, domain.PurchaseProvisionError},
			DeliveryType: domain.DeliveryEmail, Kind: domain.IccESIM,
		})
		require.NoError(t, err)
		require.Equal(t, 4, released, "three cases and the purchase with a legacy code")

		for i, tc := range cases {
			icc, err := s.Icc(ctx, assigned[i].icc.ICCID)
			require.NoError(t, err)
			purchase, err := s.Purchase(ctx, assigned[i].purchase.ID)
			require.NoError(t, err)
			if tc.released {
				require.True(t, icc.Free(), tc.name)
				require.Nil(t, icc.AssignedAt, tc.name)
				require.Empty(t, purchase.IccCode, "%s: the purchase no longer names the ICC", tc.name)
			} else {
				require.False(t, icc.Free(), tc.name)
				require.Equal(t, icc.ICCID, purchase.IccCode, tc.name)
			}
		}
		legacy, err := s.Purchase(ctx, p.ID)
		require.NoError(t, err)
		require.Equal(t, "legacy-code", legacy.IccCode)
		otherNow, err := s.Icc(ctx, other.ICCID)
		require.NoError(t, err)
		require.True(t, otherNow.Free())
	})

	t.Run("ReleaseInvalidFilter", func(t *testing.T) {
		t.Parallel()
		s := openIccs(t, open)
		valid := ports.IccReleaseFilter{
			LastAttemptFrom: base, LastAttemptTo: base.Add(time.Hour),
			Statuses: domain.PendingPurchaseStatuses, DeliveryType: domain.DeliveryEmail, Kind: domain.IccESIM,
		}
		cases := []struct {
			name   string
			change func(f *ports.IccReleaseFilter)
		}{
			{"NoStart", func(f *ports.IccReleaseFilter) { f.LastAttemptFrom = time.Time{} }},
			{"EndBeforeStart", func(f *ports.IccReleaseFilter) { f.LastAttemptTo = base.Add(-time.Hour) }},
			{"NoStatuses", func(f *ports.IccReleaseFilter) { f.Statuses = nil }},
			{"NoDeliveryType", func(f *ports.IccReleaseFilter) { f.DeliveryType = "" }},
			{"NoKind", func(f *ports.IccReleaseFilter) { f.Kind = "" }},
		}
		for _, tc := range cases {
			f := valid
			tc.change(&f)
			_, err := s.ReleaseIccs(ctx, f)
			require.ErrorIs(t, err, domain.ErrInvalid, tc.name)
		}
		n, err := s.ReleaseIccs(ctx, valid)
		require.NoError(t, err)
		require.Zero(t, n)
	})

	t.Run("DeleteUsedInBatches", func(t *testing.T) {
		t.Parallel()
		s := openIccs(t, open)
		cutoff := base

		var oldICCIDs []string
		for n := range 5 {
			icc := addIcc(t, s, n, domain.IccESIM)
			p := addPurchase(t, s, domain.Purchase{CreatedAt: cutoff.Add(-time.Duration(n+1) * time.Hour)})
			_, err := s.TakeFreeIcc(ctx, domain.IccESIM, p.ID)
			require.NoError(t, err)
			oldICCIDs = append(oldICCIDs, icc.ICCID)
		}
		recent := addIcc(t, s, 50, domain.IccESIM)
		pRecent := addPurchase(t, s, domain.Purchase{CreatedAt: cutoff})
		_, err := s.TakeFreeIcc(ctx, domain.IccESIM, pRecent.ID)
		require.NoError(t, err)
		free := addIcc(t, s, 60, domain.IccESIM)

		first, err := s.DeleteUsedIccs(ctx, cutoff, 3)
		require.NoError(t, err)
		require.Len(t, first, 3)
		second, err := s.DeleteUsedIccs(ctx, cutoff, 3)
		require.NoError(t, err)
		require.Len(t, second, 2)
		third, err := s.DeleteUsedIccs(ctx, cutoff, 3)
		require.NoError(t, err)
		require.Empty(t, third)

		var deleted []string
		for _, icc := range append(first, second...) {
			deleted = append(deleted, icc.ICCID)
			require.Equal(t, domain.ESIMPDFKey(icc.ICCID), icc.PDFKey)
			_, err := s.Icc(ctx, icc.ICCID)
			require.ErrorIs(t, err, domain.ErrNotFound)
			require.NotNil(t, icc.PurchaseID)
			p, err := s.Purchase(ctx, *icc.PurchaseID)
			require.NoError(t, err)
			require.Equal(t, icc.ICCID, p.IccCode, "the purchase keeps its ICC code")
		}
		require.ElementsMatch(t, oldICCIDs, deleted)

		for _, iccid := range []string{recent.ICCID, free.ICCID} {
			_, err := s.Icc(ctx, iccid)
			require.NoError(t, err, iccid)
		}

		_, err = s.DeleteUsedIccs(ctx, cutoff, 0)
		require.ErrorIs(t, err, domain.ErrInvalid)
	})

	t.Run("StockAlertState", func(t *testing.T) {
		t.Parallel()
		s := openIccs(t, open)

		zero, err := s.EsimStockAlert(ctx)
		require.NoError(t, err)
		require.Equal(t, domain.EsimStockAlert{}, zero)

		at := base
		require.NoError(t, s.SaveEsimStockAlert(ctx, 0, domain.EsimStockAlert{LastAlertAt: &at, LastAlertCount: 7}))
		got, err := s.EsimStockAlert(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(1), got.Version)
		require.Equal(t, 7, got.LastAlertCount)
		require.NotNil(t, got.LastAlertAt)
		require.True(t, got.LastAlertAt.Equal(base))

		err = s.SaveEsimStockAlert(ctx, 0, domain.EsimStockAlert{LastAlertCount: 1})
		require.ErrorIs(t, err, domain.ErrConflict, "a stale version loses")

		require.NoError(t, s.SaveEsimStockAlert(ctx, 1, domain.EsimStockAlert{}))
		cleared, err := s.EsimStockAlert(ctx)
		require.NoError(t, err)
		require.Equal(t, domain.EsimStockAlert{Version: 2}, cleared)
	})

	t.Run("StockAlertConcurrentSavesOneWins", func(t *testing.T) {
		t.Parallel()
		s := openIccs(t, open)

		const workers = 8
		var wg sync.WaitGroup
		results := make(chan error, workers)
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				at := base.Add(time.Duration(i) * time.Minute)
				results <- s.SaveEsimStockAlert(ctx, 0, domain.EsimStockAlert{LastAlertAt: &at, LastAlertCount: i})
			}()
		}
		wg.Wait()
		close(results)

		wins := 0
		for err := range results {
			if err == nil {
				wins++
				continue
			}
			require.ErrorIs(t, err, domain.ErrConflict)
		}
		require.Equal(t, 1, wins)
		got, err := s.EsimStockAlert(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(1), got.Version)
	})
}
