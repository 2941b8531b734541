package domain

import (
	"fmt"
	"strconv"
	"strings"
)

// Cents is an amount of money in euro cents. Amounts are never floats.
type Cents int64

// String formats the amount the Spanish way, with a decimal comma and the
// euro sign after it: 1234 becomes "12,34 €".
func (c Cents) String() string {
	// The magnitude is unsigned so that the smallest int64, whose negation
	// overflows, prints correctly too.
	sign := ""
	v := uint64(c)
	if c < 0 {
		sign = "-"
		v = -v
	}
	return fmt.Sprintf("%s%d,%02d €", sign, v/100, v%100)
}

// ParseCents reads an amount written in euros with a dot or a comma as the
// decimal separator and at most two decimals ("12", "12.5", "12,34", "-3,00").
// It rejects a plus sign, thousands separators, and more than two decimals
// instead of rounding.
func ParseCents(s string) (Cents, error) {
	raw := s
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "€"))
	if s == "" {
		return 0, Invalid("amount", raw, "expected euros such as 12,34")
	}

	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(strings.ReplaceAll(s, ",", "."), ".")
	// Only ASCII digits may remain, because strconv.ParseInt alone would
	// also take a sign and accept "+12" or "1,+5".
	digits := func(s string) bool {
		return s != "" && strings.Trim(s, "0123456789") == ""
	}
	if !digits(whole) || (hasFrac && (!digits(frac) || len(frac) > 2)) {
		return 0, Invalid("amount", raw, "expected euros with at most two decimals, such as 12,34")
	}
	for len(frac) < 2 {
		frac += "0"
	}

	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > (1<<62)/100 {
		return 0, Invalid("amount", raw, "amount too large")
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, Invalid("amount", raw, "expected euros with at most two decimals, such as 12,34")
	}

	v := w*100 + f
	if neg {
		v = -v
	}
	return Cents(v), nil
}
