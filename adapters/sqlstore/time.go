package sqlstore

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// timeLayout has a fixed width so that text comparison orders times.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// Time is a driver.Valuer that binds t in UTC as fixed-width text, and a
// sql.Scanner that reads a time written by either database.
type Time struct{ time.Time }

// T wraps t for binding.
func T(t time.Time) Time { return Time{t} }

// TPtr wraps an optional time; nil binds NULL.
func TPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return Time{*t}
}

// Value implements driver.Valuer.
func (t Time) Value() (driver.Value, error) {
	return t.UTC().Format(timeLayout), nil
}

// Scan implements sql.Scanner. NULL leaves the zero time.
func (t *Time) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		t.Time = time.Time{}
	case time.Time:
		t.Time = v.UTC()
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	default:
		return fmt.Errorf("scan time: unsupported type %T", src)
	}
	return nil
}

func (t *Time) parse(s string) error {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999 -0700 MST", "2006-01-02 15:04:05"} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	return fmt.Errorf("scan time: unrecognised format %q", s)
}

// NullTime scans a nullable time column into a *time.Time.
type NullTime struct{ P **time.Time }

// Scan implements sql.Scanner.
func (n NullTime) Scan(src any) error {
	if src == nil {
		*n.P = nil
		return nil
	}
	var t Time
	if err := t.Scan(src); err != nil {
		return err
	}
	v := t.Time
	*n.P = &v
	return nil
}
