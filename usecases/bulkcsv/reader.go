package bulkcsv

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/telcojobs/telcojobs/domain"
)

// Column describes one column that a file may have.
type Column struct {
	// Name is the canonical name, used with [Row.Get].
	Name string
	// Aliases are other header names accepted for the column, such as the
	// Spanish "codigo" for "code".
	Aliases []string
	// Required makes a file without the column invalid.
	Required bool
}

// MissingColumnsError rejects a file whose header lacks required columns.
type MissingColumnsError struct {
	// Missing are the canonical names of the missing columns.
	Missing []string
	// Found is the header as read.
	Found []string
	// Expected describes each missing column with its aliases.
	Expected []string
}

// Error names the missing columns and the header found.
func (e *MissingColumnsError) Error() string {
	return fmt.Sprintf("missing required columns: %s; the header has: %s",
		strings.Join(e.Expected, ", "), strings.Join(e.Found, ", "))
}

// Is makes errors.Is(err, domain.ErrInvalid) true.
func (e *MissingColumnsError) Is(target error) bool { return target == domain.ErrInvalid }

// RowError is a problem with one row: its physical line, the column and
// value when one field is to blame, and the reason.
type RowError struct {
	Line   int
	Column string
	Value  string
	Err    error
}

// Error formats the line, the column and the reason.
func (e *RowError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("line %d, column %s: %v", e.Line, e.Column, e.Err)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

// Unwrap returns the reason.
func (e *RowError) Unwrap() error { return e.Err }

// ExtraFieldError is the reason of a RowError for a row that has a value
// beyond the last column of the header.
type ExtraFieldError struct {
	// Field is the 1-based position of the first such value.
	Field int
	// Columns is the number of columns of the header.
	Columns int
}

// Error formats the position of the value and what to do.
func (e *ExtraFieldError) Error() string {
	return fmt.Sprintf("has a value in field %d but the header has %d columns; remove it or add a header", e.Field, e.Columns)
}

// ReplacementCharError is the reason of a RowError for a value that
// contains U+FFFD, the replacement character. Decode writes it for the
// bytes 0x81, 0x8D, 0x8F, 0x90 and 0x9D, which Windows-1252 leaves
// undefined, and a UTF-8 file may contain it where an earlier conversion
// lost a character. Storing it would keep the lost character lost, so the
// row is rejected.
type ReplacementCharError struct {
	// Encoding is the encoding of the file.
	Encoding Encoding
}

// Error names the likely cause and what to do.
func (e *ReplacementCharError) Error() string {
	if e.Encoding == Windows1252 {
		return "contains a byte that Windows-1252 does not define (0x81, 0x8D, 0x8F, 0x90 or 0x9D); " +
			"correct the character, or save the file as CSV UTF-8"
	}
	return "contains U+FFFD, the replacement character of a lost character, or a byte that is neither UTF-8 " +
		"nor defined in Windows-1252 (0x81, 0x8D, 0x8F, 0x90 or 0x9D); correct the character"
}

// ShortRowError is a row that ends before some named columns of the
// header. Reading its missing values as empty would wipe them, so callers
// reject the row; its first values, such as a code, can still be read.
type ShortRowError struct {
	// Values is the number of values of the row.
	Values int
	// Missing lists the names of the columns the row has no value for, in
	// the order of the header.
	Missing []string
}

// Error formats the missing columns and what to do.
func (e *ShortRowError) Error() string {
	return fmt.Sprintf("the row ends after %d values, before columns %s; complete the row, and keep the delimiters of empty values",
		e.Values, strings.Join(e.Missing, ", "))
}

// Reader reads a CSV file with a header row, one record at a time.
//
// It decodes the file with [Decode], sniffs the delimiter from the header
// (the most frequent of ';', ',' and tab outside quotes, ',' when there is
// none), and maps the header to the columns it was given by name or alias,
// ignoring case, accents, spaces and dashes. It accepts CRLF or LF line
// ends, quoted fields with embedded newlines and doubled quotes, empty
// trailing columns, and skips rows whose fields are all empty. Memory use
// does not depend on the size of the file.
type Reader struct {
	csv *csv.Reader
	// index maps a canonical column name to its field position.
	index map[string]int
	// names holds the canonical column name of each field position up to
	// the last named column, or "" for an unnamed one.
	names  []string
	width  int
	fields []string
	last   int64

	// Delimiter is the field separator found in the header.
	Delimiter rune
	// Encoding is the text encoding found.
	Encoding Encoding
	// Header is the header row as read.
	Header []string
	// Ignored lists header names that matched no column.
	Ignored []string
}

// NewReader reads the header of r and matches it to columns. A file that is
// encoded as UTF-16, is empty, has a header that cannot be parsed, has a
// column twice, or lacks a required column is rejected with a *UTF16Error,
// *EmptyFileError, *HeaderReadError, *DuplicateColumnError or
// *MissingColumnsError, which match domain.ErrInvalid.
func NewReader(r io.Reader, columns []Column) (*Reader, error) {
	text, enc, err := Decode(r)
	var utf16 *UTF16Error
	if errors.As(err, &utf16) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("read file: %w", err)
	}
	br := bufio.NewReaderSize(text, sniffSize)
	delim := sniffDelimiter(br)

	c := csv.NewReader(br)
	c.Comma = delim
	c.FieldsPerRecord = -1
	c.ReuseRecord = true

	header, err := c.Read()
	if errors.Is(err, io.EOF) {
		return nil, &EmptyFileError{Example: exampleHeader(columns, delim)}
	}
	if err != nil {
		return nil, &HeaderReadError{Err: err}
	}
	header = append([]string(nil), header...)

	rd := &Reader{csv: c, index: map[string]int{}, Delimiter: delim, Encoding: enc, Header: header}
	if err := rd.matchHeader(columns); err != nil {
		return nil, err
	}
	return rd, nil
}

func (rd *Reader) matchHeader(columns []Column) error {
	byKey := map[string]string{}
	for _, col := range columns {
		byKey[headerKey(col.Name)] = col.Name
		for _, a := range col.Aliases {
			byKey[headerKey(a)] = col.Name
		}
	}

	for i, h := range rd.Header {
		key := headerKey(h)
		if key == "" {
			continue
		}
		name, ok := byKey[key]
		if !ok {
			rd.Ignored = append(rd.Ignored, h)
			continue
		}
		if prev, dup := rd.index[name]; dup {
			return &DuplicateColumnError{Column: name, First: rd.Header[prev], Second: h, Header: rd.Header, Delimiter: rd.Delimiter}
		}
		rd.index[name] = i
		rd.width = max(rd.width, i+1)
	}

	rd.names = make([]string, rd.width)
	for name, i := range rd.index {
		rd.names[i] = name
	}

	var missing *MissingColumnsError
	for _, col := range columns {
		if _, ok := rd.index[col.Name]; ok || !col.Required {
			continue
		}
		if missing == nil {
			missing = &MissingColumnsError{Found: rd.Header}
		}
		missing.Missing = append(missing.Missing, col.Name)
		desc := col.Name
		if len(col.Aliases) > 0 {
			desc += " (or " + strings.Join(col.Aliases, ", ") + ")"
		}
		missing.Expected = append(missing.Expected, desc)
	}
	if missing != nil {
		return missing
	}
	return nil
}

// Row is one record of the file. Its fields are valid until the next call
// of [Reader.Next].
type Row struct {
	// Line is the physical line where the record starts, counting the
	// header as line 1.
	Line int
	rd   *Reader
}

// Get returns the trimmed value of a column, or "" when the file lacks the
// column or the row is shorter.
func (r Row) Get(name string) string {
	i, ok := r.rd.index[name]
	if !ok || i >= len(r.rd.fields) {
		return ""
	}
	return strings.TrimSpace(r.rd.fields[i])
}

// Short returns a *ShortRowError when the row ends before a named column
// of the header, and nil otherwise.
func (r Row) Short() *ShortRowError {
	n := len(r.rd.fields)
	if n >= r.rd.width {
		return nil
	}
	err := &ShortRowError{Values: n}
	for i := n; i < r.rd.width; i++ {
		for name, at := range r.rd.index {
			if at == i {
				err.Missing = append(err.Missing, name)
			}
		}
	}
	return err
}

// Has reports whether the file has the column.
func (r Row) Has(name string) bool {
	_, ok := r.rd.index[name]
	return ok
}

// Next returns the next non-empty row. At the end of the file it returns
// io.EOF. A row with a problem is returned as a *RowError with its line,
// and the following call goes on with the next row. When the reason is an
// *ExtraFieldError or a *ReplacementCharError, the row's values can still
// be read with [Row.Get]. Other reasons, such as a stray quote, leave no
// values. Any other error ends the file.
func (rd *Reader) Next() (Row, error) {
	for {
		rec, err := rd.csv.Read()
		if errors.Is(err, io.EOF) {
			return Row{}, io.EOF
		}

		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// A reader that stops advancing would loop forever.
			if off := rd.csv.InputOffset(); off == rd.last {
				return Row{}, fmt.Errorf("read line %d: %w", pe.StartLine, err)
			}
			rd.last = rd.csv.InputOffset()
			return Row{Line: pe.StartLine, rd: rd}, &RowError{Line: pe.StartLine, Err: pe.Err}
		}
		if err != nil {
			return Row{}, fmt.Errorf("read file: %w", err)
		}
		rd.last = rd.csv.InputOffset()

		line, _ := rd.csv.FieldPos(0)
		if blank(rec) {
			continue
		}
		rd.fields = rec
		row := Row{Line: line, rd: rd}
		if extra := rd.extraField(rec); extra >= 0 {
			return row, &RowError{Line: line, Value: rec[extra],
				Err: &ExtraFieldError{Field: extra + 1, Columns: len(rd.Header)}}
		}
		if column, value, ok := rd.replacementChar(rec); ok {
			return row, &RowError{Line: line, Column: column, Value: value,
				Err: &ReplacementCharError{Encoding: rd.Encoding}}
		}
		return row, nil
	}
}

// replacementChar returns the first named column whose value contains
// U+FFFD, and that value. Unnamed columns are not read, so they do not
// count.
func (rd *Reader) replacementChar(rec []string) (column, value string, ok bool) {
	for i, name := range rd.names {
		if i == len(rec) {
			break
		}
		if name != "" && strings.ContainsRune(rec[i], utf8.RuneError) {
			return name, rec[i], true
		}
	}
	return "", "", false
}

// extraField returns the position of the first non-empty field beyond the
// header, or -1.
func (rd *Reader) extraField(rec []string) int {
	for i := len(rd.Header); i < len(rec); i++ {
		if strings.TrimSpace(rec[i]) != "" {
			return i
		}
	}
	return -1
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// sniffDelimiter counts ';', ',' and tab outside quotes in the first line
// that br holds, without consuming it.
func sniffDelimiter(br *bufio.Reader) rune {
	head, _ := br.Peek(sniffSize)
	counts := map[byte]int{}
	quoted := false
	for _, c := range head {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if c == '\n' || c == '\r' {
			break
		}
		if c == ';' || c == ',' || c == '\t' {
			counts[c]++
		}
	}

	best := byte(',')
	for _, c := range []byte{';', '\t', ','} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}

// headerKey normalises a header name for matching: lower case, no accents,
// and spaces, dashes and dots turned into underscores.
func headerKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch r {
		case 'á', 'à', 'ä':
			r = 'a'
		case 'é', 'è', 'ë':
			r = 'e'
		case 'í', 'ì', 'ï':
			r = 'i'
		case 'ó', 'ò', 'ö':
			r = 'o'
		case 'ú', 'ù', 'ü':
			r = 'u'
		case 'ñ':
			r = 'n'
		case ' ', '-', '.', '/':
			r = '_'
		}
		b.WriteRune(r)
	}
	return strings.Trim(b.String(), "_")
}

func exampleHeader(columns []Column, delim rune) string {
	var names []string
	for _, c := range columns {
		if c.Required {
			names = append(names, c.Name)
		}
	}
	return strings.Join(names, string(delim))
}
