package usecases_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/fake"
	"github.com/telcojobs/telcojobs/adapters/sqlite/sqlitetest"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// failingDeleteBlobs fails Delete for one key.
type failingDeleteBlobs struct {
	ports.BlobStore
	failKey string
}

func (b failingDeleteBlobs) Delete(ctx context.Context, key string) error {
	if key == b.failKey {
		return errors.New("S3 unavailable")
	}
	return b.BlobStore.Delete(ctx, key)
}

func TestDeleteUsedIccs(t *testing.T) {
	t.Parallel()
	forEachIccStore(t, func(t *testing.T, store iccStore) {
		ctx := context.Background()
		blobs := fake.NewBlobStore()
		// 60 calendar days in Madrid: the clocks went back on 2025-10-26, so
		// the cutoff is 07:00 UTC where now is 08:00 UTC.
		cutoff := madridTime(t, "2025-08-28 09:00")
		require.True(t, cutoff.Equal(iccNow.Add(-60*24*time.Hour-time.Hour)))

		var old []domain.Icc
		for n := 1; n <= 5; n++ {
			p := iccPurchase(t, store, domain.Purchase{CreatedAt: cutoff.Add(-time.Duration(n) * time.Hour)})
			icc := assignedEsim(t, store, n, p)
			require.NoError(t, blobs.Put(ctx, icc.PDFKey, strings.NewReader("%PDF-")))
			old = append(old, icc)
		}
		recent := iccPurchase(t, store, domain.Purchase{CreatedAt: cutoff.Add(time.Hour)})
		kept := assignedEsim(t, store, 50, recent)
		require.NoError(t, blobs.Put(ctx, kept.PDFKey, strings.NewReader("%PDF-")))

		h, err := usecases.NewDeleteUsedIccs(usecases.DeleteUsedIccsConfig{BatchSize: 2}, store, blobs, store, fake.NewClock(iccNow), nil)
		require.NoError(t, err)
		res, err := h.Handle(ctx, usecases.DeleteUsedIccsInput{})
		require.NoError(t, err)

		require.True(t, res.Cutoff.Equal(cutoff), "60 days before now: %s", res.Cutoff)
		require.Equal(t, 5, res.Deleted)
		require.Equal(t, 3, res.Batches)
		require.Equal(t, 5, res.PDFsDeleted)
		require.Empty(t, res.PDFsLeft)

		for _, icc := range old {
			_, err := store.Icc(ctx, icc.ICCID)
			require.ErrorIs(t, err, domain.ErrNotFound)
			ok, err := blobs.Exists(ctx, icc.PDFKey)
			require.NoError(t, err)
			require.False(t, ok, "the PDF of %s is deleted", icc.ICCID)
			p, err := store.Purchase(ctx, *icc.PurchaseID)
			require.NoError(t, err)
			require.Equal(t, icc.ICCID, p.IccCode, "the purchase keeps its ICC code")
		}
		_, err = store.Icc(ctx, kept.ICCID)
		require.NoError(t, err)
		ok, err := blobs.Exists(ctx, kept.PDFKey)
		require.NoError(t, err)
		require.True(t, ok)
	})
}

func TestDeleteUsedIccsDaysAcrossDST(t *testing.T) {
	t.Parallel()
	h, err := usecases.NewDeleteUsedIccs(usecases.DeleteUsedIccsConfig{}, sqlitetest.Open(t), fake.NewBlobStore(),
		sqlitetest.Open(t), fake.NewClock(madridTime(t, "2025-11-05 10:00")), nil)
	require.NoError(t, err)
	res, err := h.Handle(context.Background(), usecases.DeleteUsedIccsInput{DaysOld: 10})
	require.NoError(t, err)
	require.True(t, res.Cutoff.Equal(madridTime(t, "2025-10-26 10:00")), "calendar days in Madrid: %s", res.Cutoff)
}

func TestDeleteUsedIccsPDFFailureRaisesAlarm(t *testing.T) {
	t.Parallel()
	store := sqlitetest.Open(t)
	ctx := context.Background()
	blobs := fake.NewBlobStore()
	var iccs []domain.Icc
	for n := 1; n <= 2; n++ {
		p := iccPurchase(t, store, domain.Purchase{CreatedAt: iccNow.AddDate(0, 0, -90)})
		icc := assignedEsim(t, store, n, p)
		require.NoError(t, blobs.Put(ctx, icc.PDFKey, strings.NewReader("%PDF-")))
		iccs = append(iccs, icc)
	}

	h, err := usecases.NewDeleteUsedIccs(usecases.DeleteUsedIccsConfig{}, store,
		failingDeleteBlobs{BlobStore: blobs, failKey: iccs[0].PDFKey}, store, fake.NewClock(iccNow), nil)
	require.NoError(t, err)
	res, err := h.Handle(ctx, usecases.DeleteUsedIccsInput{})
	require.NoError(t, err)
	require.Equal(t, 2, res.Deleted)
	require.Equal(t, 1, res.PDFsDeleted)
	require.Equal(t, []string{iccs[0].PDFKey}, res.PDFsLeft)

	alarm, err := store.OpenAlarm(ctx, usecases.DeleteUsedIccsAlarmName)
	require.NoError(t, err)
	require.Contains(t, alarm.Message, "1 PDF")
	require.Contains(t, alarm.Details, iccs[0].PDFKey)
}

func TestDeleteUsedIccsNegativeDays(t *testing.T) {
	t.Parallel()
	store := sqlitetest.Open(t)
	h, err := usecases.NewDeleteUsedIccs(usecases.DeleteUsedIccsConfig{}, store, fake.NewBlobStore(), store, fake.NewClock(iccNow), nil)
	require.NoError(t, err)
	_, err = h.Handle(context.Background(), usecases.DeleteUsedIccsInput{DaysOld: -1})
	require.ErrorIs(t, err, domain.ErrInvalid)
	require.True(t, domain.IsPermanent(err))
}
