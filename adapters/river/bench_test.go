package river

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	rq "github.com/riverqueue/river"
	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// Settings shared by the engine and the River baseline in the benchmark.
const (
	benchBatch         = 1000
	benchMaxWorkers    = 100
	benchFetchCooldown = 10 * time.Millisecond
	benchPollInterval  = 100 * time.Millisecond
	benchBaselineQueue = "baseline"
)

// noopArgs is the job of the River baseline.
type noopArgs struct {
	N int `json:"n"`
}

func (noopArgs) Kind() string { return "benchmark_noop" }

// BenchmarkNoopJob measures the throughput of a job that does nothing, from
// enqueue to completion, through this package and through River used
// directly, on one database with the same settings. Each iteration runs one
// batch through each, in alternating order. ratio is the engine's
// throughput divided by River's.
func BenchmarkNoopJob(b *testing.B) {
	for _, d := range databases() {
		b.Run(d.name, func(b *testing.B) {
			db := d.open(b)
			ctx := context.Background()

			// The engine works send_async_email on the default queue.
			var engineDone atomic.Int64
			cfg := Config{
				MaxWorkers:        benchMaxWorkers,
				FetchCooldown:     benchFetchCooldown,
				FetchPollInterval: benchPollInterval,
				PeriodicJobs:      []PeriodicJob{},
				Logger:            discardLogger,
			}
			handlers := Handlers{SendAsyncEmail: HandlerFunc[usecases.SendAsyncEmailInput](func(context.Context, usecases.SendAsyncEmailInput) error {
				engineDone.Add(1)
				return nil
			})}
			e, err := db.newEngine(handlers, cfg)
			require.NoError(b, err)
			require.NoError(b, e.Start(ctx))
			b.Cleanup(func() { _ = e.Stop(context.Background()) })

			// The baseline works its own kind on its own queue, so the two
			// never take each other's jobs.
			var riverDone atomic.Int64
			workers := rq.NewWorkers()
			rq.AddWorker(workers, rq.WorkFunc(func(context.Context, *rq.Job[noopArgs]) error {
				riverDone.Add(1)
				return nil
			}))
			client, err := db.newRiverClient(&rq.Config{
				Queues:            map[string]rq.QueueConfig{benchBaselineQueue: {MaxWorkers: benchMaxWorkers}},
				FetchCooldown:     benchFetchCooldown,
				FetchPollInterval: benchPollInterval,
				Workers:           workers,
				Logger:            discardLogger,
			})
			require.NoError(b, err)
			require.NoError(b, client.Start(ctx))
			b.Cleanup(func() { _ = client.Stop(context.Background()) })

			runEngine := func() time.Duration {
				args := make([]ports.JobArgs, benchBatch)
				for i := range args {
					args[i] = usecases.SendAsyncEmailInput{NotificationID: int64(i)}
				}
				target := engineDone.Load() + benchBatch
				start := time.Now()
				_, err := e.EnqueueMany(ctx, args, ports.EnqueueOptions{})
				require.NoError(b, err)
				waitCount(b, &engineDone, target)
				return time.Since(start)
			}
			runRiver := func() time.Duration {
				params := make([]rq.InsertManyParams, benchBatch)
				for i := range params {
					params[i] = rq.InsertManyParams{Args: noopArgs{N: i}, InsertOpts: &rq.InsertOpts{Queue: benchBaselineQueue}}
				}
				target := riverDone.Load() + benchBatch
				start := time.Now()
				_, err := client.InsertMany(ctx, params)
				require.NoError(b, err)
				waitCount(b, &riverDone, target)
				return time.Since(start)
			}

			var engineTime, riverTime time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i%2 == 0 {
					engineTime += runEngine()
					riverTime += runRiver()
				} else {
					riverTime += runRiver()
					engineTime += runEngine()
				}
			}
			b.StopTimer()

			jobs := float64(b.N * benchBatch)
			b.ReportMetric(jobs/engineTime.Seconds(), "engine_jobs/s")
			b.ReportMetric(jobs/riverTime.Seconds(), "river_jobs/s")
			b.ReportMetric(riverTime.Seconds()/engineTime.Seconds(), "ratio")
		})
	}
}

// waitCount polls until counter reaches target.
func waitCount(b *testing.B, counter *atomic.Int64, target int64) {
	deadline := time.Now().Add(2 * time.Minute)
	for counter.Load() < target {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d jobs ran within 2 minutes", counter.Load(), target)
		}
		time.Sleep(200 * time.Microsecond)
	}
}
