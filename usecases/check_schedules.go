package usecases

// CheckSchedulesInput is the input of check_schedules.
type CheckSchedulesInput struct {
}

// Kind returns the job's name on the queue.
func (CheckSchedulesInput) Kind() string { return "check_schedules" }
