package domain

import "strings"

// SpainCountryCode is the calling code given to numbers written without one.
const SpainCountryCode = "34"

// NormalizePhone returns a phone number in E.164 form, such as
// +34600111222. It accepts the usual ways of writing one: spaces, dots,
// dashes and parentheses between digits, a leading "+" or "00" before the
// country code, and Spanish numbers without a country code (nine digits
// starting with 6, 7, 8 or 9), which get +34. A Spanish number must have
// nine digits after +34 and start with 6, 7, 8 or 9. Any other number must
// have a country code not starting with 0 and 8 to 15 digits in all, as
// E.164 allows.
func NormalizePhone(s string) (string, error) {
	raw := s
	s = strings.TrimSpace(s)
	if s == "" {
		return "", Invalid("phone number", raw, "must not be empty")
	}

	international := false
	switch {
	case strings.HasPrefix(s, "+"):
		international = true
		s = s[1:]
	case strings.HasPrefix(s, "00"):
		international = true
		s = s[2:]
	}

	digits := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return "", Invalid("phone number", raw, "expected digits, spaces, dashes or dots after an optional +, such as +34 600 111 222")
		}
	}
	d := string(digits)

	if !international {
		switch {
		case len(d) == 9 && isSpanishNational(d):
			return "+" + SpainCountryCode + d, nil
		case len(d) == 11 && strings.HasPrefix(d, SpainCountryCode) && isSpanishNational(d[2:]):
			return "+" + d, nil
		}
		return "", Invalid("phone number", raw, "expected a Spanish number of 9 digits starting with 6, 7, 8 or 9, such as 600 111 222, "+
			"or a number with its country code, such as +33 6 12 34 56 78")
	}

	if strings.HasPrefix(d, SpainCountryCode) {
		if len(d) != 11 || !isSpanishNational(d[2:]) {
			return "", Invalid("phone number", raw, "a Spanish number has 9 digits after +34 and starts with 6, 7, 8 or 9")
		}
		return "+" + d, nil
	}
	if len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return "", Invalid("phone number", raw, "expected a country code and 8 to 15 digits in all, such as +33 6 12 34 56 78")
	}
	return "+" + d, nil
}

// isSpanishNational reports whether d is a nine-digit Spanish number of the
// mobile (6, 7) or landline and special (8, 9) ranges.
func isSpanishNational(d string) bool {
	return len(d) == 9 && d[0] >= '6' && d[0] <= '9'
}
