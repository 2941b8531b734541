package domain_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
)

func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"SpanishMobile", "600111222", "+34600111222"},
		{"SpanishSpaced", " 612 34 56 78 ", "+34612345678"},
		{"SpanishDotsDashes", "712.345-678", "+34712345678"},
		{"SpanishLandline", "(91) 123 45 67", "+34911234567"},
		{"SpanishWithPlus", "+34 600 111 222", "+34600111222"},
		{"SpanishWithZeros", "0034600111222", "+34600111222"},
		{"SpanishCodeNoPlus", "34600111222", "+34600111222"},
		{"French", "+33 6 12 34 56 78", "+33612345678"},
		{"FrenchZeros", "0033612345678", "+33612345678"},
		{"MaxLength", "+123456789012345", "+123456789012345"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.NormalizePhone(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestNormalizePhoneRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		reason string
	}{
		{"Empty", "  ", "empty"},
		{"Letters", "600ABC222", "digits"},
		{"ShortSpanish", "60011122", "9 digits"},
		{"SpanishWrongRange", "500111222", "9 digits"},
		{"SpanishTooLong", "+34 600 111 2222", "after +34"},
		{"SpanishBadRange", "+34 500111222", "after +34"},
		{"ForeignWithoutCode", "0612345678", "country code"},
		{"TooLong", "+1234567890123456", "8 to 15"},
		{"TooShort", "+1234567", "8 to 15"},
		{"ZeroCountryCode", "+0123456789", "8 to 15"},
		{"TwoPluses", "++34600111222", "digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := domain.NormalizePhone(tt.in)
			require.ErrorIs(t, err, domain.ErrInvalid)
			require.ErrorContains(t, err, "phone number")
			require.ErrorContains(t, err, tt.reason)
		})
	}
}

// FuzzNormalizePhone checks that a normalised number is E.164 and
// normalises to itself.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"600111222", "+34 600 111 222", "0033612345678", "(91) 123-45-67", "++1", "34600111222"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := domain.NormalizePhone(s)
		if err != nil {
			return
		}
		if !strings.HasPrefix(got, "+") || len(got) < 9 || len(got) > 16 {
			t.Fatalf("NormalizePhone(%q) = %q, not E.164", s, got)
		}
		for _, c := range got[1:] {
			if c < '0' || c > '9' {
				t.Fatalf("NormalizePhone(%q) = %q has a non-digit", s, got)
			}
		}
		again, err := domain.NormalizePhone(got)
		if err != nil || again != got {
			t.Fatalf("NormalizePhone(%q) = %q, %v; want it unchanged", got, again, err)
		}
	})
}
