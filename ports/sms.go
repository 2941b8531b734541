package ports

import "context"

// SMSMessage is one text message to send.
type SMSMessage struct {
	// To is the recipient in E.164 form, such as +34600111222.
	To   string
	Text string
	// Sender is the alphanumeric sender id or number shown to the
	// recipient. Empty means the gateway's default.
	Sender string
	// Reference is our id of the message, such as "notification-42". The
	// gateway may use it to drop a repeated request.
	Reference string
}

// SMSGateway sends SMS. An error that retrying cannot fix (the gateway
// rejected the request with a 4xx status other than 429) is wrapped with
// domain.Permanent; any other error is transient.
type SMSGateway interface {
	// SendSMS sends one message and returns the gateway's id of it.
	SendSMS(ctx context.Context, msg SMSMessage) (string, error)
}
