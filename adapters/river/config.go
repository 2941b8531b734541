package river

import (
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"time"

	"github.com/telcojobs/telcojobs/domain"
)

// KindPolicy is the failure policy of one job kind.
type KindPolicy struct {
	// Timeout cancels the context of a running job after this long. The
	// handler should return soon after; the attempt then counts as failed
	// and is retried.
	Timeout time.Duration
	// MaxAttempts is how many times a job runs before the engine gives up
	// and discards it. Jobs that fail with a permanent error are cancelled
	// after their first attempt whatever this value is.
	MaxAttempts int
}

// DefaultPolicies returns the default timeout and maximum attempts of every
// job kind:
//
//	kind                                  timeout  max attempts
//	send_daily_validation_report          10m      5
//	update_device_data                    30m      3
//	update_devices_stock                  15m      3
//	check_coverage_from_leads_ids         15m      5
//	send_async_email                      2m       10
//	send_async_sms                        2m       10
//	assign_promotion_codes                30m      3
//	import_iccs_from_zipfile              30m      5
//	check_number_of_unassigned_esim_iccs  1m       3
//	unassign_esim_iccs                    10m      5
//	delete_used_iccs                      30m      5
//	check_schedules                       50s      3
//	run_schedule_action                   10m      5
//	update_sellers                        10m      3
//	update_shops                          10m      3
//	provision_purchase                    5m       10
//
// The catalogue syncs and file imports get long timeouts and few attempts,
// because a failed run is repeated by the next periodic run or by the
// operator. Notifications get ten attempts, above the five sends a
// notification allows by default (domain.DefaultMaxAttempts), so that the
// notification's own counter is what ends the retries. check_schedules stays
// under a minute, the period at which it runs.
func DefaultPolicies() map[string]KindPolicy {
	return map[string]KindPolicy{
		"send_daily_validation_report":         {Timeout: 10 * time.Minute, MaxAttempts: 5},
		"update_device_data":                   {Timeout: 30 * time.Minute, MaxAttempts: 3},
		"update_devices_stock":                 {Timeout: 15 * time.Minute, MaxAttempts: 3},
		"check_coverage_from_leads_ids":        {Timeout: 15 * time.Minute, MaxAttempts: 5},
		"send_async_email":                     {Timeout: 2 * time.Minute, MaxAttempts: 10},
		"send_async_sms":                       {Timeout: 2 * time.Minute, MaxAttempts: 10},
		"assign_promotion_codes":               {Timeout: 30 * time.Minute, MaxAttempts: 3},
		"import_iccs_from_zipfile":             {Timeout: 30 * time.Minute, MaxAttempts: 5},
		"check_number_of_unassigned_esim_iccs": {Timeout: time.Minute, MaxAttempts: 3},
		"unassign_esim_iccs":                   {Timeout: 10 * time.Minute, MaxAttempts: 5},
		"delete_used_iccs":                     {Timeout: 30 * time.Minute, MaxAttempts: 5},
		"check_schedules":                      {Timeout: 50 * time.Second, MaxAttempts: 3},
		"run_schedule_action":                  {Timeout: 10 * time.Minute, MaxAttempts: 5},
		"update_sellers":                       {Timeout: 10 * time.Minute, MaxAttempts: 3},
		"update_shops":                         {Timeout: 10 * time.Minute, MaxAttempts: 3},
		"provision_purchase":                   {Timeout: 5 * time.Minute, MaxAttempts: 10},
	}
}

// Config configures the job engine. The zero value plus WithDefaults is a
// working configuration.
type Config struct {
	// TimeZone is the IANA zone in which the periodic jobs' clock times are
	// read, such as "Europe/Madrid". Default Europe/Madrid.
	TimeZone string

	// MaxWorkers is how many jobs of one kind one engine runs at once, since
	// each kind has its own queue. Default 20.
	MaxWorkers int

	// FetchCooldown is the minimum time between two fetches of available
	// jobs of a kind; together with MaxWorkers it caps how fast one engine
	// works a kind.
	// Default 100ms (River's default); minimum 1ms.
	FetchCooldown time.Duration

	// FetchPollInterval is how often the engine looks for jobs when no
	// insert notification arrives. Default 1s (River's default); it must be
	// at least FetchCooldown.
	FetchPollInterval time.Duration

	// Policies overrides the timeout or maximum attempts of some kinds. A
	// zero field keeps the default of DefaultPolicies. Keys must be known
	// job kinds.
	Policies map[string]KindPolicy

	// RescueStuckJobsAfter is how long a job may stay running before the
	// engine considers its worker dead and schedules it again (or discards
	// it when it has no attempt left). It must be longer than the timeout
	// of every registered kind, since a job still running past it would
	// run twice. Default 1h.
	RescueStuckJobsAfter time.Duration

	// ShutdownTimeout is how long Stop lets running jobs finish before it
	// cancels their contexts. Default 30s.
	ShutdownTimeout time.Duration

	// RetryBackoff returns the delay before the next attempt of a job whose
	// attempt number attempt (1 for the first) failed. It must return a
	// positive delay. Default: River's policy (v0.51.2), n^4 seconds with
	// 10 % jitter for the n-th error of the job (1s, 16s, 81s, 4m16s, ...).
	RetryBackoff func(attempt int) time.Duration

	// CompletedJobRetention is how long completed jobs stay in the job table
	// (and on the dashboard) before they are deleted. Default 24h.
	CompletedJobRetention time.Duration

	// PeriodicJobs is the table of jobs the engine enqueues on a schedule.
	// Nil means DefaultPeriodicJobs(c); an empty non-nil slice means none.
	// To extend the defaults, append to DefaultPeriodicJobs. A job whose
	// kind has no handler is left out and logged.
	PeriodicJobs []PeriodicJob

	// DailyReportRecipients receive send_daily_validation_report. When empty
	// the default table leaves that job out. Default none.
	DailyReportRecipients []string

	// EsimStockThreshold is the number of free eSIM ICCs below which
	// check_number_of_unassigned_esim_iccs raises its alert. Default 100,
	// a starting value: set it to the stock the shop needs for about a day
	// of eSIM sales.
	EsimStockThreshold int

	// EsimAlertRecipients receive the low eSIM stock alert. Empty leaves the
	// recipients to the use case's own configuration. Default none.
	EsimAlertRecipients []string

	// UsedIccsDaysOld is the age in days of the purchases whose used ICCs
	// delete_used_iccs removes. Default 60.
	UsedIccsDaysOld int

	// ClientID names this engine in River's job attempts and leader
	// election. It must differ between running processes. Default: River's
	// generated host name and start time.
	ClientID string

	// Logger receives the engine's and River's log lines. Default: discard.
	Logger *slog.Logger

	// testOnly turns off River's randomly staggered start of maintenance
	// services, which only slows tests down.
	testOnly bool
}

// WithDefaults returns a copy with the defaults filled in.
func (c Config) WithDefaults() Config {
	if c.TimeZone == "" {
		c.TimeZone = domain.DefaultTimeZone
	}
	if c.MaxWorkers == 0 {
		c.MaxWorkers = 20
	}
	if c.FetchCooldown == 0 {
		c.FetchCooldown = 100 * time.Millisecond
	}
	if c.FetchPollInterval == 0 {
		c.FetchPollInterval = time.Second
	}
	if c.RescueStuckJobsAfter == 0 {
		c.RescueStuckJobsAfter = time.Hour
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 30 * time.Second
	}
	if c.CompletedJobRetention == 0 {
		c.CompletedJobRetention = 24 * time.Hour
	}
	if c.EsimStockThreshold == 0 {
		c.EsimStockThreshold = 100
	}
	if c.UsedIccsDaysOld == 0 {
		c.UsedIccsDaysOld = 60
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports the first invalid field. Call it on the result of
// WithDefaults.
func (c Config) Validate() error {
	if _, err := domain.LoadZone(c.TimeZone); err != nil {
		return fmt.Errorf("river config: TimeZone: %w", err)
	}
	if c.MaxWorkers < 1 || c.MaxWorkers > 10_000 {
		return fmt.Errorf("river config: MaxWorkers %d must be between 1 and 10000", c.MaxWorkers)
	}
	if c.FetchCooldown < time.Millisecond {
		return fmt.Errorf("river config: FetchCooldown %s must be at least 1ms", c.FetchCooldown)
	}
	if c.FetchPollInterval < c.FetchCooldown {
		return fmt.Errorf("river config: FetchPollInterval %s must be at least FetchCooldown %s", c.FetchPollInterval, c.FetchCooldown)
	}
	if c.RescueStuckJobsAfter <= 0 {
		return fmt.Errorf("river config: RescueStuckJobsAfter %s must be positive", c.RescueStuckJobsAfter)
	}
	if c.ShutdownTimeout < 0 {
		return fmt.Errorf("river config: ShutdownTimeout %s must not be negative", c.ShutdownTimeout)
	}
	if c.CompletedJobRetention < 0 {
		return fmt.Errorf("river config: CompletedJobRetention %s must not be negative", c.CompletedJobRetention)
	}
	if c.EsimStockThreshold < 0 {
		return fmt.Errorf("river config: EsimStockThreshold %d must not be negative", c.EsimStockThreshold)
	}
	if c.UsedIccsDaysOld < 1 {
		return fmt.Errorf("river config: UsedIccsDaysOld %d must be at least 1", c.UsedIccsDaysOld)
	}
	if err := validateRecipients("DailyReportRecipients", c.DailyReportRecipients); err != nil {
		return err
	}
	if err := validateRecipients("EsimAlertRecipients", c.EsimAlertRecipients); err != nil {
		return err
	}

	defaults := DefaultPolicies()
	for _, kind := range sortedKeys(c.Policies) {
		p := c.Policies[kind]
		if _, ok := defaults[kind]; !ok {
			return fmt.Errorf("river config: Policies[%q] is not a job kind; expected one of %v", kind, sortedKeys(defaults))
		}
		if p.Timeout < 0 {
			return fmt.Errorf("river config: Policies[%q].Timeout %s must not be negative", kind, p.Timeout)
		}
		if p.MaxAttempts < 0 {
			return fmt.Errorf("river config: Policies[%q].MaxAttempts %d must not be negative", kind, p.MaxAttempts)
		}
	}

	for i, pj := range c.PeriodicJobs {
		if pj.Args == nil || pj.Schedule == nil {
			return fmt.Errorf("river config: PeriodicJobs[%d] needs both Args and Schedule", i)
		}
		if _, ok := defaults[pj.Args.Kind()]; !ok {
			return fmt.Errorf("river config: PeriodicJobs[%d] has kind %q, which is not a job kind", i, pj.Args.Kind())
		}
	}
	return nil
}

// policies returns the default policies with the overrides of c.Policies.
func (c Config) policies() map[string]KindPolicy {
	out := DefaultPolicies()
	for kind, p := range c.Policies {
		d, ok := out[kind]
		if !ok {
			continue
		}
		if p.Timeout > 0 {
			d.Timeout = p.Timeout
		}
		if p.MaxAttempts > 0 {
			d.MaxAttempts = p.MaxAttempts
		}
		out[kind] = d
	}
	return out
}

func validateRecipients(field string, recipients []string) error {
	for i, r := range recipients {
		if _, err := mail.ParseAddress(r); err != nil {
			return fmt.Errorf("river config: %s[%d] %q is not an e-mail address", field, i, r)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// errNoKind is returned for a job whose arguments are nil or have no kind.
var errNoKind = errors.New("job has no arguments or an empty kind")
