package usecases

// SendAsyncEmailInput is the input of send_async_email.
type SendAsyncEmailInput struct {
	NotificationID int64 `json:"notification_id"`
}

// Kind returns the job's name on the queue.
func (SendAsyncEmailInput) Kind() string { return "send_async_email" }
