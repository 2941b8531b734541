package usecases

// DeleteUsedIccsInput is the input of delete_used_iccs.
type DeleteUsedIccsInput struct {
	// DaysOld is the minimum age in days of the purchases; 0 means 60.
	DaysOld int `json:"days_old,omitempty"`
}

// Kind returns the job's name on the queue.
func (DeleteUsedIccsInput) Kind() string { return "delete_used_iccs" }
