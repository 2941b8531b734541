package domain_test

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
)

func TestParseCents(t *testing.T) {
	t.Parallel()

	valid := []struct {
		name  string
		input string
		want  domain.Cents
	}{
		{"Whole", "12", 1200},
		{"Zero", "0", 0},
		{"DotOneDecimal", "12.5", 1250},
		{"DotTwoDecimals", "12.34", 1234},
		{"CommaOneDecimal", "12,5", 1250},
		{"CommaTwoDecimals", "12,34", 1234},
		{"OnlyCents", "0,05", 5},
		{"LeadingZeros", "007,10", 710},
		{"Negative", "-3,00", -300},
		{"NegativeCents", "-0,99", -99},
		{"NegativeZero", "-0", 0},
		{"EuroSign", "12,34 €", 1234},
		{"EuroSignNoSpace", "12,34€", 1234},
		{"SurroundingSpace", "  12,34  ", 1234},
		{"Largest", "46116860184273879,99", 4611686018427387999},
		{"LargestNegative", "-46116860184273879,99", -4611686018427387999},
	}
	for _, tc := range valid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseCents(tc.input)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}

	invalid := []struct {
		name  string
		input string
	}{
		{"Empty", ""},
		{"Blank", "   "},
		{"OnlyEuroSign", "€"},
		{"OnlyMinus", "-"},
		{"DoubleMinus", "--5"},
		{"ThreeDecimals", "12,345"},
		{"ThreeDecimalsDot", "12.345"},
		{"ThousandsDotAndComma", "1.234,56"},
		{"ThousandsCommaAndDot", "1,234.56"},
		{"ThousandsSpace", "1 234,56"},
		{"ThousandsUnderscore", "1_234"},
		{"TrailingSeparator", "12,"},
		{"LeadingSeparator", ",50"},
		{"TwoSeparators", "1,2,3"},
		{"Letters", "doce"},
		{"Hex", "0x10"},
		{"Exponent", "1e3"},
		{"EuroSignFirst", "€12"},
		{"SpaceAfterMinus", "- 12"},
		{"PlusSign", "+12"},
		{"MinusThenPlus", "-+12"},
		{"SignedDecimals", "1,+5"},
		{"NegativeDecimals", "1,-5"},
		{"TooLarge", "46116860184273880"},
		{"OverflowsInt64", "9223372036854775808"},
		{"FarTooLarge", "99999999999999999999999999"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseCents(tc.input)
			require.ErrorIs(t, err, domain.ErrInvalid)
			require.Zero(t, got)

			var verr *domain.ValidationError
			require.True(t, errors.As(err, &verr))
			require.Equal(t, "amount", verr.Field)
			require.Equal(t, tc.input, verr.Value)
		})
	}
}

func TestParseCentsRoundTrip(t *testing.T) {
	t.Parallel()
	for _, c := range []domain.Cents{0, 1, 99, 100, 1234, -5, -1234, 4611686018427387999} {
		got, err := domain.ParseCents(c.String())
		require.NoError(t, err, "parsing %q", c.String())
		require.Equal(t, c, got)
	}
}

func TestCentsString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input domain.Cents
		want  string
	}{
		{"Zero", 0, "0,00 €"},
		{"OneCent", 1, "0,01 €"},
		{"TenCents", 10, "0,10 €"},
		{"OneEuro", 100, "1,00 €"},
		{"EurosAndCents", 1234, "12,34 €"},
		{"NoThousandsSeparator", 123456789, "1234567,89 €"},
		{"NegativeCents", -5, "-0,05 €"},
		{"Negative", -1234, "-12,34 €"},
		{"MaxInt64", math.MaxInt64, "92233720368547758,07 €"},
		{"MinInt64", math.MinInt64, "-92233720368547758,08 €"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, tc.input.String())
		})
	}
}

func TestParseCentsTooLarge(t *testing.T) {
	t.Parallel()
	for _, input := range []string{"46116860184273880", "9223372036854775808", "-99999999999999999999999999"} {
		_, err := domain.ParseCents(input)

		var verr *domain.ValidationError
		require.True(t, errors.As(err, &verr), "parsing %q", input)
		require.Equal(t, "amount too large", verr.Reason, "parsing %q", input)
	}
}
