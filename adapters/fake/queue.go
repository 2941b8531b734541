package fake

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/telcojobs/telcojobs/ports"
)

var _ ports.JobQueue = (*Queue)(nil)

// EnqueuedJob is a job recorded by Queue.
type EnqueuedJob struct {
	ID      int64
	Args    ports.JobArgs
	Options ports.EnqueueOptions
}

// Queue is a ports.JobQueue that records jobs instead of running them. It
// ignores transactions: a job enqueued in a transaction that rolls back
// stays recorded, so tests of transactional enqueue need the real engine.
type Queue struct {
	mu   sync.Mutex
	jobs []EnqueuedJob
	// Err, when set, is returned by every enqueue.
	Err error
}

// Enqueue implements ports.JobQueue. With Unique, a job of the same kind and
// arguments already recorded makes it a duplicate.
func (q *Queue) Enqueue(_ context.Context, args ports.JobArgs, opts ports.EnqueueOptions) (ports.EnqueueResult, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.Err != nil {
		return ports.EnqueueResult{}, q.Err
	}
	if args == nil || args.Kind() == "" {
		return ports.EnqueueResult{}, fmt.Errorf("enqueue: job has no kind")
	}
	if opts.Unique {
		key := identity(args)
		for _, j := range q.jobs {
			if identity(j.Args) == key {
				return ports.EnqueueResult{JobID: j.ID, Duplicate: true}, nil
			}
		}
	}
	id := int64(len(q.jobs) + 1)
	q.jobs = append(q.jobs, EnqueuedJob{ID: id, Args: args, Options: opts})
	return ports.EnqueueResult{JobID: id}, nil
}

// EnqueueMany implements ports.JobQueue.
func (q *Queue) EnqueueMany(ctx context.Context, args []ports.JobArgs, opts ports.EnqueueOptions) (int, error) {
	n := 0
	for _, a := range args {
		res, err := q.Enqueue(ctx, a, opts)
		if err != nil {
			return n, err
		}
		if !res.Duplicate {
			n++
		}
	}
	return n, nil
}

// Jobs returns a copy of the recorded jobs, oldest first.
func (q *Queue) Jobs() []EnqueuedJob {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]EnqueuedJob(nil), q.jobs...)
}

// Kinds returns the kinds of the recorded jobs, oldest first.
func (q *Queue) Kinds() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]string, len(q.jobs))
	for i, j := range q.jobs {
		out[i] = j.Args.Kind()
	}
	return out
}

func identity(args ports.JobArgs) string {
	b, _ := json.Marshal(args)
	return args.Kind() + ":" + string(b)
}
