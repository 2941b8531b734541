package domain_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
)

func TestParseDocumentValid(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, kind, number string
		want               domain.Document
	}{
		{"DNI", "DNI", "12345678Z", domain.Document{Kind: domain.DocumentDNI, Number: "12345678Z"}},
		{"DNILowerCase", "dni", "12345678z", domain.Document{Kind: domain.DocumentDNI, Number: "12345678Z"}},
		{"DNIDotsAndDash", " DNI ", " 12.345.678-Z ", domain.Document{Kind: domain.DocumentDNI, Number: "12345678Z"}},
		{"DNISpaces", "DNI", "1234 5678 Z", domain.Document{Kind: domain.DocumentDNI, Number: "12345678Z"}},
		{"DNILostLeadingZero", "DNI", "1234567L", domain.Document{Kind: domain.DocumentDNI, Number: "01234567L"}},
		{"DNILostTwoZeros", "DNI", "123456S", domain.Document{Kind: domain.DocumentDNI, Number: "00123456S"}},
		{"DNIAllZeros", "DNI", "0T", domain.Document{Kind: domain.DocumentDNI, Number: "00000000T"}},
		{"NIEX", "NIE", "X1234567L", domain.Document{Kind: domain.DocumentNIE, Number: "X1234567L"}},
		{"NIEY", "nie", "y1234567x", domain.Document{Kind: domain.DocumentNIE, Number: "Y1234567X"}},
		{"NIEZ", "NIE", "Z-1234567-R", domain.Document{Kind: domain.DocumentNIE, Number: "Z1234567R"}},
		{"NIELostLeadingZero", "NIE", "X123456S", domain.Document{Kind: domain.DocumentNIE, Number: "X0123456S"}},
		{"Pasaporte", "PASAPORTE", "paa 123456", domain.Document{Kind: domain.DocumentPassport, Number: "PAA123456"}},
		{"PassportMixedCase", "Passport", "AB-12.34", domain.Document{Kind: domain.DocumentPassport, Number: "AB1234"}},
		{"PassportKeepsZeros", "pasaporte", "0012345", domain.Document{Kind: domain.DocumentPassport, Number: "0012345"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseDocument(tc.kind, tc.number)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestParseDocumentInvalid(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, kind, number string
		wantMsg            string
	}{
		{"UnknownKind", "CIF", "B12345678", "expected DNI, NIE or PASAPORTE"},
		{"EmptyKind", "", "12345678Z", "expected DNI, NIE or PASAPORTE"},
		{"DNIWrongLetter", "DNI", "12345678A", "wrong control letter A; expected Z for 12345678"},
		{"DNIWrongLetterPadded", "DNI", "1234567A", "expected L for 01234567"},
		{"DNIMissingLetter", "DNI", "12345678", "control letter is missing; expected 8 digits and a letter: 12345678Z"},
		{"DNITooLong", "DNI", "123456789Z", "expected 8 digits and a control letter"},
		{"DNILetterInside", "DNI", "1234A678Z", "expected 8 digits and a control letter"},
		{"DNIEmpty", "DNI", "  ", "must not be empty"},
		{"DNIIsNIE", "DNI", "X1234567L", "so it is a NIE"},
		{"DNIOnlyLetter", "DNI", "Z", "expected 8 digits"},
		{"NIEWrongPrefix", "NIE", "A1234567L", "expected X, Y or Z first"},
		{"NIEWrongLetter", "NIE", "X1234567A", "wrong control letter A; expected L for X1234567"},
		{"NIEMissingLetter", "NIE", "Y1234567", "control letter is missing; expected X, Y or Z, 7 digits and a letter: Y1234567X"},
		{"NIETooLong", "NIE", "X12345678L", "expected X, Y or Z, 7 digits"},
		{"NIEOnlyPrefix", "NIE", "X", "expected X, Y or Z, 7 digits"},
		{"NIEEmpty", "NIE", "", "must not be empty"},
		{"PassportShort", "PASAPORTE", "A1", "expected 3 to 20"},
		{"PassportLong", "PASAPORTE", "A123456789012345678901", "expected 3 to 20"},
		{"PassportSymbols", "PASSPORT", "AB#1234", "only letters A-Z and digits"},
		{"PassportAccent", "PASSPORT", "ÑA12345", "only letters A-Z and digits"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := domain.ParseDocument(tc.kind, tc.number)
			require.ErrorIs(t, err, domain.ErrInvalid)
			require.ErrorContains(t, err, tc.wantMsg)
		})
	}
}

func TestCorrectedDocumentNumber(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		kind   domain.DocumentKind
		number string
		want   string
		ok     bool
	}{
		{"DNIWrongLetter", domain.DocumentDNI, "12345678A", "12345678Z", true},
		{"DNIMissingLetter", domain.DocumentDNI, "12345678", "12345678Z", true},
		{"DNILostLeadingZero", domain.DocumentDNI, "1234567", "01234567L", true},
		{"DNIDotsAndDash", domain.DocumentDNI, "12.345.678-a", "12345678Z", true},
		{"DNIValid", domain.DocumentDNI, "12345678Z", "12345678Z", true},
		{"DNITooLong", domain.DocumentDNI, "123456789Z", "", false},
		{"DNILetterInside", domain.DocumentDNI, "1234A678Z", "", false},
		{"DNIIsNIE", domain.DocumentDNI, "X1234567L", "", false},
		{"DNIEmpty", domain.DocumentDNI, " ", "", false},
		{"DNISymbolLast", domain.DocumentDNI, "12345678#", "", false},
		{"NIEWrongLetter", domain.DocumentNIE, "X1234567A", "X1234567L", true},
		{"NIEMissingLetter", domain.DocumentNIE, "Y1234567", "Y1234567X", true},
		{"NIELostLeadingZero", domain.DocumentNIE, "x123456", "X0123456S", true},
		{"NIEWrongPrefix", domain.DocumentNIE, "A1234567L", "", false},
		{"NIEOnlyPrefix", domain.DocumentNIE, "X", "", false},
		{"Passport", domain.DocumentPassport, "PAA123456", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := domain.CorrectedDocumentNumber(tc.kind, tc.number)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, got)
			if ok {
				_, err := domain.ParseDocument(string(tc.kind), got)
				require.NoError(t, err, "the corrected number passes the check")
			}
		})
	}
}

func TestParseDocumentKind(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]domain.DocumentKind{
		"dni": domain.DocumentDNI, "NIE": domain.DocumentNIE, " pasaporte ": domain.DocumentPassport,
		"PASSPORT": domain.DocumentPassport, "Pasaporte": domain.DocumentPassport,
	} {
		got, err := domain.ParseDocumentKind(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
}

func FuzzParseDocument(f *testing.F) {
	for _, seed := range [][2]string{
		{"DNI", "12345678Z"}, {"dni", "1234567l"}, {"NIE", "X1234567L"}, {"NIE", "z-1234567-r"},
		{"PASAPORTE", "PAA123456"}, {"DNI", ""}, {"NIE", "X"}, {"DNI", "Ñ"}, {"PASSPORT", "\xff\xfe"},
		{"DNI", "12.345.678-z"}, {"NIE", "Y12345678"}, {"DNI", "0"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, kind, number string) {
		doc, err := domain.ParseDocument(kind, number)
		if err != nil {
			require.ErrorIs(t, err, domain.ErrInvalid)
			return
		}

		// A parsed document is already normalised, so parsing it again
		// gives the same document.
		again, err := domain.ParseDocument(string(doc.Kind), doc.Number)
		require.NoError(t, err)
		require.Equal(t, doc, again)
		require.Equal(t, domain.NormalizeDocumentNumber(doc.Number), doc.Number)
	})
}
