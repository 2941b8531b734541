package ports

import (
	"context"
	"time"
)

// JobArgs is the input of a job. Kind is the job's name on the queue, such as
// "send_async_email"; the rest of the struct is stored as JSON.
type JobArgs interface {
	Kind() string
}

// EnqueueOptions tunes one enqueue. The zero value enqueues the job to run
// now with the kind's default policy.
type EnqueueOptions struct {
	// ScheduledAt delays the job until that time. Zero means now.
	ScheduledAt time.Time
	// Unique skips the enqueue when a job of the same kind with the same
	// arguments is already waiting, scheduled, running or retrying.
	Unique bool
	// MaxAttempts overrides the kind's default when positive.
	MaxAttempts int
}

// EnqueueResult describes an enqueued job.
type EnqueueResult struct {
	// JobID is the queue's id of the job, or of the existing job when the
	// enqueue was skipped as a duplicate.
	JobID int64
	// Duplicate is true when Unique found an existing job and nothing was
	// added.
	Duplicate bool
}

// JobQueue puts jobs on the job engine. When ctx carries a transaction (see
// TxRunner), the job is inserted in it and exists only if it commits.
type JobQueue interface {
	// Enqueue adds one job. An unknown kind is an error naming it.
	Enqueue(ctx context.Context, args JobArgs, opts EnqueueOptions) (EnqueueResult, error)
	// EnqueueMany adds several jobs in one round trip where the engine allows
	// it and returns how many were added.
	EnqueueMany(ctx context.Context, args []JobArgs, opts EnqueueOptions) (int, error)
}

// JobHandler runs one kind of job. The job engine calls HandleJob; an error
// marked with domain.Permanent cancels the job, any other error retries it.
type JobHandler[T JobArgs] interface {
	HandleJob(ctx context.Context, args T) error
}

// Provisioner is implemented by the host application: it provisions the line
// of one purchase with the network. The job engine runs it for the
// provision_purchase job. It should be idempotent, because a job whose worker
// died is run again.
type Provisioner interface {
	Provision(ctx context.Context, purchaseID int64) error
}
