package river

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	rq "github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
	"github.com/telcojobs/telcojobs/adapters/postgres"
	"github.com/telcojobs/telcojobs/adapters/sqlite"
	"github.com/telcojobs/telcojobs/adapters/sqlstore"
	"github.com/telcojobs/telcojobs/ports"
	"riverqueue.com/riverui"
	"riverqueue.com/riverui/uiendpoints"
)

var _ ports.JobQueue = (*Engine)(nil)

// ErrUnknownKind is matched by every *UnknownKindError.
var ErrUnknownKind = errors.New("unknown job kind")

// UnknownKindError is returned when a job's kind is neither one of the
// module's jobs (the kinds of DefaultPolicies and Config.Policies) nor
// registered in this engine's Handlers.
type UnknownKindError struct {
	// Kind is the rejected job kind.
	Kind string
	// Registered lists the kinds that this engine accepts, sorted.
	Registered []string
}

// Error names the kind and the accepted kinds.
func (e *UnknownKindError) Error() string {
	return fmt.Sprintf("unknown job kind %q (known kinds: %s); register a handler for it in river.Handlers or its policy in Config.Policies",
		e.Kind, strings.Join(e.Registered, ", "))
}

// Is makes errors.Is(err, ErrUnknownKind) true.
func (e *UnknownKindError) Is(target error) bool { return target == ErrUnknownKind }

// Engine is the job engine: it implements ports.JobQueue, runs the handlers
// of the registered kinds with their failure policy, enqueues the periodic
// jobs and serves the dashboard. Build it with NewSQLite or NewPostgres.
type Engine struct {
	cfg      Config
	logger   *slog.Logger
	policies map[string]KindPolicy // registered kinds only
	known    map[string]KindPolicy // every kind that may be enqueued
	kinds    []string              // registered kinds, sorted
	periodic []string              // kinds of the periodic jobs given to River
	backend  backend
}

// backend wraps the River clients of one database driver.
type backend interface {
	// insertMany inserts in the transaction of ctx, if any.
	insertMany(ctx context.Context, params []rq.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	start(ctx context.Context) error
	stop(ctx context.Context) error
	stopAndCancel(ctx context.Context) error
	stopped() <-chan struct{}
	endpoints() uiendpoints.Bundle
	jobGet(ctx context.Context, id int64) (*rivertype.JobRow, error)
}

// clientBackend runs jobs on client and inserts jobs inside a business
// transaction (a *sql.Tx) through txClient.
type clientBackend[TTx any] struct {
	client   *rq.Client[TTx]
	txClient *rq.Client[*sql.Tx]
}

func (b *clientBackend[TTx]) insertMany(ctx context.Context, params []rq.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	if tx, ok := sqlstore.TxFromContext(ctx); ok {
		return b.txClient.InsertManyTx(ctx, tx, params)
	}
	return b.client.InsertMany(ctx, params)
}

func (b *clientBackend[TTx]) start(ctx context.Context) error { return b.client.Start(ctx) }
func (b *clientBackend[TTx]) stop(ctx context.Context) error  { return b.client.Stop(ctx) }
func (b *clientBackend[TTx]) stopAndCancel(ctx context.Context) error {
	return b.client.StopAndCancel(ctx)
}
func (b *clientBackend[TTx]) stopped() <-chan struct{} { return b.client.Stopped() }
func (b *clientBackend[TTx]) endpoints() uiendpoints.Bundle {
	return riverui.NewEndpoints(b.client, nil)
}
func (b *clientBackend[TTx]) jobGet(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return b.client.JobGet(ctx, id)
}

// NewSQLite builds an engine on the SQLite database of store, through
// River's SQLite driver on the same *sql.DB. A job enqueued with a context
// from store.InTx is inserted in that transaction. The job tables must exist
// (see MigrateSQLite).
func NewSQLite(store *sqlite.Store, handlers Handlers, cfg Config) (*Engine, error) {
	if store == nil {
		return nil, errors.New("river: sqlite store is nil")
	}
	e, riverCfg, err := newEngine(handlers, cfg)
	if err != nil {
		return nil, err
	}

	client, err := rq.NewClient(riversqlite.New(store.DB()), riverCfg)
	if err != nil {
		return nil, fmt.Errorf("river: create sqlite client: %w", err)
	}
	e.backend = &clientBackend[*sql.Tx]{client: client, txClient: client}
	return e, nil
}

// NewPostgres builds an engine on the PostgreSQL database of store. Jobs run
// through River's pgx driver on store.Pool(). A job enqueued with a context
// from store.InTx goes through a second, insert-only River client on
// River's database/sql driver over store.DB(), so that the job row commits
// or rolls back with the business writes. The job tables must exist (see
// MigratePostgres).
func NewPostgres(store *postgres.Store, handlers Handlers, cfg Config) (*Engine, error) {
	if store == nil {
		return nil, errors.New("river: postgres store is nil")
	}
	e, riverCfg, err := newEngine(handlers, cfg)
	if err != nil {
		return nil, err
	}

	client, err := rq.NewClient(riverpgxv5.New(store.Pool()), riverCfg)
	if err != nil {
		return nil, fmt.Errorf("river: create postgres client: %w", err)
	}
	// Without Workers or Queues the client only inserts. It cannot check
	// kinds, so the engine checks them before inserting.
	txClient, err := rq.NewClient(riverdatabasesql.New(store.DB()), &rq.Config{Logger: riverCfg.Logger, SkipUnknownJobCheck: true})
	if err != nil {
		return nil, fmt.Errorf("river: create postgres insert client: %w", err)
	}
	e.backend = &clientBackend[pgx.Tx]{client: client, txClient: txClient}
	return e, nil
}

// newEngine checks cfg, registers the handlers and builds the River
// configuration that both drivers share.
func newEngine(handlers Handlers, cfg Config) (*Engine, *rq.Config, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	logger := cfg.Logger
	all := cfg.policies()

	e := &Engine{cfg: cfg, logger: logger, policies: map[string]KindPolicy{}, known: all}
	workers := rq.NewWorkers()
	longest := time.Duration(0)
	queues := map[string]rq.QueueConfig{}
	for _, r := range handlers.registrations() {
		policy := all[r.kind]
		if !r.handled {
			if err := r.add(workers, policy, logger); err != nil {
				return nil, nil, fmt.Errorf("river: register %s without a handler: %w", r.kind, err)
			}
			continue
		}
		if policy.Timeout >= cfg.RescueStuckJobsAfter {
			return nil, nil, fmt.Errorf("river config: RescueStuckJobsAfter %s must be longer than the timeout %s of %s, or a job still running would be run twice",
				cfg.RescueStuckJobsAfter, policy.Timeout, r.kind)
		}
		if err := r.add(workers, policy, logger); err != nil {
			return nil, nil, fmt.Errorf("river: register %s: %w", r.kind, err)
		}
		e.policies[r.kind] = policy
		e.known[r.kind] = policy
		e.kinds = append(e.kinds, r.kind)
		queues[r.kind] = rq.QueueConfig{MaxWorkers: cfg.MaxWorkers}
		longest = max(longest, policy.Timeout)
	}
	if len(e.kinds) == 0 {
		return nil, nil, errors.New("river: Handlers has no handler set; set the field of at least one job kind")
	}
	e.kinds = sortedKeys(e.policies)

	periodic, err := e.periodicJobs()
	if err != nil {
		return nil, nil, err
	}

	riverCfg := &rq.Config{
		ID:                          cfg.ClientID,
		Logger:                      logger,
		Workers:                     workers,
		Queues:                      queues,
		FetchCooldown:               cfg.FetchCooldown,
		FetchPollInterval:           cfg.FetchPollInterval,
		JobTimeout:                  longest, // each worker sets its own; River checks this against RescueStuckJobsAfter
		RescueStuckJobsAfter:        cfg.RescueStuckJobsAfter,
		CompletedJobRetentionPeriod: cfg.CompletedJobRetention,
		ErrorHandler:                &errorHandler{logger: logger},
		PeriodicJobs:                periodic,
		TestOnly:                    cfg.testOnly,
		// Engines with different handlers may share one database: each
		// kind has its own queue, each engine works only the queues of the
		// kinds it has handlers for, and jobs of the other kinds wait for
		// an engine that has them, without losing attempts. The engine
		// checks the kinds it inserts itself (see insertParams).
		SkipUnknownJobCheck: true,
	}
	if cfg.RetryBackoff != nil {
		riverCfg.RetryPolicy = &retryPolicy{backoff: cfg.RetryBackoff}
	}

	logger.Info("job engine configured", "kinds", e.kinds, "periodic_kinds", e.periodic, "max_workers", cfg.MaxWorkers)
	return e, riverCfg, nil
}

// periodicJobs turns the configured periodic jobs of registered kinds into
// River's, and logs the ones it leaves out.
func (e *Engine) periodicJobs() ([]*rq.PeriodicJob, error) {
	table := e.cfg.PeriodicJobs
	if table == nil {
		var err error
		if table, err = DefaultPeriodicJobs(e.cfg); err != nil {
			return nil, err
		}
		if len(e.cfg.DailyReportRecipients) == 0 {
			e.logger.Info("periodic job left out: DailyReportRecipients is empty", "job_kind", "send_daily_validation_report")
		}
	}

	var out []*rq.PeriodicJob
	for _, pj := range table {
		kind := pj.Args.Kind()
		policy, ok := e.policies[kind]
		if !ok {
			e.logger.Info("periodic job left out: its kind has no handler", "job_kind", kind)
			continue
		}

		args := pj.Args
		opts := rq.InsertOpts{
			Queue:       queueOf(kind),
			MaxAttempts: policy.MaxAttempts,
			// Two leaders that overlap for a moment, or a restart within the
			// minute, compute the same run time. The unique key on the
			// minute keeps that run from being enqueued twice.
			UniqueOpts: rq.UniqueOpts{ByArgs: true, ByPeriod: time.Minute},
		}
		out = append(out, rq.NewPeriodicJob(pj.Schedule, func() (rq.JobArgs, *rq.InsertOpts) {
			o := opts
			return args, &o
		}, &rq.PeriodicJobOpts{RunOnStart: pj.RunOnStart}))
		e.periodic = append(e.periodic, kind)
	}
	return out, nil
}

// Kinds returns the registered job kinds, sorted.
func (e *Engine) Kinds() []string { return append([]string(nil), e.kinds...) }

// Start starts working jobs and, on the elected leader, enqueueing periodic
// jobs and rescuing stuck ones. Jobs run with contexts derived from ctx.
// Cancelling ctx stops the engine at once and cancels running jobs, so use
// Stop for a graceful shutdown.
func (e *Engine) Start(ctx context.Context) error {
	if err := e.backend.start(ctx); err != nil {
		return fmt.Errorf("start job engine (have the job tables been migrated?): %w", err)
	}
	e.logger.InfoContext(ctx, "job engine started", "kinds", e.kinds)
	return nil
}

// Stop stops fetching jobs and lets running jobs finish for up to
// Config.ShutdownTimeout. Then it cancels their contexts and waits until
// they return or ctx ends. Stopping an engine that was not started does
// nothing.
func (e *Engine) Stop(ctx context.Context) error {
	softCtx, cancel := context.WithTimeout(ctx, e.cfg.ShutdownTimeout)
	err := e.backend.stop(softCtx)
	cancel()
	if err == nil {
		e.logger.InfoContext(ctx, "job engine stopped")
		return nil
	}
	if ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("stop job engine: %w", err)
	}

	e.logger.WarnContext(ctx, "running jobs did not finish within the shutdown timeout; cancelling them",
		"shutdown_timeout", e.cfg.ShutdownTimeout)
	if err := e.backend.stopAndCancel(ctx); err != nil {
		return fmt.Errorf("stop job engine after cancelling running jobs: %w", err)
	}
	e.logger.InfoContext(ctx, "job engine stopped after cancelling running jobs")
	return nil
}

// Stopped returns a channel that is closed when the engine has stopped.
func (e *Engine) Stopped() <-chan struct{} { return e.backend.stopped() }

// Enqueue implements ports.JobQueue. When ctx carries a transaction of the
// store (sqlstore.TxFromContext), the job is inserted in it.
func (e *Engine) Enqueue(ctx context.Context, args ports.JobArgs, opts ports.EnqueueOptions) (ports.EnqueueResult, error) {
	params, err := e.insertParams(args, opts)
	if err != nil {
		return ports.EnqueueResult{}, err
	}

	results, err := e.backend.insertMany(ctx, []rq.InsertManyParams{params})
	if err != nil {
		return ports.EnqueueResult{}, fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}

	r := results[0]
	e.logger.DebugContext(ctx, "job enqueued", "job_kind", r.Job.Kind, "job_id", r.Job.ID,
		"duplicate", r.UniqueSkippedAsDuplicate, "in_transaction", inTx(ctx))
	return ports.EnqueueResult{JobID: r.Job.ID, Duplicate: r.UniqueSkippedAsDuplicate}, nil
}

// EnqueueMany implements ports.JobQueue: it inserts all the jobs in one
// batch and returns how many were added, not counting unique duplicates.
// When one job is rejected, none is inserted.
func (e *Engine) EnqueueMany(ctx context.Context, args []ports.JobArgs, opts ports.EnqueueOptions) (int, error) {
	if len(args) == 0 {
		return 0, nil
	}
	params := make([]rq.InsertManyParams, len(args))
	for i, a := range args {
		p, err := e.insertParams(a, opts)
		if err != nil {
			return 0, fmt.Errorf("enqueue job %d of %d: %w", i+1, len(args), err)
		}
		params[i] = p
	}

	results, err := e.backend.insertMany(ctx, params)
	if err != nil {
		return 0, fmt.Errorf("enqueue %d jobs: %w", len(args), err)
	}

	added := 0
	tx := inTx(ctx)
	for _, r := range results {
		if !r.UniqueSkippedAsDuplicate {
			added++
		}
		e.logger.DebugContext(ctx, "job enqueued", "job_kind", r.Job.Kind, "job_id", r.Job.ID,
			"duplicate", r.UniqueSkippedAsDuplicate, "in_transaction", tx)
	}
	return added, nil
}

// insertParams checks the kind and maps the options to River's.
func (e *Engine) insertParams(args ports.JobArgs, opts ports.EnqueueOptions) (rq.InsertManyParams, error) {
	if args == nil || args.Kind() == "" {
		return rq.InsertManyParams{}, fmt.Errorf("enqueue: %w", errNoKind)
	}
	// A known kind without a handler here is inserted all the same: it
	// waits, untouched, for an engine that has its handler.
	policy, ok := e.known[args.Kind()]
	if !ok {
		return rq.InsertManyParams{}, &UnknownKindError{Kind: args.Kind(), Registered: sortedKeys(e.known)}
	}

	insert := &rq.InsertOpts{Queue: queueOf(args.Kind()), MaxAttempts: policy.MaxAttempts, ScheduledAt: opts.ScheduledAt}
	if opts.MaxAttempts > 0 {
		insert.MaxAttempts = opts.MaxAttempts
	}
	if opts.Unique {
		insert.UniqueOpts = rq.UniqueOpts{
			ByArgs: true,
			ByState: []rivertype.JobState{
				rivertype.JobStateAvailable,
				rivertype.JobStatePending,
				rivertype.JobStateRetryable,
				rivertype.JobStateRunning,
				rivertype.JobStateScheduled,
			},
		}
	}
	return rq.InsertManyParams{Args: args, InsertOpts: insert}, nil
}

// queueOf returns the queue of a job kind: each kind has its own, named
// after it, so that an engine works only the kinds it has handlers for.
func queueOf(kind string) string { return kind }

func inTx(ctx context.Context) bool {
	_, ok := sqlstore.TxFromContext(ctx)
	return ok
}

// Dashboard returns the River UI (job lists, queues, retry and cancel
// buttons) as an http.Handler for the given path prefix, such as "/jobs"
// or "" for the root. Call its Start method before serving it. Its
// background work stops when the context given to Start ends.
//
// NOTE: the dashboard has no authentication and can cancel, retry and
// delete jobs; put it behind the host's authentication or on a private
// address.
func (e *Engine) Dashboard(prefix string) (*riverui.Handler, error) {
	h, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints: e.backend.endpoints(),
		Logger:    e.logger,
		Prefix:    prefix,
	})
	if err != nil {
		return nil, fmt.Errorf("river: build dashboard: %w", err)
	}
	return h, nil
}
