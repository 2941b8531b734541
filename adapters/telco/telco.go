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
	"fmt"
	"log/slog"
	"net/url"
	"strings"

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

// Config configures the Telco client: the base URL, the bearer token,
// the timeout of each attempt and the retry policy. Every field and its
// default is documented on the shared type it aliases.
type Config = jsonhttp.Settings

// Client is the Telco catalogue client. It is safe for concurrent use.
type Client struct {
	http *jsonhttp.Client
}

// NewClient checks cfg and builds a client. A nil logger discards.
func NewClient(cfg Config, logger *slog.Logger) (*Client, error) {
	hc, err := jsonhttp.NewFromSettings("telco", cfg, logger)
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
