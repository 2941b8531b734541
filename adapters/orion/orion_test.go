package orion_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/internal/jsonhttp"
	"github.com/telcojobs/telcojobs/adapters/orion"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/examples/fakevendor"
)

const token = "s3cr3t-orion-token"

type fixture struct {
	server *fakevendor.Server
	client *orion.Client
	logs   *syncBuffer
}

// setup starts the fake vendor on the repository's test data, with a token,
// two devices per page, and a client with fast retries.
func setup(t *testing.T, change func(cfg *orion.Config)) fixture {
	t.Helper()
	opts, err := fakevendor.LoadTestdata("../../testdata")
	require.NoError(t, err)
	opts.Token, opts.PageSize = token, 2
	server, err := fakevendor.NewServer(opts)
	require.NoError(t, err)
	t.Cleanup(server.Close)

	cfg := orion.Config{
		BaseURL: server.URL, Token: token, Timeout: 2 * time.Second,
		RetryWait: time.Millisecond, MaxRetryWait: 5 * time.Millisecond, MaxRetryAfter: 100 * time.Millisecond,
	}
	if change != nil {
		change(&cfg)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, err := orion.NewClient(cfg, logger)
	require.NoError(t, err)
	return fixture{server: server, client: client, logs: logs}
}

func TestListDevices(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	ctx := context.Background()

	first, err := f.client.ListDevices(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, 1, first.Page)
	require.Equal(t, 3, first.Pages)
	require.Equal(t, 6, first.Total)
	require.Len(t, first.Devices, 2)
	require.Equal(t, "galaxy-s24", first.Devices[0].Alias)
	require.Equal(t, "Samsung", first.Devices[0].Brand)

	_, err = f.client.ListDevices(ctx, 4)
	require.ErrorIs(t, err, domain.ErrNotFound, "a page beyond the last one")

	_, err = f.client.ListDevices(ctx, 0)
	require.ErrorIs(t, err, domain.ErrInvalid)
}

func TestRetrieveDevice(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)

	d, err := f.client.RetrieveDevice(context.Background(), "iphone-15")
	require.NoError(t, err)
	require.Equal(t, "iPhone 15", d.Name)
	require.True(t, d.Enabled)
	require.Equal(t, "A16", d.Detail.Specs["chip"])
	require.Len(t, d.Offers, 3)
	o := d.Offers[0]
	require.Equal(t, "iphone-15-negro-128", o.Alias)
	require.Equal(t, 128, o.StorageGB)
	require.Equal(t, domain.Cents(95900), o.Price)
	require.Equal(t, 7, o.Stock)
	require.True(t, o.Enabled)
	require.Equal(t, []domain.DevicePayment{
		{Plan: "24m", Months: 24, Upfront: 0, Monthly: 3995},
		{Plan: "36m", Months: 36, Upfront: 2900, Monthly: 2583},
	}, o.Payments)
}

func TestRetrieveDeviceNotFound(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)

	_, err := f.client.RetrieveDevice(context.Background(), "nokia-3310")
	require.ErrorIs(t, err, domain.ErrNotFound)
	require.Equal(t, 1, f.server.Requests(fakevendor.EndpointDevice), "a 404 is not retried")
}

func TestFaults(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name     string
		fault    fakevendor.Fault
		wantErr  error
		requests int
	}{
		{"ServerErrorRetried", fakevendor.Fault{Kind: fakevendor.FaultServerError, Times: 2}, nil, 3},
		{"TooManyRequestsRetried", fakevendor.Fault{Kind: fakevendor.FaultTooManyRequests, Times: 1, RetryAfter: "0"}, nil, 2},
		{"TruncatedRetried", fakevendor.Fault{Kind: fakevendor.FaultTruncated, Times: 1}, nil, 2},
		{"ServerErrorGivesUp", fakevendor.Fault{Kind: fakevendor.FaultServerError}, nil, 4},
		{"TruncatedGivesUp", fakevendor.Fault{Kind: fakevendor.FaultTruncated}, nil, 4},
		{"HTMLPageNotRetried", fakevendor.Fault{Kind: fakevendor.FaultHTML}, orion.ErrBadResponse, 1},
		{"NotFoundNotRetried", fakevendor.Fault{Kind: fakevendor.FaultNotFound}, domain.ErrNotFound, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, nil)
			tt.fault.Endpoint, tt.fault.Key = fakevendor.EndpointDevice, "pixel-8"
			f.server.SetFaults(tt.fault)

			d, err := f.client.RetrieveDevice(context.Background(), "pixel-8")
			require.Equal(t, tt.requests, f.server.Requests(fakevendor.EndpointDevice))
			if tt.fault.Times > 0 {
				require.NoError(t, err)
				require.Equal(t, "pixel-8", d.Alias)
				return
			}
			require.Error(t, err)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			}
			if tt.wantErr != domain.ErrNotFound {
				require.NotErrorIs(t, err, domain.ErrNotFound)
			}
		})
	}
}

func TestListingFaults(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	ctx := context.Background()

	f.server.SetFaults(fakevendor.Fault{Endpoint: fakevendor.EndpointList, Key: "2", Kind: fakevendor.FaultHTML})
	_, err := f.client.ListDevices(ctx, 2)
	require.ErrorIs(t, err, orion.ErrBadResponse)
	require.ErrorContains(t, err, "text/html")

	f.server.SetFaults(fakevendor.Fault{Endpoint: fakevendor.EndpointList, Kind: fakevendor.FaultEmptyListing})
	page, err := f.client.ListDevices(ctx, 1)
	require.NoError(t, err)
	require.Empty(t, page.Devices)
	require.Zero(t, page.Total)
}

func TestRetryAfterCapped(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.server.SetFaults(fakevendor.Fault{Endpoint: fakevendor.EndpointDevice, Kind: fakevendor.FaultTooManyRequests, Times: 1, RetryAfter: "120"})

	start := time.Now()
	_, err := f.client.RetrieveDevice(context.Background(), "pixel-8")
	elapsed := time.Since(start)
	require.NoError(t, err)
	require.GreaterOrEqual(t, elapsed, 90*time.Millisecond, "waited for Retry-After up to the 100ms cap")
	require.Less(t, elapsed, 2*time.Second, "Retry-After of 120s capped")
}

func TestRetryAfterHTTPDate(t *testing.T) {
	t.Parallel()

	var mu sync.Mutex
	var calls []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls = append(calls, time.Now())
		n := len(calls)
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", time.Now().Add(3*time.Second).UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write([]byte(`{"alias":"x1","offers":[]}`))
	}))
	t.Cleanup(srv.Close)

	client, err := orion.NewClient(orion.Config{BaseURL: srv.URL, RetryWait: time.Millisecond, MaxRetryWait: 2 * time.Millisecond,
		MaxRetryAfter: 300 * time.Millisecond}, nil)
	require.NoError(t, err)
	_, err = client.RetrieveDevice(context.Background(), "x1")
	require.NoError(t, err)

	require.Len(t, calls, 2)
	gap := calls[1].Sub(calls[0])
	require.GreaterOrEqual(t, gap, 250*time.Millisecond, "an HTTP date 2-3s ahead waits up to the cap, not the 2ms backoff")
	require.Less(t, gap, 2*time.Second)
}

func TestTimeoutRetried(t *testing.T) {
	t.Parallel()
	f := setup(t, func(cfg *orion.Config) { cfg.Timeout, cfg.MaxRetries = 50*time.Millisecond, 1 })
	f.server.SetFaults(fakevendor.Fault{Endpoint: fakevendor.EndpointDevice, Kind: fakevendor.FaultSlow, Delay: time.Second})

	start := time.Now()
	_, err := f.client.RetrieveDevice(context.Background(), "pixel-8")
	require.Error(t, err)
	require.Less(t, time.Since(start), 900*time.Millisecond)
	require.Equal(t, 2, f.server.Requests(fakevendor.EndpointDevice), "one retry after the timeout")
}

func TestBadBodies(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name        string
		path        string
		contentType string
		body        string
	}{
		{"PlainText", "/devices/x1", "text/plain", `{"alias":"x1"}`},
		{"NoContentType", "/devices/x1", "", `{"alias":"x1"}`},
		{"CutJSON", "/devices/x1", "application/json", `{"alias":"x1","offers":[{"alias"`},
		{"EmptyBody", "/devices/x1", "application/json", ``},
		{"TrailingData", "/devices/x1", "application/json", `{"alias":"x1"} {"alias":"x2"}`},
		{"OtherDevice", "/devices/x1", "application/json", `{"alias":"x2"}`},
		{"MissingPrice", "/devices/x1", "application/json", `{"alias":"x1","offers":[{"alias":"o1","stock":1}]}`},
		{"InvalidOffer", "/devices/x1", "application/json", `{"alias":"x1","offers":[{"alias":"o1","price_cents":-5}]}`},
		{"ListMissingTotal", "/devices", "application/json", `{"devices":[],"page":1,"pages":1}`},
		{"ListWrongPage", "/devices", "application/json", `{"devices":[],"page":2,"pages":2,"total":0}`},
		{"ListNoAlias", "/devices", "application/json", `{"devices":[{"name":"x"}],"page":1,"pages":1,"total":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			requests := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests++
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				} else {
					w.Header()["Content-Type"] = nil
				}
				_, _ = w.Write([]byte(tt.body))
			}))
			t.Cleanup(srv.Close)
			client, err := orion.NewClient(orion.Config{BaseURL: srv.URL, RetryWait: time.Millisecond, MaxRetryWait: time.Millisecond}, nil)
			require.NoError(t, err)

			if tt.path == "/devices" {
				_, err = client.ListDevices(context.Background(), 1)
			} else {
				_, err = client.RetrieveDevice(context.Background(), "x1")
			}
			require.ErrorIs(t, err, orion.ErrBadResponse)
			require.Equal(t, 1, requests, "a bad body is not retried")
		})
	}
}

func TestAuthorizationAndTokenNotLogged(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.server.SetFaults(fakevendor.Fault{Endpoint: fakevendor.EndpointDevice, Kind: fakevendor.FaultServerError, Times: 1})

	_, err := f.client.RetrieveDevice(context.Background(), "pixel-8")
	require.NoError(t, err, "the fake rejects requests without the bearer token")
	require.Contains(t, f.logs.String(), "retrying", "the retry was logged")
	require.NotContains(t, f.logs.String(), token)

	wrong := setup(t, func(cfg *orion.Config) { cfg.Token = "wrong" })
	_, err = wrong.client.RetrieveDevice(context.Background(), "pixel-8")
	var se *jsonhttp.StatusError
	require.ErrorAs(t, err, &se)
	require.Equal(t, http.StatusUnauthorized, se.StatusCode)
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name  string
		cfg   orion.Config
		field string
	}{
		{"MissingBaseURL", orion.Config{}, "BaseURL"},
		{"RelativeBaseURL", orion.Config{BaseURL: "/api"}, "BaseURL"},
		{"FTPBaseURL", orion.Config{BaseURL: "ftp://127.0.0.1"}, "BaseURL"},
		{"NegativeTimeout", orion.Config{BaseURL: "http://127.0.0.1", Timeout: -1}, "Timeout"},
		{"BadRetries", orion.Config{BaseURL: "http://127.0.0.1", MaxRetries: -2}, "MaxRetries"},
		{"WaitAboveCap", orion.Config{BaseURL: "http://127.0.0.1", RetryWait: time.Minute}, "RetryWait"},
		{"NegativeRetryAfterCap", orion.Config{BaseURL: "http://127.0.0.1", MaxRetryAfter: -1}, "MaxRetryAfter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.cfg.WithDefaults().Validate()
			require.ErrorContains(t, err, tt.field)
		})
	}
	require.NoError(t, orion.Config{BaseURL: "https://orion.example.com/api"}.WithDefaults().Validate())

	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "orion", orion.Config{BaseURL: "http://127.0.0.1", Token: token})
	require.NotContains(t, buf.String(), token)
	require.Contains(t, buf.String(), `"token_set":true`)
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
