package usecases

import "time"

// UnassignEsimIccsInput is the input of unassign_esim_iccs.
type UnassignEsimIccsInput struct {
	// Start and End bound the last attempt of the purchases, [Start, End).
	// Both zero means yesterday in the business time zone.
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
}

// Kind returns the job's name on the queue.
func (UnassignEsimIccsInput) Kind() string { return "unassign_esim_iccs" }
