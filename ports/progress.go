package ports

import "context"

// Progress receives the progress of a long job, such as the rows of an
// import. The telcojobs command draws it as a progress bar on a terminal.
// Implementations must be safe for concurrent use.
type Progress interface {
	// Total sets the expected number of steps; 0 or less means unknown.
	Total(n int64)
	// Add counts n more steps done.
	Add(n int64)
}

type progressKey struct{}

// WithProgress returns a context whose long jobs report to p.
func WithProgress(ctx context.Context, p Progress) context.Context {
	return context.WithValue(ctx, progressKey{}, p)
}

// ProgressFrom returns the Progress in ctx, or one that discards reports.
func ProgressFrom(ctx context.Context) Progress {
	if p, ok := ctx.Value(progressKey{}).(Progress); ok && p != nil {
		return p
	}
	return discardProgress{}
}

type discardProgress struct{}

func (discardProgress) Total(int64) {}
func (discardProgress) Add(int64)   {}
