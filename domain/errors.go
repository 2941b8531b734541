package domain

import (
	"errors"
	"fmt"
)

// Sentinel errors shared by every layer. Storage adapters translate their
// driver errors into these at the boundary.
var (
	// ErrNotFound is returned when a looked-up row or object does not exist.
	ErrNotFound = errors.New("not found")

	// ErrConflict is returned when a write would break a uniqueness rule or
	// lost a race to another writer.
	ErrConflict = errors.New("conflict")

	// ErrInvalid is matched by every *ValidationError.
	ErrInvalid = errors.New("invalid value")

	// ErrPermanent is matched by errors wrapped with Permanent.
	ErrPermanent = errors.New("permanent failure")
)

// ValidationError reports a rejected value: which field, which value and what
// was expected instead.
type ValidationError struct {
	// Field is the name of the field or column that holds the value.
	Field string
	// Value is the rejected input as it was received.
	Value string
	// Reason says what is wrong and what was expected.
	Reason string
}

// Error formats the field, the quoted value and the reason.
func (e *ValidationError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("invalid value %q: %s", e.Value, e.Reason)
	}
	return fmt.Sprintf("invalid %s %q: %s", e.Field, e.Value, e.Reason)
}

// Is makes errors.Is(err, ErrInvalid) true for every *ValidationError.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Invalid builds a *ValidationError.
func Invalid(field, value, reason string) error {
	return &ValidationError{Field: field, Value: value, Reason: reason}
}

// PermanentError marks a failure that retrying cannot fix, such as an e-mail
// address that the server rejected with a 5xx reply. The job engine cancels a
// job that returns one instead of retrying it.
type PermanentError struct {
	Err error
}

// Error returns the wrapped error's message.
func (e *PermanentError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *PermanentError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrPermanent) true.
func (e *PermanentError) Is(target error) bool { return target == ErrPermanent }

// Permanent wraps err so that IsPermanent reports true. A nil err stays nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// IsPermanent reports whether err, or an error it wraps, was marked with
// Permanent or is a validation error.
func IsPermanent(err error) bool {
	return errors.Is(err, ErrPermanent) || errors.Is(err, ErrInvalid)
}
