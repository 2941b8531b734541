package usecases

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// SaveScheduleInput creates or updates a schedule. Its JSON form is the
// format of a schedules file, such as testdata/schedules/schedules.json.
type SaveScheduleInput struct {
	// ID names the schedule to update. Zero creates a new schedule.
	ID int64 `json:"id,omitempty"`
	// Name is unique among schedules.
	Name string `json:"name"`
	// Enabled switches the schedule on. It is false when omitted, so a
	// schedule is saved switched off unless the input sets it.
	Enabled bool `json:"enabled"`
	// Times are local times of day, "HH:MM", such as ["07:00", "19:30"].
	Times []string `json:"times"`
	// TimeZone is an IANA zone name. Empty means Europe/Madrid.
	TimeZone string `json:"time_zone,omitempty"`
	// Action names a registered action, such as "generic".
	Action string `json:"action"`
	// Parameters configure the action, a JSON object.
	Parameters json.RawMessage `json:"parameters,omitempty"`
	// GracePeriodMinutes is how many minutes late a missed slot may still
	// fire, from 1 to 1440. Zero means 60.
	GracePeriodMinutes int `json:"grace_period_minutes,omitempty"`
}

// SaveScheduleResult identifies the saved schedule.
type SaveScheduleResult struct {
	ScheduleID int64  `json:"schedule_id"`
	Name       string `json:"name"`
	Created    bool   `json:"created"`
}

// SaveSchedule validates and stores a schedule: its times, its zone, its
// action (which must be registered) and the action's parameters (which the
// action's factory checks).
type SaveSchedule struct {
	tx        ports.TxRunner
	schedules ports.ScheduleStore
	registry  *ActionRegistry
	clock     ports.Clock
	logger    *slog.Logger
}

// NewSaveSchedule builds the use case. A nil logger discards.
func NewSaveSchedule(tx ports.TxRunner, schedules ports.ScheduleStore, registry *ActionRegistry,
	clock ports.Clock, logger *slog.Logger) (*SaveSchedule, error) {
	switch {
	case tx == nil:
		return nil, errors.New("save schedule: TxRunner is nil")
	case schedules == nil:
		return nil, errors.New("save schedule: ScheduleStore is nil")
	case registry == nil:
		return nil, errors.New("save schedule: ActionRegistry is nil")
	case clock == nil:
		return nil, errors.New("save schedule: Clock is nil")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &SaveSchedule{tx: tx, schedules: schedules, registry: registry, clock: clock, logger: logger}, nil
}

// Handle validates the input and creates or updates the schedule. An
// invalid input is a *domain.ValidationError whose Field is the input's JSON
// name (times[1], time_zone, action, parameters.statuses, ...), and nothing
// is written. A taken name is domain.ErrConflict and an unknown ID
// domain.ErrNotFound.
//
// A saved schedule counts as checked at the time of saving, so its slots
// before then never fire. Without that, a schedule switched on after
// days, or given an earlier time, would fire a slot of the new
// configuration that passed within the grace period.
func (h *SaveSchedule) Handle(ctx context.Context, in SaveScheduleInput) (SaveScheduleResult, error) {
	sc, err := h.scheduleFromInput(in)
	if err != nil {
		return SaveScheduleResult{}, err
	}

	now := h.clock.Now().UTC()
	var res SaveScheduleResult
	err = h.tx.InTx(ctx, func(ctx context.Context) error {
		if in.ID == 0 {
			sc.CreatedAt, sc.UpdatedAt, sc.LastCheckedAt = now, now, &now
			created, err := h.schedules.CreateSchedule(ctx, sc)
			if err != nil {
				return fmt.Errorf("save schedule %q: %w", sc.Name, err)
			}
			res = SaveScheduleResult{ScheduleID: created.ID, Name: created.Name, Created: true}
			return nil
		}

		sc.ID, sc.UpdatedAt = in.ID, now
		updated, err := h.schedules.UpdateSchedule(ctx, sc)
		if err != nil {
			return fmt.Errorf("save schedule %q: %w", sc.Name, err)
		}
		if err := h.schedules.RecordScheduleChecks(ctx, now, updated.ID); err != nil {
			return fmt.Errorf("save schedule %q: %w", sc.Name, err)
		}
		res = SaveScheduleResult{ScheduleID: updated.ID, Name: updated.Name}
		return nil
	})
	if err != nil {
		return SaveScheduleResult{}, err
	}

	h.logger.InfoContext(ctx, "schedule saved", "schedule_id", res.ScheduleID, "schedule", res.Name,
		"created", res.Created, "enabled", sc.Enabled, "action", sc.Action)
	return res, nil
}

func (h *SaveSchedule) scheduleFromInput(in SaveScheduleInput) (domain.Schedule, error) {
	if in.ID < 0 {
		return domain.Schedule{}, domain.Invalid("id", fmt.Sprint(in.ID), "must be a schedule id, or 0 to create one")
	}
	times, err := domain.ParseClockTimes(in.Times)
	if err != nil {
		return domain.Schedule{}, err
	}
	maxMinutes := int(domain.MaxGracePeriod / time.Minute)
	if in.GracePeriodMinutes < 0 || in.GracePeriodMinutes > maxMinutes {
		return domain.Schedule{}, domain.Invalid("grace_period_minutes", fmt.Sprint(in.GracePeriodMinutes),
			fmt.Sprintf("must be between 1 and %d, or 0 for %d", maxMinutes, int(domain.DefaultGracePeriod/time.Minute)))
	}

	sc := domain.Schedule{
		Name:        in.Name,
		Enabled:     in.Enabled,
		Times:       times,
		TimeZone:    in.TimeZone,
		Action:      in.Action,
		Parameters:  in.Parameters,
		GracePeriod: time.Duration(in.GracePeriodMinutes) * time.Minute,
	}
	if err := sc.Validate(); err != nil {
		return domain.Schedule{}, err
	}
	sc = sc.WithDefaults()

	if _, err := h.registry.Build(sc.Action, sc.Parameters); err != nil {
		return domain.Schedule{}, err
	}
	return sc, nil
}
