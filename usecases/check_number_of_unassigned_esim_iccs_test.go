package usecases_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/fake"
	"github.com/telcojobs/telcojobs/adapters/sqlite/sqlitetest"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/usecases"
)

// recordingNotifier records the notifications it is asked to create.
type recordingNotifier struct {
	mu    sync.Mutex
	calls []usecases.CreateNotificationInput
	fail  error
}

func (n *recordingNotifier) Handle(_ context.Context, in usecases.CreateNotificationInput) (usecases.CreateNotificationResult, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail != nil {
		return usecases.CreateNotificationResult{}, n.fail
	}
	n.calls = append(n.calls, in)
	id := int64(len(n.calls))
	return usecases.CreateNotificationResult{NotificationID: id, JobID: 100 + id}, nil
}

func (n *recordingNotifier) count() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.calls)
}

type stockFixture struct {
	store    iccStore
	clock    *fake.Clock
	notifier *recordingNotifier
	check    *usecases.CheckNumberOfUnassignedEsimIccs
}

func stockSetup(t *testing.T, store iccStore) *stockFixture {
	t.Helper()
	f := &stockFixture{store: store, clock: fake.NewClock(iccNow), notifier: &recordingNotifier{}}
	var err error
	f.check, err = usecases.NewCheckNumberOfUnassignedEsimIccs(usecases.CheckNumberOfUnassignedEsimIccsConfig{
		Recipients: []string{"stock@operador.example"},
	}, store, f.notifier, f.clock, nil)
	require.NoError(t, err)
	return f
}

func (f *stockFixture) addFree(t *testing.T, from, n int) {
	t.Helper()
	for i := range n {
		iccid := validICCID(from + i)
		_, err := f.store.CreateIcc(context.Background(), domain.Icc{ICCID: iccid, Kind: domain.IccESIM, PDFKey: domain.ESIMPDFKey(iccid)})
		require.NoError(t, err)
	}
}

func (f *stockFixture) take(t *testing.T, n int) {
	t.Helper()
	for range n {
		p := iccPurchase(t, f.store, domain.Purchase{})
		_, err := f.store.TakeFreeIcc(context.Background(), domain.IccESIM, p.ID)
		require.NoError(t, err)
	}
}

func (f *stockFixture) run(t *testing.T) usecases.CheckNumberOfUnassignedEsimIccsResult {
	t.Helper()
	res, err := f.check.Handle(context.Background(), usecases.CheckNumberOfUnassignedEsimIccsInput{Threshold: 20})
	require.NoError(t, err)
	return res
}

func TestCheckUnassignedEsimsAlertOncePerDay(t *testing.T) {
	t.Parallel()
	forEachIccStore(t, func(t *testing.T, store iccStore) {
		f := stockSetup(t, store)
		f.addFree(t, 1, 25)

		res := f.run(t)
		require.Equal(t, 25, res.Free)
		require.False(t, res.Low)
		require.Equal(t, usecases.EsimAlertSkippedStockSufficient, res.Skipped)
		require.Zero(t, f.notifier.count())

		f.take(t, 10)
		res = f.run(t)
		require.Equal(t, 15, res.Free)
		require.True(t, res.Low)
		require.Empty(t, res.Skipped)
		require.Len(t, res.Notifications, 1)
		require.Equal(t, "stock@operador.example", res.Notifications[0].Recipient)
		require.Equal(t, 1, f.notifier.count())
		call := f.notifier.calls[0]
		require.Equal(t, "esim_low_stock_alert", call.TemplateName)
		require.Equal(t, "stock@operador.example", call.Recipient)
		require.Equal(t, map[string]any{"count": 15, "threshold": 20}, call.Context)

		f.clock.Advance(time.Hour)
		f.take(t, 1)
		res = f.run(t)
		require.Equal(t, usecases.EsimAlertSkippedAlertedRecently, res.Skipped, "a small fall within the day is quiet")
		require.Equal(t, 1, f.notifier.count())

		f.clock.Advance(time.Hour)
		f.take(t, 1)
		res = f.run(t)
		require.Empty(t, res.Skipped, "a fall of a tenth of the threshold since the last alert alerts again")
		require.Equal(t, 2, f.notifier.count())
		require.Equal(t, 13, f.notifier.calls[1].Context["count"])

		f.clock.Advance(23*time.Hour + 59*time.Minute)
		res = f.run(t)
		require.Equal(t, usecases.EsimAlertSkippedAlertedRecently, res.Skipped)
		f.clock.Advance(time.Minute)
		res = f.run(t)
		require.Empty(t, res.Skipped, "a day after the last alert")
		require.Equal(t, 3, f.notifier.count())

		f.addFree(t, 100, 10)
		res = f.run(t)
		require.False(t, res.Low)
		require.Nil(t, res.LastAlertAt, "a recovered stock clears the state")
		f.take(t, 5)
		res = f.run(t)
		require.Empty(t, res.Skipped, "the next fall alerts at once")
		require.Equal(t, 4, f.notifier.count())
	})
}

func TestCheckUnassignedEsimsNotifierFailureKeepsState(t *testing.T) {
	t.Parallel()
	forEachIccStore(t, func(t *testing.T, store iccStore) {
		f := stockSetup(t, store)
		f.notifier.fail = errors.New("template missing")

		_, err := f.check.Handle(context.Background(), usecases.CheckNumberOfUnassignedEsimIccsInput{Threshold: 5})
		require.ErrorContains(t, err, "template missing")
		state, err := store.EsimStockAlert(context.Background())
		require.NoError(t, err)
		require.Nil(t, state.LastAlertAt, "the state is rolled back with the failed alert")

		f.notifier.fail = nil
		res, err := f.check.Handle(context.Background(), usecases.CheckNumberOfUnassignedEsimIccsInput{Threshold: 5})
		require.NoError(t, err)
		require.Len(t, res.Notifications, 1)
	})
}

func TestCheckUnassignedEsimsConcurrentRunsAlertOnce(t *testing.T) {
	t.Parallel()
	forEachIccStore(t, func(t *testing.T, store iccStore) {
		f := stockSetup(t, store)

		const runs = 8
		var wg sync.WaitGroup
		errs := make(chan error, runs)
		for range runs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.check.Handle(context.Background(), usecases.CheckNumberOfUnassignedEsimIccsInput{Threshold: 5})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.Equal(t, 1, f.notifier.count())
	})
}

func TestCheckUnassignedEsimsBadInput(t *testing.T) {
	t.Parallel()
	store := sqlitetest.Open(t)
	h, err := usecases.NewCheckNumberOfUnassignedEsimIccs(usecases.CheckNumberOfUnassignedEsimIccsConfig{}, store,
		&recordingNotifier{}, fake.NewClock(iccNow), nil)
	require.NoError(t, err)
	cases := []struct {
		name string
		in   usecases.CheckNumberOfUnassignedEsimIccsInput
	}{
		{"NoRecipients", usecases.CheckNumberOfUnassignedEsimIccsInput{Threshold: 5}},
		{"BadRecipient", usecases.CheckNumberOfUnassignedEsimIccsInput{Threshold: 5, Recipients: []string{"not-an-address"}}},
		{"NegativeThreshold", usecases.CheckNumberOfUnassignedEsimIccsInput{Threshold: -1, Recipients: []string{"a@b.es"}}},
	}
	for _, tc := range cases {
		_, err := h.Handle(context.Background(), tc.in)
		require.ErrorIs(t, err, domain.ErrInvalid, tc.name)
		require.True(t, domain.IsPermanent(err), tc.name)
	}

	_, err = usecases.NewCheckNumberOfUnassignedEsimIccs(usecases.CheckNumberOfUnassignedEsimIccsConfig{Recipients: []string{"x"}},
		store, &recordingNotifier{}, fake.NewClock(iccNow), nil)
	require.ErrorContains(t, err, "Recipients")
}
