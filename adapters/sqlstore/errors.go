package sqlstore

import (
	"fmt"

	"github.com/telcojobs/telcojobs/domain"
)

// translatedError keeps the driver error for errors.As while matching a
// domain sentinel with errors.Is.
type translatedError struct {
	sentinel error
	cause    error
}

func (e *translatedError) Error() string {
	return fmt.Sprintf("%s: %s", e.sentinel, e.cause)
}

func (e *translatedError) Is(target error) bool { return target == e.sentinel }

func (e *translatedError) Unwrap() error { return e.cause }

// Conflict wraps a driver error so that it matches domain.ErrConflict.
func Conflict(cause error) error { return &translatedError{sentinel: domain.ErrConflict, cause: cause} }

func notFoundf(format string, args ...any) error { return fmt.Errorf(format, args...) }
