package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Grace periods and look-back of the scheduler.
const (
	// DefaultGracePeriod is how late a missed slot may still fire when a
	// schedule does not set its own grace period.
	DefaultGracePeriod = time.Hour
	// MinGracePeriod is the shortest grace period a schedule may set. The
	// scheduler checks once a minute, so a shorter one would skip slots in
	// normal operation.
	MinGracePeriod = time.Minute
	// MaxGracePeriod is the longest grace period a schedule may set.
	MaxGracePeriod = 24 * time.Hour
	// MaxSlotLookback bounds how far back a check enumerates slots after an
	// outage. Slots before it are neither fired nor counted as skipped.
	MaxSlotLookback = 7 * 24 * time.Hour
	// maxScheduleParameters is the size limit of a schedule's parameters.
	maxScheduleParameters = 64 << 10
	// maxScheduleName is the length limit of a schedule's name, in
	// characters.
	maxScheduleName = 200
)

var actionNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// Schedule is a database-configured timetable: at each of its local times it
// runs a named action with its parameters, such as the "generic" action
// that enqueues provision_purchase for failed purchases.
type Schedule struct {
	ID      int64
	Name    string
	Enabled bool
	// Times are the local times of day at which the action runs, in
	// TimeZone.
	Times []ClockTime
	// TimeZone is an IANA zone name. Empty means DefaultTimeZone.
	TimeZone string
	// Action names a registered action, such as "generic".
	Action string
	// Parameters is the action's configuration, a JSON object. Empty means
	// {}.
	Parameters json.RawMessage
	// GracePeriod is how late a missed slot may still fire, between
	// MinGracePeriod and MaxGracePeriod. Zero means DefaultGracePeriod.
	GracePeriod time.Duration
	// ExecutedAt is when the action last started, in UTC.
	ExecutedAt *time.Time
	// LastCheckedAt is the instant up to which the scheduler has fired or
	// skipped the slots, in UTC. Slots after it are still to come. The
	// scheduler moves it only when a check finds due slots.
	LastCheckedAt *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// WithDefaults returns a copy with the default zone, grace period and
// parameters filled in, the name trimmed and the times sorted.
func (s Schedule) WithDefaults() Schedule {
	s.Name = strings.TrimSpace(s.Name)
	if s.TimeZone == "" {
		s.TimeZone = DefaultTimeZone
	}
	if s.GracePeriod == 0 {
		s.GracePeriod = DefaultGracePeriod
	}
	if len(bytes.TrimSpace(s.Parameters)) == 0 {
		s.Parameters = json.RawMessage(`{}`)
	}
	s.Times = append([]ClockTime(nil), s.Times...)
	sort.Slice(s.Times, func(i, j int) bool { return s.Times[i].Minutes() < s.Times[j].Minutes() })
	return s
}

// Validate reports the first invalid field as a *ValidationError whose
// Field is the field's JSON name: name, times[i], time_zone, action,
// parameters or grace_period.
func (s Schedule) Validate() error {
	name := strings.TrimSpace(s.Name)
	if name == "" {
		return Invalid("name", s.Name, "must not be empty")
	}
	if utf8.RuneCountInString(name) > maxScheduleName {
		return Invalid("name", s.Name, fmt.Sprintf("must be at most %d characters", maxScheduleName))
	}

	if len(s.Times) == 0 {
		return Invalid("times", "", "must list at least one time, such as [\"07:00\"]")
	}
	seen := make(map[int]int, len(s.Times))
	for i, ct := range s.Times {
		field := fmt.Sprintf("times[%d]", i)
		if ct.Hour < 0 || ct.Hour > 23 || ct.Minute < 0 || ct.Minute > 59 {
			return Invalid(field, fmt.Sprintf("%d:%d", ct.Hour, ct.Minute), "expected HH:MM between 00:00 and 23:59")
		}
		if j, dup := seen[ct.Minutes()]; dup {
			return Invalid(field, ct.String(), fmt.Sprintf("repeats times[%d]; list each time once", j))
		}
		seen[ct.Minutes()] = i
	}

	if _, err := scheduleZone(s.TimeZone); err != nil {
		return Invalid("time_zone", s.TimeZone, "expected an IANA zone name such as Europe/Madrid")
	}

	if !actionNamePattern.MatchString(s.Action) {
		return Invalid("action", s.Action, "expected a registered action name such as generic")
	}

	if err := validateParameters(s.Parameters); err != nil {
		return err
	}

	if s.GracePeriod != 0 && (s.GracePeriod < MinGracePeriod || s.GracePeriod > MaxGracePeriod) {
		return Invalid("grace_period", s.GracePeriod.String(),
			fmt.Sprintf("must be between %s and %s", MinGracePeriod, MaxGracePeriod))
	}
	return nil
}

// zoneCache maps zone names to loaded zones. time.LoadLocation reads the
// zone file on every call, which made it most of the cost of a check over
// thousands of schedules. Only valid names are stored, so it holds at most
// the few hundred zones of the IANA database.
var zoneCache sync.Map

func scheduleZone(name string) (*time.Location, error) {
	if name == "" {
		name = DefaultTimeZone
	}
	if loc, ok := zoneCache.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := LoadZone(name)
	if err != nil {
		return nil, err
	}
	zoneCache.Store(name, loc)
	return loc, nil
}

func validateParameters(p json.RawMessage) error {
	trimmed := bytes.TrimSpace(p)
	if len(trimmed) == 0 {
		return nil
	}
	if len(trimmed) > maxScheduleParameters {
		return Invalid("parameters", fmt.Sprintf("%d bytes", len(trimmed)),
			fmt.Sprintf("must be at most %d bytes", maxScheduleParameters))
	}
	if trimmed[0] != '{' || !json.Valid(trimmed) {
		return Invalid("parameters", abbreviate(string(trimmed), 80), "expected a JSON object such as {\"statuses\": [\"provision_error\"]}")
	}
	return nil
}

func abbreviate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// ParseClockTimes parses a list of "HH:MM" times. A rejected entry is a
// *ValidationError whose Field is times[i].
func ParseClockTimes(values []string) ([]ClockTime, error) {
	out := make([]ClockTime, 0, len(values))
	for i, v := range values {
		ct, err := ParseClockTime(v)
		if err != nil {
			return nil, Invalid(fmt.Sprintf("times[%d]", i), v, "expected HH:MM between 00:00 and 23:59, such as 07:30")
		}
		out = append(out, ct)
	}
	return out, nil
}

// SlotShift describes how a slot's firing instant relates to its nominal
// local time.
type SlotShift string

// Slot shifts.
const (
	// SlotExact fires at its nominal local time, which occurs once that day.
	SlotExact SlotShift = "exact"
	// SlotAfterGap has a nominal time that the clocks skip when they spring
	// forward, such as 02:30 on the last Sunday of March in Europe/Madrid.
	// It fires at the first instant after the gap (03:00 local).
	SlotAfterGap SlotShift = "after_gap"
	// SlotFirstOfOverlap has a nominal time that occurs twice when the
	// clocks fall back, such as 02:30 on the last Sunday of October in
	// Europe/Madrid. It fires at the first occurrence only.
	SlotFirstOfOverlap SlotShift = "first_of_overlap"
)

// Slot is one run of a schedule: a nominal local date and time and the
// instant it fires.
type Slot struct {
	// Date is the local calendar date, YYYY-MM-DD.
	Date string
	// Time is the nominal local time of day from the schedule.
	Time ClockTime
	// At is the firing instant, in UTC. It identifies the slot: two nominal
	// times that fire at the same instant are one slot.
	At    time.Time
	Shift SlotShift
}

// Nominal formats the local date and time, such as "2025-03-30 02:30".
func (s Slot) Nominal() string { return s.Date + " " + s.Time.String() }

// SkipReason is the reason a due slot did not fire.
type SkipReason string

// Skip reasons.
const (
	// SkipLate marks a slot that was missed by more than the grace period.
	SkipLate SkipReason = "older_than_grace_period"
	// SkipSuperseded marks a missed slot within the grace period that a
	// newer due slot replaced, because one check fires at most one slot.
	SkipSuperseded SkipReason = "superseded_by_newer_slot"
)

// SkippedSlot is a due slot that does not fire, with the reason.
type SkippedSlot struct {
	Slot
	Reason SkipReason
}

// SlotPlan is the outcome of one check of a schedule: the slot to fire and
// the due slots that do not fire.
type SlotPlan struct {
	// Fire holds the slot to fire, or nothing. It never holds more than one
	// slot, so an outage never ends in a burst of runs.
	Fire []Slot
	// Skipped holds the other due slots, oldest first.
	Skipped []SkippedSlot
	// Truncated is true when since was more than MaxSlotLookback before now.
	// The slots before now minus MaxSlotLookback were then not enumerated.
	Truncated bool
}

// PlanSlots computes which slots of the schedule are due in (since, now],
// in the schedule's zone, and which of them fires:
//
//   - A nominal time inside a DST gap fires once, at the first instant after
//     the gap. A nominal time inside a DST overlap fires once, at its first
//     occurrence.
//   - Nominal times that fire at the same instant are one slot.
//   - The newest due slot fires when it is at most the grace period old.
//     Every other due slot is skipped: one older than the grace period as
//     late, one within it as superseded. A check therefore fires at most one
//     slot, however long nothing was running.
//
// The enabled flag is not consulted: the caller decides which schedules to
// check.
func (s Schedule) PlanSlots(since, now time.Time) (SlotPlan, error) {
	loc, err := scheduleZone(s.TimeZone)
	if err != nil {
		return SlotPlan{}, err
	}
	grace := s.GracePeriod
	if grace == 0 {
		grace = DefaultGracePeriod
	}

	var plan SlotPlan
	if !now.After(since) {
		return plan, nil
	}
	if now.Sub(since) > MaxSlotLookback {
		since = now.Add(-MaxSlotLookback)
		plan.Truncated = true
	}

	due := SlotsBetween(s.Times, loc, since, now)
	if len(due) == 0 {
		return plan, nil
	}

	newest := due[len(due)-1]
	fires := now.Sub(newest.At) <= grace
	for i, slot := range due {
		switch {
		case i == len(due)-1 && fires:
			plan.Fire = append(plan.Fire, slot)
		case now.Sub(slot.At) > grace:
			plan.Skipped = append(plan.Skipped, SkippedSlot{Slot: slot, Reason: SkipLate})
		default:
			plan.Skipped = append(plan.Skipped, SkippedSlot{Slot: slot, Reason: SkipSuperseded})
		}
	}
	return plan, nil
}

// SlotsBetween returns the slots of the given local times whose firing
// instant is in (from, to], ordered by instant. Nominal times that fire at
// the same instant (such as 02:30 and 03:00 on a spring-forward day in
// Europe/Madrid) give one slot, the one with the exact time when there is
// one.
func SlotsBetween(times []ClockTime, loc *time.Location, from, to time.Time) []Slot {
	if !to.After(from) || len(times) == 0 {
		return nil
	}

	// A slot fires on its own local date or, after a gap, a few hours
	// later, so one day on each side covers every nominal date.
	first := from.In(loc)
	last := to.In(loc)
	day := time.Date(first.Year(), first.Month(), first.Day()-1, 12, 0, 0, 0, loc)
	end := time.Date(last.Year(), last.Month(), last.Day()+1, 12, 0, 0, 0, loc)

	var out []Slot
	for ; !day.After(end); day = time.Date(day.Year(), day.Month(), day.Day()+1, 12, 0, 0, 0, loc) {
		for _, ct := range times {
			at, shift := ResolveLocalTime(day.Year(), day.Month(), day.Day(), ct, loc)
			if at.After(from) && !at.After(to) {
				out = append(out, Slot{Date: day.Format(time.DateOnly), Time: ct, At: at, Shift: shift})
			}
		}
	}

	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return out[i].Shift == SlotExact && out[j].Shift != SlotExact
	})
	deduped := out[:0]
	for _, slot := range out {
		if n := len(deduped); n > 0 && deduped[n-1].At.Equal(slot.At) {
			continue
		}
		deduped = append(deduped, slot)
	}
	return deduped
}

// ResolveLocalTime returns the instant, in UTC, at which the local time ct
// of the given date fires in loc. A time that the clocks skip resolves to
// the first instant after the gap (SlotAfterGap), and a time that occurs
// twice resolves to its first occurrence (SlotFirstOfOverlap). It does not
// rely on time.Date, whose choice in a gap or an overlap is unspecified.
func ResolveLocalTime(year int, month time.Month, day int, ct ClockTime, loc *time.Location) (time.Time, SlotShift) {
	wall := time.Date(year, month, day, ct.Hour, ct.Minute, 0, 0, time.UTC)

	// The offsets in force a day before and a day after are the only ones
	// the wall time can have, unless a zone changes its offset twice
	// within two days.
	offsets := []int{zoneOffset(wall.Add(-24*time.Hour), loc), zoneOffset(wall, loc), zoneOffset(wall.Add(24*time.Hour), loc)}
	var valid []time.Time
	for _, off := range offsets {
		at := wall.Add(-time.Duration(off) * time.Second)
		if zoneOffset(at, loc) != off {
			continue
		}
		if !containsInstant(valid, at) {
			valid = append(valid, at)
		}
	}

	switch len(valid) {
	case 0:
		// The wall time was skipped. Read with the offset before the gap it
		// lands after the gap, and the period that contains it starts at
		// the transition, the first instant after the gap.
		before := wall.Add(-time.Duration(offsets[0]) * time.Second)
		start, _ := before.In(loc).ZoneBounds()
		if start.IsZero() || start.After(before) {
			return before.UTC(), SlotAfterGap
		}
		return start.UTC(), SlotAfterGap
	case 1:
		return valid[0].UTC(), SlotExact
	default:
		sort.Slice(valid, func(i, j int) bool { return valid[i].Before(valid[j]) })
		return valid[0].UTC(), SlotFirstOfOverlap
	}
}

func zoneOffset(t time.Time, loc *time.Location) int {
	_, off := t.In(loc).Zone()
	return off
}

func containsInstant(ts []time.Time, t time.Time) bool {
	for _, v := range ts {
		if v.Equal(t) {
			return true
		}
	}
	return false
}

// PurchaseAgeField names the purchase time that a selection's age window
// applies to.
type PurchaseAgeField string

// Purchase age fields.
const (
	AgeFromCreated     PurchaseAgeField = "created_at"
	AgeFromLastAttempt PurchaseAgeField = "last_attempt_at"
)

// Limits of a purchase selection.
const (
	// DefaultSelectionLimit is the maximum count of purchases a selection
	// returns when it does not set one.
	DefaultSelectionLimit = 500
	// MaxSelectionLimit is the largest maximum count a selection may set.
	MaxSelectionLimit = 10000
)

// PurchaseSelection is the parameters of the built-in generic schedule
// action: which purchases it enqueues provision_purchase for. Every filter
// that is set must match, and an empty list matches everything.
type PurchaseSelection struct {
	// Channels are channel slugs.
	Channels []string `json:"channels,omitempty"`
	// PurchaseTypes are purchase types, such as "portability".
	PurchaseTypes []string `json:"purchase_types,omitempty"`
	// Statuses are purchase statuses. Required, so that a schedule never
	// re-provisions every purchase by omission.
	Statuses []PurchaseStatus `json:"statuses"`
	// ErrorCodes are the error codes of the last provisioning attempt.
	ErrorCodes []string `json:"error_codes,omitempty"`
	// AgeField is the time the age window applies to: "created_at" (the
	// default) or "last_attempt_at". Purchases never attempted have no
	// last attempt and never match a window on it.
	AgeField PurchaseAgeField `json:"age_field,omitempty"`
	// MinAgeMinutes keeps purchases whose age field is at least this many
	// minutes old. Zero means no lower bound.
	MinAgeMinutes int `json:"min_age_minutes,omitempty"`
	// MaxAgeMinutes keeps purchases whose age field is at most this many
	// minutes old. Zero means no upper bound.
	MaxAgeMinutes int `json:"max_age_minutes,omitempty"`
	// MaxAttempts keeps purchases with fewer provisioning attempts than
	// this. Zero means no limit.
	MaxAttempts int `json:"max_attempts,omitempty"`
	// Limit is the maximum count of purchases selected per run, oldest
	// first. Zero means DefaultSelectionLimit.
	Limit int `json:"limit,omitempty"`
}

// ParsePurchaseSelection decodes and validates the parameters of the generic
// action. An unknown key is rejected, so a misspelt filter never widens the
// selection. Errors are *ValidationError with Field "parameters.<key>".
func ParsePurchaseSelection(params json.RawMessage) (PurchaseSelection, error) {
	var sel PurchaseSelection
	if len(bytes.TrimSpace(params)) == 0 {
		params = json.RawMessage(`{}`)
	}
	dec := json.NewDecoder(bytes.NewReader(params))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sel); err != nil {
		return PurchaseSelection{}, Invalid("parameters", abbreviate(string(params), 80),
			"expected a JSON object with the generic action's keys (channels, purchase_types, statuses, error_codes, age_field, min_age_minutes, max_age_minutes, max_attempts, limit): "+err.Error())
	}
	if dec.More() {
		return PurchaseSelection{}, Invalid("parameters", abbreviate(string(params), 80), "expected a single JSON object")
	}
	sel = sel.WithDefaults()
	return sel, sel.Validate()
}

// WithDefaults returns a copy with the default age field and limit.
func (p PurchaseSelection) WithDefaults() PurchaseSelection {
	if p.AgeField == "" {
		p.AgeField = AgeFromCreated
	}
	if p.Limit == 0 {
		p.Limit = DefaultSelectionLimit
	}
	return p
}

// Validate reports the first invalid parameter.
func (p PurchaseSelection) Validate() error {
	for i, slug := range p.Channels {
		if err := ValidateSlug(slug); err != nil {
			return Invalid(fmt.Sprintf("parameters.channels[%d]", i), slug, "expected a channel slug such as tienda-online")
		}
	}

	for i, typ := range p.PurchaseTypes {
		if strings.TrimSpace(typ) == "" {
			return Invalid(fmt.Sprintf("parameters.purchase_types[%d]", i), typ, "must not be empty")
		}
	}

	if len(p.Statuses) == 0 {
		return Invalid("parameters.statuses", "", "must list at least one purchase status, such as [\"provision_error\"]")
	}
	for i, st := range p.Statuses {
		if _, err := ParsePurchaseStatus(string(st)); err != nil {
			return Invalid(fmt.Sprintf("parameters.statuses[%d]", i), string(st), "expected one of "+joinStrings(PurchaseStatuses))
		}
	}
	for i, code := range p.ErrorCodes {
		if strings.TrimSpace(code) == "" {
			return Invalid(fmt.Sprintf("parameters.error_codes[%d]", i), code, "must not be empty")
		}
	}

	switch p.AgeField {
	case "", AgeFromCreated, AgeFromLastAttempt:
	default:
		return Invalid("parameters.age_field", string(p.AgeField), "expected created_at or last_attempt_at")
	}

	if p.MinAgeMinutes < 0 {
		return Invalid("parameters.min_age_minutes", fmt.Sprint(p.MinAgeMinutes), "must not be negative")
	}
	if p.MaxAgeMinutes < 0 {
		return Invalid("parameters.max_age_minutes", fmt.Sprint(p.MaxAgeMinutes), "must not be negative")
	}
	if p.MaxAgeMinutes > 0 && p.MaxAgeMinutes <= p.MinAgeMinutes {
		return Invalid("parameters.max_age_minutes", fmt.Sprint(p.MaxAgeMinutes),
			fmt.Sprintf("must be greater than min_age_minutes (%d)", p.MinAgeMinutes))
	}

	if p.MaxAttempts < 0 {
		return Invalid("parameters.max_attempts", fmt.Sprint(p.MaxAttempts), "must not be negative")
	}
	if p.Limit < 0 || p.Limit > MaxSelectionLimit {
		return Invalid("parameters.limit", fmt.Sprint(p.Limit), fmt.Sprintf("must be between 1 and %d", MaxSelectionLimit))
	}
	return nil
}

// Window returns the bounds of the age window at now: purchases whose age
// field is in [from, to] match. A nil bound is open.
func (p PurchaseSelection) Window(now time.Time) (from, to *time.Time) {
	if p.MaxAgeMinutes > 0 {
		v := now.Add(-time.Duration(p.MaxAgeMinutes) * time.Minute).UTC()
		from = &v
	}
	if p.MinAgeMinutes > 0 {
		v := now.Add(-time.Duration(p.MinAgeMinutes) * time.Minute).UTC()
		to = &v
	}
	return from, to
}
