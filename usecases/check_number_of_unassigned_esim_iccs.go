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

// CheckNumberOfUnassignedEsimIccsInput is the input of check_number_of_unassigned_esim_iccs.
type CheckNumberOfUnassignedEsimIccsInput struct {
	// Threshold is the stock below which the alert is sent.
	Threshold int `json:"threshold"`
	// Recipients receive the alert; empty means the configured ones.
	Recipients []string `json:"recipients,omitempty"`
}

// Kind returns the job's name on the queue.
func (CheckNumberOfUnassignedEsimIccsInput) Kind() string {
	return "check_number_of_unassigned_esim_iccs"
}

// Reasons why the stock check sends no alert.
const (
	EsimAlertSkippedStockSufficient = "stock_sufficient"
	EsimAlertSkippedAlertedRecently = "alerted_recently"
	EsimAlertSkippedConcurrentRun   = "concurrent_run"
)

// CheckNumberOfUnassignedEsimIccsConfig configures the stock check.
type CheckNumberOfUnassignedEsimIccsConfig struct {
	// Threshold is used when the input gives 0. Default 100.
	Threshold int
	// Recipients are used when the input gives none. Default none, so a run
	// without recipients in its input fails.
	Recipients []string
	// TemplateName is the e-mail template of the alert, whose context has
	// "count" and "threshold". Default "esim_low_stock_alert".
	TemplateName string
	// RepeatAfter is how long the alert stays quiet while the stock stays
	// low. Default 24 hours.
	RepeatAfter time.Duration
	// RepeatDrop is the fall in stock since the last alert that sends a new
	// one before RepeatAfter. Default a tenth of the threshold, at least 1.
	RepeatDrop int
	// MaxAttempts caps the send attempts of each e-mail. Zero means
	// domain.DefaultMaxAttempts.
	MaxAttempts int
}

// WithDefaults returns a copy with the defaults filled in, except
// RepeatDrop, which depends on the threshold of each run.
func (c CheckNumberOfUnassignedEsimIccsConfig) WithDefaults() CheckNumberOfUnassignedEsimIccsConfig {
	if c.Threshold == 0 {
		c.Threshold = 100
	}
	if c.TemplateName == "" {
		c.TemplateName = "esim_low_stock_alert"
	}
	if c.RepeatAfter == 0 {
		c.RepeatAfter = 24 * time.Hour
	}
	return c
}

// Validate reports the first invalid field.
func (c CheckNumberOfUnassignedEsimIccsConfig) Validate() error {
	switch {
	case c.Threshold < 0:
		return fmt.Errorf("eSIM stock check config: Threshold %d must be positive", c.Threshold)
	case c.RepeatAfter < 0:
		return fmt.Errorf("eSIM stock check config: RepeatAfter %s must not be negative", c.RepeatAfter)
	case c.RepeatDrop < 0:
		return fmt.Errorf("eSIM stock check config: RepeatDrop %d must not be negative", c.RepeatDrop)
	case c.MaxAttempts < 0:
		return fmt.Errorf("eSIM stock check config: MaxAttempts %d must not be negative", c.MaxAttempts)
	}
	for _, r := range c.Recipients {
		if _, err := domain.NormalizeEmail(r); err != nil {
			return fmt.Errorf("eSIM stock check config: Recipients: %w", err)
		}
	}
	return nil
}

// EsimAlertNotification is the alert notification created for one
// recipient.
type EsimAlertNotification struct {
	Recipient      string `json:"recipient"`
	NotificationID int64  `json:"notification_id"`
	JobID          int64  `json:"job_id"`
}

// CheckNumberOfUnassignedEsimIccsResult is the outcome of one check.
type CheckNumberOfUnassignedEsimIccsResult struct {
	// Free counts the free eSIM ICCs.
	Free      int  `json:"free"`
	Threshold int  `json:"threshold"`
	Low       bool `json:"low"`
	// Skipped is why no alert was sent: "stock_sufficient",
	// "alerted_recently" or "concurrent_run". Empty when one was sent.
	Skipped string `json:"skipped,omitempty"`
	// LastAlertAt is when the last alert was sent, in UTC, if one is on
	// record for the current low-stock period.
	LastAlertAt   *time.Time              `json:"last_alert_at,omitempty"`
	Notifications []EsimAlertNotification `json:"notifications"`
}

// EsimStockStore is the storage port of the stock check.
type EsimStockStore interface {
	ports.TxRunner
	CountFreeIccs(ctx context.Context, kind domain.IccKind) (int, error)
	ports.EsimStockAlertStore
}

// NotificationCreator creates one notification and its send job; it is
// implemented by *CreateNotification.
type NotificationCreator interface {
	Handle(ctx context.Context, in CreateNotificationInput) (CreateNotificationResult, error)
}

// CheckNumberOfUnassignedEsimIccs counts the free eSIM ICCs and e-mails an
// alert when the stock is below the threshold. The alert state is stored
// in the same transaction as the notifications, and its version makes two
// concurrent runs send at most one alert.
type CheckNumberOfUnassignedEsimIccs struct {
	cfg      CheckNumberOfUnassignedEsimIccsConfig
	store    EsimStockStore
	notifier NotificationCreator
	clock    ports.Clock
	logger   *slog.Logger
}

// NewCheckNumberOfUnassignedEsimIccs builds the use case. A nil logger
// discards.
func NewCheckNumberOfUnassignedEsimIccs(cfg CheckNumberOfUnassignedEsimIccsConfig, store EsimStockStore,
	notifier NotificationCreator, clock ports.Clock, logger *slog.Logger) (*CheckNumberOfUnassignedEsimIccs, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch {
	case store == nil:
		return nil, errors.New("eSIM stock check: EsimStockStore is nil")
	case notifier == nil:
		return nil, errors.New("eSIM stock check: NotificationCreator is nil")
	case clock == nil:
		return nil, errors.New("eSIM stock check: Clock is nil")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &CheckNumberOfUnassignedEsimIccs{cfg: cfg, store: store, notifier: notifier, clock: clock, logger: logger}, nil
}

// HandleJob runs Handle for the job engine.
func (h *CheckNumberOfUnassignedEsimIccs) HandleJob(ctx context.Context, in CheckNumberOfUnassignedEsimIccsInput) error {
	_, err := h.Handle(ctx, in)
	return err
}

// Handle counts the free eSIMs and sends the alert when the policy calls
// for one (see domain.EsimStockPolicy). A negative threshold, no recipients or an
// invalid address is a permanent error.
func (h *CheckNumberOfUnassignedEsimIccs) Handle(ctx context.Context, in CheckNumberOfUnassignedEsimIccsInput) (CheckNumberOfUnassignedEsimIccsResult, error) {
	res := CheckNumberOfUnassignedEsimIccsResult{Threshold: in.Threshold, Notifications: []EsimAlertNotification{}}
	if res.Threshold == 0 {
		res.Threshold = h.cfg.Threshold
	}
	if res.Threshold < 0 {
		return res, domain.Permanent(domain.Invalid("threshold", fmt.Sprint(in.Threshold), "must be positive"))
	}
	recipients, err := h.recipients(in)
	if err != nil {
		return res, domain.Permanent(err)
	}
	logger := h.logger.With("job", in.Kind(), "threshold", res.Threshold)

	policy := domain.EsimStockPolicy{Threshold: res.Threshold, RepeatAfter: h.cfg.RepeatAfter, RepeatDrop: h.cfg.RepeatDrop}
	if policy.RepeatDrop == 0 {
		policy.RepeatDrop = max(res.Threshold/10, 1)
	}

	err = h.store.InTx(ctx, func(ctx context.Context) error {
		res.Notifications = res.Notifications[:0]
		free, err := h.store.CountFreeIccs(ctx, domain.IccESIM)
		if err != nil {
			return fmt.Errorf("count free eSIMs: %w", err)
		}
		res.Free, res.Low = free, free < res.Threshold

		state, err := h.store.EsimStockAlert(ctx)
		if err != nil {
			return fmt.Errorf("read the eSIM stock alert state: %w", err)
		}
		next, send, changed := policy.Evaluate(state, free, h.clock.Now())
		res.LastAlertAt = next.LastAlertAt
		switch {
		case !res.Low:
			res.Skipped = EsimAlertSkippedStockSufficient
		case !send:
			res.Skipped = EsimAlertSkippedAlertedRecently
		}
		if changed {
			if err := h.store.SaveEsimStockAlert(ctx, state.Version, next); err != nil {
				return fmt.Errorf("save the eSIM stock alert state: %w", err)
			}
		}
		if !send {
			return nil
		}

		for _, to := range recipients {
			created, err := h.notifier.Handle(ctx, CreateNotificationInput{
				TemplateName: h.cfg.TemplateName,
				Recipient:    to,
				Context:      map[string]any{"count": free, "threshold": res.Threshold},
				MaxAttempts:  h.cfg.MaxAttempts,
			})
			if err != nil {
				return fmt.Errorf("create the low-stock alert for %s: %w", to, err)
			}
			res.Notifications = append(res.Notifications, EsimAlertNotification{
				Recipient: to, NotificationID: created.NotificationID, JobID: created.JobID})
		}
		return nil
	})
	if errors.Is(err, domain.ErrConflict) {
		// Another run saved the state first and decided for both.
		logger.InfoContext(ctx, "eSIM stock alert left to a concurrent run", "error", err)
		res.Skipped, res.Notifications = EsimAlertSkippedConcurrentRun, []EsimAlertNotification{}
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("eSIM stock check: %w", err)
	}

	logger.InfoContext(ctx, "eSIM stock checked", "free", res.Free, "low", res.Low,
		"alerts", len(res.Notifications), "skipped", res.Skipped)
	return res, nil
}

// recipients returns the input's recipients, or the configured ones, as
// bare addresses.
func (h *CheckNumberOfUnassignedEsimIccs) recipients(in CheckNumberOfUnassignedEsimIccsInput) ([]string, error) {
	list := in.Recipients
	if len(list) == 0 {
		list = h.cfg.Recipients
	}
	if len(list) == 0 {
		return nil, domain.Invalid("recipients", "", "give at least one e-mail address in the input or the configuration")
	}
	out := make([]string, 0, len(list))
	for _, r := range list {
		addr, err := domain.NormalizeEmail(r)
		if err != nil {
			return nil, err
		}
		out = append(out, addr)
	}
	return out, nil
}
