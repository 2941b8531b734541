package bulkcsv_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/usecases/bulkcsv"
	"golang.org/x/text/encoding/unicode"
)

var shopColumns = []bulkcsv.Column{
	{Name: "code", Aliases: []string{"codigo"}, Required: true},
	{Name: "name", Aliases: []string{"nombre"}, Required: true},
	{Name: "city", Aliases: []string{"ciudad", "localidad"}},
	{Name: "address", Aliases: []string{"direccion"}},
	{Name: "postal_code", Aliases: []string{"codigo postal", "cp"}},
	{Name: "email", Aliases: []string{"correo electronico", "correo"}},
}

type readRow struct {
	Line             int
	Code, Name, City string
	Address, Postal  string
	Err              string
}

// readAll reads every row of a file, keeping row errors in the rows.
func readAll(t *testing.T, data []byte) (*bulkcsv.Reader, []readRow) {
	t.Helper()
	rd, err := bulkcsv.NewReader(bytes.NewReader(data), shopColumns)
	require.NoError(t, err)
	var rows []readRow
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return rd, rows
		}
		var rowErr *bulkcsv.RowError
		if errors.As(err, &rowErr) {
			rows = append(rows, readRow{Line: rowErr.Line, Err: rowErr.Error()})
			continue
		}
		require.NoError(t, err)
		rows = append(rows, readRow{Line: row.Line, Code: row.Get("code"), Name: row.Get("name"),
			City: row.Get("city"), Address: row.Get("address"), Postal: row.Get("postal_code")})
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "shops", name))
	require.NoError(t, err)
	return b
}

func TestReaderFormats(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file     string
		delim    rune
		encoding bulkcsv.Encoding
		want     []readRow
	}{
		{"utf8_bom_crlf_comma.csv", ',', bulkcsv.UTF8BOM, []readRow{
			{Line: 2, Code: "TDA-101", Name: "Tienda Logroño", City: "Logroño"},
			{Line: 3, Code: "TDA-102", Name: "Tienda A Coruña", City: "A Coruña"},
		}},
		{"windows1252.csv", ';', bulkcsv.Windows1252, []readRow{
			{Line: 2, Code: "TDA-201", Name: "Tienda “Peñíscola” €", City: "Peñíscola"},
			{Line: 3, Code: "TDA-202", Name: "Tienda Cáceres – Centro", City: "Cáceres"},
		}},
		{"tab.csv", '\t', bulkcsv.UTF8, []readRow{
			{Line: 2, Code: "TDA-301", Name: "Tienda Tab, S.L.", Postal: "8001"},
			{Line: 3, Code: "TDA-302", Name: "Tienda; Punto y coma", Postal: "28001"},
		}},
		{"quoted_multiline.csv", ';', bulkcsv.UTF8, []readRow{
			{Line: 2, Code: "TDA-401", Name: `Tienda "La Esquina"`, Address: "Calle Mayor 1\nLocal 2"},
			{Line: 4, Code: "TDA-402", Name: "Tienda; con punto y coma", Address: "Plaza\nSegunda línea"},
			{Line: 6, Code: "TDA-403", Name: "Tienda normal", Address: "Calle 3"},
		}},
		{"trailing_empty_columns.csv", ';', bulkcsv.UTF8, []readRow{
			{Line: 2, Code: "TDA-501", Name: "Tienda Uno"},
			{Line: 3, Code: "TDA-502", Name: "Tienda Dos"},
			{Line: 4, Code: "TDA-503", Name: "Tienda Tres"},
		}},
		{"bare_quote.csv", ';', bulkcsv.UTF8, []readRow{
			{Line: 2, Err: `line 2: bare " in non-quoted-field`},
			{Line: 3, Code: "TDA-902", Name: "Tienda 902"},
		}},
	}
	for _, tc := range cases {
		t.Run(strings.TrimSuffix(tc.file, ".csv"), func(t *testing.T) {
			t.Parallel()
			rd, rows := readAll(t, readFile(t, tc.file))
			require.Equal(t, tc.delim, rd.Delimiter)
			require.Equal(t, tc.encoding, rd.Encoding)
			require.Equal(t, tc.want, rows)
		})
	}
}

func TestReaderSpanishHeaders(t *testing.T) {
	t.Parallel()
	rd, rows := readAll(t, readFile(t, "spanish_headers.csv"))
	require.Equal(t, []readRow{{Line: 2, Code: "TDA-601", Name: "Tienda Centro", City: "Madrid", Address: "Calle Alcalá 1", Postal: "28001"}}, rows)
	require.Contains(t, rd.Ignored, "Teléfono")
}

func TestReaderMissingColumns(t *testing.T) {
	t.Parallel()
	_, err := bulkcsv.NewReader(bytes.NewReader(readFile(t, "missing_columns.csv")), shopColumns)
	var missing *bulkcsv.MissingColumnsError
	require.ErrorAs(t, err, &missing)
	require.Equal(t, []string{"name"}, missing.Missing)
	require.ErrorIs(t, err, domain.ErrInvalid)
	require.ErrorContains(t, err, "missing required columns: name (or nombre)")
}

func TestReaderRejectsFiles(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, data, want string }{
		{"Empty", "", "is empty; expected a header row such as code,name"},
		{"OnlyBOM", "\xef\xbb\xbf", "is empty"},
		{"DuplicateColumn", "code;name;codigo\n", "column code appears twice"},
		{"NoRequired", "ciudad\nMadrid\n", "missing required columns: code (or codigo), name (or nombre)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := bulkcsv.NewReader(strings.NewReader(tc.data), shopColumns)
			require.ErrorIs(t, err, domain.ErrInvalid)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestReaderFileErrorTypes(t *testing.T) {
	t.Parallel()
	_, err := bulkcsv.NewReader(strings.NewReader(""), shopColumns)
	var empty *bulkcsv.EmptyFileError
	require.ErrorAs(t, err, &empty)
	require.Equal(t, "code,name", empty.Example)

	_, err = bulkcsv.NewReader(strings.NewReader("code;nombre;codigo\n"), shopColumns)
	var duplicate *bulkcsv.DuplicateColumnError
	require.ErrorAs(t, err, &duplicate)
	require.Equal(t, bulkcsv.DuplicateColumnError{Column: "code", First: "code", Second: "codigo",
		Header: []string{"code", "nombre", "codigo"}, Delimiter: ';'}, *duplicate)
	var ve *domain.ValidationError
	require.ErrorAs(t, err, &ve, "the problem is still a validation error")
	require.Equal(t, "header", ve.Field)

	_, err = bulkcsv.NewReader(strings.NewReader("code;na\"me\n"), shopColumns)
	var header *bulkcsv.HeaderReadError
	require.ErrorAs(t, err, &header)
	require.ErrorIs(t, err, domain.ErrInvalid)
}

func TestReaderExtraValueRejectsRow(t *testing.T) {
	t.Parallel()
	_, rows := readAll(t, []byte("code;name\nA1;Uno;sobra\nA2;Dos;;\n"))
	require.Len(t, rows, 2)
	require.Contains(t, rows[0].Err, "line 2: has a value in field 3 but the header has 2 columns")
	require.Equal(t, readRow{Line: 3, Code: "A2", Name: "Dos"}, rows[1])
}

func TestReaderLateWindows1252Byte(t *testing.T) {
	t.Parallel()
	// The first 64 KiB are ASCII, so the file is read as UTF-8; the "ñ"
	// (0xF1) far below is still decoded as Windows-1252.
	var b bytes.Buffer
	b.WriteString("code;name\n")
	for i := 0; b.Len() < 70<<10; i++ {
		fmt.Fprintf(&b, "C%06d;Tienda %d\n", i, i)
	}
	b.WriteString("LAST;Espa\xf1a\r\n")

	rd, rows := readAll(t, b.Bytes())
	require.Equal(t, bulkcsv.UTF8, rd.Encoding)
	require.Equal(t, "España", rows[len(rows)-1].Name)
}

func TestDecodeSplitRune(t *testing.T) {
	t.Parallel()
	// A two-byte rune split at the 64 KiB chunk boundary stays intact.
	data := append(bytes.Repeat([]byte("a"), 64<<10-1), "ñb"...)
	r, enc, err := bulkcsv.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	require.Equal(t, bulkcsv.UTF8, enc)
	out, err := io.ReadAll(r)
	require.NoError(t, err)
	require.Equal(t, data, out)
}

// rowSource generates a CSV file of n rows without holding it in memory.
type rowSource struct {
	n, i int
	buf  []byte
}

func (s *rowSource) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		if s.i > s.n {
			return 0, io.EOF
		}
		if s.i == 0 {
			s.buf = []byte("code;name;city\n")
		} else {
			s.buf = fmt.Appendf(s.buf[:0], "TDA-%07d;\"Tienda número %d\";Ciudad %d\n", s.i, s.i, s.i%50)
		}
		s.i++
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

func TestReaderStreams(t *testing.T) {
	t.Parallel()
	const rows = 300_000
	rd, err := bulkcsv.NewReader(&rowSource{n: rows}, shopColumns)
	require.NoError(t, err)

	var ms runtime.MemStats
	peak := uint64(0)
	count := 0
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		count++
		require.Equal(t, count+1, row.Line)
		if count%50_000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	require.Equal(t, rows, count)
	// About 20 MB of CSV went through; the heap stays far below that.
	require.Less(t, peak, uint64(16<<20), "heap in use grew with the file")
}

func FuzzReader(f *testing.F) {
	for _, name := range []string{"happy.csv", "utf8_bom_crlf_comma.csv", "windows1252.csv", "tab.csv",
		"quoted_multiline.csv", "trailing_empty_columns.csv", "bare_quote.csv", "row_errors.csv"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "shops", name))
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte("code;name\n\"unterminated\n"))
	f.Add([]byte("\xef\xbb\xbfcode,name\r\n\"a\"\"b\",c\r\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		rd, err := bulkcsv.NewReader(bytes.NewReader(data), shopColumns)
		if err != nil {
			return
		}
		last := 1
		for range len(data) + 2 {
			row, err := rd.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			var rowErr *bulkcsv.RowError
			if err != nil && !errors.As(err, &rowErr) {
				return
			}
			if err == nil {
				if row.Line <= last {
					t.Fatalf("line %d after line %d", row.Line, last)
				}
				last = row.Line
				_ = row.Get("code") + row.Get("name")
			}
		}
		t.Fatalf("reader did not reach the end of %d bytes", len(data))
	})
}

// encodeUTF16 encodes text as UTF-16 in the byte order given, with or
// without a byte order mark.
func encodeUTF16(t *testing.T, text string, endianness unicode.Endianness, bom unicode.BOMPolicy) []byte {
	t.Helper()
	b, err := unicode.UTF16(endianness, bom).NewEncoder().Bytes([]byte(text))
	require.NoError(t, err)
	return b
}

func TestReaderRejectsUTF16(t *testing.T) {
	t.Parallel()
	text := "codigo;nombre\r\nTDA-1;Peñíscola\r\n"
	cases := []struct {
		name string
		data []byte
		want bulkcsv.UTF16Error
	}{
		{"LittleEndianBOM", encodeUTF16(t, text, unicode.LittleEndian, unicode.UseBOM), bulkcsv.UTF16Error{Encoding: bulkcsv.UTF16LE, BOM: true}},
		{"BigEndianBOM", encodeUTF16(t, text, unicode.BigEndian, unicode.UseBOM), bulkcsv.UTF16Error{Encoding: bulkcsv.UTF16BE, BOM: true}},
		{"LittleEndian", encodeUTF16(t, text, unicode.LittleEndian, unicode.IgnoreBOM), bulkcsv.UTF16Error{Encoding: bulkcsv.UTF16LE}},
		{"BigEndian", encodeUTF16(t, text, unicode.BigEndian, unicode.IgnoreBOM), bulkcsv.UTF16Error{Encoding: bulkcsv.UTF16BE}},
		{"OnlyBOM", []byte{0xFF, 0xFE}, bulkcsv.UTF16Error{Encoding: bulkcsv.UTF16LE, BOM: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := bulkcsv.NewReader(bytes.NewReader(tc.data), shopColumns)
			var utf16 *bulkcsv.UTF16Error
			require.ErrorAs(t, err, &utf16)
			require.Equal(t, tc.want, *utf16)
			require.ErrorIs(t, err, domain.ErrInvalid)
			require.EqualError(t, err, "the file is encoded as "+string(tc.want.Encoding)+
				` (as Excel saves "Unicode Text"), which is not supported; save it as "CSV UTF-8" and upload it again`)
		})
	}
}

func TestReaderFewNULsNotUTF16(t *testing.T) {
	t.Parallel()
	rd, rows := readAll(t, []byte("code;name\nA1;Uno\x00\n"))
	require.Equal(t, bulkcsv.UTF8, rd.Encoding)
	require.Len(t, rows, 1)
	require.Equal(t, "A1", rows[0].Code)
}

func TestReaderRejectsReplacementChar(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		data     string
		encoding bulkcsv.Encoding
		column   string
		value    string
	}{
		{"Windows1252Name", "code;name;city\nA1;Pe\x81a;Espa\xf1a\n", bulkcsv.Windows1252, "name", "Pe\uFFFDa"},
		{"Windows1252City", "code;name;city\nA1;Pe\xf1a;Ma\x8Ddrid\n", bulkcsv.Windows1252, "city", "Ma\uFFFDdrid"},
		{"UTF8Replacement", "code;name;city\nA1;Pe\uFFFDa;Madrid\n", bulkcsv.UTF8, "name", "Pe\uFFFDa"},
		{"FirstNamedColumn", "code;name;city\nA1;\x90;\x8F\n", bulkcsv.Windows1252, "name", "\uFFFD"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rd, err := bulkcsv.NewReader(strings.NewReader(tc.data), shopColumns)
			require.NoError(t, err)
			require.Equal(t, tc.encoding, rd.Encoding)

			row, err := rd.Next()
			var rowErr *bulkcsv.RowError
			require.ErrorAs(t, err, &rowErr)
			require.Equal(t, 2, rowErr.Line)
			require.Equal(t, tc.column, rowErr.Column)
			require.Equal(t, tc.value, rowErr.Value)
			var lostChar *bulkcsv.ReplacementCharError
			require.ErrorAs(t, err, &lostChar)
			require.Equal(t, tc.encoding, lostChar.Encoding)
			require.Contains(t, err.Error(), "0x81, 0x8D, 0x8F, 0x90 or 0x9D")
			require.Equal(t, "A1", row.Get("code"), "the other values can still be read")

			_, err = rd.Next()
			require.ErrorIs(t, err, io.EOF)
		})
	}
}

func TestReaderReplacementCharUnnamedColumn(t *testing.T) {
	t.Parallel()
	_, rows := readAll(t, []byte("code;name;notas\nA1;Uno;Pe\x81a\n"))
	require.Equal(t, []readRow{{Line: 2, Code: "A1", Name: "Uno"}}, rows, "a column that is not read does not reject the row")
}

func TestReaderLateUndefinedByte(t *testing.T) {
	t.Parallel()
	// The first 64 KiB are ASCII, so the file is read as UTF-8, and the
	// byte 0x9D far below is neither UTF-8 nor Windows-1252.
	var b bytes.Buffer
	b.WriteString("code;name\n")
	for i := 0; b.Len() < 70<<10; i++ {
		fmt.Fprintf(&b, "C%06d;Tienda %d\n", i, i)
	}
	b.WriteString("LAST;Espa\x9Da\r\n")

	rd, rows := readAll(t, b.Bytes())
	require.Equal(t, bulkcsv.UTF8, rd.Encoding)
	last := rows[len(rows)-1]
	require.Contains(t, last.Err, "column name: contains U+FFFD")
}
