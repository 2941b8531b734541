package usecases

// SendDailyValidationReportInput is the input of send_daily_validation_report.
type SendDailyValidationReportInput struct {
	// Emails are the recipients of the report.
	Emails []string `json:"emails"`
}

// Kind returns the job's name on the queue.
func (SendDailyValidationReportInput) Kind() string { return "send_daily_validation_report" }
