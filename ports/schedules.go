package ports

import (
	"context"
	"time"

	"github.com/telcojobs/telcojobs/domain"
)

// ScheduleStore keeps the schedules of the scheduler and the slots it has
// fired.
type ScheduleStore interface {
	// CreateSchedule stores a new schedule and returns it with its id. A
	// taken name is domain.ErrConflict.
	CreateSchedule(ctx context.Context, s domain.Schedule) (domain.Schedule, error)
	// UpdateSchedule replaces the name, enabled flag, times, zone, action,
	// parameters, grace period and update time of the schedule with s.ID.
	// ExecutedAt and LastCheckedAt are left as stored. A missing id is
	// domain.ErrNotFound, a name taken by another schedule
	// domain.ErrConflict.
	UpdateSchedule(ctx context.Context, s domain.Schedule) (domain.Schedule, error)
	// Schedule returns one schedule or domain.ErrNotFound.
	Schedule(ctx context.Context, id int64) (domain.Schedule, error)
	// ScheduleByName returns the schedule with that name or
	// domain.ErrNotFound.
	ScheduleByName(ctx context.Context, name string) (domain.Schedule, error)
	// ListEnabledSchedules returns every enabled schedule, ordered by id.
	ListEnabledSchedules(ctx context.Context) ([]domain.Schedule, error)
	// RecordScheduleChecks sets the last check of the given schedules to at,
	// unless a schedule's stored last check is already later, so that a
	// slow scheduler never moves it back. Unknown ids are ignored.
	RecordScheduleChecks(ctx context.Context, at time.Time, ids ...int64) error
	// RecordScheduleExecuted sets the schedule's executed time to at. A
	// missing id is domain.ErrNotFound.
	RecordScheduleExecuted(ctx context.Context, id int64, at time.Time) error
	// ClaimScheduleSlot records that the slot of the schedule fires, under
	// a unique (schedule, slot instant) key, and reports whether this call
	// recorded it. Of concurrent callers with the same key exactly one gets
	// true, once its transaction commits. Called inside a transaction
	// (see TxRunner), the claim commits or rolls back with it, so the caller
	// enqueues the slot's job in the same transaction. A missing schedule is
	// domain.ErrNotFound.
	ClaimScheduleSlot(ctx context.Context, scheduleID int64, slot domain.Slot, claimedAt time.Time) (bool, error)
}
