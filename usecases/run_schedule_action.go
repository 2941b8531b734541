package usecases

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// RunScheduleActionInput is the input of run_schedule_action.
type RunScheduleActionInput struct {
	ScheduleID int64 `json:"schedule_id"`
	// Slot is the scheduled instant this run belongs to, in UTC.
	Slot time.Time `json:"slot,omitzero"`
}

// Kind returns the job's name on the queue.
func (RunScheduleActionInput) Kind() string { return "run_schedule_action" }

// ScheduleAction is the work a schedule runs at each of its slots, built by
// an [ActionFactory] from the schedule's parameters.
type ScheduleAction interface {
	// Run does the work. ctx carries the transaction in which the run's
	// executed time is recorded, so jobs enqueued with it commit or roll
	// back together with that record.
	Run(ctx context.Context, run ScheduleRun) (ScheduleActionResult, error)
}

// ScheduleRun is one run of a schedule's action.
type ScheduleRun struct {
	Schedule domain.Schedule
	// Slot is the instant the run was scheduled for; zero for a run
	// requested by hand.
	Slot time.Time
	// Now is the current time of the run, from the injected clock.
	Now time.Time
}

// ScheduleActionResult counts what an action did.
type ScheduleActionResult struct {
	// Selected counts the rows the action selected, such as purchases.
	Selected int `json:"selected"`
	// Enqueued counts the jobs it added. Jobs skipped because an identical
	// one was already pending are not counted.
	Enqueued int `json:"enqueued"`
}

// ActionFactory builds an action from a schedule's parameters. It rejects
// invalid parameters with a *domain.ValidationError naming the parameter.
// It must have no side effects, because saving a schedule calls it to
// validate the parameters.
type ActionFactory func(params json.RawMessage) (ScheduleAction, error)

// ActionRegistry maps action names to their factories. Host applications
// register their own actions next to the built-in generic one. It is safe
// for concurrent use.
type ActionRegistry struct {
	mu        sync.RWMutex
	factories map[string]ActionFactory
}

var registryNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// NewActionRegistry returns an empty registry.
func NewActionRegistry() *ActionRegistry {
	return &ActionRegistry{factories: map[string]ActionFactory{}}
}

// Register adds an action. The name is what schedules store in their action
// field: lower-case letters, digits and underscores, starting with a
// letter. Registering a name twice is an error.
func (r *ActionRegistry) Register(name string, factory ActionFactory) error {
	if !registryNamePattern.MatchString(name) {
		return fmt.Errorf("register schedule action %q: the name must be lower-case letters, digits or _, starting with a letter", name)
	}
	if factory == nil {
		return fmt.Errorf("register schedule action %q: the factory is nil", name)
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	if _, exists := r.factories[name]; exists {
		return fmt.Errorf("register schedule action %q: already registered", name)
	}
	r.factories[name] = factory
	return nil
}

// Build returns the action registered under name, built from params. An
// unknown name is a *domain.ValidationError on the action field; invalid
// parameters are the factory's error.
func (r *ActionRegistry) Build(name string, params json.RawMessage) (ScheduleAction, error) {
	r.mu.RLock()
	factory, ok := r.factories[name]
	r.mu.RUnlock()
	if !ok {
		return nil, domain.Invalid("action", name, "expected a registered action: "+strings.Join(r.Names(), ", "))
	}
	return factory(params)
}

// Names returns the registered action names, sorted.
func (r *ActionRegistry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.factories))
	for name := range r.factories {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// GenericActionName is the name of the built-in action that re-provisions
// purchases.
const GenericActionName = "generic"

// NewDefaultActionRegistry returns a registry with the built-in generic
// action, to which a host application may add its own.
func NewDefaultActionRegistry(selector ports.PurchaseSelector, queue ports.JobQueue) (*ActionRegistry, error) {
	factory, err := GenericActionFactory(selector, queue)
	if err != nil {
		return nil, err
	}
	r := NewActionRegistry()
	if err := r.Register(GenericActionName, factory); err != nil {
		return nil, err
	}
	return r, nil
}

// GenericActionFactory returns the factory of the generic action. Its
// parameters are a domain.PurchaseSelection. A run selects the matching
// purchases and enqueues provision_purchase for each of them in one bulk
// enqueue with ports.EnqueueOptions.Unique, so a purchase whose provision
// job is still pending is not enqueued again.
func GenericActionFactory(selector ports.PurchaseSelector, queue ports.JobQueue) (ActionFactory, error) {
	switch {
	case selector == nil:
		return nil, errors.New("generic schedule action: PurchaseSelector is nil")
	case queue == nil:
		return nil, errors.New("generic schedule action: JobQueue is nil")
	}
	return func(params json.RawMessage) (ScheduleAction, error) {
		sel, err := domain.ParsePurchaseSelection(params)
		if err != nil {
			return nil, err
		}
		return &genericAction{selection: sel, selector: selector, queue: queue}, nil
	}, nil
}

type genericAction struct {
	selection domain.PurchaseSelection
	selector  ports.PurchaseSelector
	queue     ports.JobQueue
}

func (a *genericAction) Run(ctx context.Context, run ScheduleRun) (ScheduleActionResult, error) {
	from, to := a.selection.Window(run.Now)
	purchases, err := a.selector.SelectPurchases(ctx, ports.PurchaseFilter{
		ChannelSlugs: a.selection.Channels,
		Types:        a.selection.PurchaseTypes,
		Statuses:     a.selection.Statuses,
		ErrorCodes:   a.selection.ErrorCodes,
		AgeField:     a.selection.AgeField,
		From:         from,
		To:           to,
		MaxAttempts:  a.selection.MaxAttempts,
		Limit:        a.selection.Limit,
	})
	if err != nil {
		return ScheduleActionResult{}, fmt.Errorf("select purchases: %w", err)
	}
	if len(purchases) == 0 {
		return ScheduleActionResult{}, nil
	}

	jobs := make([]ports.JobArgs, len(purchases))
	for i, p := range purchases {
		jobs[i] = ProvisionPurchaseInput{PurchaseID: p.ID}
	}
	enqueued, err := a.queue.EnqueueMany(ctx, jobs, ports.EnqueueOptions{Unique: true})
	if err != nil {
		return ScheduleActionResult{}, fmt.Errorf("enqueue provision_purchase for %d purchases: %w", len(jobs), err)
	}
	return ScheduleActionResult{Selected: len(purchases), Enqueued: enqueued}, nil
}

// RunScheduleAction runs the action of one schedule slot: it records the
// schedule's executed time and runs the action built from the schedule's
// parameters, in one transaction.
type RunScheduleAction struct {
	tx        ports.TxRunner
	schedules ports.ScheduleStore
	registry  *ActionRegistry
	clock     ports.Clock
	logger    *slog.Logger
}

// NewRunScheduleAction builds the use case. A nil logger discards.
func NewRunScheduleAction(tx ports.TxRunner, schedules ports.ScheduleStore, registry *ActionRegistry,
	clock ports.Clock, logger *slog.Logger) (*RunScheduleAction, error) {
	switch {
	case tx == nil:
		return nil, errors.New("run schedule action: TxRunner is nil")
	case schedules == nil:
		return nil, errors.New("run schedule action: ScheduleStore is nil")
	case registry == nil:
		return nil, errors.New("run schedule action: ActionRegistry is nil")
	case clock == nil:
		return nil, errors.New("run schedule action: Clock is nil")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &RunScheduleAction{tx: tx, schedules: schedules, registry: registry, clock: clock, logger: logger}, nil
}

// RunScheduleActionResult reports one run.
type RunScheduleActionResult struct {
	ScheduleID int64     `json:"schedule_id"`
	Schedule   string    `json:"schedule"`
	Action     string    `json:"action"`
	Slot       time.Time `json:"slot,omitzero"`
	// Disabled is true when the schedule was disabled after the slot fired,
	// so nothing ran.
	Disabled bool `json:"disabled"`
	ScheduleActionResult
}

// Handle loads the schedule and, when it is enabled, records its executed
// time and runs its action in one transaction: if the action fails, the
// executed time and the action's jobs roll back together and the job is
// retried. A missing schedule, an unregistered action or invalid parameters
// are permanent errors, because no retry can fix them.
func (h *RunScheduleAction) Handle(ctx context.Context, in RunScheduleActionInput) (RunScheduleActionResult, error) {
	if in.ScheduleID <= 0 {
		return RunScheduleActionResult{}, domain.Permanent(domain.Invalid("schedule_id", fmt.Sprint(in.ScheduleID), "must be a positive schedule id"))
	}

	res := RunScheduleActionResult{ScheduleID: in.ScheduleID, Slot: in.Slot}
	err := h.tx.InTx(ctx, func(ctx context.Context) error {
		sc, err := h.schedules.Schedule(ctx, in.ScheduleID)
		if errors.Is(err, domain.ErrNotFound) {
			return domain.Permanent(fmt.Errorf("run schedule action: %w", err))
		}
		if err != nil {
			return fmt.Errorf("run schedule action: %w", err)
		}
		res.Schedule, res.Action = sc.Name, sc.Action
		if !sc.Enabled {
			res.Disabled = true
			return nil
		}

		action, err := h.registry.Build(sc.Action, sc.Parameters)
		if err != nil {
			return domain.Permanent(fmt.Errorf("schedule %d (%s): build action %q: %w", sc.ID, sc.Name, sc.Action, err))
		}

		now := h.clock.Now()
		if err := h.schedules.RecordScheduleExecuted(ctx, sc.ID, now); err != nil {
			return fmt.Errorf("run schedule action: %w", err)
		}
		out, err := action.Run(ctx, ScheduleRun{Schedule: sc, Slot: in.Slot, Now: now})
		if err != nil {
			return fmt.Errorf("schedule %d (%s): action %q: %w", sc.ID, sc.Name, sc.Action, err)
		}
		res.ScheduleActionResult = out
		return nil
	})
	if err != nil {
		h.logger.ErrorContext(ctx, "schedule action failed", "schedule_id", in.ScheduleID,
			"schedule", res.Schedule, "action", res.Action, "slot", in.Slot, "error", err)
		return RunScheduleActionResult{}, err
	}

	if res.Disabled {
		h.logger.InfoContext(ctx, "schedule action not run: schedule disabled", "schedule_id", res.ScheduleID,
			"schedule", res.Schedule, "slot", in.Slot)
		return res, nil
	}
	h.logger.InfoContext(ctx, "schedule action ran", "schedule_id", res.ScheduleID, "schedule", res.Schedule,
		"action", res.Action, "slot", in.Slot, "selected", res.Selected, "enqueued", res.Enqueued)
	return res, nil
}

// HandleJob runs Handle for the job engine.
func (h *RunScheduleAction) HandleJob(ctx context.Context, in RunScheduleActionInput) error {
	_, err := h.Handle(ctx, in)
	return err
}
