package usecases

// AssignPromotionCodesInput is the input of assign_promotion_codes.
type AssignPromotionCodesInput struct {
	// FileKey is the blob-store key of the CSV file of documents.
	FileKey string `json:"file_key"`
	// UserID is the back-office user recorded in the audit trail.
	UserID string `json:"user_id"`
}

// Kind returns the job's name on the queue.
func (AssignPromotionCodesInput) Kind() string { return "assign_promotion_codes" }
