package jsonhttp

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Settings is the configuration that the vendor adapters expose as their
// Config: orion.Config and telco.Config are aliases of it.
type Settings struct {
	// BaseURL is the API root, such as https://vendor.example.com/api.
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
func (c Settings) WithDefaults() Settings {
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
func (c Settings) Validate() error {
	u, err := url.Parse(c.BaseURL)
	switch {
	case strings.TrimSpace(c.BaseURL) == "":
		return errors.New("config: BaseURL is required, for example https://vendor.example.com/api")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("config: BaseURL %q is not an http or https URL", c.BaseURL)
	case c.Timeout < 0:
		return fmt.Errorf("config: Timeout %s must not be negative", c.Timeout)
	case c.MaxRetries < -1:
		return fmt.Errorf("config: MaxRetries %d must be -1 (no retries) or more", c.MaxRetries)
	case c.RetryWait < 0 || c.MaxRetryWait < c.RetryWait:
		return fmt.Errorf("config: RetryWait %s and MaxRetryWait %s must satisfy 0 <= RetryWait <= MaxRetryWait", c.RetryWait, c.MaxRetryWait)
	case c.MaxRetryAfter < 0:
		return fmt.Errorf("config: MaxRetryAfter %s must not be negative", c.MaxRetryAfter)
	case c.MaxBodyBytes < 0:
		return fmt.Errorf("config: MaxBodyBytes %d must not be negative", c.MaxBodyBytes)
	case c.MaxConns < 0:
		return fmt.Errorf("config: MaxConns %d must not be negative", c.MaxConns)
	}
	return nil
}

// LogValue implements slog.LogValuer without the token.
func (c Settings) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", c.BaseURL),
		slog.Bool("token_set", c.Token != ""),
		slog.Duration("timeout", c.Timeout),
		slog.Int("max_retries", c.MaxRetries),
	)
}

// NewFromSettings fills in the defaults of s, checks it, and builds the
// client of one vendor API. Errors start with the vendor's name. A nil
// logger discards.
func NewFromSettings(vendor string, s Settings, logger *slog.Logger) (*Client, error) {
	s = s.WithDefaults()
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("%s %w", vendor, err)
	}
	return New(Config{
		Vendor: vendor, BaseURL: s.BaseURL, Token: s.Token, Timeout: s.Timeout,
		MaxRetries: max(s.MaxRetries, 0), RetryWait: s.RetryWait, MaxRetryWait: s.MaxRetryWait,
		MaxRetryAfter: s.MaxRetryAfter, MaxBodyBytes: s.MaxBodyBytes, MaxConns: s.MaxConns,
		Logger: logger, Transport: s.Transport,
	})
}
