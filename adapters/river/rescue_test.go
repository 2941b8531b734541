package river

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/postgres"
	"github.com/telcojobs/telcojobs/adapters/sqlite"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// childEnv makes the test binary run doomedWorker instead of the tests. Its
// value is a testDB spec.
const childEnv = "TELCOJOBS_RIVER_TEST_CHILD"

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		if err := doomedWorker(spec); err != nil {
			fmt.Fprintln(os.Stderr, "doomed worker:", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(m.Run())
}

// doomedWorker runs an engine whose provision_purchase handler records that
// it started and then never returns, so that the test can kill the process
// in the middle of the job.
func doomedWorker(spec string) error {
	ctx := context.Background()
	var db *sql.DB
	var newEngine func(Handlers, Config) (*Engine, error)
	switch driver, dsn, _ := strings.Cut(spec, ":"); driver {
	case "sqlite":
		store, err := sqlite.Open(ctx, sqlite.Config{Path: dsn})
		if err != nil {
			return err
		}
		db = store.DB()
		newEngine = func(h Handlers, c Config) (*Engine, error) { return NewSQLite(store, h, c) }
	case "postgres":
		store, err := postgres.Open(ctx, postgres.Config{URL: dsn})
		if err != nil {
			return err
		}
		db = store.DB()
		newEngine = func(h Handlers, c Config) (*Engine, error) { return NewPostgres(store, h, c) }
	default:
		return fmt.Errorf("unknown driver in %q", spec)
	}

	handler := HandlerFunc[usecases.ProvisionPurchaseInput](func(ctx context.Context, in usecases.ProvisionPurchaseInput) error {
		if _, err := db.ExecContext(ctx, "INSERT INTO rescue_marks (engine, purchase_id) VALUES ($1, $2)", "doomed", in.PurchaseID); err != nil {
			return err
		}
		for {
			time.Sleep(time.Hour)
		}
	})
	cfg := testConfig()
	cfg.ClientID = "doomed"
	e, err := newEngine(Handlers{ProvisionPurchase: handler}, cfg)
	if err != nil {
		return err
	}
	if err := e.Start(ctx); err != nil {
		return err
	}
	for {
		time.Sleep(time.Hour)
	}
}

func TestRescueJobOfKilledWorker(t *testing.T) {
	t.Parallel()
	for _, d := range databases() {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.open(t)
			ctx := context.Background()
			_, err := db.db.ExecContext(ctx, "CREATE TABLE rescue_marks (engine TEXT NOT NULL, purchase_id BIGINT NOT NULL)")
			require.NoError(t, err)

			// The rescuing engine has a short timeout and rescue delay.
			rescued := HandlerFunc[usecases.ProvisionPurchaseInput](func(ctx context.Context, in usecases.ProvisionPurchaseInput) error {
				_, err := db.db.ExecContext(ctx, "INSERT INTO rescue_marks (engine, purchase_id) VALUES ($1, $2)", "rescuer", in.PurchaseID)
				return err
			})
			cfg := testConfig()
			cfg.ClientID = "rescuer"
			cfg.Policies = map[string]KindPolicy{"provision_purchase": {Timeout: 500 * time.Millisecond}}
			cfg.RescueStuckJobsAfter = time.Second
			e, err := db.newEngine(Handlers{ProvisionPurchase: rescued}, cfg)
			require.NoError(t, err)
			res, err := e.Enqueue(ctx, usecases.ProvisionPurchaseInput{PurchaseID: 42}, ports.EnqueueOptions{})
			require.NoError(t, err)

			// Run the job in a child process and kill it once the job has
			// started.
			var output bytes.Buffer
			child := exec.Command(os.Args[0], "-test.run=^$")
			child.Env = append(os.Environ(), childEnv+"="+db.spec)
			child.Stdout, child.Stderr = &output, &output
			require.NoError(t, child.Start())
			killed := false
			t.Cleanup(func() {
				if !killed {
					_ = child.Process.Kill()
					_ = child.Wait()
				}
			})
			require.Eventually(t, func() bool { return countMarks(t, db.db, "doomed") == 1 },
				30*time.Second, 50*time.Millisecond, "the child never started the job; its output:\n%s", &output)
			require.NoError(t, child.Process.Kill())
			_ = child.Wait()
			killed = true

			row, err := e.backend.jobGet(ctx, res.JobID)
			require.NoError(t, err)
			require.Equal(t, rivertype.JobStateRunning, row.State, "the killed worker's job stays running")

			// The rescuer waits for the dead leader's term to expire (about
			// 15 s in River), then rescues the job and runs it.
			require.NoError(t, e.Start(ctx))
			t.Cleanup(func() { _ = e.Stop(context.Background()) })
			row = waitForState(t, e, res.JobID, rivertype.JobStateCompleted, 90*time.Second)
			require.Equal(t, 2, row.Attempt)
			require.Equal(t, 1, countMarks(t, db.db, "doomed"))
			require.Equal(t, 1, countMarks(t, db.db, "rescuer"))
		})
	}
}

func countMarks(t *testing.T, db *sql.DB, engine string) int {
	t.Helper()
	var n int
	err := db.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM rescue_marks WHERE engine = $1", engine).Scan(&n)
	if err != nil {
		t.Logf("count rescue marks: %v", err)
	}
	return n
}

func TestRescueByLeaderWithoutHandler(t *testing.T) {
	t.Parallel()
	for _, d := range databases() {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.open(t)
			ctx := context.Background()
			_, err := db.db.ExecContext(ctx, "CREATE TABLE rescue_marks (engine TEXT NOT NULL, purchase_id BIGINT NOT NULL)")
			require.NoError(t, err)

			// The leader has no provision_purchase handler, only the kind's
			// short timeout and a short rescue delay.
			cfg := testConfig()
			cfg.ClientID = "leader"
			cfg.Policies = map[string]KindPolicy{
				"provision_purchase": {Timeout: 500 * time.Millisecond},
				"check_schedules":    {Timeout: 500 * time.Millisecond},
			}
			cfg.RescueStuckJobsAfter = time.Second
			noop := HandlerFunc[usecases.CheckSchedulesInput](func(context.Context, usecases.CheckSchedulesInput) error { return nil })
			leader, err := db.newEngine(Handlers{CheckSchedules: noop}, cfg)
			require.NoError(t, err)
			res, err := leader.Enqueue(ctx, usecases.ProvisionPurchaseInput{PurchaseID: 7}, ports.EnqueueOptions{})
			require.NoError(t, err)

			var output bytes.Buffer
			child := exec.Command(os.Args[0], "-test.run=^$")
			child.Env = append(os.Environ(), childEnv+"="+db.spec)
			child.Stdout, child.Stderr = &output, &output
			require.NoError(t, child.Start())
			killed := false
			t.Cleanup(func() {
				if !killed {
					_ = child.Process.Kill()
					_ = child.Wait()
				}
			})
			require.Eventually(t, func() bool { return countMarks(t, db.db, "doomed") == 1 },
				30*time.Second, 50*time.Millisecond, "the child never started the job; its output:\n%s", &output)
			require.NoError(t, child.Process.Kill())
			_ = child.Wait()
			killed = true

			// Alone, the leader takes over once the dead leader's term
			// expires and puts the stuck job back instead of discarding it.
			require.NoError(t, leader.Start(ctx))
			t.Cleanup(func() { _ = leader.Stop(context.Background()) })
			var row *rivertype.JobRow
			require.Eventually(t, func() bool {
				row, err = leader.backend.jobGet(ctx, res.JobID)
				return err == nil && row.State != rivertype.JobStateRunning
			}, 90*time.Second, 50*time.Millisecond, "the stuck job was never rescued")
			require.Contains(t, []rivertype.JobState{rivertype.JobStateRetryable, rivertype.JobStateAvailable}, row.State)
			require.Equal(t, "provision_purchase", row.Queue)

			// An engine with the handler then runs it.
			runner := HandlerFunc[usecases.ProvisionPurchaseInput](func(ctx context.Context, in usecases.ProvisionPurchaseInput) error {
				_, err := db.db.ExecContext(ctx, "INSERT INTO rescue_marks (engine, purchase_id) VALUES ($1, $2)", "runner", in.PurchaseID)
				return err
			})
			runnerCfg := testConfig()
			runnerCfg.ClientID = "runner"
			startEngine(t, db, Handlers{ProvisionPurchase: runner}, runnerCfg)
			row = waitForState(t, leader, res.JobID, rivertype.JobStateCompleted, 30*time.Second)
			require.Equal(t, 2, row.Attempt)
			require.Equal(t, 1, countMarks(t, db.db, "doomed"))
			require.Equal(t, 1, countMarks(t, db.db, "runner"))
		})
	}
}
