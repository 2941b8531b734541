package usecases

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// UpdateDeviceDataInput is the input of update_device_data.
type UpdateDeviceDataInput struct {
	// Force applies the disabling even when the safety valve would stop it
	// because the listing was empty or the share of disabled devices was too
	// high. It never overrides a failed or incomplete feed.
	Force bool `json:"force,omitempty"`
}

// Kind returns the job's name on the queue.
func (UpdateDeviceDataInput) Kind() string { return "update_device_data" }

// UpdateDeviceDataAlarm is the name of the alarm raised when a sync holds
// back the disabling. A later sync that disables freely resolves it.
const UpdateDeviceDataAlarm = "update_device_data"

// UpdateDeviceDataConfig configures update_device_data.
type UpdateDeviceDataConfig struct {
	// Concurrency is the number of vendor requests in flight at once,
	// listing pages and device retrievals together. Default 8.
	Concurrency int
	// MaxDisableShare is the largest share of the enabled devices, between
	// 0 and 1, that one run may disable without Force. Default 0.2.
	MaxDisableShare float64
	// MaxPages rejects a listing that announces more pages, which guards
	// against a broken pages field. Default 10000.
	MaxPages int
}

// WithDefaults returns a copy with the defaults filled in.
func (c UpdateDeviceDataConfig) WithDefaults() UpdateDeviceDataConfig {
	if c.Concurrency == 0 {
		c.Concurrency = 8
	}
	if c.MaxDisableShare == 0 {
		c.MaxDisableShare = domain.DefaultMaxDisableShare
	}
	if c.MaxPages == 0 {
		c.MaxPages = 10000
	}
	return c
}

// Validate reports the first invalid field.
func (c UpdateDeviceDataConfig) Validate() error {
	switch {
	case c.Concurrency < 1:
		return fmt.Errorf("update_device_data config: Concurrency %d must be at least 1", c.Concurrency)
	case c.MaxDisableShare < 0 || c.MaxDisableShare > 1:
		return fmt.Errorf("update_device_data config: MaxDisableShare %g must be between 0 and 1", c.MaxDisableShare)
	case c.MaxPages < 1:
		return fmt.Errorf("update_device_data config: MaxPages %d must be at least 1", c.MaxPages)
	}
	return nil
}

// DeviceFailure is a device the vendor could not serve.
type DeviceFailure struct {
	Alias string `json:"alias"`
	Error string `json:"error"`
}

// UpdateDeviceDataResult is the outcome of one catalogue sync.
type UpdateDeviceDataResult struct {
	// Pages is the number of listing pages announced; Listed the distinct
	// devices the pages held; AnnouncedTotal the total the vendor gave.
	Pages          int `json:"pages"`
	Listed         int `json:"listed"`
	AnnouncedTotal int `json:"announced_total"`
	// ListingError is the first listing failure, if any.
	ListingError string `json:"listing_error,omitempty"`
	// Retrieved counts devices retrieved and written.
	Retrieved int `json:"retrieved"`
	// Gone lists listed devices for which the vendor returned 404. They
	// are treated as no longer listed.
	Gone []string `json:"gone"`
	// Failed lists devices whose retrieval failed otherwise.
	Failed []DeviceFailure `json:"failed"`
	// Enabled is the number of enabled devices before the run.
	Enabled int `json:"enabled"`
	// ToDisable lists the enabled devices the vendor no longer has. They
	// were disabled unless Held is set.
	ToDisable []string `json:"to_disable"`
	// Held is the reason nothing was disabled, such as "listing_incomplete" or
	// "disable_share_exceeded"; empty when the disabling was applied.
	Held domain.CatalogueHold `json:"held,omitempty"`
	// AlarmRaised is true when Held raised the operators' alarm.
	AlarmRaised bool `json:"alarm_raised"`

	// Changes counts the rows written; all zero when the stored catalogue
	// already matched the feed.
	ports.DeviceChanges
}

// UpdateDeviceData syncs the device catalogue from the vendor.
type UpdateDeviceData struct {
	cfg       UpdateDeviceDataConfig
	catalogue ports.Catalogue
	tx        ports.TxRunner
	devices   ports.DeviceStore
	alarms    ports.AlarmStore
	clock     ports.Clock
	logger    *slog.Logger
}

// NewUpdateDeviceData builds the use case. A nil logger discards.
func NewUpdateDeviceData(cfg UpdateDeviceDataConfig, catalogue ports.Catalogue, tx ports.TxRunner,
	devices ports.DeviceStore, alarms ports.AlarmStore, clock ports.Clock, logger *slog.Logger) (*UpdateDeviceData, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if catalogue == nil || tx == nil || devices == nil || alarms == nil || clock == nil {
		return nil, errors.New("update_device_data: catalogue, tx, devices, alarms and clock are required")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &UpdateDeviceData{cfg: cfg, catalogue: catalogue, tx: tx, devices: devices, alarms: alarms,
		clock: clock, logger: logger.With("job", UpdateDeviceDataInput{}.Kind())}, nil
}

// HandleJob implements ports.JobHandler. A run held because the feed failed
// returns an error, so the job engine retries it later. A run held by the
// share limit or an empty listing returns nil, because a retry would be held
// again until an operator forces it.
func (u *UpdateDeviceData) HandleJob(ctx context.Context, in UpdateDeviceDataInput) error {
	res, err := u.Handle(ctx, in)
	if err != nil {
		return err
	}
	return res.Err()
}

// Err returns the failure that a result stands for, or nil: a listing that
// failed or was incomplete, or a retrieve that failed. The job engine
// retries such a run, and the command exits with status 1. A hold for an
// empty listing or too large a share is not an error, since a retry would
// be held the same way until someone forces it.
func (r UpdateDeviceDataResult) Err() error {
	switch r.Held {
	case domain.HoldListingFailed, domain.HoldListingIncomplete, domain.HoldRetrieveFailed:
		return fmt.Errorf("update_device_data: vendor feed unreliable (%s); devices written, none disabled", r.Held)
	}
	return nil
}

// Handle lists the vendor's catalogue, retrieves every device, and writes
// the catalogue in one transaction, disabling the devices the vendor no
// longer has unless the guard holds that back.
func (u *UpdateDeviceData) Handle(ctx context.Context, in UpdateDeviceDataInput) (UpdateDeviceDataResult, error) {
	feed := u.fetch(ctx)
	if err := ctx.Err(); err != nil {
		return UpdateDeviceDataResult{}, fmt.Errorf("update_device_data: %w", err)
	}

	res := UpdateDeviceDataResult{
		Pages: feed.pages, Listed: len(feed.listed), AnnouncedTotal: feed.total,
		Retrieved: len(feed.devices), Gone: feed.gone, Failed: feed.failed,
	}
	if feed.listingErr != nil {
		res.ListingError = feed.listingErr.Error()
	}

	var facts domain.CatalogueSyncFacts
	err := u.tx.InTx(ctx, func(ctx context.Context) error {
		enabled, err := u.devices.EnabledDeviceAliases(ctx)
		if err != nil {
			return err
		}
		res.Enabled = len(enabled)
		res.ToDisable = feed.missingFrom(enabled)

		facts = domain.CatalogueSyncFacts{
			ListingFailed: feed.listingErr != nil, Listed: len(feed.listed), AnnouncedTotal: feed.total,
			RetrieveFailures: len(feed.failed), Enabled: len(enabled), Disabling: len(res.ToDisable),
		}
		res.Held = domain.DecideCatalogueHold(facts, u.cfg.MaxDisableShare, in.Force)

		changes, err := u.devices.UpsertDevices(ctx, feed.devices)
		if err != nil {
			return err
		}
		if res.Held == domain.HoldNone && len(res.ToDisable) > 0 {
			disabled, err := u.devices.DisableDevices(ctx, res.ToDisable)
			if err != nil {
				return err
			}
			changes = changes.Add(disabled)
		}
		res.DeviceChanges = changes
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("update_device_data: write catalogue: %w", err)
	}

	u.logger.InfoContext(ctx, "device catalogue synced", "listed", res.Listed, "announced_total", res.AnnouncedTotal,
		"retrieved", res.Retrieved, "gone", len(res.Gone), "failed", len(res.Failed), "to_disable", len(res.ToDisable),
		"held", string(res.Held), "changed_rows", res.DeviceChanges.Total(), "force", in.Force)

	if res.Held != domain.HoldNone {
		if err := u.raiseAlarm(ctx, res, facts); err != nil {
			return res, err
		}
		res.AlarmRaised = true
		return res, nil
	}
	if err := u.alarms.ResolveAlarm(ctx, UpdateDeviceDataAlarm, u.clock.Now()); err != nil && !errors.Is(err, domain.ErrNotFound) {
		u.logger.WarnContext(ctx, "resolve alarm failed", "alarm", UpdateDeviceDataAlarm, "error", err)
	}
	return res, nil
}

// catalogueFeed is the listing and the devices the vendor returned in one
// run.
type catalogueFeed struct {
	pages, total int
	listingErr   error
	listed       map[string]bool
	devices      []domain.Device
	gone         []string
	failed       []DeviceFailure
}

// missingFrom returns the enabled aliases that the feed no longer has: not
// listed, or listed but gone. A listed device whose retrieval failed is
// kept.
func (f *catalogueFeed) missingFrom(enabled []string) []string {
	gone := make(map[string]bool, len(f.gone))
	for _, a := range f.gone {
		gone[a] = true
	}
	var out []string
	for _, a := range enabled {
		if !f.listed[a] || gone[a] {
			out = append(out, a)
		}
	}
	return out
}

// fetch reads page 1, then the other pages and every listed device, with at
// most cfg.Concurrency requests in flight. A device is retrieved as soon as
// its page arrives.
func (u *UpdateDeviceData) fetch(ctx context.Context) *catalogueFeed {
	feed := &catalogueFeed{listed: map[string]bool{}}
	progress := ports.ProgressFrom(ctx)
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, u.cfg.Concurrency)

	acquire := func() bool {
		select {
		case sem <- struct{}{}:
			return true
		case <-ctx.Done():
			return false
		}
	}
	release := func() { <-sem }

	retrieve := func(alias string) {
		defer wg.Done()
		if !acquire() {
			return
		}
		d, err := u.catalogue.RetrieveDevice(ctx, alias)
		release()
		progress.Add(1)

		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil:
			feed.devices = append(feed.devices, d)
		case errors.Is(err, domain.ErrNotFound):
			u.logger.InfoContext(ctx, "listed device not found at vendor", "alias", alias)
			feed.gone = append(feed.gone, alias)
		case ctx.Err() == nil:
			u.logger.WarnContext(ctx, "retrieve device failed", "alias", alias, "error", err)
			feed.failed = append(feed.failed, DeviceFailure{Alias: alias, Error: err.Error()})
		}
	}

	// accept records a page's devices and starts their retrieval. The
	// caller holds mu.
	accept := func(page ports.CataloguePage) {
		for _, e := range page.Devices {
			if feed.listed[e.Alias] {
				continue
			}
			feed.listed[e.Alias] = true
			wg.Add(1)
			go retrieve(e.Alias)
		}
	}
	listingFailed := func(page int, err error) {
		if ctx.Err() != nil {
			return
		}
		u.logger.WarnContext(ctx, "list devices failed", "page", page, "error", err)
		if feed.listingErr == nil {
			feed.listingErr = fmt.Errorf("page %d: %w", page, err)
		}
	}

	if !acquire() {
		return feed
	}
	first, err := u.catalogue.ListDevices(ctx, 1)
	release()
	mu.Lock()
	switch {
	case err != nil:
		listingFailed(1, err)
	case first.Pages > u.cfg.MaxPages:
		listingFailed(1, fmt.Errorf("%d pages announced, more than MaxPages %d", first.Pages, u.cfg.MaxPages))
	default:
		feed.pages, feed.total = first.Pages, first.Total
		progress.Total(int64(first.Total))
		accept(first)
	}
	mu.Unlock()

	for n := 2; err == nil && n <= feed.pages && n <= u.cfg.MaxPages; n++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !acquire() {
				return
			}
			page, err := u.catalogue.ListDevices(ctx, n)
			release()

			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				listingFailed(n, err)
			case page.Total != feed.total || page.Pages != feed.pages:
				listingFailed(n, fmt.Errorf("page %d announces %d devices in %d pages, page 1 announced %d in %d",
					n, page.Total, page.Pages, feed.total, feed.pages))
				accept(page)
			default:
				accept(page)
			}
		}()
	}
	wg.Wait()

	// Stable order for the store and the result.
	slices.SortFunc(feed.devices, func(a, b domain.Device) int { return strings.Compare(a.Alias, b.Alias) })
	sort.Strings(feed.gone)
	slices.SortFunc(feed.failed, func(a, b DeviceFailure) int { return strings.Compare(a.Alias, b.Alias) })
	return feed
}

// raiseAlarm raises the operators' alarm with the reason, in Spanish, why
// nothing was disabled.
func (u *UpdateDeviceData) raiseAlarm(ctx context.Context, res UpdateDeviceDataResult, f domain.CatalogueSyncFacts) error {
	var reason string
	switch res.Held {
	case domain.HoldListingFailed:
		reason = fmt.Sprintf("no se pudo leer el listado completo de Orion (%s)", res.ListingError)
	case domain.HoldListingIncomplete:
		reason = fmt.Sprintf("el listado de Orion está incompleto: se recibieron %d dispositivos de los %d anunciados", f.Listed, f.AnnouncedTotal)
	case domain.HoldRetrieveFailed:
		reason = fmt.Sprintf("no se pudo consultar el detalle de %d dispositivos en Orion", f.RetrieveFailures)
	case domain.HoldListingEmpty:
		reason = fmt.Sprintf("Orion ha devuelto un catálogo vacío y hay %d dispositivos habilitados", f.Enabled)
	case domain.HoldShareExceeded:
		reason = fmt.Sprintf("se deshabilitarían %d de los %d dispositivos habilitados (%.0f %%), más que el máximo permitido del %.0f %%",
			f.Disabling, f.Enabled, 100*float64(f.Disabling)/float64(f.Enabled), 100*u.cfg.MaxDisableShare)
	default:
		reason = string(res.Held)
	}
	message := "Sincronización de dispositivos: no se ha deshabilitado ningún dispositivo porque " + reason + "."

	var details strings.Builder
	fmt.Fprintf(&details, "Dispositivos que se deshabilitarían (%d): %s\n", len(res.ToDisable), strings.Join(res.ToDisable, ", "))
	for _, fail := range res.Failed {
		fmt.Fprintf(&details, "Error al consultar %s: %s\n", fail.Alias, fail.Error)
	}
	if res.Held == domain.HoldListingEmpty || res.Held == domain.HoldShareExceeded {
		details.WriteString("Si los cambios son correctos, ejecute update_device_data con la opción force.\n")
	} else {
		details.WriteString("Los datos recibidos se han guardado; la tarea se reintentará.\n")
	}

	alarm, err := domain.NewAlarm(UpdateDeviceDataAlarm, message, details.String(), u.clock.Now())
	if err != nil {
		return err
	}
	if _, err := u.alarms.RaiseAlarm(ctx, alarm); err != nil {
		return fmt.Errorf("update_device_data: raise alarm: %w", err)
	}
	u.logger.WarnContext(ctx, "device disabling held back; alarm raised", "held", string(res.Held), "to_disable", len(res.ToDisable))
	return nil
}
