package domain

import (
	"strings"
	"time"
)

// Alarm is an operator-facing warning raised by a job, such as "no free
// promotion codes left". Its Name identifies the condition: while an alarm
// with that name is open, raising it again counts another occurrence on the
// same row instead of adding one (see [Alarm.Recur]). Message and Details are
// written in Spanish because back-office operators read them.
type Alarm struct {
	ID      int64
	Name    string
	Message string
	Details string

	// StartedAt is when the alarm was first raised, in UTC.
	StartedAt time.Time
	// LastSeenAt is when it was last raised, in UTC.
	LastSeenAt time.Time
	// Occurrences counts how many times it was raised while open, at least 1.
	Occurrences int
	// ResolvedAt is set once an operator or a job resolves it.
	ResolvedAt *time.Time
}

// NewAlarm builds an open alarm with one occurrence. The name is required.
func NewAlarm(name, message, details string, at time.Time) (Alarm, error) {
	raw := name
	name = strings.TrimSpace(name)
	if name == "" {
		return Alarm{}, Invalid("alarm name", raw, "must not be empty")
	}
	at = at.UTC()
	return Alarm{
		Name:        name,
		Message:     message,
		Details:     details,
		StartedAt:   at,
		LastSeenAt:  at,
		Occurrences: 1,
	}, nil
}

// Open reports whether the alarm has not been resolved.
func (a Alarm) Open() bool { return a.ResolvedAt == nil }

// Recur records that the same condition was raised again: one more
// occurrence, the newest message and details, the start time kept.
func (a Alarm) Recur(message, details string, at time.Time) Alarm {
	a.Occurrences++
	a.Message = message
	a.Details = details
	a.LastSeenAt = at.UTC()
	return a
}

// AuditEntry records who did what to which object, in place of Django's
// LogEntry. Jobs write one when they change data on behalf of a user.
type AuditEntry struct {
	ID int64
	// Actor is the user id or the job name that acted.
	Actor string
	// Action is a short verb such as "assign_promotion_code".
	Action string
	// Object names the changed object, such as "promotion_code:ABC123".
	Object  string
	Message string
	At      time.Time
}
