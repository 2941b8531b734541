// Package smshttp sends SMS through an HTTP gateway with resty
// (github.com/go-resty/resty/v2). The gateway contract is:
//
//	POST {BaseURL}/messages
//	Authorization: Bearer {Token}
//	{"to": "+34600111222", "text": "...", "sender": "Telco", "reference": "notification-42"}
//
//	202 Accepted
//	{"id": "gateway-message-id"}
//
// A 4xx status other than 429 is a permanent failure (wrapped with
// domain.Permanent). A 429 or 5xx status, a network error and a timeout
// are transient: the adapter retries them itself with exponential backoff,
// waiting as long as a Retry-After header requests (in seconds or as an HTTP date) up
// to a cap, and returns a transient error when the retries are used up. A
// response that is not the expected JSON is an error too, transient and not
// retried in place, since the gateway may have taken the message. Every
// request carries the same reference, so a gateway that deduplicates on it
// sends a retried message once.
package smshttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/google/wire"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// ProviderSet builds a Gateway from a Config.
var ProviderSet = wire.NewSet(New, wire.Bind(new(ports.SMSGateway), new(*Gateway)))

var _ ports.SMSGateway = (*Gateway)(nil)

// Config configures the gateway client.
type Config struct {
	// BaseURL is the gateway's address, such as https://sms.example.com/v1.
	// Required.
	BaseURL string
	// Token is sent as a bearer token. Empty sends no Authorization
	// header. It is never logged.
	Token string
	// DefaultSender is the sender id of messages that do not set one.
	// Default empty, which leaves the gateway's own.
	DefaultSender string
	// Timeout bounds each request. Default 10s.
	Timeout time.Duration
	// MaxRetries is how many times a transient failure is retried in place
	// before SendSMS returns it. Default 2; a negative value means none.
	MaxRetries int
	// RetryWait is the wait before the first retry; it doubles for each
	// following one. Default 500ms.
	RetryWait time.Duration
	// MaxRetryWait caps any wait, Retry-After included. A Retry-After
	// longer than this ends the retries in place, and the error returned
	// carries it (see [StatusError]). Default 30s.
	MaxRetryWait time.Duration
	// HTTPClient is the client resty uses. Default: a new http.Client.
	HTTPClient *http.Client
	// Logger receives retries. Default: discard.
	Logger *slog.Logger
}

// WithDefaults returns a copy with the defaults filled in.
func (c Config) WithDefaults() Config {
	if c.Timeout == 0 {
		c.Timeout = 10 * time.Second
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = 2
	}
	if c.MaxRetries < 0 {
		c.MaxRetries = 0
	}
	if c.RetryWait == 0 {
		c.RetryWait = 500 * time.Millisecond
	}
	if c.MaxRetryWait == 0 {
		c.MaxRetryWait = 30 * time.Second
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	u, err := url.Parse(c.BaseURL)
	switch {
	case strings.TrimSpace(c.BaseURL) == "":
		return errors.New("smshttp config: BaseURL is required, for example https://sms.example.com/v1")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("smshttp config: BaseURL %q must be an http or https URL", c.BaseURL)
	case c.Timeout < 0:
		return fmt.Errorf("smshttp config: Timeout %s must not be negative", c.Timeout)
	case c.RetryWait < 0:
		return fmt.Errorf("smshttp config: RetryWait %s must not be negative", c.RetryWait)
	case c.MaxRetryWait < c.RetryWait:
		return fmt.Errorf("smshttp config: MaxRetryWait %s must not be shorter than RetryWait %s", c.MaxRetryWait, c.RetryWait)
	}
	return nil
}

// StatusError is a response with a status other than 2xx.
type StatusError struct {
	Status int
	// Body is the start of the response body, for the log.
	Body string
	// RetryAfter is the wait the gateway asked for, zero when it did not.
	RetryAfter time.Duration
}

// Error names the status and the body.
func (e *StatusError) Error() string {
	msg := fmt.Sprintf("SMS gateway responded %d %s", e.Status, http.StatusText(e.Status))
	if e.Body != "" {
		msg += ": " + e.Body
	}
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return msg
}

// Gateway implements ports.SMSGateway. It is safe for concurrent use.
type Gateway struct {
	cfg    Config
	client *resty.Client
	now    func() time.Time
}

// New builds a Gateway.
func New(cfg Config) (*Gateway, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	client := resty.NewWithClient(cfg.HTTPClient).
		SetBaseURL(strings.TrimSuffix(cfg.BaseURL, "/")).
		SetTimeout(cfg.Timeout).
		SetHeader("Accept", "application/json")
	if cfg.Token != "" {
		client.SetAuthToken(cfg.Token)
	}
	return &Gateway{cfg: cfg, client: client, now: time.Now}, nil
}

type sendRequest struct {
	To        string `json:"to"`
	Text      string `json:"text"`
	Sender    string `json:"sender,omitempty"`
	Reference string `json:"reference"`
}

type sendResponse struct {
	ID string `json:"id"`
}

// errRetryable marks a failure that SendSMS may retry in place.
var errRetryable = errors.New("retryable")

// SendSMS implements ports.SMSGateway.
func (g *Gateway) SendSMS(ctx context.Context, msg ports.SMSMessage) (string, error) {
	if msg.Sender == "" {
		msg.Sender = g.cfg.DefaultSender
	}
	body := sendRequest{To: msg.To, Text: msg.Text, Sender: msg.Sender, Reference: msg.Reference}

	wait := g.cfg.RetryWait
	for attempt := 0; ; attempt++ {
		id, retryAfter, err := g.post(ctx, body)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, errRetryable) || attempt >= g.cfg.MaxRetries {
			return "", unmark(err)
		}

		delay := wait
		if retryAfter > 0 {
			delay = retryAfter
		}
		if delay > g.cfg.MaxRetryWait {
			return "", unmark(err)
		}
		g.cfg.Logger.WarnContext(ctx, "SMS gateway failed, retrying", "reference", msg.Reference,
			"attempt", attempt+1, "wait", delay, "error", unmark(err))

		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return "", fmt.Errorf("smshttp: send %s: %w (after: %w)", msg.Reference, ctx.Err(), unmark(err))
		case <-timer.C:
		}
		wait = min(2*wait, g.cfg.MaxRetryWait)
	}
}

// post makes one request. A failure worth retrying in place is marked with
// errRetryable; a permanent one is wrapped with domain.Permanent.
func (g *Gateway) post(ctx context.Context, body sendRequest) (string, time.Duration, error) {
	reqCtx, cancel := context.WithTimeout(ctx, g.cfg.Timeout)
	defer cancel()

	resp, err := g.client.R().SetContext(reqCtx).
		SetHeader("Content-Type", "application/json").
		SetBody(body).
		Post("/messages")
	if err != nil {
		return "", 0, mark(fmt.Errorf("smshttp: send %s: %w", body.Reference, err))
	}

	status := resp.StatusCode()
	if status < 200 || status > 299 {
		se := &StatusError{Status: status, Body: snippet(resp.Body())}
		if d, ok := ParseRetryAfter(resp.Header().Get("Retry-After"), g.now()); ok {
			se.RetryAfter = d
		}
		err := fmt.Errorf("smshttp: send %s: %w", body.Reference, se)
		if status == http.StatusTooManyRequests || status >= 500 {
			return "", se.RetryAfter, mark(err)
		}
		return "", 0, domain.Permanent(err)
	}

	var out sendResponse
	if err := json.Unmarshal(resp.Body(), &out); err != nil {
		return "", 0, fmt.Errorf("smshttp: send %s: gateway responded %d with a body that is not the expected JSON {\"id\": ...}: %q",
			body.Reference, status, snippet(resp.Body()))
	}
	if strings.TrimSpace(out.ID) == "" {
		return "", 0, fmt.Errorf("smshttp: send %s: gateway responded %d without a message id: %q",
			body.Reference, status, snippet(resp.Body()))
	}
	return out.ID, 0, nil
}

// ParseRetryAfter reads a Retry-After header value: a number of seconds or
// an HTTP date, which is turned into the wait from now. A date in the past
// gives 0. It returns false for an empty or unreadable value.
func ParseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(value, 10, 64); err == nil {
		if secs < 0 || secs > int64(365*24*time.Hour/time.Second) {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	at, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	return max(at.Sub(now), 0), true
}

type retryable struct{ err error }

func (r *retryable) Error() string        { return r.err.Error() }
func (r *retryable) Unwrap() error        { return r.err }
func (r *retryable) Is(target error) bool { return target == errRetryable }

func mark(err error) error { return &retryable{err: err} }

func unmark(err error) error {
	var r *retryable
	if errors.As(err, &r) {
		return r.err
	}
	return err
}

// snippet keeps the log readable when a gateway responds with a whole page.
func snippet(b []byte) string {
	const limit = 200
	s := strings.TrimSpace(string(b))
	if len(s) > limit {
		return s[:limit] + "..."
	}
	return s
}
