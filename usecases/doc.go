// Package usecases holds one file per job: its input (which is also the job's
// arguments on the queue), its handler with the ports it needs, and its
// result. Handlers contain no SQL, HTTP or job-engine types; they call domain
// rules and ports.
//
// Every handler has Handle(ctx, input) returning a result the command prints,
// and HandleJob(ctx, input) error for the job engine.
package usecases
