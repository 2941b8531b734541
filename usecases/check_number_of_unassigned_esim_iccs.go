package usecases

// CheckNumberOfUnassignedEsimIccsInput is the input of check_number_of_unassigned_esim_iccs.
type CheckNumberOfUnassignedEsimIccsInput struct {
	// Threshold is the stock below which the alert is sent.
	Threshold int `json:"threshold"`
	// Recipients receive the alert; empty means the configured ones.
	Recipients []string `json:"recipients,omitempty"`
}

// Kind returns the job's name on the queue.
func (CheckNumberOfUnassignedEsimIccsInput) Kind() string {
	return "check_number_of_unassigned_esim_iccs"
}
