package usecases

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// CheckSchedulesInput is the input of check_schedules.
type CheckSchedulesInput struct {
}

// Kind returns the job's name on the queue.
func (CheckSchedulesInput) Kind() string { return "check_schedules" }

// CheckSchedulesInterval is how often the job engine should run
// check_schedules. A slot fires at the first check at or after its instant,
// so this is also the most a slot is late in normal operation.
const CheckSchedulesInterval = time.Minute

// CheckSchedules fires the due slots of the enabled schedules: for each slot
// it enqueues run_schedule_action. Which slots are due, in each schedule's
// zone and across DST changes and outages, is decided by
// domain.Schedule.PlanSlots from the schedule's stored last check.
//
// Several schedulers may run at once, on one machine or many: each slot is
// claimed under a unique key in the transaction that enqueues its job, so
// it fires once.
type CheckSchedules struct {
	tx        ports.TxRunner
	schedules ports.ScheduleStore
	queue     ports.JobQueue
	clock     ports.Clock
	logger    *slog.Logger
}

// NewCheckSchedules builds the use case. A nil logger discards.
func NewCheckSchedules(tx ports.TxRunner, schedules ports.ScheduleStore, queue ports.JobQueue,
	clock ports.Clock, logger *slog.Logger) (*CheckSchedules, error) {
	switch {
	case tx == nil:
		return nil, errors.New("check schedules: TxRunner is nil")
	case schedules == nil:
		return nil, errors.New("check schedules: ScheduleStore is nil")
	case queue == nil:
		return nil, errors.New("check schedules: JobQueue is nil")
	case clock == nil:
		return nil, errors.New("check schedules: Clock is nil")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &CheckSchedules{tx: tx, schedules: schedules, queue: queue, clock: clock, logger: logger}, nil
}

// CheckSchedulesResult counts what one check did.
type CheckSchedulesResult struct {
	// Checked counts the enabled schedules checked without error.
	Checked int `json:"checked"`
	// Fired counts the slots this check claimed and enqueued.
	Fired int `json:"fired"`
	// AlreadyFired counts due slots that another scheduler had claimed.
	AlreadyFired int `json:"already_fired"`
	// Skipped counts due slots that did not fire: missed by more than the
	// grace period, or superseded by a newer slot.
	Skipped int `json:"skipped"`
	// Failed counts the schedules whose check failed. Their last check is
	// not moved, so the next check tries their slots again.
	Failed int `json:"failed"`
}

// Handle checks every enabled schedule once. A schedule whose check fails
// is logged and counted, the others go on, and Handle then returns the
// errors joined.
func (h *CheckSchedules) Handle(ctx context.Context, _ CheckSchedulesInput) (CheckSchedulesResult, error) {
	now := h.clock.Now().UTC()
	schedules, err := h.schedules.ListEnabledSchedules(ctx)
	if err != nil {
		return CheckSchedulesResult{}, fmt.Errorf("check schedules: %w", err)
	}

	var res CheckSchedulesResult
	var errs []error
	var handled []int64
	for _, sc := range schedules {
		due, err := h.checkSchedule(ctx, sc, now, &res)
		if err != nil {
			res.Failed++
			errs = append(errs, err)
			h.logger.ErrorContext(ctx, "schedule check failed", "schedule_id", sc.ID, "schedule", sc.Name, "error", err)
			continue
		}
		res.Checked++
		if due {
			handled = append(handled, sc.ID)
		}
	}

	// Only schedules that had due slots get a new last check. For the
	// others the window (last check, now] held no slot, so the next check
	// may start from the old last check and find the same slots. This saves
	// an update of every enabled schedule every minute, and the window
	// stays short because every schedule has a slot at least once a day.
	if err := h.schedules.RecordScheduleChecks(ctx, now, handled...); err != nil {
		// The slots fired so far stay claimed, so the next check does not
		// fire them again.
		errs = append(errs, fmt.Errorf("check schedules: %w", err))
	}

	h.logger.InfoContext(ctx, "schedules checked", "checked", res.Checked, "fired", res.Fired,
		"already_fired", res.AlreadyFired, "skipped", res.Skipped, "failed", res.Failed)
	return res, errors.Join(errs...)
}

// checkSchedule fires the due slot of one schedule, if any, and logs the
// slots it skips. It reports whether any slot was due.
func (h *CheckSchedules) checkSchedule(ctx context.Context, sc domain.Schedule, now time.Time, res *CheckSchedulesResult) (bool, error) {
	since := sc.CreatedAt
	if sc.LastCheckedAt != nil {
		since = *sc.LastCheckedAt
	}
	plan, err := sc.PlanSlots(since, now)
	if err != nil {
		return false, fmt.Errorf("schedule %d (%s): %w", sc.ID, sc.Name, err)
	}
	h.logSkipped(ctx, sc, plan)
	res.Skipped += len(plan.Skipped)

	for _, slot := range plan.Fire {
		claimed, err := h.fireSlot(ctx, sc, slot, now)
		if err != nil {
			return false, fmt.Errorf("schedule %d (%s): slot %s: %w", sc.ID, sc.Name, slot.Nominal(), err)
		}
		if !claimed {
			res.AlreadyFired++
			continue
		}
		res.Fired++
		h.logger.InfoContext(ctx, "schedule slot fired", "schedule_id", sc.ID, "schedule", sc.Name,
			"slot", slot.Nominal(), "slot_at", slot.At, "shift", string(slot.Shift), "late_by", now.Sub(slot.At).String())
	}
	return len(plan.Fire)+len(plan.Skipped) > 0, nil
}

// fireSlot claims the slot and enqueues run_schedule_action in one
// transaction. It returns false when another scheduler claimed it first.
func (h *CheckSchedules) fireSlot(ctx context.Context, sc domain.Schedule, slot domain.Slot, now time.Time) (bool, error) {
	var claimed bool
	err := h.tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		claimed, err = h.schedules.ClaimScheduleSlot(ctx, sc.ID, slot, now)
		if err != nil || !claimed {
			return err
		}
		_, err = h.queue.Enqueue(ctx, RunScheduleActionInput{ScheduleID: sc.ID, Slot: slot.At}, ports.EnqueueOptions{})
		if err != nil {
			return fmt.Errorf("enqueue run_schedule_action: %w", err)
		}
		return nil
	})
	return claimed && err == nil, err
}

// logSkipped writes one warning per schedule for the slots that did not
// fire, instead of one per slot, because an outage of days may skip many.
func (h *CheckSchedules) logSkipped(ctx context.Context, sc domain.Schedule, plan domain.SlotPlan) {
	if len(plan.Skipped) == 0 && !plan.Truncated {
		return
	}
	late, superseded := 0, 0
	for _, s := range plan.Skipped {
		if s.Reason == domain.SkipLate {
			late++
		} else {
			superseded++
		}
	}
	attrs := []any{"schedule_id", sc.ID, "schedule", sc.Name, "skipped", len(plan.Skipped),
		"older_than_grace_period", late, "superseded", superseded, "grace_period", sc.GracePeriod.String()}
	if len(plan.Skipped) > 0 {
		attrs = append(attrs, "first_skipped", plan.Skipped[0].Nominal(), "last_skipped", plan.Skipped[len(plan.Skipped)-1].Nominal())
	}
	if plan.Truncated {
		attrs = append(attrs, "not_counted_before", domain.MaxSlotLookback.String()+" ago")
	}
	h.logger.WarnContext(ctx, "schedule slots skipped", attrs...)
}

// HandleJob runs Handle for the job engine.
func (h *CheckSchedules) HandleJob(ctx context.Context, in CheckSchedulesInput) error {
	_, err := h.Handle(ctx, in)
	return err
}
