// Package bulkcsv reads the CSV files that operators upload: shop and
// seller lists, documents for promotion codes, pools of codes. Such files
// come from Excel and other spreadsheets in several shapes, so the reader
// sniffs the delimiter, the encoding (UTF-8 with or without a byte order
// mark, or Windows-1252) and matches header names in English or Spanish.
// It rejects UTF-16 files, naming the encoding.
// It streams the file: memory use does not grow with the number of rows.
//
// It is plain Go with no storage or network dependency, so the use cases
// call it directly.
package bulkcsv
