package bulkcsv

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Encoding names what Decode found.
type Encoding string

// Encodings that Decode tells apart.
const (
	UTF8        Encoding = "UTF-8"
	UTF8BOM     Encoding = "UTF-8 with BOM"
	Windows1252 Encoding = "Windows-1252"
	// UTF16LE and UTF16BE are only reported in a *UTF16Error.
	UTF16LE Encoding = "UTF-16LE"
	UTF16BE Encoding = "UTF-16BE"
)

// sniffSize is how many bytes Decode inspects to choose the encoding.
const sniffSize = 64 << 10

var bom = []byte{0xEF, 0xBB, 0xBF}

// Decode returns a reader of r's text as UTF-8 and the encoding it chose
// from the first 64 KiB: UTF-8 when they start with a byte order mark
// (which is dropped) or are valid UTF-8, and Windows-1252 otherwise. A
// UTF-16 file is rejected with a *UTF16Error, which matches
// domain.ErrInvalid and names the encoding.
//
// A file whose first 64 KiB are valid UTF-8 (plain ASCII, say) may still
// hold a Windows-1252 byte further on, such as an "ñ" written by Excel on
// line 10,000. In UTF-8 mode each byte that does not start a valid UTF-8
// sequence is therefore decoded as Windows-1252 instead of failing, so such
// a file still reads correctly. Decode holds at most a few buffers of
// 64 KiB, whatever the size of r.
func Decode(r io.Reader) (io.Reader, Encoding, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, "", err
	}

	if enc, hasBOM, ok := sniffUTF16(head); ok {
		return nil, enc, &UTF16Error{Encoding: enc, BOM: hasBOM}
	}
	if bytes.HasPrefix(head, bom) {
		_, _ = br.Discard(len(bom))
		return &utf8Repair{src: br}, UTF8BOM, nil
	}
	if validUTF8Prefix(head, err == nil) {
		return &utf8Repair{src: br}, UTF8, nil
	}
	return charmap.Windows1252.NewDecoder().Reader(br), Windows1252, nil
}

// sniffUTF16 reports whether head is the start of a UTF-16 file: one that
// starts with the byte order mark FF FE or FE FF, or one where at least a
// quarter of the bytes are NUL. A CSV file in UTF-8 or Windows-1252 has no
// NUL bytes, but in UTF-16 every ASCII character has a NUL byte: the
// second of the pair in little-endian order, the first in big-endian.
func sniffUTF16(head []byte) (enc Encoding, hasBOM, ok bool) {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return UTF16LE, true, true
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return UTF16BE, true, true
	}

	var even, odd int
	for i, c := range head {
		if c != 0 {
			continue
		}
		if i%2 == 0 {
			even++
		} else {
			odd++
		}
	}
	if len(head) < 2 || 4*(even+odd) < len(head) {
		return "", false, false
	}
	if odd >= even {
		return UTF16LE, false, true
	}
	return UTF16BE, false, true
}

// validUTF8Prefix reports whether head is valid UTF-8. When more bytes
// follow, a rune cut at the end of head does not count against it.
func validUTF8Prefix(head []byte, more bool) bool {
	if more {
		for i := 1; i <= utf8.UTFMax-1 && i <= len(head); i++ {
			if utf8.RuneStart(head[len(head)-i]) {
				if !utf8.FullRune(head[len(head)-i:]) {
					head = head[:len(head)-i]
				}
				break
			}
		}
	}
	return utf8.Valid(head)
}

// utf8Repair passes valid UTF-8 through and decodes every other byte as
// Windows-1252.
type utf8Repair struct {
	src   *bufio.Reader
	in    []byte
	out   []byte
	off   int
	eof   bool
	err   error
	chunk [sniffSize]byte
}

func (u *utf8Repair) Read(p []byte) (int, error) {
	for u.off >= len(u.out) {
		if u.err != nil {
			return 0, u.err
		}
		u.fill()
	}
	n := copy(p, u.out[u.off:])
	u.off += n
	return n, nil
}

func (u *utf8Repair) fill() {
	u.out, u.off = u.out[:0], 0
	n, err := u.src.Read(u.chunk[:])
	u.in = append(u.in, u.chunk[:n]...)
	if err != nil {
		u.eof = true
	}

	in := u.in
	i := 0
	if utf8.Valid(in) {
		// The common case: copy the chunk whole.
		u.out = append(u.out, in...)
		i = len(in)
	}
	for i < len(in) {
		c := in[i]
		if c < utf8.RuneSelf {
			u.out = append(u.out, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(in[i:])
		if r == utf8.RuneError && size <= 1 {
			if !u.eof && !utf8.FullRune(in[i:]) {
				break // the rest of the rune comes with the next chunk
			}
			u.out = utf8.AppendRune(u.out, charmap.Windows1252.DecodeByte(c))
			i++
			continue
		}
		u.out = append(u.out, in[i:i+size]...)
		i += size
	}
	u.in = append(u.in[:0], in[i:]...)

	if u.eof && len(u.in) == 0 {
		u.err = err
		if u.err == nil {
			u.err = io.EOF
		}
	}
}
