// Package domain holds the entities, value objects and business rules of
// telcojobs. It imports only the standard library: storage, HTTP and the job
// engine live in the adapters, and the use cases combine the rules here with
// the ports.
//
// Errors follow one pattern. Plain conditions are sentinels such as
// [ErrNotFound] and [ErrConflict]. A rejected value is a [*ValidationError]
// naming the field, the value and what was expected, and it matches
// [ErrInvalid] with errors.Is. A failure that must not be retried is wrapped
// with [Permanent].
package domain
