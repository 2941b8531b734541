package domain

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"time"
)

// DailyReportWindow returns the half-open window [start, end) of the daily
// validation report of the calendar date year-month-day in loc: from the
// cutoff time of the day before to the cutoff time of that day. Both ends
// are built from calendar dates, so the window lasts 23 hours on the day
// the clocks go forward and 25 hours on the day they go back.
func DailyReportWindow(year int, month time.Month, day int, cutoff ClockTime, loc *time.Location) (start, end time.Time) {
	end = time.Date(year, month, day, cutoff.Hour, cutoff.Minute, 0, 0, loc)
	start = time.Date(year, month, day-1, cutoff.Hour, cutoff.Minute, 0, 0, loc)
	return start, end
}

// ValidationReportHeader is the Spanish header row of the daily validation
// report, read by the back-office operators.
var ValidationReportHeader = []string{
	"ICC", "MSISDN", "Documento", "Estado", "Reintentos", "Fecha del último reintento", "Error",
}

// utf8BOM makes Excel with a Spanish locale read the file as UTF-8.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// ValidationReportCSV writes the rows as the report's CSV file: a UTF-8
// byte order mark, the Spanish header, ';' as the delimiter (the list
// separator of Spanish Excel), CRLF line ends, and dates as dd/mm/yyyy
// hh:mm:ss in loc. A text cell that Excel would read as a formula (one
// starting with =, @, or + or - not followed by a digit) gets a leading
// apostrophe.
func ValidationReportCSV(rows []ActivationData, loc *time.Location) ([]byte, error) {
	var buf bytes.Buffer
	buf.Write(utf8BOM)
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	w.UseCRLF = true

	if err := w.Write(ValidationReportHeader); err != nil {
		return nil, err
	}
	for _, r := range rows {
		record := []string{
			spreadsheetSafe(r.ICC),
			spreadsheetSafe(r.MSISDN),
			spreadsheetSafe(r.Document),
			spreadsheetSafe(r.Status),
			strconv.Itoa(r.Retries),
			r.LastRetryDate.In(loc).Format("02/01/2006 15:04:05"),
			spreadsheetSafe(r.Error),
		}
		if err := w.Write(record); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func spreadsheetSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '@', '\t', '\r':
		return "'" + s
	case '+', '-':
		if len(s) == 1 || s[1] < '0' || s[1] > '9' {
			return "'" + s
		}
	}
	return s
}
