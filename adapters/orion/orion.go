// Package orion is the adapter of the handset vendor's catalogue API
// (Orion), on resty. It implements ports.Catalogue:
//
//	GET /devices?page=N   {"devices":[{"alias","name","brand"}],"page":N,"pages":M,"total":T}
//	GET /devices/{alias}  {"alias","name","brand","description","specs":{...},
//	                       "offers":[{"alias","color","storage_gb","price_cents","stock",
//	                                  "payments":[{"plan","months","upfront_cents","monthly_cents"}]}]}
//
// A 404 on a device means the vendor no longer has it (domain.ErrNotFound).
// Every attempt has a timeout. 5xx, 429 and network errors are retried with
// backoff, honouring Retry-After up to a cap. A response that is not the
// expected JSON is an error matching [ErrBadResponse].
package orion

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/wire"
	"github.com/telcojobs/telcojobs/adapters/internal/jsonhttp"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// ProviderSet provides the Orion client as ports.Catalogue. The host
// provides Config and *slog.Logger.
var ProviderSet = wire.NewSet(NewClient, wire.Bind(new(ports.Catalogue), new(*Client)))

var _ ports.Catalogue = (*Client)(nil)

// ErrBadResponse is matched by errors about a response that is not the
// expected JSON: a wrong content type (such as an HTML error page sent with
// status 200), a truncated or malformed body, or missing fields.
var ErrBadResponse = jsonhttp.ErrBadResponse

// Config configures the Orion client.
type Config struct {
	// BaseURL is the API root, such as https://orion.example.com/api.
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
		return errors.New("orion config: BaseURL is required, for example https://orion.example.com/api")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("orion config: BaseURL %q is not an http or https URL", c.BaseURL)
	case c.Timeout < 0:
		return fmt.Errorf("orion config: Timeout %s must not be negative", c.Timeout)
	case c.MaxRetries < -1:
		return fmt.Errorf("orion config: MaxRetries %d must be -1 (no retries) or more", c.MaxRetries)
	case c.RetryWait < 0 || c.MaxRetryWait < c.RetryWait:
		return fmt.Errorf("orion config: RetryWait %s and MaxRetryWait %s must satisfy 0 <= RetryWait <= MaxRetryWait", c.RetryWait, c.MaxRetryWait)
	case c.MaxRetryAfter < 0:
		return fmt.Errorf("orion config: MaxRetryAfter %s must not be negative", c.MaxRetryAfter)
	case c.MaxBodyBytes < 0:
		return fmt.Errorf("orion config: MaxBodyBytes %d must not be negative", c.MaxBodyBytes)
	case c.MaxConns < 0:
		return fmt.Errorf("orion config: MaxConns %d must not be negative", c.MaxConns)
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

// Client is the Orion catalogue client. It is safe for concurrent use.
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
		Vendor: "orion", BaseURL: cfg.BaseURL, Token: cfg.Token, Timeout: cfg.Timeout,
		MaxRetries: retries, RetryWait: cfg.RetryWait, MaxRetryWait: cfg.MaxRetryWait,
		MaxRetryAfter: cfg.MaxRetryAfter, MaxBodyBytes: cfg.MaxBodyBytes, MaxConns: cfg.MaxConns,
		Logger: logger, Transport: cfg.Transport,
	})
	if err != nil {
		return nil, err
	}
	return &Client{http: hc}, nil
}

type listResponse struct {
	Devices *[]entryJSON `json:"devices"`
	Page    *int         `json:"page"`
	Pages   *int         `json:"pages"`
	Total   *int         `json:"total"`
}

type entryJSON struct {
	Alias string `json:"alias"`
	Name  string `json:"name"`
	Brand string `json:"brand"`
}

// ListDevices implements ports.Catalogue.
func (c *Client) ListDevices(ctx context.Context, page int) (ports.CataloguePage, error) {
	if page < 1 {
		return ports.CataloguePage{}, domain.Invalid("catalogue page", strconv.Itoa(page), "pages are numbered from 1")
	}
	var body listResponse
	q := url.Values{"page": {strconv.Itoa(page)}}
	if err := c.http.GetJSON(ctx, "/devices", q, &body); err != nil {
		return ports.CataloguePage{}, err
	}

	where := fmt.Sprintf("orion GET /devices?page=%d", page)
	switch {
	case body.Devices == nil || body.Page == nil || body.Pages == nil || body.Total == nil:
		return ports.CataloguePage{}, fmt.Errorf("%s: devices, page, pages and total are required: %w", where, ErrBadResponse)
	case *body.Page != page:
		return ports.CataloguePage{}, fmt.Errorf("%s: response is page %d: %w", where, *body.Page, ErrBadResponse)
	case *body.Pages < 0 || *body.Total < 0:
		return ports.CataloguePage{}, fmt.Errorf("%s: negative pages %d or total %d: %w", where, *body.Pages, *body.Total, ErrBadResponse)
	}

	out := ports.CataloguePage{Page: *body.Page, Pages: *body.Pages, Total: *body.Total}
	for i, e := range *body.Devices {
		if strings.TrimSpace(e.Alias) == "" {
			return ports.CataloguePage{}, fmt.Errorf("%s: device %d has no alias: %w", where, i, ErrBadResponse)
		}
		out.Devices = append(out.Devices, ports.CatalogueEntry(e))
	}
	return out, nil
}

type deviceJSON struct {
	Alias       *string           `json:"alias"`
	Name        string            `json:"name"`
	Brand       string            `json:"brand"`
	Description string            `json:"description"`
	Specs       map[string]string `json:"specs"`
	Offers      []offerJSON       `json:"offers"`
}

type offerJSON struct {
	Alias      string        `json:"alias"`
	Color      string        `json:"color"`
	StorageGB  int           `json:"storage_gb"`
	PriceCents *int64        `json:"price_cents"`
	Stock      int           `json:"stock"`
	Payments   []paymentJSON `json:"payments"`
}

type paymentJSON struct {
	Plan         string `json:"plan"`
	Months       int    `json:"months"`
	UpfrontCents int64  `json:"upfront_cents"`
	MonthlyCents int64  `json:"monthly_cents"`
}

// RetrieveDevice implements ports.Catalogue.
func (c *Client) RetrieveDevice(ctx context.Context, alias string) (domain.Device, error) {
	if strings.TrimSpace(alias) == "" {
		return domain.Device{}, domain.Invalid("device alias", alias, "must not be empty")
	}
	path := "/devices/" + url.PathEscape(alias)
	var body deviceJSON
	if err := c.http.GetJSON(ctx, path, nil, &body); err != nil {
		return domain.Device{}, err
	}

	where := "orion GET " + path
	if body.Alias == nil || *body.Alias != alias {
		return domain.Device{}, fmt.Errorf("%s: response is for device %q: %w", where, deref(body.Alias), ErrBadResponse)
	}
	d := domain.Device{
		Alias: alias, Name: body.Name, Brand: body.Brand, Enabled: true,
		Detail: domain.DeviceDetail{Description: body.Description, Specs: body.Specs},
	}
	for _, o := range body.Offers {
		if o.PriceCents == nil {
			return domain.Device{}, fmt.Errorf("%s: offer %q has no price_cents: %w", where, o.Alias, ErrBadResponse)
		}
		offer := domain.DeviceSetting{
			Alias: o.Alias, Color: o.Color, StorageGB: o.StorageGB,
			Price: domain.Cents(*o.PriceCents), Stock: o.Stock, Enabled: true,
		}
		for _, p := range o.Payments {
			offer.Payments = append(offer.Payments, domain.DevicePayment{
				Plan: p.Plan, Months: p.Months, Upfront: domain.Cents(p.UpfrontCents), Monthly: domain.Cents(p.MonthlyCents),
			})
		}
		d.Offers = append(d.Offers, offer)
	}
	if err := d.Validate(); err != nil {
		return domain.Device{}, fmt.Errorf("%s: %w: %w", where, ErrBadResponse, err)
	}
	return d, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
