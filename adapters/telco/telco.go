// Package telco is the adapter of the fibre coverage API (Telco), on resty.
// It implements ports.CoverageChecker:
//
//	GET /coverage/{address_code}  {"coverage":bool,"technology":"FTTH","max_speed_mbps":N}
//
// A 404 means the API does not know the address (domain.ErrNotFound). Every
// attempt has a timeout. 5xx, 429 and network errors are retried with
// backoff, honouring Retry-After up to a cap. A response that is not the
// expected JSON is an error matching [ErrBadResponse]. A failure concerns
// one address only.
package telco

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/wire"
	"github.com/telcojobs/telcojobs/adapters/internal/jsonhttp"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// ProviderSet provides the Telco client as ports.CoverageChecker. The host
// provides Config and *slog.Logger.
var ProviderSet = wire.NewSet(NewClient, wire.Bind(new(ports.CoverageChecker), new(*Client)))

var _ ports.CoverageChecker = (*Client)(nil)

// ErrBadResponse is matched by errors about a response that is not the
// expected JSON: a wrong content type (such as an HTML error page sent with
// status 200), a truncated or malformed body, or missing fields.
var ErrBadResponse = jsonhttp.ErrBadResponse

// Config configures the Telco client.
type Config struct {
	// BaseURL is the API root, such as https://telco.example.com/api.
	// Required.
	BaseURL string
	// Token is sent as "Authorization: Bearer <Token>". It is never logged.
	// Empty sends no Authorization header.
	Token string
	// Timeout bounds each attempt, from connecting to reading the whole
	// body. Default 10s.
	Timeout time.Duration
	// MaxRetries is the number of retries after the first attempt, for 5xx,
	// 429 and network errors only. Default 3; -1 disables retries.
	MaxRetries int
	// RetryWait is the first backoff; it doubles on each retry, with
	// jitter. Default 200ms.
	RetryWait time.Duration
	// MaxRetryWait caps the backoff. Default 5s.
	MaxRetryWait time.Duration
	// MaxRetryAfter caps the wait that a Retry-After header requests, in
	// either its seconds or its HTTP-date form. Default 30s.
	MaxRetryAfter time.Duration
	// MaxBodyBytes rejects larger responses. Default 8 MiB.
	MaxBodyBytes int64
	// MaxConns is the number of idle connections kept to the API; set it
	// to at least the callers' concurrency. Default 16.
	MaxConns int
	// Transport replaces the HTTP transport, for tests. Default: a clone of
	// http.DefaultTransport.
	Transport http.RoundTripper
}

// WithDefaults returns a copy with the defaults filled in.
func (c Config) WithDefaults() Config {
	if c.Timeout == 0 {
		c.Timeout = 10 * time.Second
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = 3
	}
	if c.RetryWait == 0 {
		c.RetryWait = 200 * time.Millisecond
	}
	if c.MaxRetryWait == 0 {
		c.MaxRetryWait = 5 * time.Second
	}
	if c.MaxRetryAfter == 0 {
		c.MaxRetryAfter = 30 * time.Second
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 8 << 20
	}
	if c.MaxConns == 0 {
		c.MaxConns = 16
	}
	return c
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	u, err := url.Parse(c.BaseURL)
	switch {
	case strings.TrimSpace(c.BaseURL) == "":
		return errors.New("telco config: BaseURL is required, for example https://telco.example.com/api")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("telco config: BaseURL %q is not an http or https URL", c.BaseURL)
	case c.Timeout < 0:
		return fmt.Errorf("telco config: Timeout %s must not be negative", c.Timeout)
	case c.MaxRetries < -1:
		return fmt.Errorf("telco config: MaxRetries %d must be -1 (no retries) or more", c.MaxRetries)
	case c.RetryWait < 0 || c.MaxRetryWait < c.RetryWait:
		return fmt.Errorf("telco config: RetryWait %s and MaxRetryWait %s must satisfy 0 <= RetryWait <= MaxRetryWait", c.RetryWait, c.MaxRetryWait)
	case c.MaxRetryAfter < 0:
		return fmt.Errorf("telco config: MaxRetryAfter %s must not be negative", c.MaxRetryAfter)
	case c.MaxBodyBytes < 0:
		return fmt.Errorf("telco config: MaxBodyBytes %d must not be negative", c.MaxBodyBytes)
	case c.MaxConns < 0:
		return fmt.Errorf("telco config: MaxConns %d must not be negative", c.MaxConns)
	}
	return nil
}

// LogValue implements slog.LogValuer without the token.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", c.BaseURL),
		slog.Bool("token_set", c.Token != ""),
		slog.Duration("timeout", c.Timeout),
		slog.Int("max_retries", c.MaxRetries),
	)
}

// Client is the Telco catalogue client. It is safe for concurrent use.
type Client struct {
	http *jsonhttp.Client
}

// NewClient checks cfg and builds a client. A nil logger discards.
func NewClient(cfg Config, logger *slog.Logger) (*Client, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	retries := cfg.MaxRetries
	if retries < 0 {
		retries = 0
	}
	hc, err := jsonhttp.New(jsonhttp.Config{
		Vendor: "telco", BaseURL: cfg.BaseURL, Token: cfg.Token, Timeout: cfg.Timeout,
		MaxRetries: retries, RetryWait: cfg.RetryWait, MaxRetryWait: cfg.MaxRetryWait,
		MaxRetryAfter: cfg.MaxRetryAfter, MaxBodyBytes: cfg.MaxBodyBytes, MaxConns: cfg.MaxConns,
		Logger: logger, Transport: cfg.Transport,
	})
	if err != nil {
		return nil, err
	}
	return &Client{http: hc}, nil
}

type coverageJSON struct {
	Coverage     *bool  `json:"coverage"`
	Technology   string `json:"technology"`
	MaxSpeedMbps int    `json:"max_speed_mbps"`
}

// CheckCoverage implements ports.CoverageChecker.
func (c *Client) CheckCoverage(ctx context.Context, addressCode string) (domain.Coverage, error) {
	if strings.TrimSpace(addressCode) == "" {
		return domain.Coverage{}, domain.Invalid("address code", addressCode, "must not be empty")
	}
	path := "/coverage/" + url.PathEscape(strings.TrimSpace(addressCode))
	var body coverageJSON
	if err := c.http.GetJSON(ctx, path, nil, &body); err != nil {
		return domain.Coverage{}, err
	}
	if body.Coverage == nil {
		return domain.Coverage{}, fmt.Errorf("telco GET %s: coverage is required: %w", path, ErrBadResponse)
	}
	if body.MaxSpeedMbps < 0 {
		return domain.Coverage{}, fmt.Errorf("telco GET %s: negative max_speed_mbps %d: %w", path, body.MaxSpeedMbps, ErrBadResponse)
	}
	return domain.Coverage{Available: *body.Coverage, Technology: body.Technology, MaxSpeedMbps: body.MaxSpeedMbps}, nil
}
