package domain

import (
	"fmt"
	"strings"
)

// DocumentKind is the type of a Spanish identity document.
type DocumentKind string

// Document kinds.
const (
	// DocumentDNI is the national identity card of Spanish citizens: eight
	// digits and a control letter.
	DocumentDNI DocumentKind = "DNI"
	// DocumentNIE is the identity number of foreigners: X, Y or Z, seven
	// digits and a control letter.
	DocumentNIE DocumentKind = "NIE"
	// DocumentPassport is a passport of any country. It has no checksum.
	DocumentPassport DocumentKind = "PASSPORT"
)

// ParseDocumentKind reads a document type in any case: DNI, NIE, and
// PASAPORTE or PASSPORT for a passport.
func ParseDocumentKind(s string) (DocumentKind, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "DNI", "NIF":
		return DocumentDNI, nil
	case "NIE":
		return DocumentNIE, nil
	case "PASAPORTE", "PASSPORT", "PAS":
		return DocumentPassport, nil
	}
	return "", Invalid("document type", s, "expected DNI, NIE or PASAPORTE")
}

// Document is an identity document: its kind and its normalised number.
type Document struct {
	Kind   DocumentKind
	Number string
}

// String formats the document as "DNI 12345678Z".
func (d Document) String() string { return string(d.Kind) + " " + d.Number }

// controlLetters maps the remainder of the number divided by 23 to the
// control letter of a DNI or NIE, as the Spanish Ministry of the Interior
// defines it.
const controlLetters = "TRWAGMYFPDXBNJZSQVHLCKE"

// passportMaxLen bounds a passport number; ICAO 9303 allows up to nine
// characters, and the margin accepts older documents.
const passportMaxLen = 20

// ParseDocument normalises and checks a document number of the given kind.
//
// Normalisation trims the number, upper-cases it and removes spaces, dots and
// dashes. A DNI or NIE with fewer digits than expected gets its leading zeros
// back, since spreadsheets drop them ("1234567L" becomes "01234567L"). A DNI
// must then be eight digits and the control letter of their remainder
// modulo 23; a NIE is X, Y or Z (counted as 0, 1 or 2 for the check), seven
// digits and the control letter. A passport is only normalised: 3 to 20
// letters and digits.
func ParseDocument(kind, number string) (Document, error) {
	k, err := ParseDocumentKind(kind)
	if err != nil {
		return Document{}, err
	}

	n := NormalizeDocumentNumber(number)
	switch k {
	case DocumentDNI:
		n, err = checkDNI(number, n)
	case DocumentNIE:
		n, err = checkNIE(number, n)
	case DocumentPassport:
		err = checkPassport(number, n)
	}
	if err != nil {
		return Document{}, err
	}
	return Document{Kind: k, Number: n}, nil
}

// NormalizeDocumentNumber trims s, upper-cases it and removes spaces, dots
// and dashes. It does not check the result.
func NormalizeDocumentNumber(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToUpper(strings.TrimSpace(s)) {
		switch r {
		case ' ', '\t', '.', '-', '\u00a0':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func checkDNI(raw, n string) (string, error) {
	if n == "" {
		return "", Invalid("DNI", raw, "must not be empty; expected 8 digits and a control letter, such as 12345678Z")
	}
	if n[0] == 'X' || n[0] == 'Y' || n[0] == 'Z' {
		return "", Invalid("DNI", raw, "starts with X, Y or Z, so it is a NIE; expected 8 digits and a control letter")
	}
	digits, letter := n[:len(n)-1], n[len(n)-1]
	if allDigits(n) && len(n) <= 8 {
		full := padDigits(n, 8)
		return "", Invalid("DNI", raw, fmt.Sprintf("the control letter is missing; expected 8 digits and a letter: %s%c", full, controlLetter(full)))
	}
	if !allDigits(digits) || len(digits) == 0 || len(digits) > 8 {
		return "", Invalid("DNI", raw, "expected 8 digits and a control letter, such as 12345678Z")
	}

	digits = padDigits(digits, 8)
	want := controlLetter(digits)
	if letter != want {
		return "", Invalid("DNI", raw, fmt.Sprintf("wrong control letter %c; expected %c for %s", letter, want, digits))
	}
	return digits + string(letter), nil
}

func checkNIE(raw, n string) (string, error) {
	if n == "" {
		return "", Invalid("NIE", raw, "must not be empty; expected X, Y or Z, 7 digits and a control letter, such as X1234567L")
	}
	prefix := strings.IndexByte("XYZ", n[0])
	if prefix < 0 {
		return "", Invalid("NIE", raw, "expected X, Y or Z first, then 7 digits and a control letter, such as X1234567L")
	}
	if len(n) < 2 {
		return "", Invalid("NIE", raw, "expected X, Y or Z, 7 digits and a control letter, such as X1234567L")
	}
	digits, letter := n[1:len(n)-1], n[len(n)-1]
	if allDigits(n[1:]) && len(n) <= 8 {
		full := padDigits(n[1:], 7)
		return "", Invalid("NIE", raw, fmt.Sprintf("the control letter is missing; expected X, Y or Z, 7 digits and a letter: %c%s%c",
			n[0], full, controlLetter(string(rune('0'+prefix))+full)))
	}
	if !allDigits(digits) || len(digits) == 0 || len(digits) > 7 {
		return "", Invalid("NIE", raw, "expected X, Y or Z, 7 digits and a control letter, such as X1234567L")
	}

	digits = padDigits(digits, 7)
	want := controlLetter(string(rune('0'+prefix)) + digits)
	if letter != want {
		return "", Invalid("NIE", raw, fmt.Sprintf("wrong control letter %c; expected %c for %c%s", letter, want, n[0], digits))
	}
	return string(n[0]) + digits + string(letter), nil
}

func checkPassport(raw, n string) error {
	if len(n) < 3 || len(n) > passportMaxLen {
		return Invalid("passport", raw, fmt.Sprintf("expected 3 to %d letters and digits, such as PAA123456", passportMaxLen))
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !isDigit(c) && (c < 'A' || c > 'Z') {
			return Invalid("passport", raw, "expected only letters A-Z and digits, such as PAA123456")
		}
	}
	return nil
}

// CorrectedDocumentNumber returns the DNI or NIE that the digits of number
// call for: the digits, normalised and padded with leading zeros, followed
// by their control letter. It accepts a number with or without a letter,
// so it gives the right number for one whose letter is missing or wrong.
// It reports false for a passport and for a number whose digits do not fit
// a DNI (up to 8) or a NIE (X, Y or Z and up to 7).
func CorrectedDocumentNumber(kind DocumentKind, number string) (string, bool) {
	n := NormalizeDocumentNumber(number)
	prefix, width := "", 8
	if kind == DocumentNIE {
		if n == "" || strings.IndexByte("XYZ", n[0]) < 0 {
			return "", false
		}
		prefix, n, width = n[:1], n[1:], 7
	} else if kind != DocumentDNI {
		return "", false
	}

	digits := n
	if len(n) > 0 && !allDigits(n) {
		digits = n[:len(n)-1]
		if letter := n[len(n)-1]; letter < 'A' || letter > 'Z' {
			return "", false
		}
	}
	if len(digits) == 0 || len(digits) > width || !allDigits(digits) {
		return "", false
	}

	digits = padDigits(digits, width)
	checked := digits
	if prefix != "" {
		checked = string(rune('0'+strings.IndexByte("XYZ", prefix[0]))) + digits
	}
	return prefix + digits + string(controlLetter(checked)), true
}

// controlLetter returns the mod-23 letter of a string of digits. It reads
// only the leading digits, so a caller may pass a number with its letter.
func controlLetter(digits string) byte {
	rem := 0
	for i := 0; i < len(digits) && isDigit(digits[i]); i++ {
		rem = (rem*10 + int(digits[i]-'0')) % 23
	}
	return controlLetters[rem]
}

func padDigits(digits string, width int) string {
	if len(digits) >= width {
		return digits
	}
	return strings.Repeat("0", width-len(digits)) + digits
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
