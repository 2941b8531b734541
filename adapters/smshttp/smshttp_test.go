package smshttp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/smshttp"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// gatewayServer is an httptest gateway that responds to each request with
// the next of its responses (the last one repeats) and records the requests.
type gatewayServer struct {
	*httptest.Server
	mu        sync.Mutex
	responses []response
	requests  []recorded
}

type response struct {
	status     int
	body       string
	retryAfter string
	delay      time.Duration
}

type recorded struct {
	Auth        string
	ContentType string
	Body        map[string]string
	At          time.Time
}

func setup(t *testing.T, cfg smshttp.Config, responses ...response) (*smshttp.Gateway, *gatewayServer) {
	t.Helper()
	gs := &gatewayServer{responses: responses}
	gs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]string
		_ = json.NewDecoder(r.Body).Decode(&body)
		gs.mu.Lock()
		gs.requests = append(gs.requests, recorded{Auth: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type"), Body: body, At: time.Now()})
		resp := gs.responses[min(len(gs.requests), len(gs.responses))-1]
		gs.mu.Unlock()

		if r.Method != http.MethodPost || r.URL.Path != "/v1/messages" {
			http.NotFound(w, r)
			return
		}
		time.Sleep(resp.delay)
		if resp.retryAfter != "" {
			w.Header().Set("Retry-After", resp.retryAfter)
		}
		w.WriteHeader(resp.status)
		_, _ = w.Write([]byte(resp.body))
	}))
	t.Cleanup(gs.Close)

	cfg.BaseURL = gs.URL + "/v1/"
	if cfg.RetryWait == 0 {
		cfg.RetryWait = 10 * time.Millisecond
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Second
	}
	g, err := smshttp.New(cfg)
	require.NoError(t, err)
	return g, gs
}

func (gs *gatewayServer) Requests() []recorded {
	gs.mu.Lock()
	defer gs.mu.Unlock()
	return append([]recorded(nil), gs.requests...)
}

var sms = ports.SMSMessage{To: "+34600111222", Text: "Tu código es 1234", Reference: "notification-42"}

func TestSendSMSAccepted(t *testing.T) {
	t.Parallel()
	g, gs := setup(t, smshttp.Config{Token: "t0ken", DefaultSender: "Telco"}, response{status: 202, body: `{"id":"gw-1"}`})

	id, err := g.SendSMS(context.Background(), sms)
	require.NoError(t, err)
	require.Equal(t, "gw-1", id)

	reqs := gs.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, "Bearer t0ken", reqs[0].Auth)
	require.Equal(t, "application/json", reqs[0].ContentType)
	require.Equal(t, map[string]string{"to": "+34600111222", "text": "Tu código es 1234", "sender": "Telco", "reference": "notification-42"}, reqs[0].Body)
}

func TestSendSMSFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		responses []response
		permanent bool
		requests  int
		contains  string
	}{
		{"BadRequestPermanent", []response{{status: 400, body: `{"error":"invalid number"}`}}, true, 1, "invalid number"},
		{"UnprocessablePermanent", []response{{status: 422}}, true, 1, "422"},
		{"ServerErrorRetriedThenTransient", []response{{status: 503}}, false, 3, "503"},
		{"TooManyRequestsTransient", []response{{status: 429, retryAfter: "0"}}, false, 3, "429"},
		{"NotJSON", []response{{status: 202, body: `<html>ok</html>`}}, false, 1, "not the expected JSON"},
		{"NoID", []response{{status: 202, body: `{"status":"queued"}`}}, false, 1, "without a message id"},
		{"RetryAfterBeyondCap", []response{{status: 503, retryAfter: "3600"}}, false, 1, "retry after 1h0m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g, gs := setup(t, smshttp.Config{MaxRetryWait: time.Second}, tt.responses...)

			_, err := g.SendSMS(context.Background(), sms)
			require.Error(t, err)
			require.Equal(t, tt.permanent, domain.IsPermanent(err), "%v", err)
			require.Contains(t, err.Error(), tt.contains)
			require.Len(t, gs.Requests(), tt.requests)
		})
	}
}

func TestSendSMSRetriesThenSucceeds(t *testing.T) {
	t.Parallel()
	g, gs := setup(t, smshttp.Config{}, response{status: 500}, response{status: 202, body: `{"id":"gw-2"}`})

	id, err := g.SendSMS(context.Background(), sms)
	require.NoError(t, err)
	require.Equal(t, "gw-2", id)
	reqs := gs.Requests()
	require.Len(t, reqs, 2)
	require.Equal(t, reqs[0].Body["reference"], reqs[1].Body["reference"], "a retry carries the same reference")
}

func TestSendSMSHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		value func() string
	}{
		{"Seconds", func() string { return "1" }},
		{"HTTPDate", func() string { return time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g, gs := setup(t, smshttp.Config{MaxRetryWait: 5 * time.Second},
				response{status: 429, retryAfter: tt.value()}, response{status: 202, body: `{"id":"gw-3"}`})

			_, err := g.SendSMS(context.Background(), sms)
			require.NoError(t, err)
			reqs := gs.Requests()
			require.Len(t, reqs, 2)
			require.GreaterOrEqual(t, reqs[1].At.Sub(reqs[0].At), 900*time.Millisecond, "the retry waits what Retry-After asks")
		})
	}
}

func TestSendSMSTimeout(t *testing.T) {
	t.Parallel()
	g, gs := setup(t, smshttp.Config{Timeout: 100 * time.Millisecond, MaxRetries: -1},
		response{status: 202, body: `{"id":"late"}`, delay: time.Second})

	start := time.Now()
	_, err := g.SendSMS(context.Background(), sms)
	require.Error(t, err)
	require.False(t, domain.IsPermanent(err), "%v", err)
	require.Less(t, time.Since(start), 800*time.Millisecond)
	require.Len(t, gs.Requests(), 1)
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 10, 26, 1, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		value string
		want  time.Duration
		ok    bool
	}{
		{"Seconds", "120", 2 * time.Minute, true},
		{"Zero", "0", 0, true},
		{"HTTPDate", "Sun, 26 Oct 2025 01:00:30 GMT", 30 * time.Second, true},
		{"PastDate", "Sat, 25 Oct 2025 01:00:00 GMT", 0, true},
		{"Empty", "", 0, false},
		{"Negative", "-5", 0, false},
		{"Garbage", "soon", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := smshttp.ParseRetryAfter(tt.value, now)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cfg   smshttp.Config
		field string
	}{
		{"Missing", smshttp.Config{}, "BaseURL"},
		{"Scheme", smshttp.Config{BaseURL: "ftp://x"}, "BaseURL"},
		{"Timeout", smshttp.Config{BaseURL: "http://127.0.0.1", Timeout: -1}, "Timeout"},
		{"Cap", smshttp.Config{BaseURL: "http://127.0.0.1", RetryWait: time.Minute, MaxRetryWait: time.Second}, "MaxRetryWait"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := smshttp.New(tt.cfg)
			require.ErrorContains(t, err, tt.field)
		})
	}
}
