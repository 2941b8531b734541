package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
)

func TestAddressCodeKind(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		code string
		want domain.AddressKind
	}{
		{"Digits", "28001234", domain.AddressTelco},
		{"LeadingZero", "0800", domain.AddressTelco},
		{"SurroundingSpaces", "  123 ", domain.AddressTelco},
		{"Empty", "", domain.AddressMissing},
		{"Blank", "   ", domain.AddressMissing},
		{"Letters", "C-123", domain.AddressLegacy},
		{"Decimal", "12.5", domain.AddressLegacy},
		{"Negative", "-12", domain.AddressLegacy},
		{"InnerSpace", "12 34", domain.AddressLegacy},
		{"ArabicDigits", "١٢٣", domain.AddressLegacy},
		{"FullWidthDigits", "１２３", domain.AddressLegacy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, domain.AddressCodeKind(tt.code))
		})
	}
}

func TestLeadRecordCoverage(t *testing.T) {
	t.Parallel()

	madrid, err := domain.LoadZone("")
	require.NoError(t, err)
	at := time.Date(2025, 6, 1, 10, 0, 0, 0, madrid)

	var l domain.Lead
	l.RecordCoverage(domain.Coverage{Available: true, Technology: "FTTH", MaxSpeedMbps: 1000}, at)
	require.NotNil(t, l.HasCoverage)
	require.True(t, *l.HasCoverage)
	require.Equal(t, "FTTH", l.Technology)
	require.Equal(t, 1000, l.MaxSpeedMbps)
	require.Equal(t, time.UTC, l.CheckedAt.Location())
	require.True(t, l.CheckedAt.Equal(at))

	l.RecordCoverage(domain.Coverage{}, at.Add(time.Hour))
	require.False(t, *l.HasCoverage)
	require.Empty(t, l.Technology)
}
