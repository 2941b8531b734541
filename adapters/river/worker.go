package river

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	rq "github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// worker runs one kind's handler under River and applies the failure
// policy: a permanent error cancels the job, any other error lets River
// retry it until the kind's maximum attempts.
type worker[T ports.JobArgs] struct {
	rq.WorkerDefaults[T]
	handler ports.JobHandler[T]
	policy  KindPolicy
	logger  *slog.Logger
}

// Timeout returns the kind's timeout.
func (w *worker[T]) Timeout(*rq.Job[T]) time.Duration { return w.policy.Timeout }

// Work runs the handler and logs the outcome with the job's kind and id.
func (w *worker[T]) Work(ctx context.Context, job *rq.Job[T]) error {
	start := time.Now()
	err := w.handler.HandleJob(ctx, job.Args)
	elapsed := time.Since(start)

	attrs := []slog.Attr{
		slog.String("job_kind", job.Kind),
		slog.Int64("job_id", job.ID),
		slog.Int("attempt", job.Attempt),
		slog.Duration("duration", elapsed),
	}
	switch {
	case err == nil:
		w.logger.LogAttrs(ctx, slog.LevelInfo, "job completed", attrs...)
		return nil

	case domain.IsPermanent(err):
		w.logger.LogAttrs(ctx, slog.LevelError, "job cancelled after a permanent error", append(attrs, slog.String("error", err.Error()))...)
		return rq.JobCancel(err)

	case job.Attempt >= job.MaxAttempts:
		w.logger.LogAttrs(ctx, slog.LevelError, "job failed on its last attempt and is discarded",
			append(attrs, slog.Int("max_attempts", job.MaxAttempts), slog.String("error", err.Error()))...)
		return err

	default:
		msg := "job failed; it will be retried"
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			msg = "job timed out; it will be retried"
		}
		w.logger.LogAttrs(ctx, slog.LevelWarn, msg,
			append(attrs, slog.Int("max_attempts", job.MaxAttempts), slog.String("error", err.Error()))...)
		return err
	}
}

// absentWorker stands for a kind that this engine has no handler for. The
// engine never works the kind's queue, so Work does not run. The worker
// gives River the kind's timeout. When this engine is the leader, River
// then rescues a stuck job of the kind after that timeout, where it would
// discard the job of a kind with no worker.
type absentWorker[T ports.JobArgs] struct {
	rq.WorkerDefaults[T]
	policy KindPolicy
}

// Timeout returns the kind's timeout.
func (w *absentWorker[T]) Timeout(*rq.Job[T]) time.Duration { return w.policy.Timeout }

// Work fails the attempt, which River then retries for an engine with the
// handler.
func (w *absentWorker[T]) Work(_ context.Context, job *rq.Job[T]) error {
	return fmt.Errorf("job %d: this engine has no handler for %s; an engine with one will retry it", job.ID, job.Kind)
}

// errorHandler logs the panics that River recovers from a worker. Errors
// returned by workers are already logged by worker.Work.
type errorHandler struct {
	logger *slog.Logger
}

// HandleError leaves the error to River's retry policy.
func (h *errorHandler) HandleError(context.Context, *rivertype.JobRow, error) *rq.ErrorHandlerResult {
	return nil
}

// HandlePanic logs the panic and its stack trace; River then retries the job
// like any failed attempt.
func (h *errorHandler) HandlePanic(ctx context.Context, job *rivertype.JobRow, panicVal any, trace string) *rq.ErrorHandlerResult {
	h.logger.ErrorContext(ctx, "job panicked; it will be retried unless it has no attempt left",
		"job_kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt, "max_attempts", job.MaxAttempts,
		"panic", panicVal, "stack", trace)
	return nil
}

// retryPolicy delays retries by Config.RetryBackoff.
type retryPolicy struct {
	backoff func(attempt int) time.Duration
}

// NextRetry returns now plus the backoff of the failed attempt, at least one
// millisecond, since River replaces a retry time in the past with its own
// default.
func (p *retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().UTC().Add(max(p.backoff(job.Attempt), time.Millisecond))
}
