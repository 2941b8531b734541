package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
)

func TestValidateSlug(t *testing.T) {
	t.Parallel()

	valid := []struct {
		name  string
		input string
	}{
		{"Letters", "web"},
		{"Digit", "7"},
		{"Dash", "tienda-online"},
		{"Underscore", "tienda_online"},
		{"Mixed", "canal-2_b"},
		{"MaxLength", strings.Repeat("a", 64)},
	}
	for _, tc := range valid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, domain.ValidateSlug(tc.input))
		})
	}

	invalid := []struct {
		name  string
		input string
	}{
		{"Empty", ""},
		{"TooLong", strings.Repeat("a", 65)},
		{"UpperCase", "Web"},
		{"Space", "tienda online"},
		{"LeadingSpace", " web"},
		{"TrailingNewline", "web\n"},
		{"LeadingDash", "-web"},
		{"TrailingDash", "web-"},
		{"DoubleDash", "tienda--online"},
		{"DashUnderscore", "tienda-_online"},
		{"Dot", "tienda.online"},
		{"Slash", "tienda/online"},
		{"Accent", "tienda-españa"},
		{"OnlyDash", "-"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := domain.ValidateSlug(tc.input)
			require.ErrorIs(t, err, domain.ErrInvalid)

			var verr *domain.ValidationError
			require.True(t, errors.As(err, &verr))
			require.Equal(t, "channel slug", verr.Field)
			require.Equal(t, tc.input, verr.Value)
		})
	}
}

func TestNewChannel(t *testing.T) {
	t.Parallel()

	valid := []struct {
		name        string
		slug        string
		displayName string
		wantSlug    string
		wantName    string
	}{
		{"SlugAndName", "web", "Tienda online", "web", "Tienda online"},
		{"TrimsSlug", "  web\t", "Tienda online", "web", "Tienda online"},
		{"TrimsName", "web", "  Tienda online ", "web", "Tienda online"},
		{"EmptyNameIsSlug", "web", "", "web", "web"},
		{"BlankNameIsSlug", "web", "   ", "web", "web"},
	}
	for _, tc := range valid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := domain.NewChannel(tc.slug, tc.displayName)
			require.NoError(t, err)
			require.Equal(t, domain.Channel{Slug: tc.wantSlug, Name: tc.wantName}, c)
		})
	}

	invalid := []struct {
		name string
		slug string
	}{
		{"EmptySlug", ""},
		{"BlankSlug", "   "},
		{"UpperCaseSlug", "Web"},
		{"SlugWithSpace", "tienda online"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := domain.NewChannel(tc.slug, "Tienda")
			require.ErrorIs(t, err, domain.ErrInvalid)
			require.Zero(t, c)
		})
	}
}
