package domain_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
)

// Valid ICCIDs: 19 and 20 digits with their Luhn check digits.
const (
	iccid19 = "8934071234567890125"
	iccid20 = "89340712345678901234"
)

func TestParseICCID(t *testing.T) {
	t.Parallel()

	good := []struct {
		name  string
		input string
		want  string
	}{
		{"NineteenDigits", iccid19, iccid19},
		{"TwentyDigits", iccid20, iccid20},
		{"PaddingF", iccid19 + "F", iccid19},
		{"PaddingLowerF", iccid19 + "f", iccid19},
		{"Spaces", "  " + iccid20 + "\n", iccid20},
		{"OtherIssuer", "89445001021983048261", "89445001021983048261"},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseICCID(tc.input)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}

	bad := []struct {
		name    string
		input   string
		problem domain.ICCIDProblem
		reason  string
	}{
		{"Empty", "", domain.ICCIDEmpty, "must not be empty"},
		{"Blank", "   ", domain.ICCIDEmpty, "must not be empty"},
		{"OnlyPadding", "F", domain.ICCIDBadLength, "has 0 digits"},
		{"Letters", "8934A71234567890125", domain.ICCIDNotDigits, "only digits"},
		{"TwoPaddings", iccid19 + "FF", domain.ICCIDNotDigits, "only digits"},
		{"InnerSpace", "8934 071234567890125", domain.ICCIDNotDigits, "only digits"},
		{"Sign", "+8934071234567890125", domain.ICCIDNotDigits, "only digits"},
		{"TooShort", "893407123456789012", domain.ICCIDBadLength, "has 18 digits; expected 19 or 20"},
		{"TooLong", iccid20 + "5", domain.ICCIDBadLength, "has 21 digits"},
		{"PaddedTwentyOne", iccid20 + "5F", domain.ICCIDBadLength, "has 21 digits"},
		{"WrongPrefix", "8834071234567890126", domain.ICCIDBadPrefix, "expected the industry prefix 89"},
		{"WrongCheckDigit", "8934071234567890120", domain.ICCIDCheckDigit, "check digit is 0; the Luhn algorithm expects 5"},
		{"SwappedDigits", "8934071234567890215", domain.ICCIDCheckDigit, "Luhn"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := domain.ParseICCID(tc.input)
			require.ErrorIs(t, err, domain.ErrInvalid)
			require.ErrorContains(t, err, tc.reason)
			require.ErrorContains(t, err, `"`+tc.input+`"`, "the error names the value")

			var ie *domain.ICCIDError
			require.True(t, errors.As(err, &ie))
			require.Equal(t, tc.problem, ie.Problem)
			require.Equal(t, tc.input, ie.Value)
		})
	}
}

func TestParseICCIDCheckDigitOption(t *testing.T) {
	t.Parallel()
	lenient := domain.ICCIDOptions{AllowBadCheckDigit: true}

	t.Run("AcceptsBadCheckDigit", func(t *testing.T) {
		t.Parallel()
		got, err := lenient.Parse("8934071234567890120F")
		require.NoError(t, err)
		require.Equal(t, "8934071234567890120", got)
	})

	t.Run("ExpectedDigitReported", func(t *testing.T) {
		t.Parallel()
		_, err := domain.ParseICCID("8934071234567890120")
		var ie *domain.ICCIDError
		require.True(t, errors.As(err, &ie))
		require.Equal(t, byte('5'), ie.ExpectedCheckDigit)
	})

	t.Run("OtherRulesKept", func(t *testing.T) {
		t.Parallel()
		for _, input := range []string{"7734071234567890120", "893407123456789012", "89340712345678901x0"} {
			_, err := lenient.Parse(input)
			require.ErrorIs(t, err, domain.ErrInvalid, input)
		}
	})
}

func TestICCIDParseFileName(t *testing.T) {
	t.Parallel()
	var strict domain.ICCIDOptions

	good := []struct {
		name  string
		input string
		want  string
	}{
		{"Bare", iccid19 + ".pdf", iccid19},
		{"UpperExtension", iccid20 + ".PDF", iccid20},
		{"PrefixICC", "ICC_" + iccid19 + "F.pdf", iccid19},
		{"PrefixLower", "icc-" + iccid20 + ".pdf", iccid20},
		{"InFolder", "lote 7/ICC_" + iccid19 + ".pdf", iccid19},
		{"NoExtension", iccid19, iccid19},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := strict.ParseFileName(tc.input)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}

	bad := []struct {
		name    string
		input   string
		problem domain.ICCIDProblem
	}{
		{"NoDigits", "factura.pdf", domain.ICCIDNoICCIDPart},
		{"OnlyPrefix", "ICC_.pdf", domain.ICCIDNoICCIDPart},
		{"BadCheckDigit", "ICC_8934071234567890120.pdf", domain.ICCIDCheckDigit},
		{"Suffix", iccid19 + "_copia.pdf", domain.ICCIDNotDigits},
		{"Short", "ICC_12345.pdf", domain.ICCIDBadLength},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := strict.ParseFileName(tc.input)
			require.ErrorIs(t, err, domain.ErrInvalid)
			require.ErrorContains(t, err, tc.input, "the error names the file")

			var ie *domain.ICCIDError
			require.True(t, errors.As(err, &ie))
			require.Equal(t, tc.problem, ie.Problem)
		})
	}
}

func TestLuhn(t *testing.T) {
	t.Parallel()
	cases := []struct {
		digits string
		check  byte
	}{
		{"7992739871", '3'}, // the textbook example
		{"893407123456789012", '5'},
		{"0", '0'},
		{"", '0'},
	}
	for _, tc := range cases {
		require.Equal(t, tc.check, domain.LuhnCheckDigit(tc.digits), tc.digits)
		if tc.digits != "" {
			require.True(t, domain.LuhnValid(tc.digits+string(tc.check)))
		}
	}
	require.False(t, domain.LuhnValid("79927398710"))
	require.False(t, domain.LuhnValid(""))
	require.False(t, domain.LuhnValid("7a"))
}

// FuzzParseICCID checks that whatever the input, an accepted ICCID is
// canonical and valid, and parsing it again gives it back unchanged. The
// seeds run with go test; go test -fuzz=FuzzParseICCID ./domain explores.
func FuzzParseICCID(f *testing.F) {
	for _, seed := range []string{
		iccid19, iccid20, iccid19 + "F", iccid19 + "f", " " + iccid20 + " ",
		"", "F", "89", "8934071234567890120", "8834071234567890126",
		iccid20 + "5", "8934A71234567890125", "٨٩٣٤٠٧١٢٣٤٥٦٧٨٩٠١٢٥", "\x00",
	} {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, input string) {
		got, err := domain.ParseICCID(input)
		lenient, lenientErr := domain.ICCIDOptions{AllowBadCheckDigit: true}.Parse(input)

		if err != nil {
			require.ErrorIs(t, err, domain.ErrInvalid)
			require.Contains(t, err.Error(), strconv.Quote(input), "the error names the value")
			return
		}
		require.NoError(t, lenientErr, "the lenient rules accept what the strict ones do")
		require.Equal(t, got, lenient)

		require.True(t, len(got) == 19 || len(got) == 20, "length of %q", got)
		require.True(t, strings.HasPrefix(got, "89"))
		require.True(t, domain.LuhnValid(got))
		again, err := domain.ParseICCID(got)
		require.NoError(t, err)
		require.Equal(t, got, again)
	})
}
