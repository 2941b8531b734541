package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

func init() {
	register("Schedules", testSchedules)
	register("PurchaseSelection", testPurchaseSelection)
}

func sampleSchedule(name string) domain.Schedule {
	return domain.Schedule{
		Name:        name,
		Enabled:     true,
		Times:       []domain.ClockTime{{Hour: 19, Minute: 30}, {Hour: 7}},
		TimeZone:    "Europe/Madrid",
		Action:      "generic",
		Parameters:  json.RawMessage(`{"statuses":["provision_error"]}`),
		GracePeriod: 90 * time.Minute,
		CreatedAt:   base,
	}
}

func sampleSlot(at time.Time) domain.Slot {
	return domain.Slot{Date: "2025-03-30", Time: domain.ClockTime{Hour: 2, Minute: 30}, At: at, Shift: domain.SlotAfterGap}
}

func testSchedules(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("CreateAndGet", func(t *testing.T) {
		t.Parallel()
		s := As[ports.ScheduleStore](t, open(t))

		created, err := s.CreateSchedule(ctx, sampleSchedule("reprovision"))
		require.NoError(t, err)
		require.NotZero(t, created.ID)
		require.Equal(t, []domain.ClockTime{{Hour: 7}, {Hour: 19, Minute: 30}}, created.Times, "times are stored sorted")
		require.Equal(t, 90*time.Minute, created.GracePeriod)
		require.JSONEq(t, `{"statuses":["provision_error"]}`, string(created.Parameters))
		require.True(t, created.CreatedAt.Equal(base))
		require.True(t, created.UpdatedAt.Equal(base))
		require.Nil(t, created.ExecutedAt)
		require.Nil(t, created.LastCheckedAt)

		got, err := s.Schedule(ctx, created.ID)
		require.NoError(t, err)
		require.Equal(t, created, got)

		byName, err := s.ScheduleByName(ctx, "reprovision")
		require.NoError(t, err)
		require.Equal(t, created, byName)
	})

	t.Run("CreateFillsDefaults", func(t *testing.T) {
		t.Parallel()
		s := As[ports.ScheduleStore](t, open(t))

		sc := sampleSchedule("defaults")
		sc.TimeZone, sc.GracePeriod, sc.Parameters = "", 0, nil
		created, err := s.CreateSchedule(ctx, sc)
		require.NoError(t, err)
		require.Equal(t, domain.DefaultTimeZone, created.TimeZone)
		require.Equal(t, domain.DefaultGracePeriod, created.GracePeriod)
		require.JSONEq(t, `{}`, string(created.Parameters))
	})

	t.Run("CreateInvalid", func(t *testing.T) {
		t.Parallel()
		s := As[ports.ScheduleStore](t, open(t))
		sc := sampleSchedule("invalid")
		sc.TimeZone = "Mars/Olympus"
		_, err := s.CreateSchedule(ctx, sc)
		require.ErrorIs(t, err, domain.ErrInvalid)
	})

	t.Run("NameConflict", func(t *testing.T) {
		t.Parallel()
		s := As[ports.ScheduleStore](t, open(t))

		_, err := s.CreateSchedule(ctx, sampleSchedule("taken"))
		require.NoError(t, err)
		_, err = s.CreateSchedule(ctx, sampleSchedule("taken"))
		require.ErrorIs(t, err, domain.ErrConflict)

		other, err := s.CreateSchedule(ctx, sampleSchedule("other"))
		require.NoError(t, err)
		other.Name = "taken"
		_, err = s.UpdateSchedule(ctx, other)
		require.ErrorIs(t, err, domain.ErrConflict)
	})

	t.Run("NotFound", func(t *testing.T) {
		t.Parallel()
		s := As[ports.ScheduleStore](t, open(t))

		_, err := s.Schedule(ctx, 404)
		require.ErrorIs(t, err, domain.ErrNotFound)
		_, err = s.ScheduleByName(ctx, "missing")
		require.ErrorIs(t, err, domain.ErrNotFound)
		sc := sampleSchedule("missing")
		sc.ID = 404
		_, err = s.UpdateSchedule(ctx, sc)
		require.ErrorIs(t, err, domain.ErrNotFound)
		err = s.RecordScheduleExecuted(ctx, 404, base)
		require.ErrorIs(t, err, domain.ErrNotFound)
		_, err = s.ClaimScheduleSlot(ctx, 404, sampleSlot(base), base)
		require.ErrorIs(t, err, domain.ErrNotFound)
	})

	t.Run("UpdateKeepsRunTimes", func(t *testing.T) {
		t.Parallel()
		s := As[ports.ScheduleStore](t, open(t))

		created, err := s.CreateSchedule(ctx, sampleSchedule("update"))
		require.NoError(t, err)
		require.NoError(t, s.RecordScheduleExecuted(ctx, created.ID, base.Add(time.Minute)))
		require.NoError(t, s.RecordScheduleChecks(ctx, base.Add(2*time.Minute), created.ID))

		changed := created
		changed.Name = "update-renamed"
		changed.Enabled = false
		changed.Times = []domain.ClockTime{{Hour: 2, Minute: 30}}
		changed.TimeZone = "America/New_York"
		changed.Action = "custom"
		changed.Parameters = json.RawMessage(`{"x":1}`)
		changed.GracePeriod = 5 * time.Minute
		changed.UpdatedAt = base.Add(time.Hour)
		changed.ExecutedAt, changed.LastCheckedAt = nil, nil
		updated, err := s.UpdateSchedule(ctx, changed)
		require.NoError(t, err)

		require.Equal(t, "update-renamed", updated.Name)
		require.False(t, updated.Enabled)
		require.Equal(t, []domain.ClockTime{{Hour: 2, Minute: 30}}, updated.Times)
		require.Equal(t, "America/New_York", updated.TimeZone)
		require.Equal(t, "custom", updated.Action)
		require.JSONEq(t, `{"x":1}`, string(updated.Parameters))
		require.Equal(t, 5*time.Minute, updated.GracePeriod)
		require.True(t, updated.CreatedAt.Equal(base))
		require.True(t, updated.UpdatedAt.Equal(base.Add(time.Hour)))
		require.NotNil(t, updated.ExecutedAt)
		require.True(t, updated.ExecutedAt.Equal(base.Add(time.Minute)))
		require.NotNil(t, updated.LastCheckedAt)
		require.True(t, updated.LastCheckedAt.Equal(base.Add(2*time.Minute)))
	})

	t.Run("ListEnabled", func(t *testing.T) {
		t.Parallel()
		s := As[ports.ScheduleStore](t, open(t))

		var want []int64
		for i := range 5 {
			sc := sampleSchedule(fmt.Sprint("list-", i))
			sc.Enabled = i%2 == 0
			created, err := s.CreateSchedule(ctx, sc)
			require.NoError(t, err)
			if sc.Enabled {
				want = append(want, created.ID)
			}
		}

		list, err := s.ListEnabledSchedules(ctx)
		require.NoError(t, err)
		var got []int64
		for _, sc := range list {
			require.True(t, sc.Enabled)
			got = append(got, sc.ID)
		}
		require.Equal(t, want, got)
	})

	t.Run("RecordChecksNeverMovesBack", func(t *testing.T) {
		t.Parallel()
		s := As[ports.ScheduleStore](t, open(t))

		a, err := s.CreateSchedule(ctx, sampleSchedule("check-a"))
		require.NoError(t, err)
		b, err := s.CreateSchedule(ctx, sampleSchedule("check-b"))
		require.NoError(t, err)

		require.NoError(t, s.RecordScheduleChecks(ctx, base.Add(time.Hour), a.ID))
		require.NoError(t, s.RecordScheduleChecks(ctx, base.Add(time.Minute), a.ID, b.ID, 404))

		gotA, err := s.Schedule(ctx, a.ID)
		require.NoError(t, err)
		require.True(t, gotA.LastCheckedAt.Equal(base.Add(time.Hour)), "last check %s", gotA.LastCheckedAt)
		gotB, err := s.Schedule(ctx, b.ID)
		require.NoError(t, err)
		require.True(t, gotB.LastCheckedAt.Equal(base.Add(time.Minute)), "last check %s", gotB.LastCheckedAt)

		require.NoError(t, s.RecordScheduleChecks(ctx, base))
	})

	t.Run("RecordChecksManyIDs", func(t *testing.T) {
		t.Parallel()
		s := As[ports.ScheduleStore](t, open(t))

		created, err := s.CreateSchedule(ctx, sampleSchedule("many"))
		require.NoError(t, err)
		ids := make([]int64, 0, 1201)
		for i := range 1200 {
			ids = append(ids, int64(100000+i))
		}
		ids = append(ids, created.ID)
		require.NoError(t, s.RecordScheduleChecks(ctx, base, ids...))

		got, err := s.Schedule(ctx, created.ID)
		require.NoError(t, err)
		require.NotNil(t, got.LastCheckedAt)
		require.True(t, got.LastCheckedAt.Equal(base))
	})

	t.Run("RecordExecuted", func(t *testing.T) {
		t.Parallel()
		s := As[ports.ScheduleStore](t, open(t))

		created, err := s.CreateSchedule(ctx, sampleSchedule("executed"))
		require.NoError(t, err)
		require.NoError(t, s.RecordScheduleExecuted(ctx, created.ID, base.Add(time.Hour)))
		got, err := s.Schedule(ctx, created.ID)
		require.NoError(t, err)
		require.NotNil(t, got.ExecutedAt)
		require.True(t, got.ExecutedAt.Equal(base.Add(time.Hour)))
	})

	t.Run("ClaimSlotOnce", func(t *testing.T) {
		t.Parallel()
		s := As[ports.ScheduleStore](t, open(t))

		a, err := s.CreateSchedule(ctx, sampleSchedule("claim-a"))
		require.NoError(t, err)
		b, err := s.CreateSchedule(ctx, sampleSchedule("claim-b"))
		require.NoError(t, err)

		claimed, err := s.ClaimScheduleSlot(ctx, a.ID, sampleSlot(base), base)
		require.NoError(t, err)
		require.True(t, claimed)
		claimed, err = s.ClaimScheduleSlot(ctx, a.ID, sampleSlot(base), base.Add(time.Second))
		require.NoError(t, err)
		require.False(t, claimed, "the same slot again")

		claimed, err = s.ClaimScheduleSlot(ctx, a.ID, sampleSlot(base.Add(time.Minute)), base)
		require.NoError(t, err)
		require.True(t, claimed, "another slot of the same schedule")
		claimed, err = s.ClaimScheduleSlot(ctx, b.ID, sampleSlot(base), base)
		require.NoError(t, err)
		require.True(t, claimed, "the same slot of another schedule")

		// The key is the instant, whatever zone the caller's time is in.
		claimed, err = s.ClaimScheduleSlot(ctx, a.ID, sampleSlot(base.In(time.FixedZone("CEST", 7200))), base)
		require.NoError(t, err)
		require.False(t, claimed, "the same instant in another zone")

		_, err = s.ClaimScheduleSlot(ctx, a.ID, domain.Slot{}, base)
		require.ErrorIs(t, err, domain.ErrInvalid)
	})

	t.Run("ClaimRolledBackIsFree", func(t *testing.T) {
		t.Parallel()
		store := open(t)
		s := As[ports.ScheduleStore](t, store)

		created, err := s.CreateSchedule(ctx, sampleSchedule("rollback"))
		require.NoError(t, err)

		boom := fmt.Errorf("enqueue failed")
		err = store.InTx(ctx, func(ctx context.Context) error {
			claimed, err := s.ClaimScheduleSlot(ctx, created.ID, sampleSlot(base), base)
			require.NoError(t, err)
			require.True(t, claimed)
			return boom
		})
		require.ErrorIs(t, err, boom)

		claimed, err := s.ClaimScheduleSlot(ctx, created.ID, sampleSlot(base), base)
		require.NoError(t, err)
		require.True(t, claimed, "the rolled-back claim left the slot free")
	})

	t.Run("ConcurrentClaimsOneWinner", func(t *testing.T) {
		t.Parallel()
		store := open(t)
		s := As[ports.ScheduleStore](t, store)

		created, err := s.CreateSchedule(ctx, sampleSchedule("race"))
		require.NoError(t, err)

		// Each round races two transactions for one slot. The pause inside
		// the transaction keeps the first one open while the second claims.
		for round := range 10 {
			slot := sampleSlot(base.Add(time.Duration(round) * time.Minute))
			var wg sync.WaitGroup
			wins := make([]bool, 2)
			errs := make([]error, 2)
			start := make(chan struct{})
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = store.InTx(ctx, func(ctx context.Context) error {
						claimed, err := s.ClaimScheduleSlot(ctx, created.ID, slot, base)
						if err != nil {
							return err
						}
						wins[i] = claimed
						time.Sleep(5 * time.Millisecond)
						return nil
					})
				}()
			}
			close(start)
			wg.Wait()

			require.NoError(t, errs[0], "round %d", round)
			require.NoError(t, errs[1], "round %d", round)
			require.NotEqual(t, wins[0], wins[1], "round %d: exactly one claim wins", round)
		}
	})

	t.Run("ConcurrentClaimsWithoutTransaction", func(t *testing.T) {
		t.Parallel()
		s := As[ports.ScheduleStore](t, open(t))

		created, err := s.CreateSchedule(ctx, sampleSchedule("race-autocommit"))
		require.NoError(t, err)

		const workers = 8
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		errs := make(chan error, workers)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				claimed, err := s.ClaimScheduleSlot(ctx, created.ID, sampleSlot(base), base)
				errs <- err
				if claimed {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.Equal(t, 1, wins)
	})
}

func testPurchaseSelection(t *testing.T, open Opener) {
	ctx := context.Background()
	store := open(t)
	s := As[ports.PurchaseSelector](t, store)

	web, err := store.CreateChannel(ctx, domain.Channel{Slug: "web", Name: "Web"})
	require.NoError(t, err)
	shop, err := store.CreateChannel(ctx, domain.Channel{Slug: "tiendas", Name: "Tiendas"})
	require.NoError(t, err)

	attempt := func(d time.Duration) *time.Time { v := base.Add(d); return &v }
	rows := []domain.Purchase{
		// 0: the reference purchase that every filter below keeps.
		{ChannelID: web.ID, Type: "portability", Status: domain.PurchaseProvisionError, ErrorCode: "E42",
			Attempts: 1, LastAttemptAt: attempt(-2 * time.Hour), CreatedAt: base.Add(-3 * time.Hour)},
		// 1: another channel.
		{ChannelID: shop.ID, Type: "portability", Status: domain.PurchaseProvisionError, ErrorCode: "E42",
			Attempts: 1, LastAttemptAt: attempt(-2 * time.Hour), CreatedAt: base.Add(-3*time.Hour + time.Second)},
		// 2: another type.
		{ChannelID: web.ID, Type: "new_line", Status: domain.PurchaseProvisionError, ErrorCode: "E42",
			Attempts: 1, LastAttemptAt: attempt(-2 * time.Hour), CreatedAt: base.Add(-3*time.Hour + 2*time.Second)},
		// 3: another status.
		{ChannelID: web.ID, Type: "portability", Status: domain.PurchaseCompleted, ErrorCode: "E42",
			Attempts: 1, LastAttemptAt: attempt(-2 * time.Hour), CreatedAt: base.Add(-3*time.Hour + 3*time.Second)},
		// 4: another error code.
		{ChannelID: web.ID, Type: "portability", Status: domain.PurchaseProvisionError, ErrorCode: "E99",
			Attempts: 1, LastAttemptAt: attempt(-2 * time.Hour), CreatedAt: base.Add(-3*time.Hour + 4*time.Second)},
		// 5: too many attempts.
		{ChannelID: web.ID, Type: "portability", Status: domain.PurchaseProvisionError, ErrorCode: "E42",
			Attempts: 5, LastAttemptAt: attempt(-2 * time.Hour), CreatedAt: base.Add(-3*time.Hour + 5*time.Second)},
		// 6: created ten days ago, attempted recently.
		{ChannelID: web.ID, Type: "portability", Status: domain.PurchaseProvisionError, ErrorCode: "E42",
			Attempts: 1, LastAttemptAt: attempt(-10 * time.Minute), CreatedAt: base.Add(-240 * time.Hour)},
		// 7: never attempted.
		{ChannelID: web.ID, Type: "portability", Status: domain.PurchaseProvisionError, ErrorCode: "E42",
			CreatedAt: base.Add(-3*time.Hour + 7*time.Second)},
	}
	ids := make([]int64, len(rows))
	for i, p := range rows {
		created, err := store.CreatePurchase(ctx, p)
		require.NoError(t, err)
		ids[i] = created.ID
	}
	at := func(d time.Duration) *time.Time { v := base.Add(d); return &v }

	cases := []struct {
		name   string
		filter ports.PurchaseFilter
		want   []int
	}{
		{"NoFilter", ports.PurchaseFilter{}, []int{6, 0, 1, 2, 3, 4, 5, 7}},
		{"Channel", ports.PurchaseFilter{ChannelSlugs: []string{"tiendas"}}, []int{1}},
		{"UnknownChannel", ports.PurchaseFilter{ChannelSlugs: []string{"nadie"}}, nil},
		{"Type", ports.PurchaseFilter{Types: []string{"new_line"}}, []int{2}},
		{"Statuses", ports.PurchaseFilter{Statuses: []domain.PurchaseStatus{domain.PurchaseCompleted, domain.PurchaseCancelled}}, []int{3}},
		{"ErrorCodes", ports.PurchaseFilter{ErrorCodes: []string{"E99", "E00"}}, []int{4}},
		{"MaxAttempts", ports.PurchaseFilter{MaxAttempts: 2, Statuses: []domain.PurchaseStatus{domain.PurchaseProvisionError}}, []int{6, 0, 1, 2, 4, 7}},
		{"CreatedWindow", ports.PurchaseFilter{From: at(-24 * time.Hour), To: at(-3 * time.Hour)}, []int{0}},
		{"CreatedOlderThan", ports.PurchaseFilter{To: at(-24 * time.Hour)}, []int{6}},
		{"LastAttemptWindow", ports.PurchaseFilter{AgeField: domain.AgeFromLastAttempt, From: at(-time.Hour)}, []int{6}},
		{"LastAttemptSkipsNeverAttempted", ports.PurchaseFilter{AgeField: domain.AgeFromLastAttempt, To: at(0)}, []int{6, 0, 1, 2, 3, 4, 5}},
		{"Limit", ports.PurchaseFilter{Limit: 2}, []int{6, 0}},
		{"AllFilters", ports.PurchaseFilter{
			ChannelSlugs: []string{"web"}, Types: []string{"portability"},
			Statuses:   []domain.PurchaseStatus{domain.PurchaseProvisionError},
			ErrorCodes: []string{"E42"}, AgeField: domain.AgeFromLastAttempt,
			From: at(-3 * time.Hour), To: at(-time.Hour), MaxAttempts: 3,
		}, []int{0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := tc.filter
			if f.Limit == 0 {
				f.Limit = 100
			}
			got, err := s.SelectPurchases(ctx, f)
			require.NoError(t, err)

			var want []int64
			for _, i := range tc.want {
				want = append(want, ids[i])
			}
			var gotIDs []int64
			for _, p := range got {
				gotIDs = append(gotIDs, p.ID)
			}
			require.Equal(t, want, gotIDs)
		})
	}

	t.Run("ReturnsWholePurchase", func(t *testing.T) {
		t.Parallel()
		got, err := s.SelectPurchases(ctx, ports.PurchaseFilter{ChannelSlugs: []string{"tiendas"}, Limit: 1})
		require.NoError(t, err)
		require.Len(t, got, 1)
		want, err := store.Purchase(ctx, ids[1])
		require.NoError(t, err)
		require.Equal(t, want, got[0])
	})

	t.Run("Invalid", func(t *testing.T) {
		t.Parallel()
		_, err := s.SelectPurchases(ctx, ports.PurchaseFilter{})
		require.ErrorIs(t, err, domain.ErrInvalid, "a limit is required")
		_, err = s.SelectPurchases(ctx, ports.PurchaseFilter{Limit: 1, AgeField: "updated_at"})
		require.ErrorIs(t, err, domain.ErrInvalid)
	})
}
