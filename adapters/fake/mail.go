package fake

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

var _ ports.Mailer = (*Mailer)(nil)

// ErrTransient is the error the fakes return when set to fail transiently.
var ErrTransient = errors.New("fake: transient failure")

// ErrRejected is wrapped with domain.Permanent when the fakes are set to
// fail permanently.
var ErrRejected = errors.New("fake: rejected")

// Failure is the way a fake's next sends fail.
type Failure int

// Failure modes.
const (
	// Succeed sends normally.
	Succeed Failure = iota
	// FailTransient returns ErrTransient, a failure that may be retried.
	FailTransient
	// FailPermanent returns ErrRejected wrapped with domain.Permanent.
	FailPermanent
)

func (f Failure) err(what string) error {
	switch f {
	case FailTransient:
		return fmt.Errorf("%s: %w", what, ErrTransient)
	case FailPermanent:
		return domain.Permanent(fmt.Errorf("%s: %w", what, ErrRejected))
	}
	return nil
}

// failures is a queue of failure modes shared by the fakes: each send takes
// the next one, and once the queue is empty the standing mode applies.
type failures struct {
	queue    []Failure
	standing Failure
}

func (f *failures) next() Failure {
	if len(f.queue) > 0 {
		m := f.queue[0]
		f.queue = f.queue[1:]
		return m
	}
	return f.standing
}

// Mailer is a ports.Mailer that records the messages it sends.
type Mailer struct {
	mu       sync.Mutex
	sent     []ports.MailMessage
	attempts int
	fail     failures
}

// FailNext makes the next sends fail in the given modes, one per send, in
// order; the sends after them succeed again.
func (m *Mailer) FailNext(modes ...Failure) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fail.queue = append(m.fail.queue, modes...)
}

// FailAlways makes every send fail in that mode until Succeed restores
// normal sending.
func (m *Mailer) FailAlways(mode Failure) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fail.standing = mode
}

// SendMail implements ports.Mailer. A message without a recipient is a
// permanent error, as it would be on a real server.
func (m *Mailer) SendMail(_ context.Context, msg ports.MailMessage) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.attempts++
	if len(msg.To) == 0 {
		return domain.Permanent(errors.New("fake mailer: message has no recipient"))
	}
	if err := m.fail.next().err("fake mailer: send to " + msg.To[0]); err != nil {
		return err
	}
	m.sent = append(m.sent, msg)
	return nil
}

// Sent returns a copy of the messages sent, oldest first.
func (m *Mailer) Sent() []ports.MailMessage {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]ports.MailMessage(nil), m.sent...)
}

// Attempts returns how many sends were tried, failed ones included.
func (m *Mailer) Attempts() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.attempts
}
