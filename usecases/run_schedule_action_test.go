package usecases_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/fake"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

var runNow = schedTime("2025-01-15T12:00:00Z")

// runPurchases creates purchases that differ from a reference purchase
// (index 0) in one field each, and returns their ids by index.
func runPurchases(t *testing.T, f *schedFixture) []int64 {
	t.Helper()
	ctx := context.Background()
	web, err := f.store.CreateChannel(ctx, domain.Channel{Slug: "tienda-online", Name: "Tienda online"})
	require.NoError(t, err)
	shops, err := f.store.CreateChannel(ctx, domain.Channel{Slug: "tiendas", Name: "Tiendas"})
	require.NoError(t, err)

	ago := func(d time.Duration) time.Time { return runNow.Add(-d) }
	attemptAgo := func(d time.Duration) *time.Time { v := runNow.Add(-d); return &v }
	rows := []domain.Purchase{
		// 0: reference: web, portability, provision_error E42, 1 attempt two
		// hours ago, created three hours ago.
		{ChannelID: web.ID, Type: "portability", Status: domain.PurchaseProvisionError, ErrorCode: "E42",
			Attempts: 1, LastAttemptAt: attemptAgo(2 * time.Hour), CreatedAt: ago(3 * time.Hour)},
		// 1: other channel.
		{ChannelID: shops.ID, Type: "portability", Status: domain.PurchaseProvisionError, ErrorCode: "E42",
			Attempts: 1, LastAttemptAt: attemptAgo(2 * time.Hour), CreatedAt: ago(3*time.Hour - time.Second)},
		// 2: other type.
		{ChannelID: web.ID, Type: "new_line", Status: domain.PurchaseProvisionError, ErrorCode: "E42",
			Attempts: 1, LastAttemptAt: attemptAgo(2 * time.Hour), CreatedAt: ago(3*time.Hour - 2*time.Second)},
		// 3: pending provision.
		{ChannelID: web.ID, Type: "portability", Status: domain.PurchasePendingProvision, ErrorCode: "E42",
			Attempts: 1, LastAttemptAt: attemptAgo(2 * time.Hour), CreatedAt: ago(3*time.Hour - 3*time.Second)},
		// 4: other error code.
		{ChannelID: web.ID, Type: "portability", Status: domain.PurchaseProvisionError, ErrorCode: "E99",
			Attempts: 1, LastAttemptAt: attemptAgo(2 * time.Hour), CreatedAt: ago(3*time.Hour - 4*time.Second)},
		// 5: six attempts.
		{ChannelID: web.ID, Type: "portability", Status: domain.PurchaseProvisionError, ErrorCode: "E42",
			Attempts: 6, LastAttemptAt: attemptAgo(2 * time.Hour), CreatedAt: ago(3*time.Hour - 5*time.Second)},
		// 6: created ten days ago, attempted ten minutes ago.
		{ChannelID: web.ID, Type: "portability", Status: domain.PurchaseProvisionError, ErrorCode: "E42",
			Attempts: 1, LastAttemptAt: attemptAgo(10 * time.Minute), CreatedAt: ago(240 * time.Hour)},
		// 7: completed.
		{ChannelID: web.ID, Type: "portability", Status: domain.PurchaseCompleted,
			Attempts: 1, LastAttemptAt: attemptAgo(2 * time.Hour), CreatedAt: ago(3*time.Hour - 7*time.Second)},
	}
	ids := make([]int64, len(rows))
	for i, p := range rows {
		created, err := f.store.CreatePurchase(ctx, p)
		require.NoError(t, err)
		ids[i] = created.ID
	}
	return ids
}

// provisioned returns the purchase ids of the provision_purchase jobs
// recorded by q, in enqueue order.
func provisioned(q *fake.Queue) []int64 {
	var out []int64
	for _, j := range q.Jobs() {
		if in, ok := j.Args.(usecases.ProvisionPurchaseInput); ok {
			out = append(out, in.PurchaseID)
		}
	}
	return out
}

func TestRunScheduleActionGenericFilters(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name   string
		params string
		want   []int // purchase indexes, oldest first
	}{
		{"StatusesOnly", `{"statuses":["provision_error"]}`, []int{6, 0, 1, 2, 4, 5}},
		{"SeveralStatuses", `{"statuses":["provision_error","pending_provision"]}`, []int{6, 0, 1, 2, 3, 4, 5}},
		{"Channel", `{"statuses":["provision_error"],"channels":["tiendas"]}`, []int{1}},
		{"PurchaseType", `{"statuses":["provision_error"],"purchase_types":["new_line"]}`, []int{2}},
		{"ErrorCodes", `{"statuses":["provision_error"],"error_codes":["E99"]}`, []int{4}},
		{"CreatedMinAge", `{"statuses":["provision_error"],"min_age_minutes":1440}`, []int{6}},
		{"CreatedMaxAge", `{"statuses":["provision_error"],"max_age_minutes":1440}`, []int{0, 1, 2, 4, 5}},
		{"LastAttemptMaxAge", `{"statuses":["provision_error"],"age_field":"last_attempt_at","max_age_minutes":60}`, []int{6}},
		{"LastAttemptMinAge", `{"statuses":["provision_error"],"age_field":"last_attempt_at","min_age_minutes":60}`, []int{0, 1, 2, 4, 5}},
		{"MaxAttempts", `{"statuses":["provision_error"],"max_attempts":5}`, []int{6, 0, 1, 2, 4}},
		{"Limit", `{"statuses":["provision_error"],"limit":2}`, []int{6, 0}},
		{"Combined", `{"statuses":["provision_error"],"channels":["tienda-online"],"purchase_types":["portability"],
			"error_codes":["E42"],"age_field":"last_attempt_at","min_age_minutes":60,"max_age_minutes":180,"max_attempts":3}`, []int{0}},
		{"NothingMatches", `{"statuses":["cancelled"]}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			forEachSchedStore(t, runNow, func(t *testing.T, f *schedFixture) {
				ctx := context.Background()
				ids := runPurchases(t, f)
				saved, err := f.save.Handle(ctx, usecases.SaveScheduleInput{
					Name: "filters", Enabled: true, Times: []string{"07:00"}, Action: "generic",
					Parameters: json.RawMessage(tc.params),
				})
				require.NoError(t, err)

				res, err := f.run.Handle(ctx, usecases.RunScheduleActionInput{ScheduleID: saved.ScheduleID})
				require.NoError(t, err)

				var want []int64
				for _, i := range tc.want {
					want = append(want, ids[i])
				}
				require.Equal(t, want, provisioned(f.queue))
				require.Equal(t, len(tc.want), res.Selected)
				require.Equal(t, len(tc.want), res.Enqueued)
			})
		})
	}
}

func TestRunScheduleActionPendingNotRequeued(t *testing.T) {
	t.Parallel()
	forEachSchedStore(t, runNow, func(t *testing.T, f *schedFixture) {
		ctx := context.Background()
		ids := runPurchases(t, f)
		id := saveGeneric(t, f, "twice", "07:00")

		first, err := f.run.Handle(ctx, usecases.RunScheduleActionInput{ScheduleID: id})
		require.NoError(t, err)
		require.Equal(t, 6, first.Selected)
		require.Equal(t, 6, first.Enqueued)

		// A new failed purchase appears; the six already pending are not
		// enqueued again.
		web, err := f.store.ChannelBySlug(ctx, "tienda-online")
		require.NoError(t, err)
		late, err := f.store.CreatePurchase(ctx, domain.Purchase{ChannelID: web.ID, Status: domain.PurchaseProvisionError, CreatedAt: runNow})
		require.NoError(t, err)
		f.clock.Advance(time.Hour)
		second, err := f.run.Handle(ctx, usecases.RunScheduleActionInput{ScheduleID: id})
		require.NoError(t, err)
		require.Equal(t, 7, second.Selected)
		require.Equal(t, 1, second.Enqueued)

		require.Equal(t, []int64{ids[6], ids[0], ids[1], ids[2], ids[4], ids[5], late.ID}, provisioned(f.queue))
		for _, j := range f.queue.Jobs() {
			require.True(t, j.Options.Unique, "provision_purchase is enqueued unique")
		}
	})
}

func TestRunScheduleActionRecordsExecuted(t *testing.T) {
	t.Parallel()
	forEachSchedStore(t, runNow, func(t *testing.T, f *schedFixture) {
		ctx := context.Background()
		id := saveGeneric(t, f, "executed", "07:00")
		f.clock.Advance(time.Minute)
		slot := schedTime("2025-01-15T06:00:00Z")

		res, err := f.run.Handle(ctx, usecases.RunScheduleActionInput{ScheduleID: id, Slot: slot})
		require.NoError(t, err)
		require.Equal(t, usecases.RunScheduleActionResult{
			ScheduleID: id, Schedule: "executed", Action: "generic", Slot: slot,
		}, res)

		sc, err := f.store.Schedule(ctx, id)
		require.NoError(t, err)
		require.NotNil(t, sc.ExecutedAt)
		require.True(t, sc.ExecutedAt.Equal(runNow.Add(time.Minute)), "executed at %s", sc.ExecutedAt)
	})
}

func TestRunScheduleActionDisabled(t *testing.T) {
	t.Parallel()
	forEachSchedStore(t, runNow, func(t *testing.T, f *schedFixture) {
		ctx := context.Background()
		runPurchases(t, f)
		saved, err := f.save.Handle(ctx, usecases.SaveScheduleInput{
			Name: "off", Enabled: false, Times: []string{"07:00"}, Action: "generic",
			Parameters: json.RawMessage(`{"statuses":["provision_error"]}`),
		})
		require.NoError(t, err)

		res, err := f.run.Handle(ctx, usecases.RunScheduleActionInput{ScheduleID: saved.ScheduleID})
		require.NoError(t, err)
		require.True(t, res.Disabled)
		require.Zero(t, res.Selected)
		require.Empty(t, f.queue.Jobs())

		sc, err := f.store.Schedule(ctx, saved.ScheduleID)
		require.NoError(t, err)
		require.Nil(t, sc.ExecutedAt)
	})
}

func TestRunScheduleActionPermanentErrors(t *testing.T) {
	t.Parallel()
	forEachSchedStore(t, runNow, func(t *testing.T, f *schedFixture) {
		ctx := context.Background()

		_, err := f.run.Handle(ctx, usecases.RunScheduleActionInput{ScheduleID: 0})
		require.True(t, domain.IsPermanent(err), "invalid id: %v", err)

		err = f.run.HandleJob(ctx, usecases.RunScheduleActionInput{ScheduleID: 404})
		require.ErrorIs(t, err, domain.ErrNotFound)
		require.True(t, domain.IsPermanent(err), "missing schedule: %v", err)

		// A schedule whose action the running binary does not register.
		custom := usecases.NewActionRegistry()
		require.NoError(t, custom.Register("custom", func(json.RawMessage) (usecases.ScheduleAction, error) {
			return actionFunc(func(context.Context, usecases.ScheduleRun) (usecases.ScheduleActionResult, error) {
				return usecases.ScheduleActionResult{}, nil
			}), nil
		}))
		save, err := usecases.NewSaveSchedule(f.store, f.store, custom, f.clock, nil)
		require.NoError(t, err)
		saved, err := save.Handle(ctx, usecases.SaveScheduleInput{Name: "custom", Enabled: true, Times: []string{"07:00"}, Action: "custom"})
		require.NoError(t, err)

		_, err = f.run.Handle(ctx, usecases.RunScheduleActionInput{ScheduleID: saved.ScheduleID})
		require.True(t, domain.IsPermanent(err), "unregistered action: %v", err)
		require.ErrorContains(t, err, `"custom"`)
	})
}

// actionFunc adapts a function to usecases.ScheduleAction.
type actionFunc func(ctx context.Context, run usecases.ScheduleRun) (usecases.ScheduleActionResult, error)

func (fn actionFunc) Run(ctx context.Context, run usecases.ScheduleRun) (usecases.ScheduleActionResult, error) {
	return fn(ctx, run)
}

func TestRunScheduleActionHostAction(t *testing.T) {
	t.Parallel()
	forEachSchedStore(t, runNow, func(t *testing.T, f *schedFixture) {
		ctx := context.Background()

		var got []usecases.ScheduleRun
		var gotParams json.RawMessage
		err := f.registry.Register("notify_team", func(params json.RawMessage) (usecases.ScheduleAction, error) {
			var p struct {
				Team string `json:"team"`
			}
			if err := json.Unmarshal(params, &p); err != nil || p.Team == "" {
				return nil, domain.Invalid("parameters.team", string(params), "must name a team")
			}
			gotParams = params
			return actionFunc(func(_ context.Context, run usecases.ScheduleRun) (usecases.ScheduleActionResult, error) {
				got = append(got, run)
				return usecases.ScheduleActionResult{Selected: 3, Enqueued: 2}, nil
			}), nil
		})
		require.NoError(t, err)

		saved, err := f.save.Handle(ctx, usecases.SaveScheduleInput{
			Name: "host", Enabled: true, Times: []string{"07:00"}, Action: "notify_team",
			Parameters: json.RawMessage(`{"team":"ops"}`),
		})
		require.NoError(t, err)

		slot := schedTime("2025-01-15T06:00:00Z")
		res, err := f.run.Handle(ctx, usecases.RunScheduleActionInput{ScheduleID: saved.ScheduleID, Slot: slot})
		require.NoError(t, err)
		require.Equal(t, 3, res.Selected)
		require.Equal(t, 2, res.Enqueued)
		require.Equal(t, "notify_team", res.Action)
		require.Len(t, got, 1)
		require.Equal(t, slot, got[0].Slot)
		require.Equal(t, runNow, got[0].Now)
		require.Equal(t, saved.ScheduleID, got[0].Schedule.ID)
		require.JSONEq(t, `{"team":"ops"}`, string(gotParams))

		_, err = f.save.Handle(ctx, usecases.SaveScheduleInput{
			Name: "host-invalid", Enabled: true, Times: []string{"07:00"}, Action: "notify_team",
			Parameters: json.RawMessage(`{}`),
		})
		var ve *domain.ValidationError
		require.True(t, errors.As(err, &ve))
		require.Equal(t, "parameters.team", ve.Field)
	})
}

func TestRunScheduleActionFailureRollsBack(t *testing.T) {
	t.Parallel()
	forEachSchedStore(t, runNow, func(t *testing.T, f *schedFixture) {
		ctx := context.Background()
		boom := errors.New("network down")
		require.NoError(t, f.registry.Register("flaky", func(json.RawMessage) (usecases.ScheduleAction, error) {
			return actionFunc(func(context.Context, usecases.ScheduleRun) (usecases.ScheduleActionResult, error) {
				return usecases.ScheduleActionResult{}, boom
			}), nil
		}))
		saved, err := f.save.Handle(ctx, usecases.SaveScheduleInput{Name: "flaky", Enabled: true, Times: []string{"07:00"}, Action: "flaky"})
		require.NoError(t, err)

		_, err = f.run.Handle(ctx, usecases.RunScheduleActionInput{ScheduleID: saved.ScheduleID})
		require.ErrorIs(t, err, boom)
		require.False(t, domain.IsPermanent(err), "a failed action is retried")

		sc, err := f.store.Schedule(ctx, saved.ScheduleID)
		require.NoError(t, err)
		require.Nil(t, sc.ExecutedAt, "the executed time rolled back with the action")
	})
}

func TestActionRegistryRegister(t *testing.T) {
	t.Parallel()
	r := usecases.NewActionRegistry()
	noop := func(json.RawMessage) (usecases.ScheduleAction, error) { return nil, nil }

	require.NoError(t, r.Register("nightly_report", noop))
	require.ErrorContains(t, r.Register("nightly_report", noop), "already registered")
	require.ErrorContains(t, r.Register("Nightly Report", noop), "lower-case")
	require.ErrorContains(t, r.Register("", noop), "lower-case")
	require.ErrorContains(t, r.Register("other", nil), "factory is nil")
	require.Equal(t, []string{"nightly_report"}, r.Names())

	_, err := r.Build("missing", nil)
	var ve *domain.ValidationError
	require.True(t, errors.As(err, &ve))
	require.Equal(t, "action", ve.Field)
	require.Contains(t, ve.Reason, "nightly_report")
}

func TestGenericActionFactoryRequiresPorts(t *testing.T) {
	t.Parallel()
	_, err := usecases.GenericActionFactory(nil, &fake.Queue{})
	require.ErrorContains(t, err, "PurchaseSelector")
	_, err = usecases.GenericActionFactory(selectorFunc(nil), nil)
	require.ErrorContains(t, err, "JobQueue")
}

// selectorFunc adapts a function to ports.PurchaseSelector.
type selectorFunc func(ctx context.Context, f ports.PurchaseFilter) ([]domain.Purchase, error)

func (fn selectorFunc) SelectPurchases(ctx context.Context, f ports.PurchaseFilter) ([]domain.Purchase, error) {
	return fn(ctx, f)
}

func TestGenericActionPassesFilter(t *testing.T) {
	t.Parallel()
	var got ports.PurchaseFilter
	selector := selectorFunc(func(_ context.Context, f ports.PurchaseFilter) ([]domain.Purchase, error) {
		got = f
		return []domain.Purchase{{ID: 7}, {ID: 9}}, nil
	})
	queue := &fake.Queue{}
	factory, err := usecases.GenericActionFactory(selector, queue)
	require.NoError(t, err)

	action, err := factory(json.RawMessage(`{"channels":["web"],"purchase_types":["portability"],
		"statuses":["provision_error"],"error_codes":["E1"],"age_field":"last_attempt_at",
		"min_age_minutes":30,"max_age_minutes":120,"max_attempts":4,"limit":50}`))
	require.NoError(t, err)
	res, err := action.Run(context.Background(), usecases.ScheduleRun{Now: runNow})
	require.NoError(t, err)

	from, to := runNow.Add(-2*time.Hour), runNow.Add(-30*time.Minute)
	require.Equal(t, ports.PurchaseFilter{
		ChannelSlugs: []string{"web"}, Types: []string{"portability"},
		Statuses:   []domain.PurchaseStatus{domain.PurchaseProvisionError},
		ErrorCodes: []string{"E1"}, AgeField: domain.AgeFromLastAttempt,
		From: &from, To: &to, MaxAttempts: 4, Limit: 50,
	}, got)
	require.Equal(t, usecases.ScheduleActionResult{Selected: 2, Enqueued: 2}, res)
	require.Equal(t, []int64{7, 9}, provisioned(queue))
}
