package fake

import (
	"context"
	"fmt"
	"sync"

	"github.com/telcojobs/telcojobs/ports"
)

var _ ports.SMSGateway = (*SMSGateway)(nil)

// SMSGateway is a ports.SMSGateway that records the messages it sends and
// gives them the ids sms-1, sms-2 and so on.
type SMSGateway struct {
	mu       sync.Mutex
	sent     []ports.SMSMessage
	attempts int
	fail     failures
}

// FailNext makes the next sends fail in the given modes, one per send, in
// order; the sends after them succeed again.
func (g *SMSGateway) FailNext(modes ...Failure) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.fail.queue = append(g.fail.queue, modes...)
}

// FailAlways makes every send fail in that mode until Succeed restores
// normal sending.
func (g *SMSGateway) FailAlways(mode Failure) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.fail.standing = mode
}

// SendSMS implements ports.SMSGateway.
func (g *SMSGateway) SendSMS(_ context.Context, msg ports.SMSMessage) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.attempts++
	if err := g.fail.next().err("fake SMS gateway: send to " + msg.To); err != nil {
		return "", err
	}
	g.sent = append(g.sent, msg)
	return fmt.Sprintf("sms-%d", len(g.sent)), nil
}

// Sent returns a copy of the messages sent, oldest first.
func (g *SMSGateway) Sent() []ports.SMSMessage {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]ports.SMSMessage(nil), g.sent...)
}

// Attempts returns how many sends were tried, failed ones included.
func (g *SMSGateway) Attempts() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.attempts
}
