package domain_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
)

func TestAnalyzeSMS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		text     string
		encoding domain.SMSEncoding
		units    int
		segments int
	}{
		{"Empty", "", domain.EncodingGSM7, 0, 0},
		{"Plain", "Hola, tu pedido ha salido.", domain.EncodingGSM7, 26, 1},
		{"GSM7Accents", "¿Qué tal? ñÑüÜéÉàìòù ¡Si!", domain.EncodingGSM7, 25, 1},
		{"Exactly160", strings.Repeat("a", 160), domain.EncodingGSM7, 160, 1},
		{"Just161", strings.Repeat("a", 161), domain.EncodingGSM7, 161, 2},
		{"Exactly306", strings.Repeat("a", 306), domain.EncodingGSM7, 306, 2},
		{"Just307", strings.Repeat("a", 307), domain.EncodingGSM7, 307, 3},
		{"ExtensionCountsTwo", "Precio: 10€ [IVA]", domain.EncodingGSM7, 20, 1},
		{"Extension80Is160", strings.Repeat("€", 80), domain.EncodingGSM7, 160, 1},
		{"Extension81Is162", strings.Repeat("€", 81), domain.EncodingGSM7, 162, 2},
		// 152 septets, then an escape pair that would straddle the first
		// part's 153rd septet moves whole to the second part.
		{"EscapeNotSplit", strings.Repeat("a", 152) + "€" + strings.Repeat("a", 152), domain.EncodingGSM7, 306, 3},
		{"AcuteAIsUCS2", "Válido", domain.EncodingUCS2, 6, 1},
		{"LowerCedillaIsUCS2", "ç", domain.EncodingUCS2, 1, 1},
		{"Exactly70", strings.Repeat("á", 70), domain.EncodingUCS2, 70, 1},
		{"Just71", strings.Repeat("á", 71), domain.EncodingUCS2, 71, 2},
		{"Exactly134", strings.Repeat("á", 134), domain.EncodingUCS2, 134, 2},
		{"Just135", strings.Repeat("á", 135), domain.EncodingUCS2, 135, 3},
		{"EmojiIsTwoUnits", "Hola 👋", domain.EncodingUCS2, 7, 1},
		{"Emoji35Is70", strings.Repeat("👋", 35), domain.EncodingUCS2, 70, 1},
		// 66 units, then a surrogate pair that would straddle the 67th.
		{"SurrogateNotSplit", strings.Repeat("á", 66) + "👋" + strings.Repeat("á", 66), domain.EncodingUCS2, 134, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := domain.AnalyzeSMS(tt.text)
			require.Equal(t, tt.encoding, got.Encoding)
			require.Equal(t, tt.units, got.Units)
			require.Equal(t, tt.segments, got.Segments)
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
		ok   bool
	}{
		{"Bare", "ana@example.com", "ana@example.com", true},
		{"Trimmed", "  ana@example.com ", "ana@example.com", true},
		{"DisplayName", "Ana Pérez <ana@example.com>", "ana@example.com", true},
		{"NoDomainDot", "ana@localhost", "", false},
		{"NoAt", "ana.example.com", "", false},
		{"Empty", "", "", false},
		{"TwoAddresses", "a@example.com, b@example.com", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.NormalizeEmail(tt.in)
			if !tt.ok {
				require.ErrorIs(t, err, domain.ErrInvalid)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestNotificationMessageID(t *testing.T) {
	t.Parallel()
	n := domain.Notification{ID: 42}
	require.Equal(t, "<notification-42.telcojobs@example.com>", n.MessageID("Ops <ops@example.com>"))
	require.Equal(t, "<notification-42.telcojobs@localhost>", n.MessageID(""))
}
