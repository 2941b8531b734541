package telco_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/telco"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/examples/fakevendor"
)

const token = "s3cr3t-telco-token"

func setup(t *testing.T) (*fakevendor.Server, *telco.Client) {
	t.Helper()
	opts, err := fakevendor.LoadTestdata("../../testdata")
	require.NoError(t, err)
	opts.Token = token
	server, err := fakevendor.NewServer(opts)
	require.NoError(t, err)
	t.Cleanup(server.Close)

	client, err := telco.NewClient(telco.Config{
		BaseURL: server.URL, Token: token, Timeout: time.Second,
		RetryWait: time.Millisecond, MaxRetryWait: 5 * time.Millisecond, MaxRetryAfter: 50 * time.Millisecond,
	}, nil)
	require.NoError(t, err)
	return server, client
}

func TestCheckCoverage(t *testing.T) {
	t.Parallel()
	_, client := setup(t)
	ctx := context.Background()

	c, err := client.CheckCoverage(ctx, "28001001")
	require.NoError(t, err)
	require.Equal(t, domain.Coverage{Available: true, Technology: "FTTH", MaxSpeedMbps: 1000}, c)

	c, err = client.CheckCoverage(ctx, "08002003")
	require.NoError(t, err)
	require.False(t, c.Available)

	_, err = client.CheckCoverage(ctx, "99999999")
	require.ErrorIs(t, err, domain.ErrNotFound)

	_, err = client.CheckCoverage(ctx, " ")
	require.ErrorIs(t, err, domain.ErrInvalid)
}

func TestCheckCoverageFaults(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name     string
		fault    fakevendor.Fault
		ok       bool
		badBody  bool
		requests int
	}{
		{"ServerErrorOnceRetried", fakevendor.Fault{Kind: fakevendor.FaultServerError, Times: 1}, true, false, 2},
		{"RateLimitedOnceRetried", fakevendor.Fault{Kind: fakevendor.FaultTooManyRequests, Times: 1, RetryAfter: "1"}, true, false, 2},
		{"ServerErrorAlways", fakevendor.Fault{Kind: fakevendor.FaultServerError}, false, false, 4},
		{"TruncatedAlways", fakevendor.Fault{Kind: fakevendor.FaultTruncated}, false, false, 4},
		{"HTMLPage", fakevendor.Fault{Kind: fakevendor.FaultHTML}, false, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			server, client := setup(t)
			tt.fault.Endpoint = fakevendor.EndpointCoverage
			server.SetFaults(tt.fault)

			c, err := client.CheckCoverage(context.Background(), "28001002")
			require.Equal(t, tt.requests, server.Requests(fakevendor.EndpointCoverage))
			if tt.ok {
				require.NoError(t, err)
				require.Equal(t, 600, c.MaxSpeedMbps)
				return
			}
			require.Error(t, err)
			require.NotErrorIs(t, err, domain.ErrNotFound)
			if tt.badBody {
				require.ErrorIs(t, err, telco.ErrBadResponse)
			}
		})
	}
}

func TestCheckCoverageMissingField(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "/coverage/123", r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"technology":"FTTH"}`))
	}))
	t.Cleanup(srv.Close)

	client, err := telco.NewClient(telco.Config{BaseURL: srv.URL}, nil)
	require.NoError(t, err)
	_, err = client.CheckCoverage(context.Background(), "123")
	require.ErrorIs(t, err, telco.ErrBadResponse)
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	require.ErrorContains(t, telco.Config{}.WithDefaults().Validate(), "BaseURL")
	require.ErrorContains(t, telco.Config{BaseURL: "http://127.0.0.1", MaxConns: -1}.WithDefaults().Validate(), "MaxConns")
	require.NoError(t, telco.Config{BaseURL: "http://127.0.0.1:9000"}.WithDefaults().Validate())
	_, err := telco.NewClient(telco.Config{BaseURL: "127.0.0.1:9000"}, nil)
	require.ErrorContains(t, err, "BaseURL")
}
