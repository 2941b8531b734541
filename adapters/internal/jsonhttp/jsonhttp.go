// Package jsonhttp is the HTTP client that the vendor adapters share. It is
// a resty client with a base URL, a bearer token and a timeout on every
// attempt. It retries 5xx, 429 and network errors only, with capped
// exponential backoff, and honours Retry-After in its seconds and HTTP-date
// forms. Responses must be JSON. The token is sent in the Authorization
// header and never logged.
package jsonhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/telcojobs/telcojobs/domain"
)

// Config configures a Client. The adapters fill it from their own Config
// after applying their defaults, so every field here is already set.
type Config struct {
	// Vendor names the API in logs and errors, such as "orion".
	Vendor        string
	BaseURL       string
	Token         string
	Timeout       time.Duration
	MaxRetries    int
	RetryWait     time.Duration
	MaxRetryWait  time.Duration
	MaxRetryAfter time.Duration
	MaxBodyBytes  int64
	MaxConns      int
	Logger        *slog.Logger
	// Transport replaces the HTTP transport when set, for tests.
	Transport http.RoundTripper
}

// ErrBadResponse is matched by every error about a response that is not the
// expected JSON: a wrong content type, a body that does not decode, or one
// that fails the adapter's checks. Retrying does not fix it.
var ErrBadResponse = errors.New("unexpected response")

// StatusError is a response whose status is not 2xx, after any retries.
// A 404 matches domain.ErrNotFound.
type StatusError struct {
	Vendor     string
	Method     string
	Path       string
	StatusCode int
	// Body is the start of the response body, for the log.
	Body string
}

// Error formats the request and the status.
func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s %s %s: status %d %s", e.Vendor, e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// Is makes a 404 match domain.ErrNotFound.
func (e *StatusError) Is(target error) bool {
	return target == domain.ErrNotFound && e.StatusCode == http.StatusNotFound
}

// Transient reports whether the status is one that a later attempt may not
// get: 5xx or 429.
func (e *StatusError) Transient() bool { return retryableStatus(e.StatusCode) }

// Client sends JSON requests to one vendor API.
type Client struct {
	rc     *resty.Client
	cfg    Config
	logger *slog.Logger
}

// New builds a client.
func New(cfg Config) (*Client, error) {
	if _, err := url.ParseRequestURI(cfg.BaseURL); err != nil || cfg.BaseURL == "" {
		return nil, fmt.Errorf("%s: base URL %q is not an absolute URL", cfg.Vendor, cfg.BaseURL)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("vendor", cfg.Vendor)

	transport := cfg.Transport
	if transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = cfg.MaxConns
		transport = t
	}

	c := &Client{cfg: cfg, logger: logger}
	rc := resty.NewWithClient(&http.Client{Transport: transport}).
		SetBaseURL(strings.TrimRight(cfg.BaseURL, "/")).
		SetTimeout(cfg.Timeout).
		SetLogger(restyLogger{logger}).
		SetHeader("Accept", "application/json").
		SetRetryCount(cfg.MaxRetries).
		SetRetryWaitTime(cfg.RetryWait).
		// resty caps every wait at RetryMaxWaitTime, Retry-After included,
		// so it gets the larger cap and retryAfter applies the right one.
		SetRetryMaxWaitTime(max(cfg.MaxRetryWait, cfg.MaxRetryAfter)).
		SetRetryAfter(c.retryAfter).
		AddRetryCondition(shouldRetry).
		AddRetryHook(c.logRetry).
		SetResponseBodyLimit(int(cfg.MaxBodyBytes))
	if cfg.Token != "" {
		rc.SetAuthToken(cfg.Token)
	}
	c.rc = rc
	return c, nil
}

// GetJSON sends GET path and decodes the JSON body into out. path must be
// escaped already. A non-2xx final status is a *StatusError; a body that is
// not JSON matches ErrBadResponse.
func (c *Client) GetJSON(ctx context.Context, path string, query url.Values, out any) error {
	req := c.rc.R().SetContext(ctx)
	if len(query) > 0 {
		req.SetQueryParamsFromValues(query)
	}
	resp, err := req.Get(path)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("%s GET %s: %w", c.cfg.Vendor, path, ctxErr)
		}
		return fmt.Errorf("%s GET %s failed after %d attempts: %w", c.cfg.Vendor, path, attempts(resp), err)
	}

	if !resp.IsSuccess() {
		return &StatusError{
			Vendor: c.cfg.Vendor, Method: http.MethodGet, Path: path,
			StatusCode: resp.StatusCode(), Body: snippet(resp.Body()),
		}
	}
	return c.decode(path, resp, out)
}

func (c *Client) decode(path string, resp *resty.Response, out any) error {
	contentType := resp.Header().Get("Content-Type")
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil || !(mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")) {
		return fmt.Errorf("%s GET %s: content type %q instead of application/json (body %q): %w",
			c.cfg.Vendor, path, contentType, snippet(resp.Body()), ErrBadResponse)
	}

	dec := json.NewDecoder(bytes.NewReader(resp.Body()))
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("%s GET %s: body is not valid JSON (%d bytes): %v: %w", c.cfg.Vendor, path, len(resp.Body()), err, ErrBadResponse)
	}
	if _, err := dec.Token(); err == nil {
		return fmt.Errorf("%s GET %s: body has data after the JSON value: %w", c.cfg.Vendor, path, ErrBadResponse)
	}
	return nil
}

// shouldRetry retries network errors (including per-attempt timeouts and
// bodies cut short), 5xx and 429. It never retries a body over the size
// limit. A cancelled or expired request context stops resty's retry loop
// before this is called.
func shouldRetry(resp *resty.Response, err error) bool {
	if err != nil {
		return !errors.Is(err, resty.ErrResponseBodyTooLarge)
	}
	return resp != nil && retryableStatus(resp.StatusCode())
}

func retryableStatus(code int) bool {
	return code == http.StatusTooManyRequests || code >= 500
}

// retryAfter returns the wait before the next attempt: the Retry-After of a
// 429 or 5xx response capped at MaxRetryAfter, or else a jittered
// exponential backoff from RetryWait capped at MaxRetryWait.
func (c *Client) retryAfter(_ *resty.Client, resp *resty.Response) (time.Duration, error) {
	if resp != nil && resp.RawResponse != nil {
		if d, ok := ParseRetryAfter(resp.Header().Get("Retry-After"), time.Now()); ok {
			return min(max(d, time.Millisecond), c.cfg.MaxRetryAfter), nil
		}
	}
	attempt := 1
	if resp != nil && resp.Request != nil {
		attempt = max(resp.Request.Attempt, 1)
	}
	return Backoff(c.cfg.RetryWait, c.cfg.MaxRetryWait, attempt), nil
}

// Backoff returns the wait after the given failed attempt (from 1): a random
// duration between half and all of wait·2^(attempt-1), capped at maxWait.
func Backoff(wait, maxWait time.Duration, attempt int) time.Duration {
	d := wait
	for i := 1; i < attempt && d < maxWait; i++ {
		d *= 2
	}
	d = min(d, maxWait)
	if d <= 1 {
		return max(d, time.Millisecond)
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// ParseRetryAfter reads a Retry-After value in either form that RFC 9110
// allows: a number of seconds or an HTTP date. It returns false for an
// empty or unreadable value. A date in the past gives zero.
func ParseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(value, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		// Values beyond a day are capped later; this keeps the
		// multiplication from overflowing.
		return time.Duration(min(secs, 86400)) * time.Second, true
	}
	at, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	return max(at.Sub(now), 0), true
}

func (c *Client) logRetry(resp *resty.Response, err error) {
	attrs := []any{"attempt", attempts(resp)}
	if resp != nil && resp.Request != nil {
		attrs = append(attrs, "method", resp.Request.Method, "path", requestPath(resp.Request))
	}
	if err != nil {
		attrs = append(attrs, "error", err)
	} else if resp != nil {
		attrs = append(attrs, "status", resp.StatusCode())
	}
	ctx := context.Background()
	if resp != nil && resp.Request != nil {
		ctx = resp.Request.Context()
	}
	c.logger.WarnContext(ctx, "vendor request failed; retrying if attempts remain", attrs...)
}

func attempts(resp *resty.Response) int {
	if resp == nil || resp.Request == nil {
		return 1
	}
	return resp.Request.Attempt
}

func requestPath(r *resty.Request) string {
	if r.RawRequest != nil && r.RawRequest.URL != nil {
		return r.RawRequest.URL.RequestURI()
	}
	return r.URL
}

// snippet returns the start of a body for an error message.
func snippet(body []byte) string {
	const limit = 200
	s := strings.TrimSpace(string(body))
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return s
}

// restyLogger sends resty's own messages to slog at debug level, since the
// retry hook already logs each retry as a warning.
type restyLogger struct{ l *slog.Logger }

func (r restyLogger) Errorf(format string, v ...any) { r.l.Debug(fmt.Sprintf(format, v...)) }
func (r restyLogger) Warnf(format string, v ...any)  { r.l.Debug(fmt.Sprintf(format, v...)) }
func (r restyLogger) Debugf(format string, v ...any) { r.l.Debug(fmt.Sprintf(format, v...)) }
