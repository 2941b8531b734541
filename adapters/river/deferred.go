package river

import (
	"context"
	"errors"
	"sync"

	"github.com/telcojobs/telcojobs/ports"
)

// ErrQueueNotReady is returned by a DeferredQueue used before Set.
var ErrQueueNotReady = errors.New("river: job queue used before the engine was set")

var _ ports.JobQueue = (*DeferredQueue)(nil)

// DeferredQueue is a ports.JobQueue whose engine is set after construction.
// It breaks the cycle between the engine, which needs the handlers, and the
// use cases behind those handlers, which need a queue: build the use cases
// on a DeferredQueue, build the engine from them, then call Set.
type DeferredQueue struct {
	mu     sync.RWMutex
	target ports.JobQueue
}

// NewDeferredQueue returns a queue that fails with ErrQueueNotReady until
// Set is called.
func NewDeferredQueue() *DeferredQueue { return &DeferredQueue{} }

// Set makes the queue forward to target.
func (q *DeferredQueue) Set(target ports.JobQueue) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.target = target
}

func (q *DeferredQueue) get() (ports.JobQueue, error) {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.target == nil {
		return nil, ErrQueueNotReady
	}
	return q.target, nil
}

// Enqueue implements ports.JobQueue.
func (q *DeferredQueue) Enqueue(ctx context.Context, args ports.JobArgs, opts ports.EnqueueOptions) (ports.EnqueueResult, error) {
	target, err := q.get()
	if err != nil {
		return ports.EnqueueResult{}, err
	}
	return target.Enqueue(ctx, args, opts)
}

// EnqueueMany implements ports.JobQueue.
func (q *DeferredQueue) EnqueueMany(ctx context.Context, args []ports.JobArgs, opts ports.EnqueueOptions) (int, error) {
	target, err := q.get()
	if err != nil {
		return 0, err
	}
	return target.EnqueueMany(ctx, args, opts)
}
