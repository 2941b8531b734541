package usecases

import "time"

// RunScheduleActionInput is the input of run_schedule_action.
type RunScheduleActionInput struct {
	ScheduleID int64 `json:"schedule_id"`
	// Slot is the scheduled instant this run belongs to, in UTC.
	Slot time.Time `json:"slot,omitzero"`
}

// Kind returns the job's name on the queue.
func (RunScheduleActionInput) Kind() string { return "run_schedule_action" }
