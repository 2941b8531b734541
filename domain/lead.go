package domain

import (
	"strings"
	"time"
)

// Lead is a prospective customer who left an address to check for fibre
// coverage. AddressCode is the address's identifier: a numeric code belongs
// to the Telco address registry, and any other code comes from the address
// system used before Telco (see [AddressCodeKind]).
type Lead struct {
	ID          int64
	AddressCode string
	// HasCoverage is nil until the coverage was checked.
	HasCoverage *bool
	// Technology and MaxSpeedMbps come from the last successful check, such
	// as "FTTH" and 1000. They are empty when the address has no coverage
	// data.
	Technology   string
	MaxSpeedMbps int
	// CheckedAt is when the coverage was last checked, in UTC.
	CheckedAt *time.Time
	CreatedAt time.Time
}

// AddressKind is the address system an address code belongs to.
type AddressKind string

// Address kinds.
const (
	// AddressMissing is an empty address code: there is nothing to check.
	AddressMissing AddressKind = "missing"
	// AddressTelco is a code of the Telco address registry: digits only.
	AddressTelco AddressKind = "telco"
	// AddressLegacy is a code of the previous address system, which the
	// coverage API does not know.
	AddressLegacy AddressKind = "legacy"
)

// AddressCodeKind classifies an address code. Surrounding spaces are
// ignored. Any character other than an ASCII digit makes the code legacy, so
// "08001" and "  123 " are Telco codes while "C-123", "12.5" and "١٢٣" are
// not.
func AddressCodeKind(code string) AddressKind {
	code = strings.TrimSpace(code)
	if code == "" {
		return AddressMissing
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return AddressLegacy
		}
	}
	return AddressTelco
}

// Coverage is the response of the coverage API for one address.
type Coverage struct {
	Available    bool
	Technology   string
	MaxSpeedMbps int
}

// RecordCoverage stores a coverage response on the lead, checked at the
// given time.
func (l *Lead) RecordCoverage(c Coverage, at time.Time) {
	available := c.Available
	at = at.UTC()
	l.HasCoverage = &available
	l.Technology = c.Technology
	l.MaxSpeedMbps = c.MaxSpeedMbps
	l.CheckedAt = &at
}
