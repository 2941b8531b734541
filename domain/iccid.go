package domain

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// ICCID lengths and prefix (ITU-T E.118): 19 or 20 digits, the last one a
// Luhn check digit, starting with the telecom industry code 89.
const (
	ICCIDMinLength = 19
	ICCIDMaxLength = 20
	ICCIDPrefix    = "89"
)

// ICCIDProblem classifies why an ICCID was rejected, so that callers can
// word the reason for their own readers (the import alarm is in Spanish).
type ICCIDProblem string

// ICCID problems.
const (
	ICCIDEmpty       ICCIDProblem = "empty"
	ICCIDNotDigits   ICCIDProblem = "not_digits"
	ICCIDBadLength   ICCIDProblem = "length"
	ICCIDBadPrefix   ICCIDProblem = "prefix"
	ICCIDCheckDigit  ICCIDProblem = "check_digit"
	ICCIDNoICCIDPart ICCIDProblem = "no_iccid_in_name"
)

// ICCIDError reports a rejected ICCID. It matches ErrInvalid with errors.Is.
type ICCIDError struct {
	// Value is the input as received.
	Value string
	// Problem classifies the rejection.
	Problem ICCIDProblem
	// Reason is what is wrong and what was expected, in English.
	Reason string
	// ExpectedCheckDigit is the Luhn check digit that the other digits call
	// for, set when Problem is ICCIDCheckDigit.
	ExpectedCheckDigit byte
}

// Error formats the quoted value and the reason.
func (e *ICCIDError) Error() string {
	return fmt.Sprintf("invalid ICCID %q: %s", e.Value, e.Reason)
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ICCIDError) Is(target error) bool { return target == ErrInvalid }

// ICCIDOptions relaxes the ICCID rules.
type ICCIDOptions struct {
	// AllowBadCheckDigit accepts an ICCID whose last digit is not its Luhn
	// check digit. Some card batches were printed that way. Default false.
	AllowBadCheckDigit bool
}

// ParseICCID checks an ICCID with the strict rules and returns it in its
// canonical form: digits only, without the trailing F padding.
func ParseICCID(s string) (string, error) {
	return ICCIDOptions{}.Parse(s)
}

// Parse checks an ICCID and returns its canonical form. Surrounding spaces
// and one trailing F (either case), which pads a 19-digit ICCID to 20
// characters on some cards, are removed first. The rest must be 19 or 20
// digits starting with 89 and ending with a valid Luhn check digit, unless
// AllowBadCheckDigit is set.
func (o ICCIDOptions) Parse(s string) (string, error) {
	raw := s
	s = strings.TrimSpace(s)
	if s == "" {
		return "", &ICCIDError{Value: raw, Problem: ICCIDEmpty, Reason: "must not be empty; expected 19 or 20 digits starting with 89"}
	}
	if last := s[len(s)-1]; last == 'F' || last == 'f' {
		s = s[:len(s)-1]
	}

	if !allDigits(s) {
		return "", &ICCIDError{Value: raw, Problem: ICCIDNotDigits,
			Reason: "must contain only digits, optionally followed by one F of padding"}
	}
	if len(s) < ICCIDMinLength || len(s) > ICCIDMaxLength {
		return "", &ICCIDError{Value: raw, Problem: ICCIDBadLength,
			Reason: fmt.Sprintf("has %d digits; expected %d or %d", len(s), ICCIDMinLength, ICCIDMaxLength)}
	}
	if !strings.HasPrefix(s, ICCIDPrefix) {
		return "", &ICCIDError{Value: raw, Problem: ICCIDBadPrefix,
			Reason: fmt.Sprintf("starts with %s; expected the industry prefix %s", s[:2], ICCIDPrefix)}
	}

	want := LuhnCheckDigit(s[:len(s)-1])
	if got := s[len(s)-1]; got != want && !o.AllowBadCheckDigit {
		return "", &ICCIDError{Value: raw, Problem: ICCIDCheckDigit, ExpectedCheckDigit: want,
			Reason: fmt.Sprintf("check digit is %c; the Luhn algorithm expects %c", got, want)}
	}
	return s, nil
}

// ParseFileName takes the ICCID from the file name of an eSIM PDF, such as
// "ICC_8934071234567890125F.pdf" or "lote/8934071234567890125.PDF". The
// folders and the extension are dropped, then a leading prefix made of
// letters, '_' and '-' (such as "ICC_"), then the rest is parsed with Parse.
func (o ICCIDOptions) ParseFileName(name string) (string, error) {
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	if ext := path.Ext(base); ext != "" {
		base = strings.TrimSuffix(base, ext)
	}
	stem := strings.TrimLeft(base, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-")
	if stem == "" {
		return "", &ICCIDError{Value: name, Problem: ICCIDNoICCIDPart,
			Reason: "the file name contains no ICCID; expected a name such as ICC_8934071234567890125.pdf"}
	}

	iccid, err := o.Parse(stem)
	if err != nil {
		var ie *ICCIDError
		if errors.As(err, &ie) {
			ie.Value = name
		}
		return "", err
	}
	return iccid, nil
}

// LuhnCheckDigit returns the digit that, appended to digits, makes the
// whole number pass the Luhn check. digits must contain only '0'-'9'.
func LuhnCheckDigit(digits string) byte {
	sum := 0
	double := true
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}

// LuhnValid reports whether digits, check digit included, pass the Luhn
// check. It is false for an empty string or one with a non-digit.
func LuhnValid(digits string) bool {
	if len(digits) < 2 || !allDigits(digits) {
		return false
	}
	return LuhnCheckDigit(digits[:len(digits)-1]) == digits[len(digits)-1]
}
