package domain_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
)

func TestValidateOutletCode(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"TDA-001", "7", "a.b_c/d-e", strings.Repeat("x", 64)} {
		require.NoError(t, domain.ValidateOutletCode(code), code)
	}
	for _, code := range []string{"", "-TDA", ".x", "TDA 001", "TDA-ñ", "TDA;1", strings.Repeat("x", 65), "TDA\x00"} {
		err := domain.ValidateOutletCode(code)
		require.ErrorIs(t, err, domain.ErrInvalid, "%q", code)
		require.ErrorContains(t, err, "code")
	}
}

// outletCodeRule is the rule of ValidateOutletCode written as a regular
// expression, which FuzzValidateOutletCode holds the fast check to.
var outletCodeRule = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$`)

// FuzzValidateOutletCode checks that ValidateOutletCode accepts exactly the
// codes of the rule.
func FuzzValidateOutletCode(f *testing.F) {
	for _, s := range []string{"TDA-001", "", "-x", "x/y", "é", strings.Repeat("a", 64), strings.Repeat("a", 65)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := outletCodeRule.MatchString(s)
		if got := domain.ValidateOutletCode(s) == nil; got != want {
			t.Fatalf("ValidateOutletCode(%q) accepts %v, the rule says %v", s, got, want)
		}
	})
}

func TestParseSaleTypes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []domain.SaleType
	}{
		{"Empty", "", nil},
		{"OnlySeparators", " | ,; ", nil},
		{"English", "new_line|portability", []domain.SaleType{domain.SaleNewLine, domain.SalePortability}},
		{"SpanishAnyCase", "Alta, PORTABILIDAD;renovación\tterminales",
			[]domain.SaleType{domain.SaleNewLine, domain.SalePortability, domain.SaleRenewal, domain.SaleDevice}},
		{"SortedAndOnce", "device|alta|new_line|device", []domain.SaleType{domain.SaleNewLine, domain.SaleDevice}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseSaleTypes(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}

	_, err := domain.ParseSaleTypes("alta|baja")
	require.ErrorIs(t, err, domain.ErrInvalid)
	require.ErrorContains(t, err, `unknown sale type "baja"`)
	require.ErrorContains(t, err, "alta|baja")
}

func TestNormalizeSpanishPhoneErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in string }{
		{"Short", "12345"},
		{"Letters", "600ABC222"},
		{"WrongRange", "500111222"},
		{"SpanishTooLong", "+34 600 111 2222"},
		{"French", "+33 6 12 34 56 78"},
		{"ForeignWithoutCode", "0612345678"},
		{"TooLong", "+1234567890123456"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := domain.NormalizeSpanishPhone(tt.in)
			require.ErrorIs(t, err, domain.ErrInvalid)
			require.EqualError(t, err, `invalid phone number "`+tt.in+`": expected a Spanish number: `+
				"9 digits starting with 6, 7, 8 or 9, with or without +34, such as 600 111 222")
		})
	}

	_, err := domain.NormalizeSpanishPhone(" ")
	require.ErrorContains(t, err, "must not be empty")
	got, err := domain.NormalizeSpanishPhone("0034 600 111 222")
	require.NoError(t, err)
	require.Equal(t, "+34600111222", got)
}
