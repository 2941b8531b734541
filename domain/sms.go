package domain

import "unicode/utf16"

// SMSEncoding is the character encoding an SMS is sent in.
type SMSEncoding string

// SMS encodings. GSM-7 packs a character of the GSM 03.38 alphabet into 7
// bits. Any other character makes the whole message UCS-2, with two bytes
// per UTF-16 code unit.
const (
	EncodingGSM7 SMSEncoding = "GSM-7"
	EncodingUCS2 SMSEncoding = "UCS-2"
)

// Segment sizes of GSM 03.40. A message that fits in one segment has the
// whole 140 bytes. A longer one is split into parts that each lose 6 bytes
// to the concatenation header.
const (
	gsm7Single  = 160 // septets
	gsm7Part    = 153 // septets
	ucs2Single  = 70  // UTF-16 code units
	ucs2Part    = 67  // UTF-16 code units
	escapeWidth = 2   // septets of an extension-table character
)

// gsm7Basic is the GSM 03.38 default alphabet, without the escape code.
const gsm7Basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsm7Extension is the GSM 03.38 extension table: each character costs an
// escape septet plus its own.
const gsm7Extension = "\f^{}\\[~]|€"

var (
	gsm7BasicSet     = runeSet(gsm7Basic)
	gsm7ExtensionSet = runeSet(gsm7Extension)
)

func runeSet(s string) map[rune]bool {
	m := make(map[rune]bool, len(s))
	for _, r := range s {
		m[r] = true
	}
	return m
}

// SMSInfo describes how a text is sent as SMS.
type SMSInfo struct {
	Encoding SMSEncoding
	// Units is the length in the encoding's units: septets for GSM-7
	// (an extension character counts 2), UTF-16 code units for UCS-2.
	Units int
	// Segments is the number of messages the text is split into; 0 for an
	// empty text.
	Segments int
}

// AnalyzeSMS picks the encoding of text and counts its segments. A segment
// never splits an extension character's escape pair nor a UTF-16 surrogate
// pair, so a long text may need one segment more than its length divided
// by 153 or 67.
func AnalyzeSMS(text string) SMSInfo {
	if widths, ok := gsm7Widths(text); ok {
		return SMSInfo{Encoding: EncodingGSM7, Units: sum(widths), Segments: segments(widths, gsm7Single, gsm7Part)}
	}

	var widths []int
	for _, r := range text {
		widths = append(widths, len(utf16.Encode([]rune{r})))
	}
	return SMSInfo{Encoding: EncodingUCS2, Units: sum(widths), Segments: segments(widths, ucs2Single, ucs2Part)}
}

// gsm7Widths returns the septets of each character, or false when a
// character is outside the GSM-7 alphabet and its extension table.
func gsm7Widths(text string) ([]int, bool) {
	var widths []int
	for _, r := range text {
		switch {
		case gsm7BasicSet[r]:
			widths = append(widths, 1)
		case gsm7ExtensionSet[r]:
			widths = append(widths, escapeWidth)
		default:
			return nil, false
		}
	}
	return widths, true
}

// segments fills parts greedily with whole characters.
func segments(widths []int, single, part int) int {
	total := sum(widths)
	switch {
	case total == 0:
		return 0
	case total <= single:
		return 1
	}

	n, used := 1, 0
	for _, w := range widths {
		if used+w > part {
			n++
			used = 0
		}
		used += w
	}
	return n
}

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}
