package river

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

var errRollback = errors.New("roll back on purpose")

func TestEnqueueInTransaction(t *testing.T) {
	t.Parallel()
	for _, d := range databases() {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.open(t)
			counter := newProvisionCounter(nil)
			e := startEngine(t, db, Handlers{ProvisionPurchase: counter}, testConfig())
			ctx := context.Background()

			err := db.tx.InTx(ctx, func(ctx context.Context) error {
				_, err := e.Enqueue(ctx, usecases.ProvisionPurchaseInput{PurchaseID: 1}, ports.EnqueueOptions{})
				require.NoError(t, err)
				return errRollback
			})
			require.ErrorIs(t, err, errRollback)

			var committed ports.EnqueueResult
			err = db.tx.InTx(ctx, func(ctx context.Context) error {
				var err error
				committed, err = e.Enqueue(ctx, usecases.ProvisionPurchaseInput{PurchaseID: 2}, ports.EnqueueOptions{})
				return err
			})
			require.NoError(t, err)

			waitForState(t, e, committed.JobID, rivertype.JobStateCompleted, 10*time.Second)
			require.Equal(t, 1, countJobs(t, db.db, ""), "only the committed job is in the table")
			require.Equal(t, 0, counter.Runs(1), "the rolled-back job ran")
			require.Equal(t, 1, counter.Runs(2), "the committed job ran")
		})
	}
}

func TestEnqueueWithoutTransaction(t *testing.T) {
	t.Parallel()
	for _, d := range databases() {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.open(t)
			counter := newProvisionCounter(nil)
			e := startEngine(t, db, Handlers{ProvisionPurchase: counter}, testConfig())

			later := time.Now().Add(time.Hour)
			res, err := e.Enqueue(context.Background(), usecases.ProvisionPurchaseInput{PurchaseID: 3},
				ports.EnqueueOptions{ScheduledAt: later, MaxAttempts: 2})
			require.NoError(t, err)
			row, err := e.backend.jobGet(context.Background(), res.JobID)
			require.NoError(t, err)
			require.Equal(t, rivertype.JobStateScheduled, row.State)
			require.Equal(t, 2, row.MaxAttempts)
			require.WithinDuration(t, later, row.ScheduledAt, time.Second)

			res, err = e.Enqueue(context.Background(), usecases.ProvisionPurchaseInput{PurchaseID: 4}, ports.EnqueueOptions{})
			require.NoError(t, err)
			row = waitForState(t, e, res.JobID, rivertype.JobStateCompleted, 10*time.Second)
			require.Equal(t, 10, row.MaxAttempts, "the kind's default maximum attempts")
			require.Equal(t, 1, counter.Runs(4))
			require.Equal(t, 0, counter.Runs(3), "the scheduled job ran early")
		})
	}
}

func TestRetryThenSuccess(t *testing.T) {
	t.Parallel()
	for _, d := range databases() {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.open(t)
			counter := newProvisionCounter(func(_ int64, n int) error {
				if n == 1 {
					return errors.New("network is down")
				}
				return nil
			})
			e := startEngine(t, db, Handlers{ProvisionPurchase: counter}, testConfig())

			res, err := e.Enqueue(context.Background(), usecases.ProvisionPurchaseInput{PurchaseID: 5}, ports.EnqueueOptions{})
			require.NoError(t, err)

			row := waitForState(t, e, res.JobID, rivertype.JobStateCompleted, 10*time.Second)
			require.Equal(t, 2, row.Attempt)
			require.Len(t, row.Errors, 1)
			require.Contains(t, row.Errors[0].Error, "network is down")
			require.Equal(t, 2, counter.Runs(5))
		})
	}
}

func TestPermanentErrorCancels(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
	}{
		{name: "Permanent", err: domain.Permanent(errors.New("number rejected by the network"))},
		{name: "Invalid", err: domain.Invalid("purchase_id", "0", "must be positive")},
	}
	for _, d := range databases() {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.open(t)
			counter := newProvisionCounter(func(id int64, _ int) error { return cases[id].err })
			e := startEngine(t, db, Handlers{ProvisionPurchase: counter}, testConfig())

			for i, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					res, err := e.Enqueue(context.Background(), usecases.ProvisionPurchaseInput{PurchaseID: int64(i)}, ports.EnqueueOptions{})
					require.NoError(t, err)

					row := waitForState(t, e, res.JobID, rivertype.JobStateCancelled, 10*time.Second)
					require.Equal(t, 1, row.Attempt)
					require.Equal(t, 1, counter.Runs(int64(i)))
					require.Len(t, row.Errors, 1)
					require.Contains(t, row.Errors[0].Error, c.err.Error())
				})
			}
		})
	}
}

// bogusJob is a kind that no engine knows.
type bogusJob struct{}

func (bogusJob) Kind() string { return "no_such_job" }

func TestUnknownKind(t *testing.T) {
	t.Parallel()
	for _, d := range databases() {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.open(t)
			e, err := db.newEngine(Handlers{ProvisionPurchase: newProvisionCounter(nil)}, testConfig())
			require.NoError(t, err)
			ctx := context.Background()

			_, err = e.Enqueue(ctx, bogusJob{}, ports.EnqueueOptions{})
			require.ErrorIs(t, err, ErrUnknownKind)
			var unknown *UnknownKindError
			require.ErrorAs(t, err, &unknown)
			require.Equal(t, "no_such_job", unknown.Kind)
			require.Contains(t, unknown.Registered, "provision_purchase")
			require.Contains(t, unknown.Registered, "send_async_email", "every job of the module is known")
			require.Contains(t, err.Error(), `"no_such_job"`)

			_, err = e.EnqueueMany(ctx, []ports.JobArgs{
				usecases.ProvisionPurchaseInput{PurchaseID: 1},
				bogusJob{},
			}, ports.EnqueueOptions{})
			require.ErrorIs(t, err, ErrUnknownKind)
			require.Equal(t, 0, countJobs(t, db.db, ""), "a rejected batch inserts nothing")

			_, err = e.Enqueue(ctx, nil, ports.EnqueueOptions{})
			require.ErrorIs(t, err, errNoKind)
		})
	}
}

func TestUnregisteredKindWaits(t *testing.T) {
	t.Parallel()
	for _, d := range databases() {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.open(t)
			counter := newProvisionCounter(nil)
			e, err := db.newEngine(Handlers{ProvisionPurchase: counter}, testConfig())
			require.NoError(t, err)
			ctx := context.Background()
			require.NoError(t, e.Start(ctx))
			defer e.Stop(ctx)

			// A job of a known kind without a handler here is accepted and
			// left for another engine; it must not be fetched and failed.
			_, err = e.Enqueue(ctx, usecases.SendAsyncEmailInput{NotificationID: 7}, ports.EnqueueOptions{})
			require.NoError(t, err)
			_, err = e.Enqueue(ctx, usecases.ProvisionPurchaseInput{PurchaseID: 7}, ports.EnqueueOptions{})
			require.NoError(t, err)
			require.Eventually(t, func() bool { return counter.Runs(7) == 1 }, 10*time.Second, 20*time.Millisecond)
			time.Sleep(500 * time.Millisecond)

			var state string
			var attempts int
			require.NoError(t, db.db.QueryRowContext(ctx,
				`SELECT state, attempt FROM river_job WHERE kind = 'send_async_email'`).Scan(&state, &attempts))
			require.Equal(t, "available", state)
			require.Zero(t, attempts, "no attempt was spent on it")
		})
	}
}

func TestUniqueEnqueue(t *testing.T) {
	t.Parallel()
	for _, d := range databases() {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.open(t)
			e, err := db.newEngine(Handlers{ProvisionPurchase: newProvisionCounter(nil)}, testConfig())
			require.NoError(t, err)
			ctx := context.Background()
			unique := ports.EnqueueOptions{Unique: true}

			first, err := e.Enqueue(ctx, usecases.ProvisionPurchaseInput{PurchaseID: 1}, unique)
			require.NoError(t, err)
			require.False(t, first.Duplicate)

			second, err := e.Enqueue(ctx, usecases.ProvisionPurchaseInput{PurchaseID: 1}, unique)
			require.NoError(t, err)
			require.True(t, second.Duplicate)
			require.Equal(t, first.JobID, second.JobID)

			other, err := e.Enqueue(ctx, usecases.ProvisionPurchaseInput{PurchaseID: 2}, unique)
			require.NoError(t, err)
			require.False(t, other.Duplicate, "other arguments are another job")

			plain, err := e.Enqueue(ctx, usecases.ProvisionPurchaseInput{PurchaseID: 1}, ports.EnqueueOptions{})
			require.NoError(t, err)
			require.False(t, plain.Duplicate, "an enqueue without Unique always adds")

			added, err := e.EnqueueMany(ctx, []ports.JobArgs{
				usecases.ProvisionPurchaseInput{PurchaseID: 1},
				usecases.ProvisionPurchaseInput{PurchaseID: 3},
			}, unique)
			require.NoError(t, err)
			require.Equal(t, 1, added)
			require.Equal(t, 4, countJobs(t, db.db, ""))

			added, err = e.EnqueueMany(ctx, nil, unique)
			require.NoError(t, err)
			require.Zero(t, added)
		})
	}
}

func TestEnqueueManyInTransaction(t *testing.T) {
	t.Parallel()
	for _, d := range databases() {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.open(t)
			counter := newProvisionCounter(nil)
			e := startEngine(t, db, Handlers{ProvisionPurchase: counter}, testConfig())
			ctx := context.Background()
			batch := func(from int64) []ports.JobArgs {
				var out []ports.JobArgs
				for id := from; id < from+10; id++ {
					out = append(out, usecases.ProvisionPurchaseInput{PurchaseID: id})
				}
				return out
			}

			err := db.tx.InTx(ctx, func(ctx context.Context) error {
				_, err := e.EnqueueMany(ctx, batch(100), ports.EnqueueOptions{})
				require.NoError(t, err)
				return errRollback
			})
			require.ErrorIs(t, err, errRollback)

			err = db.tx.InTx(ctx, func(ctx context.Context) error {
				added, err := e.EnqueueMany(ctx, batch(200), ports.EnqueueOptions{})
				require.Equal(t, 10, added)
				return err
			})
			require.NoError(t, err)

			require.Eventually(t, func() bool {
				return countJobs(t, db.db, "state = 'completed'") == 10
			}, 10*time.Second, 20*time.Millisecond)
			require.Equal(t, 10, countJobs(t, db.db, ""))
			for id := int64(0); id < 10; id++ {
				require.Equal(t, 0, counter.Runs(100+id), "rolled-back purchase %d ran", 100+id)
				require.Equal(t, 1, counter.Runs(200+id), "committed purchase %d", 200+id)
			}
		})
	}
}
