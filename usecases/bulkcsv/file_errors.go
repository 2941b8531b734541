package bulkcsv

import (
	"fmt"
	"strings"

	"github.com/telcojobs/telcojobs/domain"
)

// The errors of this file reject a file as a whole, before any row is
// read. Each one matches domain.ErrInvalid, and callers tell them apart
// with errors.As to word the problem for operators.

// EmptyFileError rejects a file without a header row: an empty file, or
// one that has only a byte order mark or blank lines.
type EmptyFileError struct {
	// Example is a header row with the required columns, such as
	// "code;name".
	Example string
}

// Error names the problem and an example header.
func (e *EmptyFileError) Error() string { return e.Unwrap().Error() }

// Unwrap returns the problem as a *domain.ValidationError.
func (e *EmptyFileError) Unwrap() error {
	return domain.Invalid("file", "", "is empty; expected a header row such as "+e.Example)
}

// HeaderReadError rejects a file whose header row cannot be parsed, such
// as one with a stray quote.
type HeaderReadError struct {
	// Err is the parser's error.
	Err error
}

// Error names the parser's error.
func (e *HeaderReadError) Error() string { return e.Unwrap().Error() }

// Unwrap returns the problem as a *domain.ValidationError.
func (e *HeaderReadError) Unwrap() error {
	return domain.Invalid("header", "", fmt.Sprintf("cannot be read: %v", e.Err))
}

// DuplicateColumnError rejects a header that names one column twice,
// directly or through an alias.
type DuplicateColumnError struct {
	// Column is the canonical name of the column.
	Column string
	// First and Second are the two header names, as written.
	First, Second string
	// Header is the header row as read.
	Header []string
	// Delimiter is the field separator of the header.
	Delimiter rune
}

// Error names the column, its two header names and what to do.
func (e *DuplicateColumnError) Error() string { return e.Unwrap().Error() }

// Unwrap returns the problem as a *domain.ValidationError.
func (e *DuplicateColumnError) Unwrap() error {
	return domain.Invalid("header", strings.Join(e.Header, string(e.Delimiter)),
		fmt.Sprintf("column %s appears twice (as %q and %q); keep one", e.Column, e.First, e.Second))
}

// UTF16Error rejects a file encoded as UTF-16, which Excel writes when a
// sheet is saved as "Unicode Text". The reader does not decode UTF-16.
type UTF16Error struct {
	// Encoding is UTF16LE or UTF16BE.
	Encoding Encoding
	// BOM is true when the file starts with a byte order mark, and false
	// when Decode recognised UTF-16 by its NUL bytes.
	BOM bool
}

// Error names the encoding and what to do.
func (e *UTF16Error) Error() string {
	return fmt.Sprintf("the file is encoded as %s (as Excel saves \"Unicode Text\"), which is not supported; "+
		"save it as \"CSV UTF-8\" and upload it again", e.Encoding)
}

// Is makes errors.Is(err, domain.ErrInvalid) true.
func (e *UTF16Error) Is(target error) bool { return target == domain.ErrInvalid }
