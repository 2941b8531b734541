package domain_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
)

func TestValidationErrorMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input *domain.ValidationError
		want  string
	}{
		{
			name:  "WithField",
			input: &domain.ValidationError{Field: "amount", Value: "12,345", Reason: "at most two decimals"},
			want:  `invalid amount "12,345": at most two decimals`,
		},
		{
			name:  "WithoutField",
			input: &domain.ValidationError{Value: "x", Reason: "expected a number"},
			want:  `invalid value "x": expected a number`,
		},
		{
			name:  "EmptyValueQuoted",
			input: &domain.ValidationError{Field: "alarm name", Reason: "must not be empty"},
			want:  `invalid alarm name "": must not be empty`,
		},
		{
			name:  "ControlCharactersEscaped",
			input: &domain.ValidationError{Field: "time", Value: "07:30\n", Reason: "expected HH:MM"},
			want:  `invalid time "07:30\n": expected HH:MM`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, tc.input.Error())
		})
	}
}

func TestValidationErrorMatching(t *testing.T) {
	t.Parallel()
	err := domain.Invalid("channel slug", "Tienda", "expected lower-case letters")
	wrapped := fmt.Errorf("import row 3: %w", err)

	tests := []struct {
		name string
		err  error
	}{
		{"Direct", err},
		{"Wrapped", wrapped},
		{"WrappedTwice", fmt.Errorf("import: %w", wrapped)},
		{"Joined", errors.Join(errors.New("other"), err)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, tc.err, domain.ErrInvalid)
			require.NotErrorIs(t, tc.err, domain.ErrNotFound)
			require.NotErrorIs(t, tc.err, domain.ErrConflict)
			require.NotErrorIs(t, tc.err, domain.ErrPermanent)

			var verr *domain.ValidationError
			require.True(t, errors.As(tc.err, &verr))
			require.Equal(t, "channel slug", verr.Field)
			require.Equal(t, "Tienda", verr.Value)
			require.Equal(t, "expected lower-case letters", verr.Reason)
		})
	}
}

func TestInvalidBuildsValidationError(t *testing.T) {
	t.Parallel()
	err := domain.Invalid("time", "25:00", "expected HH:MM")

	var verr *domain.ValidationError
	require.True(t, errors.As(err, &verr))
	require.Equal(t, &domain.ValidationError{Field: "time", Value: "25:00", Reason: "expected HH:MM"}, verr)
	require.EqualError(t, err, `invalid time "25:00": expected HH:MM`)
}

func TestSentinelsAreDistinct(t *testing.T) {
	t.Parallel()
	sentinels := []error{domain.ErrNotFound, domain.ErrConflict, domain.ErrInvalid, domain.ErrPermanent}
	for i, a := range sentinels {
		for j, b := range sentinels {
			require.Equal(t, i == j, errors.Is(a, b), "errors.Is(%v, %v)", a, b)
		}
	}
}

func TestPermanent(t *testing.T) {
	t.Parallel()
	cause := errors.New("550 mailbox unavailable")

	t.Run("NilStaysNil", func(t *testing.T) {
		t.Parallel()
		require.NoError(t, domain.Permanent(nil))
	})

	t.Run("KeepsMessage", func(t *testing.T) {
		t.Parallel()
		require.EqualError(t, domain.Permanent(cause), "550 mailbox unavailable")
	})

	t.Run("UnwrapsToCause", func(t *testing.T) {
		t.Parallel()
		err := domain.Permanent(cause)
		require.ErrorIs(t, err, cause)
		require.ErrorIs(t, err, domain.ErrPermanent)
		require.Equal(t, cause, errors.Unwrap(err))
	})

	t.Run("KeepsSentinelOfCause", func(t *testing.T) {
		t.Parallel()
		err := domain.Permanent(fmt.Errorf("get purchase 7: %w", domain.ErrNotFound))
		require.ErrorIs(t, err, domain.ErrNotFound)
		require.ErrorIs(t, err, domain.ErrPermanent)
	})

	t.Run("AsPermanentError", func(t *testing.T) {
		t.Parallel()
		err := fmt.Errorf("send notification 3: %w", domain.Permanent(cause))

		var perr *domain.PermanentError
		require.True(t, errors.As(err, &perr))
		require.Equal(t, cause, perr.Err)
	})
}

func TestIsPermanent(t *testing.T) {
	t.Parallel()
	cause := errors.New("550 mailbox unavailable")
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"Nil", nil, false},
		{"Plain", cause, false},
		{"NotFound", domain.ErrNotFound, false},
		{"Conflict", fmt.Errorf("assign code: %w", domain.ErrConflict), false},
		{"Permanent", domain.Permanent(cause), true},
		{"PermanentSentinel", domain.ErrPermanent, true},
		{"WrappedPermanent", fmt.Errorf("send notification 3: %w", domain.Permanent(cause)), true},
		{"WrappedTwice", fmt.Errorf("job: %w", fmt.Errorf("send: %w", domain.Permanent(cause))), true},
		{"PermanentTwice", domain.Permanent(domain.Permanent(cause)), true},
		{"JoinedWithPermanent", errors.Join(cause, domain.Permanent(cause)), true},
		{"Validation", domain.Invalid("amount", "x", "expected euros"), true},
		{"WrappedValidation", fmt.Errorf("row 2: %w", domain.Invalid("amount", "x", "expected euros")), true},
		{"InvalidSentinel", domain.ErrInvalid, true},
		{"NotificationFinal", domain.ErrNotificationFinal, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, domain.IsPermanent(tc.err))
		})
	}
}
