// Package river is the job engine of telcojobs on River
// (github.com/riverqueue/river, imported here as rq): it implements
// ports.JobQueue, runs the use cases' handlers, enqueues the periodic jobs
// and serves River's dashboard.
//
// # Databases
//
// The job tables live in the business database and are created by
// Migrate (MigrateSQLite or MigratePostgres), which the host runs after the
// store's own migrations. New picks the constructor for the store:
// NewSQLite runs River's SQLite driver on the store's *sql.DB, and
// NewPostgres runs River's pgx driver on the store's pool. Scaling
// out means starting more engines on one PostgreSQL database: each job runs
// on one of them, and one elected leader enqueues periodic jobs and rescues
// stuck ones.
//
// # Transactional enqueue
//
// A context from the store's InTx carries its *sql.Tx, and Enqueue inserts
// the job in that transaction, so a rolled-back use case leaves no job and
// a committed one leaves exactly the jobs it enqueued:
//
//	err := store.InTx(ctx, func(ctx context.Context) error {
//		// ... business writes with ctx ...
//		_, err := engine.Enqueue(ctx, usecases.SendAsyncEmailInput{NotificationID: id}, ports.EnqueueOptions{})
//		return err
//	})
//
// On SQLite the store keeps one connection, so a call that needs the
// database while a transaction is open must use the transaction's context.
//
// # Registration and failure policy
//
// Handlers has one field per job kind. Each kind has its own queue, named
// after the kind, and an engine works only the queues of the kinds it has
// handlers for. A nil field therefore leaves the kind's jobs waiting, with
// no attempt spent, for an engine that has the handler; they can still be
// enqueued. Only a kind that is not one of the module's jobs fails with
// *UnknownKindError.
//
// A handler error marked with domain.Permanent, or a validation error,
// cancels the job at once. Any other error retries it with backoff until
// the kind's maximum attempts (DefaultPolicies, Config.Policies). Each kind
// has a timeout. A job still running after both Config.RescueStuckJobsAfter
// and its kind's timeout is taken as abandoned by a dead worker and run
// again, so handlers must be idempotent. The leader that rescues it need
// not have the kind's handler, because every engine registers every kind's
// timeout.
// Stop lets running jobs finish for Config.ShutdownTimeout and then cancels
// them.
//
// # Periodic jobs
//
// DefaultPeriodicJobs is the default table, with clock times in the business
// zone; Schedule implementations Every and Daily follow the zone's clock
// changes. The host replaces or extends the table through
// Config.PeriodicJobs.
//
// # Logging
//
// Every line that the engine logs about a job carries job_kind and job_id.
// River's own log goes to the same logger.
package river
