package domain

import (
	"regexp"
	"strings"
	"time"
)

// PromotionKind is the product a promotion code unlocks, such as "TV".
type PromotionKind string

// PromotionTV is the kind of the TV codes given to customers.
const PromotionTV PromotionKind = "TV"

// ParsePromotionKind reads a kind: 1 to 32 letters, digits or underscores,
// upper-cased. An empty string gives PromotionTV.
func ParsePromotionKind(s string) (PromotionKind, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "" {
		return PromotionTV, nil
	}
	if !promotionKindPattern.MatchString(s) {
		return "", Invalid("promotion kind", s, "expected 1 to 32 letters, digits or _, such as TV")
	}
	return PromotionKind(s), nil
}

var (
	promotionKindPattern = regexp.MustCompile(`^[A-Z0-9_]{1,32}$`)
	promotionCodePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{3,63}$`)
)

// ValidatePromotionCode checks a code of the pool: 4 to 64 letters, digits,
// dashes or underscores, starting with a letter or digit.
func ValidatePromotionCode(code string) error {
	if !promotionCodePattern.MatchString(code) {
		return Invalid("promotion code", code, "expected 4 to 64 letters, digits, - or _, such as TV-7F3K9Q")
	}
	return nil
}

// PromotionCode is one code of the pool. It is free until it is assigned
// to a document, and then it never changes hands.
type PromotionCode struct {
	ID   int64
	Code string
	Kind PromotionKind
	// Document is set once the code is assigned.
	Document *Document
	// AssignedAt is when it was assigned, in UTC.
	AssignedAt *time.Time
	// AssignedBy is the back-office user who ran the assignment.
	AssignedBy string
	CreatedAt  time.Time
}

// Free reports whether the code is not assigned.
func (p PromotionCode) Free() bool { return p.Document == nil }
