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
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"

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

// Config configures the Orion client: the base URL, the bearer token,
// the timeout of each attempt and the retry policy. Every field and its
// default is documented on the shared type it aliases.
type Config = jsonhttp.Settings

// Client is the Orion catalogue client. It is safe for concurrent use.
type Client struct {
	http *jsonhttp.Client
}

// NewClient checks cfg and builds a client. A nil logger discards.
func NewClient(cfg Config, logger *slog.Logger) (*Client, error) {
	hc, err := jsonhttp.NewFromSettings("orion", cfg, logger)
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
