package river

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

func TestStopWaitsThenCancels(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// work is how long the job runs when its context is not cancelled.
		work      time.Duration
		wantState rivertype.JobState
		wantCause error
	}{
		{name: "FinishesWithinTimeout", work: 100 * time.Millisecond, wantState: rivertype.JobStateCompleted},
		{name: "CancelledAfterTimeout", work: time.Hour, wantState: rivertype.JobStateAvailable, wantCause: context.Canceled},
	}
	for _, d := range databases() {
		for _, c := range cases {
			t.Run(d.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				db := d.open(t)
				started := make(chan struct{})
				var cause error
				handler := HandlerFunc[usecases.ProvisionPurchaseInput](func(ctx context.Context, _ usecases.ProvisionPurchaseInput) error {
					close(started)
					select {
					case <-time.After(c.work):
						return nil
					case <-ctx.Done():
						cause = ctx.Err()
						return ctx.Err()
					}
				})
				cfg := testConfig()
				cfg.ShutdownTimeout = 300 * time.Millisecond
				e, err := db.newEngine(Handlers{ProvisionPurchase: handler}, cfg)
				require.NoError(t, err)
				ctx := context.Background()
				require.NoError(t, e.Start(ctx))
				res, err := e.Enqueue(ctx, usecases.ProvisionPurchaseInput{PurchaseID: 1}, ports.EnqueueOptions{})
				require.NoError(t, err)
				<-started

				begin := time.Now()
				require.NoError(t, e.Stop(ctx))
				require.Less(t, time.Since(begin), 5*time.Second)
				<-e.Stopped()
				require.ErrorIs(t, cause, c.wantCause)

				// River returns a job cancelled by a stop to the queue, so
				// another engine runs it.
				row, err := e.backend.jobGet(ctx, res.JobID)
				require.NoError(t, err)
				require.Contains(t, []rivertype.JobState{c.wantState, rivertype.JobStateRetryable}, row.State)
			})
		}
	}
}

// everySchedule runs every interval, for periodic tests that cannot wait a
// minute.
type everySchedule time.Duration

func (s everySchedule) Next(t time.Time) time.Time { return t.Add(time.Duration(s)) }

func TestPeriodicJobRuns(t *testing.T) {
	t.Parallel()
	for _, d := range databases() {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.open(t)
			runs := make(chan struct{}, 100)
			handler := HandlerFunc[usecases.CheckSchedulesInput](func(context.Context, usecases.CheckSchedulesInput) error {
				runs <- struct{}{}
				return nil
			})
			cfg := testConfig()
			cfg.PeriodicJobs = []PeriodicJob{
				{Args: usecases.CheckSchedulesInput{}, Schedule: everySchedule(100 * time.Millisecond), RunOnStart: true},
				{Args: usecases.UpdateShopsInput{ChannelSlug: "web"}, Schedule: everySchedule(time.Second)},
			}
			e := startEngine(t, db, Handlers{CheckSchedules: handler}, cfg)
			require.Equal(t, []string{"check_schedules"}, e.periodic, "the kind without a handler is left out")

			select {
			case <-runs:
			case <-time.After(30 * time.Second):
				t.Fatal("the periodic job did not run")
			}
		})
	}
}

func TestDefaultPeriodicJobsNeedHandlers(t *testing.T) {
	t.Parallel()
	db := openSQLite(t)
	cfg := testConfig()
	cfg.PeriodicJobs = nil
	noop := HandlerFunc[usecases.CheckSchedulesInput](func(context.Context, usecases.CheckSchedulesInput) error { return nil })

	e, err := db.newEngine(Handlers{CheckSchedules: noop, ProvisionPurchase: newProvisionCounter(nil)}, cfg)
	require.NoError(t, err)
	require.Equal(t, []string{"check_schedules"}, e.periodic)
	require.Equal(t, []string{"check_schedules", "provision_purchase"}, e.Kinds())
}

// recordHandler is a slog.Handler that keeps every record.
type recordHandler struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r.Clone())
	return nil
}
func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordHandler) WithGroup(string) slog.Handler      { return h }

// jobRecords returns the records whose message starts with "job " and
// their attributes.
func (h *recordHandler) jobRecords() map[string]map[string]slog.Value {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]map[string]slog.Value{}
	for _, r := range h.records {
		if !strings.HasPrefix(r.Message, "job ") {
			continue
		}
		attrs := map[string]slog.Value{}
		r.Attrs(func(a slog.Attr) bool {
			attrs[a.Key] = a.Value
			return true
		})
		out[r.Message] = attrs
	}
	return out
}

func TestJobLogLinesNameKindAndID(t *testing.T) {
	t.Parallel()
	db := openSQLite(t)
	records := &recordHandler{}
	counter := newProvisionCounter(func(id int64, n int) error {
		switch {
		case id == 2:
			return domain.Permanent(errors.New("rejected"))
		case id == 3 && n == 1:
			return errors.New("try again")
		case id == 4:
			panic("handler bug")
		}
		return nil
	})
	cfg := testConfig()
	cfg.Logger = slog.New(records)
	cfg.Policies = map[string]KindPolicy{"provision_purchase": {MaxAttempts: 2}}
	e := startEngine(t, db, Handlers{ProvisionPurchase: counter}, cfg)

	ids := map[int64]int64{}
	for _, purchase := range []int64{1, 2, 3, 4} {
		res, err := e.Enqueue(context.Background(), usecases.ProvisionPurchaseInput{PurchaseID: purchase}, ports.EnqueueOptions{})
		require.NoError(t, err)
		ids[purchase] = res.JobID
	}
	waitForState(t, e, ids[1], rivertype.JobStateCompleted, 10*time.Second)
	waitForState(t, e, ids[2], rivertype.JobStateCancelled, 10*time.Second)
	waitForState(t, e, ids[3], rivertype.JobStateCompleted, 10*time.Second)
	waitForState(t, e, ids[4], rivertype.JobStateDiscarded, 10*time.Second)

	got := records.jobRecords()
	for _, msg := range []string{
		"job completed",
		"job cancelled after a permanent error",
		"job failed; it will be retried",
		"job panicked; it will be retried unless it has no attempt left",
		"job enqueued",
	} {
		attrs, ok := got[msg]
		require.True(t, ok, "no log line %q", msg)
		require.Equal(t, "provision_purchase", attrs["job_kind"].String(), msg)
		require.Positive(t, attrs["job_id"].Int64(), msg)
	}
}

func TestDashboardServesPageAndJobs(t *testing.T) {
	t.Parallel()
	for _, d := range databases() {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.open(t)
			e, err := db.newEngine(Handlers{ProvisionPurchase: newProvisionCounter(nil)}, testConfig())
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			res, err := e.Enqueue(ctx, usecases.ProvisionPurchaseInput{PurchaseID: 77}, ports.EnqueueOptions{})
			require.NoError(t, err)

			dashboard, err := e.Dashboard("/jobs")
			require.NoError(t, err)
			require.NoError(t, dashboard.Start(ctx))
			mux := http.NewServeMux()
			mux.Handle("/jobs/", dashboard)
			server := httptest.NewServer(mux)
			t.Cleanup(server.Close)
			require.True(t, strings.HasPrefix(server.URL, "http://127.0.0.1:"), server.URL)

			status, body := get(t, server.URL+"/jobs/")
			require.Equal(t, http.StatusOK, status)
			require.Contains(t, body, "<html")

			status, body = get(t, server.URL+"/jobs/api/jobs?state=available")
			require.Equal(t, http.StatusOK, status, body)
			var list struct {
				Data []struct {
					ID    int64           `json:"id"`
					Kind  string          `json:"kind"`
					State string          `json:"state"`
					Args  json.RawMessage `json:"args"`
				} `json:"data"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &list), body)
			require.Len(t, list.Data, 1)
			require.Equal(t, res.JobID, list.Data[0].ID)
			require.Equal(t, "provision_purchase", list.Data[0].Kind)
			require.Equal(t, "available", list.Data[0].State)
			// The SQLite driver returns the arguments as a JSON string.
			require.Contains(t, string(list.Data[0].Args), "purchase_id")
		})
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, err = io.Copy(&buf, resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, buf.String()
}
