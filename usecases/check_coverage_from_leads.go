package usecases

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sync"

	"golang.org/x/time/rate"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// CheckCoverageFromLeadsInput is the input of check_coverage_from_leads_ids.
type CheckCoverageFromLeadsInput struct {
	// LeadIDs are the leads to check.
	LeadIDs []int64 `json:"lead_ids"`
}

// Kind returns the job's name on the queue.
func (CheckCoverageFromLeadsInput) Kind() string { return "check_coverage_from_leads_ids" }

// CheckCoverageFromLeadsConfig configures check_coverage_from_leads_ids.
type CheckCoverageFromLeadsConfig struct {
	// Concurrency is the number of coverage requests in flight at once.
	// Default 4.
	Concurrency int
	// RatePerSecond caps the coverage requests started per second, across
	// the run. Default 10; math.Inf(1) removes the cap.
	RatePerSecond float64
	// Burst is how many requests may start at once before the rate applies.
	// Default: Concurrency.
	Burst int
}

// WithDefaults returns a copy with the defaults filled in.
func (c CheckCoverageFromLeadsConfig) WithDefaults() CheckCoverageFromLeadsConfig {
	if c.Concurrency == 0 {
		c.Concurrency = 4
	}
	if c.RatePerSecond == 0 {
		c.RatePerSecond = 10
	}
	if c.Burst == 0 {
		c.Burst = c.Concurrency
	}
	return c
}

// Validate reports the first invalid field.
func (c CheckCoverageFromLeadsConfig) Validate() error {
	switch {
	case c.Concurrency < 1:
		return fmt.Errorf("check_coverage_from_leads_ids config: Concurrency %d must be at least 1", c.Concurrency)
	case c.RatePerSecond < 0 || math.IsNaN(c.RatePerSecond):
		return fmt.Errorf("check_coverage_from_leads_ids config: RatePerSecond %g must be positive", c.RatePerSecond)
	case c.Burst < 1:
		return fmt.Errorf("check_coverage_from_leads_ids config: Burst %d must be at least 1", c.Burst)
	}
	return nil
}

// CheckCoverageFromLeadsResult is the summary of one run.
type CheckCoverageFromLeadsResult struct {
	// Requested counts the distinct lead ids in the input; Missing those
	// that matched no lead.
	Requested int `json:"requested"`
	Missing   int `json:"missing"`
	// Checked counts leads whose coverage was stored; Covered those of them
	// with coverage.
	Checked int `json:"checked"`
	Covered int `json:"covered"`
	// UnknownAddress counts numeric codes the coverage API does not know;
	// those leads are left unchanged.
	UnknownAddress int `json:"unknown_address"`
	// Failed counts leads whose check or write failed; FailedLeadIDs lists
	// them.
	Failed        int     `json:"failed"`
	FailedLeadIDs []int64 `json:"failed_lead_ids"`
	// Skipped counts leads with a legacy, non-numeric address code;
	// NoAddress those without an address code. Neither is checked.
	Skipped   int `json:"skipped"`
	NoAddress int `json:"no_address"`
}

// CheckCoverageFromLeads checks the fibre coverage of leads' addresses.
type CheckCoverageFromLeads struct {
	cfg      CheckCoverageFromLeadsConfig
	coverage ports.CoverageChecker
	leads    ports.LeadStore
	clock    ports.Clock
	logger   *slog.Logger
}

// NewCheckCoverageFromLeads builds the use case. A nil logger discards.
func NewCheckCoverageFromLeads(cfg CheckCoverageFromLeadsConfig, coverage ports.CoverageChecker, leads ports.LeadStore,
	clock ports.Clock, logger *slog.Logger) (*CheckCoverageFromLeads, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if coverage == nil || leads == nil || clock == nil {
		return nil, errors.New("check_coverage_from_leads_ids: coverage, leads and clock are required")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &CheckCoverageFromLeads{cfg: cfg, coverage: coverage, leads: leads, clock: clock,
		logger: logger.With("job", CheckCoverageFromLeadsInput{}.Kind())}, nil
}

// HandleJob implements ports.JobHandler. Failed leads do not fail the job:
// they are logged and counted, as a retry would check every lead again.
// A failure to store a result does, because the database is unavailable.
func (u *CheckCoverageFromLeads) HandleJob(ctx context.Context, in CheckCoverageFromLeadsInput) error {
	_, err := u.Handle(ctx, in)
	return err
}

// Handle checks each lead with a numeric address code against the coverage
// API, with bounded concurrency and rate, and stores the result with the
// time it was checked. Legacy codes are skipped. A failed lead is logged
// and counted, and the run goes on.
func (u *CheckCoverageFromLeads) Handle(ctx context.Context, in CheckCoverageFromLeadsInput) (CheckCoverageFromLeadsResult, error) {
	ids := distinctLeadIDs(in.LeadIDs)
	res := CheckCoverageFromLeadsResult{Requested: len(ids)}
	leads, err := u.leads.LeadsByIDs(ctx, ids)
	if err != nil {
		return res, fmt.Errorf("check_coverage_from_leads_ids: load leads: %w", err)
	}
	res.Missing = len(ids) - len(leads)

	var toCheck []domain.Lead
	for _, l := range leads {
		switch domain.AddressCodeKind(l.AddressCode) {
		case domain.AddressTelco:
			toCheck = append(toCheck, l)
		case domain.AddressLegacy:
			res.Skipped++
		default:
			res.NoAddress++
		}
	}

	limit := rate.Limit(u.cfg.RatePerSecond)
	if math.IsInf(u.cfg.RatePerSecond, 1) {
		limit = rate.Inf
	}
	limiter := rate.NewLimiter(limit, u.cfg.Burst)
	progress := ports.ProgressFrom(ctx)
	progress.Total(int64(len(toCheck)))
	var mu sync.Mutex
	var storeErr error
	work := make(chan domain.Lead)
	var wg sync.WaitGroup
	for range min(u.cfg.Concurrency, max(len(toCheck), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for l := range work {
				outcome, err := u.check(ctx, limiter, l)
				progress.Add(1)
				mu.Lock()
				u.record(ctx, &res, l, outcome, err, &storeErr)
				mu.Unlock()
			}
		}()
	}
	for _, l := range toCheck {
		select {
		case work <- l:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()

	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("check_coverage_from_leads_ids: %w", err)
	}
	slices.Sort(res.FailedLeadIDs)
	u.logger.InfoContext(ctx, "coverage checked", "requested", res.Requested, "checked", res.Checked, "covered", res.Covered,
		"unknown_address", res.UnknownAddress, "failed", res.Failed, "skipped", res.Skipped, "no_address", res.NoAddress, "missing", res.Missing)
	if storeErr != nil {
		return res, fmt.Errorf("check_coverage_from_leads_ids: store coverage: %w", storeErr)
	}
	return res, nil
}

type coverageOutcome struct {
	coverage domain.Coverage
	unknown  bool
	stored   bool
}

// check requests one lead's coverage and stores it.
func (u *CheckCoverageFromLeads) check(ctx context.Context, limiter *rate.Limiter, l domain.Lead) (coverageOutcome, error) {
	if err := limiter.Wait(ctx); err != nil {
		return coverageOutcome{}, err
	}
	c, err := u.coverage.CheckCoverage(ctx, l.AddressCode)
	if errors.Is(err, domain.ErrNotFound) {
		return coverageOutcome{unknown: true}, nil
	}
	if err != nil {
		return coverageOutcome{}, err
	}
	if err := u.leads.SaveCoverage(ctx, l.ID, c, u.clock.Now()); err != nil {
		return coverageOutcome{coverage: c}, &storeError{err}
	}
	return coverageOutcome{coverage: c, stored: true}, nil
}

// storeError marks a failure to write, as opposed to a failed API call.
type storeError struct{ err error }

func (e *storeError) Error() string { return e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

// record adds one lead's outcome to res. The caller holds the lock.
func (u *CheckCoverageFromLeads) record(ctx context.Context, res *CheckCoverageFromLeadsResult, l domain.Lead,
	o coverageOutcome, err error, storeErr *error) {
	switch {
	case err == nil && o.unknown:
		u.logger.InfoContext(ctx, "address unknown to the coverage API", "lead_id", l.ID, "address_code", l.AddressCode)
		res.UnknownAddress++
	case err == nil:
		res.Checked++
		if o.coverage.Available {
			res.Covered++
		}
	case ctx.Err() != nil:
		// Cancelled: the caller returns the context's error.
	default:
		var se *storeError
		if errors.As(err, &se) && *storeErr == nil {
			*storeErr = fmt.Errorf("lead %d: %w", l.ID, se.err)
		}
		u.logger.WarnContext(ctx, "coverage check failed", "lead_id", l.ID, "address_code", l.AddressCode, "error", err)
		res.Failed++
		res.FailedLeadIDs = append(res.FailedLeadIDs, l.ID)
	}
}

func distinctLeadIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
