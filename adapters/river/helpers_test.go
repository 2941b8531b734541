package river

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"testing"
	"time"

	rq "github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/postgres"
	"github.com/telcojobs/telcojobs/adapters/postgres/pgtest"
	"github.com/telcojobs/telcojobs/adapters/sqlite"
	"github.com/telcojobs/telcojobs/adapters/sqlite/sqlitetest"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// testDB is a migrated database with the engine constructor for its driver.
type testDB struct {
	// spec is "sqlite:PATH" or "postgres:URL", for a child process.
	spec      string
	tx        ports.TxRunner
	db        *sql.DB
	newEngine func(Handlers, Config) (*Engine, error)
	// newRiverClient builds a River client on the same database and driver
	// without this package, as the benchmark's baseline.
	newRiverClient func(*rq.Config) (riverClient, error)
}

// riverClient is the part of River's generic client that the benchmark uses.
type riverClient interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	InsertMany(ctx context.Context, params []rq.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// database names a driver and opens a fresh database on it.
type database struct {
	name string
	open func(t testing.TB) *testDB
}

// databases returns SQLite and PostgreSQL. The PostgreSQL one skips the
// test when no test server is configured (see pgtest).
func databases() []database {
	return []database{
		{name: "SQLite", open: openSQLite},
		{name: "PostgreSQL", open: openPostgres},
	}
}

func openSQLite(t testing.TB) *testDB {
	t.Helper()
	path := sqlitetest.Path(t)
	store, err := sqlite.Open(context.Background(), sqlite.Config{Path: path})
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	require.NoError(t, MigrateSQLite(context.Background(), store, nil))
	return &testDB{
		spec: "sqlite:" + path, tx: store, db: store.DB(),
		newEngine: func(h Handlers, c Config) (*Engine, error) { return NewSQLite(store, h, c) },
		newRiverClient: func(c *rq.Config) (riverClient, error) {
			return rq.NewClient(riversqlite.New(store.DB()), c)
		},
	}
}

func openPostgres(t testing.TB) *testDB {
	t.Helper()
	url := pgtest.NewDatabase(t)
	store, err := postgres.Open(context.Background(), postgres.Config{URL: url})
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	require.NoError(t, MigratePostgres(context.Background(), store, nil))
	return &testDB{
		spec: "postgres:" + url, tx: store, db: store.DB(),
		newEngine: func(h Handlers, c Config) (*Engine, error) { return NewPostgres(store, h, c) },
		newRiverClient: func(c *rq.Config) (riverClient, error) {
			return rq.NewClient(riverpgxv5.New(store.Pool()), c)
		},
	}
}

// testConfig polls often, retries after 10ms and has no periodic jobs, so
// that tests run in well under a second per job.
func testConfig() Config {
	return Config{
		FetchCooldown:     5 * time.Millisecond,
		FetchPollInterval: 50 * time.Millisecond,
		RetryBackoff:      func(int) time.Duration { return 10 * time.Millisecond },
		PeriodicJobs:      []PeriodicJob{},
		ShutdownTimeout:   5 * time.Second,
		testOnly:          true,
	}
}

// startEngine builds and starts an engine and stops it when t ends.
func startEngine(t *testing.T, db *testDB, h Handlers, cfg Config) *Engine {
	t.Helper()
	e, err := db.newEngine(h, cfg)
	require.NoError(t, err)
	require.NoError(t, e.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := e.Stop(ctx); err != nil {
			t.Errorf("stop engine: %v", err)
		}
	})
	return e
}

// waitForState waits until job id reaches state and returns its row.
func waitForState(t *testing.T, e *Engine, id int64, state rivertype.JobState, timeout time.Duration) *rivertype.JobRow {
	t.Helper()
	var row *rivertype.JobRow
	require.Eventually(t, func() bool {
		r, err := e.backend.jobGet(context.Background(), id)
		if err != nil {
			return false
		}
		row = r
		return r.State == state
	}, timeout, 20*time.Millisecond, "job %d did not reach state %s", id, state)
	return row
}

// provisionCounter is a provision_purchase handler that counts the runs of
// each purchase and returns the error that fail gives for a run.
type provisionCounter struct {
	mu   sync.Mutex
	runs map[int64]int
	// fail returns the error of the n-th run (1 for the first) of a
	// purchase; nil fail means success.
	fail func(purchaseID int64, n int) error
}

func newProvisionCounter(fail func(purchaseID int64, n int) error) *provisionCounter {
	return &provisionCounter{runs: map[int64]int{}, fail: fail}
}

// HandleJob counts the run and returns fail's error.
func (c *provisionCounter) HandleJob(_ context.Context, in usecases.ProvisionPurchaseInput) error {
	c.mu.Lock()
	c.runs[in.PurchaseID]++
	n := c.runs[in.PurchaseID]
	c.mu.Unlock()
	if c.fail != nil {
		return c.fail(in.PurchaseID, n)
	}
	return nil
}

// Runs returns how many times purchaseID ran.
func (c *provisionCounter) Runs(purchaseID int64) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.runs[purchaseID]
}

// countJobs returns the number of rows in River's job table.
func countJobs(t *testing.T, db *sql.DB, where string, args ...any) int {
	t.Helper()
	var n int
	q := "SELECT COUNT(*) FROM river_job"
	if where != "" {
		q += " WHERE " + where
	}
	require.NoError(t, db.QueryRowContext(context.Background(), q, args...).Scan(&n))
	return n
}

// discardLogger is the logger of tests that do not read the log.
var discardLogger = slog.New(slog.DiscardHandler)
