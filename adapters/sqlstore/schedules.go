package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

var (
	_ ports.ScheduleStore    = (*Store)(nil)
	_ ports.PurchaseSelector = (*Store)(nil)
)

const scheduleColumns = `id, name, enabled, times, time_zone, action, parameters, grace_period_seconds,
	executed_at, last_checked_at, created_at, updated_at`

// scheduleCheckBatch is how many ids one RecordScheduleChecks statement
// binds, well below the bind-parameter limits of SQLite (32,766) and
// PostgreSQL (65,535).
const scheduleCheckBatch = 500

func scanSchedule(row interface{ Scan(...any) error }) (domain.Schedule, error) {
	var s domain.Schedule
	var times, params string
	var graceSeconds int64
	var created, updated Time
	err := row.Scan(&s.ID, &s.Name, &s.Enabled, &times, &s.TimeZone, &s.Action, &params, &graceSeconds,
		NullTime{&s.ExecutedAt}, NullTime{&s.LastCheckedAt}, &created, &updated)
	if err != nil {
		return domain.Schedule{}, err
	}

	s.Times, err = parseScheduleTimes(times)
	if err != nil {
		return domain.Schedule{}, fmt.Errorf("schedule %d: stored times: %w", s.ID, err)
	}
	s.Parameters = []byte(params)
	s.GracePeriod = time.Duration(graceSeconds) * time.Second
	s.CreatedAt, s.UpdatedAt = created.Time, updated.Time
	return s, nil
}

func formatScheduleTimes(times []domain.ClockTime) string {
	parts := make([]string, len(times))
	for i, ct := range times {
		parts[i] = ct.String()
	}
	return strings.Join(parts, ",")
}

func parseScheduleTimes(s string) ([]domain.ClockTime, error) {
	if s == "" {
		return nil, nil
	}
	return domain.ParseClockTimes(strings.Split(s, ","))
}

// CreateSchedule implements ports.ScheduleStore. It fills the defaults and
// validates the schedule first.
func (s *Store) CreateSchedule(ctx context.Context, sc domain.Schedule) (domain.Schedule, error) {
	sc = sc.WithDefaults()
	if err := sc.Validate(); err != nil {
		return domain.Schedule{}, err
	}
	if sc.CreatedAt.IsZero() {
		sc.CreatedAt = time.Now()
	}
	if sc.UpdatedAt.IsZero() {
		sc.UpdatedAt = sc.CreatedAt
	}

	row := s.Q(ctx).QueryRowContext(ctx, `INSERT INTO schedules
		(name, enabled, times, time_zone, action, parameters, grace_period_seconds,
		 executed_at, last_checked_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING `+scheduleColumns,
		sc.Name, sc.Enabled, formatScheduleTimes(sc.Times), sc.TimeZone, sc.Action, string(sc.Parameters),
		int64(sc.GracePeriod/time.Second), TPtr(sc.ExecutedAt), TPtr(sc.LastCheckedAt), T(sc.CreatedAt), T(sc.UpdatedAt))
	out, err := scanSchedule(row)
	return out, s.Err(err, "create schedule %q", sc.Name)
}

// UpdateSchedule implements ports.ScheduleStore. It fills the defaults and
// validates the schedule first.
func (s *Store) UpdateSchedule(ctx context.Context, sc domain.Schedule) (domain.Schedule, error) {
	sc = sc.WithDefaults()
	if err := sc.Validate(); err != nil {
		return domain.Schedule{}, err
	}
	if sc.UpdatedAt.IsZero() {
		sc.UpdatedAt = time.Now()
	}

	row := s.Q(ctx).QueryRowContext(ctx, `UPDATE schedules SET
		name = $1, enabled = $2, times = $3, time_zone = $4, action = $5, parameters = $6,
		grace_period_seconds = $7, updated_at = $8
		WHERE id = $9 RETURNING `+scheduleColumns,
		sc.Name, sc.Enabled, formatScheduleTimes(sc.Times), sc.TimeZone, sc.Action, string(sc.Parameters),
		int64(sc.GracePeriod/time.Second), T(sc.UpdatedAt), sc.ID)
	out, err := scanSchedule(row)
	return out, s.Err(err, "update schedule %d", sc.ID)
}

// Schedule implements ports.ScheduleStore.
func (s *Store) Schedule(ctx context.Context, id int64) (domain.Schedule, error) {
	row := s.Q(ctx).QueryRowContext(ctx, `SELECT `+scheduleColumns+` FROM schedules WHERE id = $1`, id)
	sc, err := scanSchedule(row)
	return sc, s.Err(err, "get schedule %d", id)
}

// ScheduleByName implements ports.ScheduleStore.
func (s *Store) ScheduleByName(ctx context.Context, name string) (domain.Schedule, error) {
	row := s.Q(ctx).QueryRowContext(ctx, `SELECT `+scheduleColumns+` FROM schedules WHERE name = $1`, name)
	sc, err := scanSchedule(row)
	return sc, s.Err(err, "get schedule %q", name)
}

// ListEnabledSchedules implements ports.ScheduleStore with one select on
// the partial index of enabled schedules.
func (s *Store) ListEnabledSchedules(ctx context.Context) ([]domain.Schedule, error) {
	rows, err := s.Q(ctx).QueryContext(ctx, `SELECT `+scheduleColumns+` FROM schedules WHERE enabled ORDER BY id`)
	return collect(s, rows, err, "list enabled schedules", scanSchedule)
}

// RecordScheduleChecks implements ports.ScheduleStore, in batches of
// scheduleCheckBatch ids per statement.
func (s *Store) RecordScheduleChecks(ctx context.Context, at time.Time, ids ...int64) error {
	for len(ids) > 0 {
		batch := ids[:min(len(ids), scheduleCheckBatch)]
		ids = ids[len(batch):]

		args := make([]any, 0, len(batch)+1)
		args = append(args, T(at))
		marks := make([]string, len(batch))
		for i, id := range batch {
			args = append(args, id)
			marks[i] = "$" + strconv.Itoa(i+2)
		}
		_, err := s.Q(ctx).ExecContext(ctx, `UPDATE schedules SET last_checked_at = $1
			WHERE id IN (`+strings.Join(marks, ", ")+`) AND (last_checked_at IS NULL OR last_checked_at < $1)`, args...)
		if err != nil {
			return s.Err(err, "record check of %d schedules", len(batch))
		}
	}
	return nil
}

// RecordScheduleExecuted implements ports.ScheduleStore.
func (s *Store) RecordScheduleExecuted(ctx context.Context, id int64, at time.Time) error {
	res, err := s.Q(ctx).ExecContext(ctx, `UPDATE schedules SET executed_at = $1 WHERE id = $2`, T(at), id)
	if err != nil {
		return s.Err(err, "record execution of schedule %d", id)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("record execution: schedule %d: %w", id, domain.ErrNotFound)
	}
	return nil
}

// ClaimScheduleSlot implements ports.ScheduleStore. ON CONFLICT DO NOTHING
// makes a concurrent claim of the same key wait for the first one's
// transaction: when that commits, the second insert returns no row.
func (s *Store) ClaimScheduleSlot(ctx context.Context, scheduleID int64, slot domain.Slot, claimedAt time.Time) (bool, error) {
	if slot.At.IsZero() {
		return false, domain.Invalid("slot", "", "the slot has no firing instant")
	}
	if _, err := s.Schedule(ctx, scheduleID); err != nil {
		return false, fmt.Errorf("claim slot: %w", err)
	}

	var id int64
	err := s.Q(ctx).QueryRowContext(ctx, `INSERT INTO schedule_slots (schedule_id, slot_at, nominal, claimed_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (schedule_id, slot_at) DO NOTHING RETURNING id`,
		scheduleID, T(slot.At), slot.Nominal(), T(claimedAt)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, s.Err(err, "claim slot %s of schedule %d", slot.At.UTC().Format(time.RFC3339), scheduleID)
	}
	return true, nil
}

// SelectPurchases implements ports.PurchaseSelector.
func (s *Store) SelectPurchases(ctx context.Context, f ports.PurchaseFilter) ([]domain.Purchase, error) {
	column := "created_at"
	switch f.AgeField {
	case "", domain.AgeFromCreated:
	case domain.AgeFromLastAttempt:
		column = "last_attempt_at"
	default:
		return nil, domain.Invalid("age field", string(f.AgeField), "expected created_at or last_attempt_at")
	}
	if f.Limit <= 0 {
		return nil, domain.Invalid("limit", strconv.Itoa(f.Limit), "must be positive")
	}

	var q purchaseQuery
	purchaseWhereIn(&q, "channel_id IN (SELECT id FROM channels WHERE slug", f.ChannelSlugs, ")")
	purchaseWhereIn(&q, "type", f.Types, "")
	purchaseWhereIn(&q, "status", f.Statuses, "")
	purchaseWhereIn(&q, "error_code", f.ErrorCodes, "")
	if f.From != nil {
		q.where(column + " >= " + q.bind(T(*f.From)))
	}
	if f.To != nil {
		q.where(column + " <= " + q.bind(T(*f.To)))
	}
	if f.MaxAttempts > 0 {
		q.where("attempts < " + q.bind(f.MaxAttempts))
	}
	limit := q.bind(f.Limit)

	rows, err := s.Q(ctx).QueryContext(ctx, `SELECT `+purchaseColumns+` FROM purchases`+q.clause()+
		` ORDER BY created_at, id LIMIT `+limit, q.args...)
	return collect(s, rows, err, "select purchases", ScanPurchase)
}

// purchaseQuery collects WHERE conditions and numbers their $N parameters.
type purchaseQuery struct {
	conditions []string
	args       []any
}

func (q *purchaseQuery) bind(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

func (q *purchaseQuery) where(condition string) {
	q.conditions = append(q.conditions, condition)
}

// purchaseWhereIn adds the condition "prefix IN ($i, ...)suffix" when
// values is not empty.
func purchaseWhereIn[T ~string](q *purchaseQuery, prefix string, values []T, suffix string) {
	if len(values) == 0 {
		return
	}
	marks := make([]string, len(values))
	for i, v := range values {
		marks[i] = q.bind(string(v))
	}
	q.where(prefix + " IN (" + strings.Join(marks, ", ") + ")" + suffix)
}

func (q *purchaseQuery) clause() string {
	if len(q.conditions) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(q.conditions, " AND ")
}
