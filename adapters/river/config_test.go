package river

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/fake"
	"github.com/telcojobs/telcojobs/adapters/postgres/pgtest"
	"github.com/telcojobs/telcojobs/adapters/sqlite/sqlitetest"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	c := Config{}.WithDefaults()

	require.NoError(t, c.Validate())
	require.Equal(t, "Europe/Madrid", c.TimeZone)
	require.Equal(t, 20, c.MaxWorkers)
	require.Equal(t, 100*time.Millisecond, c.FetchCooldown)
	require.Equal(t, time.Second, c.FetchPollInterval)
	require.Equal(t, time.Hour, c.RescueStuckJobsAfter)
	require.Equal(t, 30*time.Second, c.ShutdownTimeout)
	require.Equal(t, 100, c.EsimStockThreshold)
	require.Equal(t, 60, c.UsedIccsDaysOld)
	require.NotNil(t, c.Logger)
	require.Nil(t, c.PeriodicJobs, "nil keeps the default table")
}

func TestConfigValidateNamesField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		change func(*Config)
		field  string
	}{
		{name: "TimeZone", change: func(c *Config) { c.TimeZone = "Local" }, field: "TimeZone"},
		{name: "MaxWorkers", change: func(c *Config) { c.MaxWorkers = -1 }, field: "MaxWorkers"},
		{name: "FetchCooldown", change: func(c *Config) { c.FetchCooldown = time.Microsecond }, field: "FetchCooldown"},
		{name: "FetchPollInterval", change: func(c *Config) { c.FetchPollInterval = time.Millisecond }, field: "FetchPollInterval"},
		{name: "RescueStuckJobsAfter", change: func(c *Config) { c.RescueStuckJobsAfter = -time.Second }, field: "RescueStuckJobsAfter"},
		{name: "ShutdownTimeout", change: func(c *Config) { c.ShutdownTimeout = -time.Second }, field: "ShutdownTimeout"},
		{name: "EsimStockThreshold", change: func(c *Config) { c.EsimStockThreshold = -5 }, field: "EsimStockThreshold"},
		{name: "UsedIccsDaysOld", change: func(c *Config) { c.UsedIccsDaysOld = -1 }, field: "UsedIccsDaysOld"},
		{name: "DailyReportRecipients", change: func(c *Config) { c.DailyReportRecipients = []string{"ops@example.com", "not an address"} }, field: "DailyReportRecipients[1]"},
		{name: "EsimAlertRecipients", change: func(c *Config) { c.EsimAlertRecipients = []string{"@"} }, field: "EsimAlertRecipients[0]"},
		{name: "PolicyKind", change: func(c *Config) { c.Policies = map[string]KindPolicy{"send_email": {}} }, field: `Policies["send_email"]`},
		{name: "PolicyTimeout", change: func(c *Config) {
			c.Policies = map[string]KindPolicy{"update_shops": {Timeout: -time.Second}}
		}, field: `Policies["update_shops"].Timeout`},
		{name: "PolicyMaxAttempts", change: func(c *Config) {
			c.Policies = map[string]KindPolicy{"update_shops": {MaxAttempts: -1}}
		}, field: `Policies["update_shops"].MaxAttempts`},
		{name: "PeriodicWithoutSchedule", change: func(c *Config) {
			c.PeriodicJobs = []PeriodicJob{{Args: usecases.CheckSchedulesInput{}}}
		}, field: "PeriodicJobs[0]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := Config{}.WithDefaults()
			c.change(&cfg)
			err := cfg.Validate()
			require.Error(t, err)
			require.Contains(t, err.Error(), c.field)
		})
	}
}

func TestPoliciesOverrideDefaults(t *testing.T) {
	t.Parallel()
	c := Config{Policies: map[string]KindPolicy{
		"send_async_email": {MaxAttempts: 3},
		"update_shops":     {Timeout: time.Minute},
	}}

	p := c.policies()
	require.Len(t, p, 16)
	require.Equal(t, KindPolicy{Timeout: 2 * time.Minute, MaxAttempts: 3}, p["send_async_email"])
	require.Equal(t, KindPolicy{Timeout: time.Minute, MaxAttempts: 3}, p["update_shops"])
	require.Equal(t, DefaultPolicies()["provision_purchase"], p["provision_purchase"])
}

func TestDefaultPoliciesCoverEveryKind(t *testing.T) {
	t.Parallel()
	policies := DefaultPolicies()
	for _, r := range (Handlers{}).registrations() {
		p, ok := policies[r.kind]
		require.True(t, ok, "no default policy for %s", r.kind)
		require.Positive(t, p.Timeout, r.kind)
		require.Positive(t, p.MaxAttempts, r.kind)
		require.Less(t, p.Timeout, time.Hour, "%s: the default RescueStuckJobsAfter must exceed the timeout", r.kind)
	}
	require.Len(t, policies, len((Handlers{}).registrations()))
}

func TestNewEngineRejects(t *testing.T) {
	t.Parallel()
	db := openSQLite(t)
	noop := newProvisionCounter(nil)

	_, err := db.newEngine(Handlers{}, testConfig())
	require.ErrorContains(t, err, "no handler")

	cfg := testConfig()
	cfg.RescueStuckJobsAfter = time.Minute
	_, err = db.newEngine(Handlers{ProvisionPurchase: noop}, cfg)
	require.ErrorContains(t, err, "RescueStuckJobsAfter")
	require.ErrorContains(t, err, "provision_purchase")

	cfg = testConfig()
	cfg.MaxWorkers = -3
	_, err = db.newEngine(Handlers{ProvisionPurchase: noop}, cfg)
	require.ErrorContains(t, err, "MaxWorkers")

	_, err = NewSQLite(nil, Handlers{ProvisionPurchase: noop}, testConfig())
	require.Error(t, err)
	_, err = NewPostgres(nil, Handlers{ProvisionPurchase: noop}, testConfig())
	require.Error(t, err)
}

func TestDeferredQueueForwardsAfterSet(t *testing.T) {
	t.Parallel()
	q := NewDeferredQueue()
	ctx := context.Background()

	_, err := q.Enqueue(ctx, usecases.CheckSchedulesInput{}, ports.EnqueueOptions{})
	require.ErrorIs(t, err, ErrQueueNotReady)
	_, err = q.EnqueueMany(ctx, []ports.JobArgs{usecases.CheckSchedulesInput{}}, ports.EnqueueOptions{})
	require.ErrorIs(t, err, ErrQueueNotReady)

	target := &fake.Queue{}
	q.Set(target)
	res, err := q.Enqueue(ctx, usecases.CheckSchedulesInput{}, ports.EnqueueOptions{})
	require.NoError(t, err)
	require.Equal(t, int64(1), res.JobID)
	added, err := q.EnqueueMany(ctx, []ports.JobArgs{usecases.DeleteUsedIccsInput{DaysOld: 3}}, ports.EnqueueOptions{})
	require.NoError(t, err)
	require.Equal(t, 1, added)
	require.Equal(t, []string{"check_schedules", "delete_used_iccs"}, target.Kinds())
}

// otherStore is a Store of no supported database.
type otherStore struct{}

func (otherStore) DB() *sql.DB { return nil }

func TestNewPicksDriverOfStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	noop := Handlers{ProvisionPurchase: newProvisionCounter(nil)}
	opens := map[string]func(testing.TB) Store{
		"SQLite":     func(t testing.TB) Store { return sqlitetest.Open(t) },
		"PostgreSQL": func(t testing.TB) Store { return pgtest.Open(t) },
	}
	for name, open := range opens {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			store := open(t)
			require.NoError(t, Migrate(ctx, store, nil))
			e, err := New(store, noop, testConfig())
			require.NoError(t, err)
			_, err = e.Enqueue(ctx, usecases.ProvisionPurchaseInput{PurchaseID: 1}, ports.EnqueueOptions{})
			require.NoError(t, err)
			require.Equal(t, 1, countJobs(t, store.DB(), ""))
		})
	}

	_, err := New(otherStore{}, noop, testConfig())
	require.ErrorContains(t, err, "unsupported store")
	err = Migrate(ctx, otherStore{}, nil)
	require.ErrorContains(t, err, "unsupported store")
}
