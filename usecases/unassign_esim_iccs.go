package usecases

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// UnassignEsimIccsInput is the input of unassign_esim_iccs.
type UnassignEsimIccsInput struct {
	// Start and End bound the last attempt of the purchases, [Start, End).
	// Both zero means yesterday in the business time zone.
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
}

// Kind returns the job's name on the queue.
func (UnassignEsimIccsInput) Kind() string { return "unassign_esim_iccs" }

// UnassignEsimIccsConfig configures unassign_esim_iccs.
type UnassignEsimIccsConfig struct {
	// TimeZone is the IANA zone whose calendar day "yesterday" means.
	// Default Europe/Madrid.
	TimeZone string
	// Statuses are the purchase statuses whose eSIMs are released. Default
	// domain.PendingPurchaseStatuses (created, pending_provision,
	// provision_error, pending_payment).
	Statuses []domain.PurchaseStatus
	// DeliveryType is the delivery type of eSIM purchases. Default
	// domain.DeliveryEmail.
	DeliveryType domain.DeliveryType
}

// WithDefaults returns a copy with the defaults filled in.
func (c UnassignEsimIccsConfig) WithDefaults() UnassignEsimIccsConfig {
	if c.TimeZone == "" {
		c.TimeZone = domain.DefaultTimeZone
	}
	if len(c.Statuses) == 0 {
		c.Statuses = domain.PendingPurchaseStatuses
	}
	if c.DeliveryType == "" {
		c.DeliveryType = domain.DeliveryEmail
	}
	return c
}

// Validate reports the first invalid field.
func (c UnassignEsimIccsConfig) Validate() error {
	if _, err := domain.LoadZone(c.TimeZone); err != nil {
		return fmt.Errorf("unassign eSIM ICCs config: TimeZone: %w", err)
	}
	for _, st := range c.Statuses {
		if _, err := domain.ParsePurchaseStatus(string(st)); err != nil {
			return fmt.Errorf("unassign eSIM ICCs config: Statuses: %w", err)
		}
	}
	if _, err := domain.ParseDeliveryType(string(c.DeliveryType)); err != nil {
		return fmt.Errorf("unassign eSIM ICCs config: DeliveryType: %w", err)
	}
	return nil
}

// UnassignEsimIccsResult is the outcome of one run.
type UnassignEsimIccsResult struct {
	// Start and End are the range of last attempts that was used, in UTC.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Released counts the eSIM ICCs made free again.
	Released int `json:"released"`
}

// UnassignEsimIccs frees the eSIMs held by purchases that stalled: those
// whose last attempt is in the range, in a pending status and delivered by
// e-mail. It runs one set-based update.
type UnassignEsimIccs struct {
	cfg    UnassignEsimIccsConfig
	loc    *time.Location
	iccs   ports.IccReleaser
	clock  ports.Clock
	logger *slog.Logger
}

// NewUnassignEsimIccs builds the use case. A nil logger discards.
func NewUnassignEsimIccs(cfg UnassignEsimIccsConfig, iccs ports.IccReleaser, clock ports.Clock, logger *slog.Logger) (*UnassignEsimIccs, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch {
	case iccs == nil:
		return nil, errors.New("unassign eSIM ICCs: IccReleaser is nil")
	case clock == nil:
		return nil, errors.New("unassign eSIM ICCs: Clock is nil")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	loc, _ := domain.LoadZone(cfg.TimeZone)
	return &UnassignEsimIccs{cfg: cfg, loc: loc, iccs: iccs, clock: clock, logger: logger}, nil
}

// HandleJob runs Handle for the job engine.
func (h *UnassignEsimIccs) HandleJob(ctx context.Context, in UnassignEsimIccsInput) error {
	_, err := h.Handle(ctx, in)
	return err
}

// Handle releases the eSIMs of the purchases in the range. A range with
// only one bound, or whose start is not before its end, is a permanent
// error.
func (h *UnassignEsimIccs) Handle(ctx context.Context, in UnassignEsimIccsInput) (UnassignEsimIccsResult, error) {
	start, end, err := h.window(in)
	if err != nil {
		return UnassignEsimIccsResult{}, domain.Permanent(err)
	}
	res := UnassignEsimIccsResult{Start: start, End: end}

	res.Released, err = h.iccs.ReleaseIccs(ctx, ports.IccReleaseFilter{
		LastAttemptFrom: start,
		LastAttemptTo:   end,
		Statuses:        h.cfg.Statuses,
		DeliveryType:    h.cfg.DeliveryType,
		Kind:            domain.IccESIM,
	})
	if err != nil {
		return res, fmt.Errorf("unassign eSIM ICCs: %w", err)
	}
	h.logger.InfoContext(ctx, "eSIM ICCs released", "job", in.Kind(), "start", start, "end", end, "released", res.Released)
	return res, nil
}

// window returns the input's range in UTC, or yesterday in the business
// zone when both bounds are zero. Yesterday runs from midnight to midnight,
// so it lasts 23 or 25 hours when the clocks change.
func (h *UnassignEsimIccs) window(in UnassignEsimIccsInput) (time.Time, time.Time, error) {
	if in.Start.IsZero() && in.End.IsZero() {
		local := h.clock.Now().In(h.loc)
		noonYesterday := time.Date(local.Year(), local.Month(), local.Day()-1, 12, 0, 0, 0, h.loc)
		start, end := domain.LocalDayRange(noonYesterday, h.loc)
		return start.UTC(), end.UTC(), nil
	}
	value := fmt.Sprintf("%s - %s", in.Start.Format(time.RFC3339), in.End.Format(time.RFC3339))
	if in.Start.IsZero() || in.End.IsZero() {
		return time.Time{}, time.Time{}, domain.Invalid("range", value, "give both start and end, or neither for yesterday")
	}
	if !in.Start.Before(in.End) {
		return time.Time{}, time.Time{}, domain.Invalid("range", value, "start must be before end")
	}
	return in.Start.UTC(), in.End.UTC(), nil
}
