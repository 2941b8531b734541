package river

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/postgres"
	"github.com/telcojobs/telcojobs/adapters/postgres/pgtest"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// sharedRuns counts the runs of each purchase across engines and records
// which engine ran it.
type sharedRuns struct {
	mu       sync.Mutex
	runs     map[int64]int
	byEngine map[string]int
}

func (s *sharedRuns) handler(engine string) HandlerFunc[usecases.ProvisionPurchaseInput] {
	return func(_ context.Context, in usecases.ProvisionPurchaseInput) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.runs[in.PurchaseID]++
		s.byEngine[engine]++
		return nil
	}
}

func (s *sharedRuns) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.runs {
		n += c
	}
	return n
}

func TestTwoEnginesRunEachJobOnce(t *testing.T) {
	t.Parallel()
	const jobs = 1000
	url := pgtest.NewDatabase(t)
	ctx := context.Background()

	// Each engine gets its own store and pool, as two worker processes
	// would.
	var engines []*Engine
	var firstStore *postgres.Store
	runs := &sharedRuns{runs: map[int64]int{}, byEngine: map[string]int{}}
	for i, name := range []string{"worker-a", "worker-b"} {
		store, err := postgres.Open(ctx, postgres.Config{URL: url})
		require.NoError(t, err)
		t.Cleanup(func() { _ = store.Close() })
		if i == 0 {
			firstStore = store
			require.NoError(t, MigratePostgres(ctx, store, nil))
		}
		db := &testDB{tx: store, db: store.DB(), newEngine: func(h Handlers, c Config) (*Engine, error) { return NewPostgres(store, h, c) }}

		cfg := testConfig()
		cfg.ClientID = name
		cfg.MaxWorkers = 10
		engines = append(engines, startEngine(t, db, Handlers{ProvisionPurchase: runs.handler(name)}, cfg))
	}

	args := make([]ports.JobArgs, jobs)
	for i := range args {
		args[i] = usecases.ProvisionPurchaseInput{PurchaseID: int64(i + 1)}
	}
	added, err := engines[0].EnqueueMany(ctx, args, ports.EnqueueOptions{})
	require.NoError(t, err)
	require.Equal(t, jobs, added)

	require.Eventually(t, func() bool { return runs.total() >= jobs }, 60*time.Second, 20*time.Millisecond)
	// A job that ran twice would show up after its first completion, so
	// wait for every row to be completed before checking the counts.
	var completed int
	require.Eventually(t, func() bool {
		err := firstStore.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM river_job WHERE state = 'completed'").Scan(&completed)
		return err == nil && completed == jobs
	}, 30*time.Second, 20*time.Millisecond, "completed jobs: %d", completed)

	runs.mu.Lock()
	defer runs.mu.Unlock()
	require.Len(t, runs.runs, jobs)
	for id := int64(1); id <= jobs; id++ {
		require.Equal(t, 1, runs.runs[id], fmt.Sprintf("purchase %d", id))
	}
	require.Positive(t, runs.byEngine["worker-a"], "worker-a ran no job")
	require.Positive(t, runs.byEngine["worker-b"], "worker-b ran no job")
	t.Logf("jobs per engine: %v", runs.byEngine)
}
