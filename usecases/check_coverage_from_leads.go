package usecases

// CheckCoverageFromLeadsInput is the input of check_coverage_from_leads_ids.
type CheckCoverageFromLeadsInput struct {
	// LeadIDs are the leads to check.
	LeadIDs []int64 `json:"lead_ids"`
}

// Kind returns the job's name on the queue.
func (CheckCoverageFromLeadsInput) Kind() string { return "check_coverage_from_leads_ids" }
