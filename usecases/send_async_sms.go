package usecases

// SendAsyncSMSInput is the input of send_async_sms.
type SendAsyncSMSInput struct {
	NotificationID int64 `json:"notification_id"`
}

// Kind returns the job's name on the queue.
func (SendAsyncSMSInput) Kind() string { return "send_async_sms" }
