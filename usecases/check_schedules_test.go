package usecases_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/fake"
	"github.com/telcojobs/telcojobs/adapters/postgres/pgtest"
	"github.com/telcojobs/telcojobs/adapters/river"
	"github.com/telcojobs/telcojobs/adapters/sqlite/sqlitetest"
	"github.com/telcojobs/telcojobs/adapters/sqlstore"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// schedStore is what the scheduler's use cases need from storage, plus the
// channel and purchase stores that the tests fill.
type schedStore interface {
	ports.TxRunner
	ports.ScheduleStore
	ports.PurchaseSelector
	ports.ChannelStore
	ports.PurchaseStore
}

// schedStores opens an empty store per database; the scheduler's tests run
// once on each.
var schedStores = map[string]func(t testing.TB) schedStore{
	"SQLite":     func(t testing.TB) schedStore { return sqlitetest.Open(t) },
	"PostgreSQL": func(t testing.TB) schedStore { return pgtest.Open(t) },
}

// schedFixture bundles the scheduler's use cases on one store, a fake clock
// and a recording queue.
type schedFixture struct {
	store    schedStore
	clock    *fake.Clock
	queue    *fake.Queue
	registry *usecases.ActionRegistry
	save     *usecases.SaveSchedule
	check    *usecases.CheckSchedules
	run      *usecases.RunScheduleAction
}

func schedSetup(t testing.TB, store schedStore, now time.Time) *schedFixture {
	t.Helper()
	f := &schedFixture{store: store, clock: fake.NewClock(now), queue: &fake.Queue{}}

	var err error
	f.registry, err = usecases.NewDefaultActionRegistry(store, f.queue)
	require.NoError(t, err)
	f.save, err = usecases.NewSaveSchedule(store, store, f.registry, f.clock, nil)
	require.NoError(t, err)
	f.check, err = usecases.NewCheckSchedules(store, store, f.queue, f.clock, nil)
	require.NoError(t, err)
	f.run, err = usecases.NewRunScheduleAction(store, store, f.registry, f.clock, nil)
	require.NoError(t, err)
	return f
}

// forEachSchedStore runs test as a parallel subtest per database, with the
// fake clock at now.
func forEachSchedStore(t *testing.T, now time.Time, test func(t *testing.T, f *schedFixture)) {
	for name, open := range schedStores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, schedSetup(t, open(t), now))
		})
	}
}

func schedTime(s string) time.Time {
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return v
}

// saveGeneric saves an enabled generic schedule that re-provisions failed
// purchases, and returns its id.
func saveGeneric(t *testing.T, f *schedFixture, name string, times ...string) int64 {
	t.Helper()
	res, err := f.save.Handle(context.Background(), usecases.SaveScheduleInput{
		Name: name, Enabled: true, Times: times, Action: "generic",
		Parameters: json.RawMessage(`{"statuses":["provision_error"]}`),
	})
	require.NoError(t, err)
	return res.ScheduleID
}

// firedSlots returns the run_schedule_action jobs recorded by q, as
// "schedule id@slot instant" strings in enqueue order.
func firedSlots(q *fake.Queue) []string {
	var out []string
	for _, j := range q.Jobs() {
		if in, ok := j.Args.(usecases.RunScheduleActionInput); ok {
			out = append(out, fmt.Sprintf("%d@%s", in.ScheduleID, in.Slot.UTC().Format(time.RFC3339)))
		}
	}
	return out
}

// tick runs one check at the clock's time and fails the test on error.
func tick(t *testing.T, f *schedFixture) usecases.CheckSchedulesResult {
	t.Helper()
	res, err := f.check.Handle(context.Background(), usecases.CheckSchedulesInput{})
	require.NoError(t, err)
	return res
}

// tickEveryMinute runs a check each minute from the clock's time until
// (and excluding) end, 5 seconds past each minute, and returns the clock
// time of each check that fired a slot.
func tickEveryMinute(t *testing.T, f *schedFixture, end time.Time) []string {
	t.Helper()
	var firedAt []string
	for f.clock.Now().Before(end) {
		if res := tick(t, f); res.Fired > 0 {
			firedAt = append(firedAt, f.clock.Now().Format(time.RFC3339))
		}
		f.clock.Advance(time.Minute)
	}
	return firedAt
}

func TestCheckSchedulesDSTDays(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name    string
		times   []string
		start   string // first check, UTC
		end     string
		fired   []string // slot instants, UTC
		firedAt []string // clock time of the checks that fired
	}{
		{
			// 02:30 does not exist on 2025-03-30 in Madrid: it runs at 03:00 CEST.
			name: "SpringForwardGap", times: []string{"02:30"},
			start: "2025-03-29T23:00:05Z", end: "2025-03-30T03:00:00Z",
			fired:   []string{"2025-03-30T01:00:00Z"},
			firedAt: []string{"2025-03-30T01:00:05Z"},
		},
		{
			// 02:30 and 03:00 both fire at 03:00 CEST, which is one slot.
			name: "SpringForwardGapAndThree", times: []string{"02:30", "03:00", "04:00"},
			start: "2025-03-29T23:00:05Z", end: "2025-03-30T03:00:00Z",
			fired:   []string{"2025-03-30T01:00:00Z", "2025-03-30T02:00:00Z"},
			firedAt: []string{"2025-03-30T01:00:05Z", "2025-03-30T02:00:05Z"},
		},
		{
			// 02:30 happens twice on 2025-10-26 in Madrid: it runs at the first.
			name: "FallBackOverlap", times: []string{"02:30"},
			start: "2025-10-25T22:00:05Z", end: "2025-10-26T03:00:00Z",
			fired:   []string{"2025-10-26T00:30:00Z"},
			firedAt: []string{"2025-10-26T00:30:05Z"},
		},
		{
			name: "FallBackAroundOverlap", times: []string{"01:59", "02:30", "03:00"},
			start: "2025-10-25T22:00:05Z", end: "2025-10-26T03:00:00Z",
			fired:   []string{"2025-10-25T23:59:00Z", "2025-10-26T00:30:00Z", "2025-10-26T02:00:00Z"},
			firedAt: []string{"2025-10-25T23:59:05Z", "2025-10-26T00:30:05Z", "2025-10-26T02:00:05Z"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := schedTime(tc.start)
			forEachSchedStore(t, start.Add(-time.Hour), func(t *testing.T, f *schedFixture) {
				id := saveGeneric(t, f, "dst", tc.times...)
				f.clock.Set(start)

				firedAt := tickEveryMinute(t, f, schedTime(tc.end))

				var want []string
				for _, at := range tc.fired {
					want = append(want, fmt.Sprintf("%d@%s", id, at))
				}
				require.Equal(t, want, firedSlots(f.queue))
				require.Equal(t, tc.firedAt, firedAt)
			})
		})
	}
}

func TestCheckSchedulesOutageTwentyFiveMinutes(t *testing.T) {
	t.Parallel()
	// 07:00 in Madrid on 2025-01-15 is 06:00 UTC. The schedulers stop at
	// 06:50 local and come back at 07:15.
	forEachSchedStore(t, schedTime("2025-01-15T05:00:00Z"), func(t *testing.T, f *schedFixture) {
		id := saveGeneric(t, f, "outage", "07:00")
		f.clock.Set(schedTime("2025-01-15T05:50:00Z"))
		tick(t, f)

		f.clock.Set(schedTime("2025-01-15T06:15:00Z"))
		res := tick(t, f)
		require.Equal(t, 1, res.Fired)
		require.Equal(t, 0, res.Skipped)
		require.Equal(t, []string{fmt.Sprintf("%d@2025-01-15T06:00:00Z", id)}, firedSlots(f.queue))

		firedAt := tickEveryMinute(t, f, schedTime("2025-01-15T08:00:00Z"))
		require.Empty(t, firedAt, "the caught-up slot fires once")
		require.Len(t, firedSlots(f.queue), 1)
	})
}

func TestCheckSchedulesOutageSupersededSlot(t *testing.T) {
	t.Parallel()
	forEachSchedStore(t, schedTime("2025-01-15T05:00:00Z"), func(t *testing.T, f *schedFixture) {
		id := saveGeneric(t, f, "outage-two-slots", "07:00", "07:10")
		f.clock.Set(schedTime("2025-01-15T05:50:00Z"))
		tick(t, f)

		f.clock.Set(schedTime("2025-01-15T06:15:00Z"))
		res := tick(t, f)
		require.Equal(t, 1, res.Fired)
		require.Equal(t, 1, res.Skipped, "07:00 is superseded by 07:10")
		require.Equal(t, []string{fmt.Sprintf("%d@2025-01-15T06:10:00Z", id)}, firedSlots(f.queue))
	})
}

func TestCheckSchedulesOutageThreeDays(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name    string
		back    string
		fired   []string
		skipped int
	}{
		{"PastGrace", "2025-01-15T07:30:00Z", nil, 7},
		{"LastWithinGrace", "2025-01-15T06:20:00Z", []string{"2025-01-15T06:00:00Z"}, 6},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			forEachSchedStore(t, schedTime("2025-01-12T04:00:00Z"), func(t *testing.T, f *schedFixture) {
				id := saveGeneric(t, f, "long-outage", "07:00", "19:00")
				f.clock.Set(schedTime("2025-01-12T05:00:00Z"))
				tick(t, f)

				f.clock.Set(schedTime(tc.back))
				res := tick(t, f)
				require.Equal(t, len(tc.fired), res.Fired)
				require.Equal(t, tc.skipped, res.Skipped)

				var want []string
				for _, at := range tc.fired {
					want = append(want, fmt.Sprintf("%d@%s", id, at))
				}
				require.Equal(t, want, firedSlots(f.queue))

				f.clock.Advance(time.Minute)
				res = tick(t, f)
				require.Zero(t, res.Fired)
				require.Zero(t, res.Skipped, "skipped slots are reported once")
			})
		})
	}
}

func TestCheckSchedulesLastCheckMovesWhenDue(t *testing.T) {
	t.Parallel()
	forEachSchedStore(t, schedTime("2025-01-15T05:00:00Z"), func(t *testing.T, f *schedFixture) {
		ctx := context.Background()
		id := saveGeneric(t, f, "last-check", "07:00")
		lastCheck := func() time.Time {
			sc, err := f.store.Schedule(ctx, id)
			require.NoError(t, err)
			require.NotNil(t, sc.LastCheckedAt)
			return sc.LastCheckedAt.UTC()
		}

		f.clock.Set(schedTime("2025-01-15T05:30:00Z"))
		require.Zero(t, tick(t, f).Fired)
		require.Equal(t, schedTime("2025-01-15T05:00:00Z"), lastCheck(), "a check without due slots leaves it")

		f.clock.Set(schedTime("2025-01-15T06:00:05Z"))
		require.Equal(t, 1, tick(t, f).Fired)
		require.Equal(t, schedTime("2025-01-15T06:00:05Z"), lastCheck())
	})
}

func TestCheckSchedulesConcurrentSchedulers(t *testing.T) {
	t.Parallel()
	forEachSchedStore(t, schedTime("2025-01-15T05:00:00Z"), func(t *testing.T, f *schedFixture) {
		ctx := context.Background()
		const schedules = 10
		for i := range schedules {
			saveGeneric(t, f, fmt.Sprint("race-", i), "07:00", "07:01", "07:02")
		}

		// Two scheduler instances, each with its own handler and queue, on
		// one store, ticking in the same minute.
		queues := []*fake.Queue{{}, {}}
		checks := make([]*usecases.CheckSchedules, len(queues))
		for i, q := range queues {
			var err error
			checks[i], err = usecases.NewCheckSchedules(f.store, f.store, q, f.clock, nil)
			require.NoError(t, err)
		}

		f.clock.Set(schedTime("2025-01-15T05:59:05Z"))
		for range 4 {
			var wg sync.WaitGroup
			errs := make([]error, len(checks))
			start := make(chan struct{})
			for i, check := range checks {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = check.Handle(ctx, usecases.CheckSchedulesInput{})
				}()
			}
			close(start)
			wg.Wait()
			for _, err := range errs {
				require.NoError(t, err)
			}
			f.clock.Advance(time.Minute)
		}

		all := append(firedSlots(queues[0]), firedSlots(queues[1])...)
		require.Len(t, all, schedules*3, "one enqueue per slot")
		seen := map[string]bool{}
		for _, s := range all {
			require.False(t, seen[s], "slot %s enqueued twice", s)
			seen[s] = true
		}
	})
}

func TestCheckSchedulesDisabled(t *testing.T) {
	t.Parallel()
	forEachSchedStore(t, schedTime("2025-01-15T05:00:00Z"), func(t *testing.T, f *schedFixture) {
		ctx := context.Background()
		in := usecases.SaveScheduleInput{
			Name: "off", Enabled: false, Times: []string{"07:00"}, Action: "generic",
			Parameters: json.RawMessage(`{"statuses":["provision_error"]}`),
		}
		res, err := f.save.Handle(ctx, in)
		require.NoError(t, err)

		f.clock.Set(schedTime("2025-01-15T05:59:05Z"))
		firedAt := tickEveryMinute(t, f, schedTime("2025-01-15T06:30:00Z"))
		require.Empty(t, firedAt)
		require.Empty(t, firedSlots(f.queue))

		// Switched on at 07:30, after its slot: the slot it missed while
		// disabled does not fire, the next day's does.
		in.ID, in.Enabled = res.ScheduleID, true
		_, err = f.save.Handle(ctx, in)
		require.NoError(t, err)
		f.clock.Set(schedTime("2025-01-15T06:31:05Z"))
		require.Zero(t, tick(t, f).Fired)

		f.clock.Set(schedTime("2025-01-16T06:00:05Z"))
		require.Equal(t, 1, tick(t, f).Fired)
		require.Equal(t, []string{fmt.Sprintf("%d@2025-01-16T06:00:00Z", res.ScheduleID)}, firedSlots(f.queue))
	})
}

func TestCheckSchedulesNewScheduleSkipsPast(t *testing.T) {
	t.Parallel()
	// Saved at 07:30 local with a 07:00 slot: that slot passed before the
	// schedule existed and does not fire.
	forEachSchedStore(t, schedTime("2025-01-15T06:30:00Z"), func(t *testing.T, f *schedFixture) {
		saveGeneric(t, f, "late-comer", "07:00")
		f.clock.Advance(5 * time.Second)
		res := tick(t, f)
		require.Zero(t, res.Fired)
		require.Zero(t, res.Skipped)
	})
}

func TestCheckSchedulesEarlierTimeWaits(t *testing.T) {
	t.Parallel()
	// At 07:30 local the time changes from 19:00 to 07:00: today's 07:00,
	// within the grace period, does not fire, tomorrow's does.
	forEachSchedStore(t, schedTime("2025-01-14T17:00:00Z"), func(t *testing.T, f *schedFixture) {
		ctx := context.Background()
		in := usecases.SaveScheduleInput{
			Name: "moved", Enabled: true, Times: []string{"19:00"}, Action: "generic",
			Parameters: json.RawMessage(`{"statuses":["provision_error"]}`),
		}
		res, err := f.save.Handle(ctx, in)
		require.NoError(t, err)
		f.clock.Set(schedTime("2025-01-14T18:00:05Z"))
		require.Equal(t, 1, tick(t, f).Fired)

		f.clock.Set(schedTime("2025-01-15T06:30:00Z"))
		in.ID, in.Times = res.ScheduleID, []string{"07:00"}
		_, err = f.save.Handle(ctx, in)
		require.NoError(t, err)
		f.clock.Advance(time.Minute)
		require.Zero(t, tick(t, f).Fired)

		f.clock.Set(schedTime("2025-01-16T06:00:05Z"))
		require.Equal(t, 1, tick(t, f).Fired)
		require.Equal(t, []string{
			fmt.Sprintf("%d@2025-01-14T18:00:00Z", res.ScheduleID),
			fmt.Sprintf("%d@2025-01-16T06:00:00Z", res.ScheduleID),
		}, firedSlots(f.queue))
	})
}

func TestCheckSchedulesEnqueueFailureRetries(t *testing.T) {
	t.Parallel()
	forEachSchedStore(t, schedTime("2025-01-15T05:00:00Z"), func(t *testing.T, f *schedFixture) {
		id := saveGeneric(t, f, "retry", "07:00")
		f.clock.Set(schedTime("2025-01-15T06:00:05Z"))

		f.queue.Err = errors.New("queue unavailable")
		res, err := f.check.Handle(context.Background(), usecases.CheckSchedulesInput{})
		require.ErrorContains(t, err, "queue unavailable")
		require.Equal(t, 1, res.Failed)
		require.Zero(t, res.Fired)

		// The claim rolled back with the failed enqueue and the last check
		// did not move, so the next check fires the slot.
		f.queue.Err = nil
		f.clock.Advance(time.Minute)
		res = tick(t, f)
		require.Equal(t, 1, res.Fired)
		require.Equal(t, []string{fmt.Sprintf("%d@2025-01-15T06:00:00Z", id)}, firedSlots(f.queue))
	})
}

func TestCheckSchedulesOtherZone(t *testing.T) {
	t.Parallel()
	forEachSchedStore(t, schedTime("2025-01-15T05:00:00Z"), func(t *testing.T, f *schedFixture) {
		res, err := f.save.Handle(context.Background(), usecases.SaveScheduleInput{
			Name: "canarias", Enabled: true, Times: []string{"07:00"}, TimeZone: "Atlantic/Canary",
			Action: "generic", Parameters: json.RawMessage(`{"statuses":["provision_error"]}`),
		})
		require.NoError(t, err)

		// 07:00 in the Canary Islands is 07:00 UTC in winter, an hour
		// after 07:00 in Madrid.
		f.clock.Set(schedTime("2025-01-15T05:59:05Z"))
		firedAt := tickEveryMinute(t, f, schedTime("2025-01-15T07:30:00Z"))
		require.Equal(t, []string{"2025-01-15T07:00:05Z"}, firedAt)
		require.Equal(t, []string{fmt.Sprintf("%d@2025-01-15T07:00:00Z", res.ScheduleID)}, firedSlots(f.queue))
	})
}

// BenchmarkCheckSchedules measures one check over 10,000 enabled schedules
// on PostgreSQL against its baseline, the single indexed select of the same
// rows that the check starts with. Each iteration moves the fake clock one
// minute, so a check also fires the slots due in that minute (about 7 of
// the 10,000, whose times are spread over the day).
func BenchmarkCheckSchedules(b *testing.B) {
	const schedules = 10000
	ctx := context.Background()
	store := schedStores["PostgreSQL"](b)
	start := schedTime("2025-01-15T00:00:05Z")
	f := schedSetup(b, store, start.Add(-time.Minute))

	params := json.RawMessage(`{"statuses":["provision_error"]}`)
	checked := start.Add(-time.Minute)
	for i := range schedules {
		minute := i * 7 % 1440
		_, err := store.CreateSchedule(ctx, domain.Schedule{
			Name: fmt.Sprint("bench-", i), Enabled: true, Action: "generic", Parameters: params,
			Times:         []domain.ClockTime{{Hour: minute / 60, Minute: minute % 60}},
			CreatedAt:     checked,
			LastCheckedAt: &checked,
		})
		require.NoError(b, err)
	}
	f.clock.Set(start)

	var selectTime, checkTime time.Duration
	fired, iterations := 0, 0
	for b.Loop() {
		t0 := time.Now()
		list, err := store.ListEnabledSchedules(ctx)
		require.NoError(b, err)
		require.Len(b, list, schedules)
		t1 := time.Now()
		res, err := f.check.Handle(ctx, usecases.CheckSchedulesInput{})
		require.NoError(b, err)
		t2 := time.Now()

		require.Equal(b, schedules, res.Checked)
		fired += res.Fired
		selectTime += t1.Sub(t0)
		checkTime += t2.Sub(t1)
		f.clock.Advance(time.Minute)
		iterations++
	}

	b.ReportMetric(float64(selectTime.Microseconds())/1000/float64(iterations), "select_ms/op")
	b.ReportMetric(float64(checkTime.Microseconds())/1000/float64(iterations), "check_ms/op")
	b.ReportMetric(float64(checkTime)/float64(selectTime), "check/select")
	b.ReportMetric(float64(fired)/float64(iterations), "fired/op")
}

// riverSchedStores opens a store with the job tables migrated, and returns
// it with the constructor of a River engine on it.
var riverSchedStores = map[string]func(t *testing.T) (schedStore, func(river.Handlers, river.Config) (*river.Engine, error)){
	"SQLite": func(t *testing.T) (schedStore, func(river.Handlers, river.Config) (*river.Engine, error)) {
		store := sqlitetest.Open(t)
		require.NoError(t, river.MigrateSQLite(context.Background(), store, nil))
		return store, func(h river.Handlers, c river.Config) (*river.Engine, error) { return river.NewSQLite(store, h, c) }
	},
	"PostgreSQL": func(t *testing.T) (schedStore, func(river.Handlers, river.Config) (*river.Engine, error)) {
		store := pgtest.Open(t)
		require.NoError(t, river.MigratePostgres(context.Background(), store, nil))
		return store, func(h river.Handlers, c river.Config) (*river.Engine, error) { return river.NewPostgres(store, h, c) }
	},
}

// countJobs counts the jobs of a kind in River's job table, whatever their
// state.
func countJobs(t *testing.T, db sqlstore.Querier, kind string) int {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM river_job WHERE kind = $1`, kind).Scan(&n))
	return n
}

// TestCheckSchedulesThroughRiver runs the scheduler on the real job engine.
// A check inside a rolled-back transaction leaves neither a slot nor a job,
// and two schedulers ticking together enqueue the slot once. The engine
// then runs run_schedule_action, whose generic action enqueues
// provision_purchase once per failed purchase.
func TestCheckSchedulesThroughRiver(t *testing.T) {
	t.Parallel()
	for name, open := range riverSchedStores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			store, newEngine := open(t)
			clock := fake.NewClock(schedTime("2025-01-15T05:00:00Z"))
			db := store.(interface{ DB() *sql.DB }).DB()

			// The engine needs its handlers when it is built, and the
			// run_schedule_action handler needs the engine as its queue.
			var run *usecases.RunScheduleAction
			var mu sync.Mutex
			provisioned := map[int64]int{}
			handlers := river.Handlers{
				RunScheduleAction: river.HandlerFunc[usecases.RunScheduleActionInput](func(ctx context.Context, in usecases.RunScheduleActionInput) error {
					return run.HandleJob(ctx, in)
				}),
				ProvisionPurchase: river.HandlerFunc[usecases.ProvisionPurchaseInput](func(_ context.Context, in usecases.ProvisionPurchaseInput) error {
					mu.Lock()
					defer mu.Unlock()
					provisioned[in.PurchaseID]++
					return nil
				}),
			}
			engine, err := newEngine(handlers, river.Config{
				FetchCooldown: 5 * time.Millisecond, FetchPollInterval: 50 * time.Millisecond,
				PeriodicJobs: []river.PeriodicJob{}, ShutdownTimeout: 5 * time.Second,
			})
			require.NoError(t, err)

			registry, err := usecases.NewDefaultActionRegistry(store, engine)
			require.NoError(t, err)
			run, err = usecases.NewRunScheduleAction(store, store, registry, clock, nil)
			require.NoError(t, err)
			save, err := usecases.NewSaveSchedule(store, store, registry, clock, nil)
			require.NoError(t, err)
			checks := make([]*usecases.CheckSchedules, 2)
			for i := range checks {
				checks[i], err = usecases.NewCheckSchedules(store, store, engine, clock, nil)
				require.NoError(t, err)
			}

			channel, err := store.CreateChannel(ctx, domain.Channel{Slug: "web", Name: "Web"})
			require.NoError(t, err)
			var failed []int64
			for i := range 3 {
				p, err := store.CreatePurchase(ctx, domain.Purchase{ChannelID: channel.ID, Status: domain.PurchaseProvisionError,
					CreatedAt: clock.Now().Add(-time.Duration(i+1) * time.Hour)})
				require.NoError(t, err)
				failed = append(failed, p.ID)
			}
			_, err = store.CreatePurchase(ctx, domain.Purchase{ChannelID: channel.ID, Status: domain.PurchaseCompleted, CreatedAt: clock.Now()})
			require.NoError(t, err)
			saved, err := save.Handle(ctx, usecases.SaveScheduleInput{
				Name: "river", Enabled: true, Times: []string{"07:00"}, Action: "generic",
				Parameters: json.RawMessage(`{"statuses":["provision_error"]}`),
			})
			require.NoError(t, err)
			clock.Set(schedTime("2025-01-15T06:00:05Z"))

			// A check whose transaction rolls back leaves no job and no slot.
			rollback := errors.New("roll back the check")
			err = store.InTx(ctx, func(ctx context.Context) error {
				res, err := checks[0].Handle(ctx, usecases.CheckSchedulesInput{})
				require.NoError(t, err)
				require.Equal(t, 1, res.Fired)
				// SQLite's single connection is held by the transaction, so
				// the count must run on it.
				tx, ok := sqlstore.TxFromContext(ctx)
				require.True(t, ok)
				require.Equal(t, 1, countJobs(t, tx, "run_schedule_action"), "the job is visible inside the transaction")
				return rollback
			})
			require.ErrorIs(t, err, rollback)
			require.Zero(t, countJobs(t, db, "run_schedule_action"))

			// Two schedulers in the same minute enqueue the slot once.
			var wg sync.WaitGroup
			results := make([]usecases.CheckSchedulesResult, len(checks))
			errs := make([]error, len(checks))
			for i, check := range checks {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i], errs[i] = check.Handle(ctx, usecases.CheckSchedulesInput{})
				}()
			}
			wg.Wait()
			require.NoError(t, errs[0])
			require.NoError(t, errs[1])
			// The second scheduler either finds the slot claimed or, when the
			// first one has already recorded its check, not due any more.
			require.Equal(t, 1, results[0].Fired+results[1].Fired)
			require.LessOrEqual(t, results[0].AlreadyFired+results[1].AlreadyFired, 1)
			require.Equal(t, 1, countJobs(t, db, "run_schedule_action"))

			// The engine runs the action, which provisions each failed
			// purchase once.
			require.NoError(t, engine.Start(ctx))
			t.Cleanup(func() {
				stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				if err := engine.Stop(stopCtx); err != nil {
					t.Errorf("stop engine: %v", err)
				}
			})
			require.Eventually(t, func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(provisioned) == len(failed)
			}, 20*time.Second, 20*time.Millisecond, "provision_purchase ran for every failed purchase")

			mu.Lock()
			for _, id := range failed {
				require.Equal(t, 1, provisioned[id], "purchase %d", id)
			}
			mu.Unlock()
			require.Equal(t, len(failed), countJobs(t, db, "provision_purchase"))
			sc, err := store.Schedule(ctx, saved.ScheduleID)
			require.NoError(t, err)
			require.NotNil(t, sc.ExecutedAt)
		})
	}
}
