package usecases

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases/bulkcsv"
)

// UpdateShopsInput is the input of update_shops.
type UpdateShopsInput struct {
	ChannelSlug string `json:"channel_slug"`
	// FileKey is the blob-store key of the CSV file of shops.
	FileKey string `json:"file_key"`
	// Force disables the shops that the file leaves out or marks as not
	// enabled even when they are more than ImportConfig.MaxDisableShare of
	// the channel's enabled shops. It never makes a file without valid
	// rows disable anything.
	Force bool `json:"force,omitempty"`
}

// Kind returns the job's name on the queue.
func (UpdateShopsInput) Kind() string { return "update_shops" }

// ErrSafetyValve is returned when the safety valve held back an import's
// disabling. Nothing was disabled, but the creates and updates of the file
// were applied, so the error does not match domain.ErrInvalid unless the
// file had no valid rows at all.
var ErrSafetyValve = errors.New("import stopped by the safety valve")

// ImportConfig tunes the shop and seller imports.
type ImportConfig struct {
	// MaxDisableShare is the largest share of the channel's enabled
	// entries that an import disables without Force, counting both the
	// entries missing from the file and those its rows mark as not
	// enabled. Above it the import disables nothing and raises an alarm.
	// Default 0.5 (50 %).
	MaxDisableShare float64
	// BatchRows is how many rows are staged at once. Default 5000.
	BatchRows int
	// MaxReportedRows caps the rejected rows listed in the result; the
	// count covers them all. Default 1000.
	MaxReportedRows int
	// MaxAlarmRows caps the rejected rows listed in an alarm. Default 50.
	MaxAlarmRows int
}

// WithDefaults returns a copy with the defaults filled in.
func (c ImportConfig) WithDefaults() ImportConfig {
	if c.MaxDisableShare == 0 {
		c.MaxDisableShare = 0.5
	}
	if c.BatchRows == 0 {
		c.BatchRows = 5000
	}
	if c.MaxReportedRows == 0 {
		c.MaxReportedRows = 1000
	}
	if c.MaxAlarmRows == 0 {
		c.MaxAlarmRows = 50
	}
	return c
}

// Validate reports the first invalid field.
func (c ImportConfig) Validate() error {
	switch {
	case c.MaxDisableShare <= 0 || c.MaxDisableShare > 1:
		return fmt.Errorf("import config: MaxDisableShare %v must be above 0 and at most 1", c.MaxDisableShare)
	case c.BatchRows < 1:
		return fmt.Errorf("import config: BatchRows %d must be positive", c.BatchRows)
	case c.MaxReportedRows < 1:
		return fmt.Errorf("import config: MaxReportedRows %d must be positive", c.MaxReportedRows)
	case c.MaxAlarmRows < 1:
		return fmt.Errorf("import config: MaxAlarmRows %d must be positive", c.MaxAlarmRows)
	}
	return nil
}

// RejectedRow is a row or a field of a row that an import could not use.
type RejectedRow struct {
	Line int `json:"line"`
	// Column is the canonical name of the wrong column, when one is to
	// blame, such as postal_code.
	Column string `json:"column,omitempty"`
	Value  string `json:"value,omitempty"`
	// Error is the problem in English, for engineers and logs.
	Error string `json:"error"`
	// ReasonES is the problem in Spanish for the back-office operators:
	// the column, the value, what is wrong and what to write instead.
	// The import alarms and the command's summaries show it.
	ReasonES string `json:"reason_es,omitempty"`
}

// ImportResult is the result of update_shops and update_sellers.
type ImportResult struct {
	Channel string `json:"channel"`
	// Rows counts the data rows read.
	Rows      int `json:"rows"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	// Disabled counts the enabled entries that the import disabled: those
	// missing from the file and those whose row has enabled no. Updated
	// counts the latter too.
	Disabled int `json:"disabled"`
	// HeldBack is true when the safety valve stopped the disabling: the
	// creates and updates of the file were applied, and the NotDisabled
	// entries stay enabled.
	HeldBack bool `json:"held_back"`
	// NotDisabled counts the entries that the import would have disabled,
	// by either route, and that the safety valve left enabled.
	NotDisabled int `json:"not_disabled"`
	// Rejected counts rejected rows; RejectedRows lists their problems,
	// one entry per wrong field, capped at ImportConfig.MaxReportedRows.
	Rejected     int           `json:"rejected"`
	RejectedRows []RejectedRow `json:"rejected_rows"`
	AlarmRaised  bool          `json:"alarm_raised"`
	Forced       bool          `json:"forced"`
	Encoding     string        `json:"encoding"`
	Delimiter    string        `json:"delimiter"`
}

// UpdateShops runs update_shops: it imports a channel's shops from a CSV
// file in the blob store.
type UpdateShops struct{ imp *outletImporter }

// NewUpdateShops builds the handler.
func NewUpdateShops(cfg ImportConfig, blobs ports.BlobStore, channels ports.ChannelStore, outlets ports.OutletStore,
	alarms ports.AlarmStore, clock ports.Clock, logger *slog.Logger) (*UpdateShops, error) {
	imp, err := newOutletImporter(domain.KindShop, cfg, blobs, channels, outlets, alarms, clock, logger)
	if err != nil {
		return nil, err
	}
	return &UpdateShops{imp: imp}, nil
}

// Handle imports the file. See outletImporter.run for the rules.
func (h *UpdateShops) Handle(ctx context.Context, in UpdateShopsInput) (ImportResult, error) {
	return h.imp.run(ctx, in.Kind(), in.ChannelSlug, in.FileKey, in.Force)
}

// HandleJob implements ports.JobHandler.
func (h *UpdateShops) HandleJob(ctx context.Context, in UpdateShopsInput) error {
	_, err := h.Handle(ctx, in)
	return err
}

// outletImporter is the import shared by shops and sellers.
type outletImporter struct {
	kind     domain.OutletKind
	cfg      ImportConfig
	blobs    ports.BlobStore
	channels ports.ChannelStore
	outlets  ports.OutletStore
	alarms   ports.AlarmStore
	clock    ports.Clock
	logger   *slog.Logger
	columns  []bulkcsv.Column
}

func newOutletImporter(kind domain.OutletKind, cfg ImportConfig, blobs ports.BlobStore, channels ports.ChannelStore,
	outlets ports.OutletStore, alarms ports.AlarmStore, clock ports.Clock, logger *slog.Logger) (*outletImporter, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if blobs == nil || channels == nil || outlets == nil || alarms == nil {
		return nil, fmt.Errorf("new %s import: blob store, channel store, outlet store and alarm store are required", kind)
	}
	if clock == nil {
		clock = ports.SystemClock{}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &outletImporter{kind: kind, cfg: cfg, blobs: blobs, channels: channels, outlets: outlets,
		alarms: alarms, clock: clock, logger: logger, columns: outletColumns(kind)}, nil
}

// outletColumns lists the columns of a shop or seller file with their
// Spanish names.
func outletColumns(kind domain.OutletKind) []bulkcsv.Column {
	cols := []bulkcsv.Column{
		{Name: "code", Aliases: []string{"codigo", "cod"}, Required: true},
		{Name: "name", Aliases: []string{"nombre"}, Required: true},
		{Name: "enabled", Aliases: []string{"activo", "activa", "habilitado", "habilitada", "active"}},
		{Name: "email", Aliases: []string{"e-mail", "correo", "correo electronico", "mail"}},
		{Name: "phone", Aliases: []string{"telefono", "tel", "movil"}},
		{Name: "postal_code", Aliases: []string{"codigo postal", "cp", "zip", "postcode"}},
		{Name: "address", Aliases: []string{"direccion", "domicilio"}},
		{Name: "city", Aliases: []string{"ciudad", "localidad", "municipio", "poblacion"}},
		{Name: "province", Aliases: []string{"provincia"}},
		{Name: "sale_types", Aliases: []string{"tipos de venta", "tipos venta", "ventas permitidas", "allowed sale types"}},
		{Name: "max_discount", Aliases: []string{"descuento maximo", "max discount percent", "descuento"}},
		{Name: "can_sell_devices", Aliases: []string{"vende terminales", "puede vender terminales", "terminales"}},
		{Name: "esim_allowed", Aliases: []string{"esim", "esim permitida", "permite esim"}},
	}
	if kind == domain.KindSeller {
		cols = append(cols, bulkcsv.Column{Name: "shop", Aliases: []string{"tienda", "shop code", "codigo tienda"}})
	}
	return cols
}

// run imports one file into one channel in one transaction. A file that
// bulkcsv.NewReader rejects as a whole, such as one without the required
// columns, changes nothing and raises one alarm, and the error is
// permanent. Rows are validated and staged, and each code keeps its first
// line (a repeat is rejected naming both lines). The outlets of valid rows
// are created or updated, and the channel's enabled outlets whose codes
// are not in the file are disabled. A rejected row whose code could be
// read keeps its outlet enabled, so a typo in one column never disables a
// shop. A seller row whose shop is not a shop of the channel is rejected.
//
// The safety valve: the outlets an import would disable are those missing
// from the file plus those whose row has enabled no. When they are more
// than MaxDisableShare of the channel's enabled outlets and force is not
// set, or when the file has no valid rows (force or not), nothing is
// disabled by either route. The creates and updates are still applied,
// one alarm is raised, and the error matches ErrSafetyValve and says what
// to do. The error is permanent, except for a seller file rejected only
// for unknown shops, which a retry may find once a shop import finishes.
// An applied import resolves the channel's alarms that it makes stale.
func (imp *outletImporter) run(ctx context.Context, job, slug, fileKey string, force bool) (ImportResult, error) {
	res := ImportResult{Channel: slug, Forced: force, RejectedRows: []RejectedRow{}}
	log := imp.logger.With("job", job, "channel", slug, "file_key", fileKey)

	if err := domain.ValidateSlug(slug); err != nil {
		return res, domain.Permanent(err)
	}
	channel, err := imp.channels.ChannelBySlug(ctx, slug)
	if errors.Is(err, domain.ErrNotFound) {
		return res, domain.Permanent(fmt.Errorf("unknown channel %q: create the channel first or check the slug: %w", slug, err))
	}
	if err != nil {
		return res, err
	}

	body, err := imp.blobs.Get(ctx, fileKey)
	if err != nil {
		if errors.Is(err, domain.ErrNotFound) || errors.Is(err, domain.ErrInvalid) {
			return res, domain.Permanent(fmt.Errorf("read %s file %q: %w", imp.kind, fileKey, err))
		}
		return res, fmt.Errorf("read %s file %q: %w", imp.kind, fileKey, err)
	}
	defer body.Close()

	reader, err := bulkcsv.NewReader(body, imp.columns)
	if err != nil {
		err = fmt.Errorf("%s file %q rejected: %w", imp.kind, fileKey, err)
		if errors.Is(err, domain.ErrInvalid) {
			if alarmErr := imp.raiseFileAlarm(ctx, job, slug, fileKey, err, &res); alarmErr != nil {
				return res, errors.Join(err, alarmErr)
			}
		}
		return res, readError(err)
	}
	res.Encoding, res.Delimiter = string(reader.Encoding), string(reader.Delimiter)
	if len(reader.Ignored) > 0 {
		log.InfoContext(ctx, "ignoring unknown columns", "columns", reader.Ignored)
	}

	var plan, done ports.ImportPlan
	var valve valveDecision
	err = imp.outlets.ImportOutlets(ctx, imp.kind, channel.ID, func(ctx context.Context, st ports.OutletImport) error {
		if err := imp.stageFile(ctx, reader, channel.ID, st, &res); err != nil {
			return err
		}
		unknownShops, err := imp.rejectUnknownShops(ctx, st, slug, &res)
		if err != nil {
			return err
		}

		dups, err := st.Duplicates(ctx, imp.cfg.MaxReportedRows)
		if err != nil {
			return err
		}
		for _, d := range dups {
			imp.reject(&res, RejectedRow{Line: d.Line, Column: "code", Value: d.Code,
				Error:    fmt.Sprintf("code %s repeats line %d; the row of line %d is kept", d.Code, d.FirstLine, d.FirstLine),
				ReasonES: duplicateCodeReason(d.Code, d.FirstLine)})
		}

		plan, err = st.Plan(ctx)
		if err != nil {
			return err
		}
		res.Rejected += plan.Duplicates
		valve = imp.decide(plan, force)
		// A seller file whose rows were all rejected for naming shops the
		// channel lacks most likely came before its shop import finished.
		valve.missingShops = valve.empty && unknownShops > 0 && unknownShops == res.Rejected

		done, err = st.Apply(ctx, imp.clock.Now(), !valve.hold)
		return err
	})
	if err != nil {
		return res, err
	}
	res.Created, res.Updated, res.Unchanged = done.Create, done.Update, done.Unchanged
	res.Disabled = done.Disable + done.DisableInFile
	if valve.hold {
		res.HeldBack = true
		res.NotDisabled = plan.Disable + plan.DisableInFile
	}

	log.InfoContext(ctx, "import finished", "rows", res.Rows, "created", res.Created, "updated", res.Updated,
		"unchanged", res.Unchanged, "disabled", res.Disabled, "rejected", res.Rejected, "held_back", res.HeldBack,
		"not_disabled", res.NotDisabled)

	if err := imp.resolveAlarms(ctx, job, slug, res.Rejected == 0, !valve.hold); err != nil {
		return res, err
	}
	if res.Rejected > 0 {
		if err := imp.raiseRejectedAlarm(ctx, job, slug, fileKey, &res); err != nil {
			return res, err
		}
	}
	if valve.hold {
		if err := imp.raiseValveAlarm(ctx, job, slug, fileKey, plan, valve, &res); err != nil {
			return res, err
		}
		if valve.missingShops {
			// Retried, so that a shop import still running can finish.
			return res, imp.valveError(slug, plan, valve)
		}
		return res, domain.Permanent(imp.valveError(slug, plan, valve))
	}
	return res, nil
}

// valveDecision is the safety valve's decision about an import.
type valveDecision struct {
	// hold is true when the import disables nothing.
	hold bool
	// empty is true when the file has no valid rows; force cannot
	// override that.
	empty bool
	// missingShops is true when empty is, the kind is seller, and every
	// rejected row names a shop that the channel does not have.
	missingShops bool
}

// decide applies the safety valve to a plan. The outlets that the import
// would disable are those missing from the file plus those its rows turn
// off, because both routes end with the same outlets disabled.
func (imp *outletImporter) decide(plan ports.ImportPlan, force bool) valveDecision {
	if plan.Create+plan.Update+plan.Unchanged == 0 {
		return valveDecision{hold: true, empty: true}
	}
	disable := plan.Disable + plan.DisableInFile
	over := float64(disable) > imp.cfg.MaxDisableShare*float64(plan.Enabled)
	return valveDecision{hold: over && !force}
}

// valveError returns the error of an import that the safety valve held
// back. Only a file without valid rows, which changed nothing, was
// rejected as a whole and matches domain.ErrInvalid. Otherwise the
// creates and updates of the file were applied, so the error does not.
func (imp *outletImporter) valveError(slug string, plan ports.ImportPlan, valve valveDecision) error {
	if valve.missingShops {
		return fmt.Errorf("%w: channel %s has none of the shops that the seller file names, so nothing was changed; import the channel's shops first (the job is retried in case a shop import is still running)",
			ErrSafetyValve, slug)
	}
	if valve.empty {
		return fmt.Errorf("%w: channel %s: the %s file has no valid rows, so nothing was disabled, even with Force; fix the rejected rows (check the delimiter and the header) and import the file again: %w",
			ErrSafetyValve, slug, imp.kind, domain.ErrInvalid)
	}
	return fmt.Errorf("%w: channel %s: the file would disable %d of %d enabled %ss (%d missing from the file, %d by rows with enabled no), more than the %.0f %% allowed; the creates and updates of the file were applied but nothing was disabled; check the file, and to apply it anyway, set Force (the command's --force flag)",
		ErrSafetyValve, slug, plan.Disable+plan.DisableInFile, plan.Enabled, imp.kind, plan.Disable, plan.DisableInFile,
		imp.cfg.MaxDisableShare*100)
}

// rejectUnknownShops rejects the seller rows whose shop is not a shop of
// the channel and returns how many it rejected.
func (imp *outletImporter) rejectUnknownShops(ctx context.Context, st ports.OutletImport, slug string, res *ImportResult) (int, error) {
	unknown, total, err := st.RejectUnknownShops(ctx, imp.cfg.MaxReportedRows)
	if err != nil {
		return 0, err
	}
	for _, u := range unknown {
		imp.reject(res, RejectedRow{Line: u.Line, Column: "shop", Value: u.ShopCode,
			Error:    fmt.Sprintf("shop %s not found in channel %s; import the shops first", u.ShopCode, slug),
			ReasonES: unknownShopReason(u.ShopCode, slug)})
	}
	res.Rejected += total
	return total, nil
}

// stageFile reads every row, validates it and stages it in batches. A
// goroutine stages each batch while the next one is parsed, so parsing and
// the database work overlap.
func (imp *outletImporter) stageFile(ctx context.Context, reader *bulkcsv.Reader, channelID int64, st ports.OutletImport, res *ImportResult) error {
	progress := ports.ProgressFrom(ctx)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	batches := make(chan []ports.OutletRow, 1)
	free := make(chan []ports.OutletRow, 2)
	for range 2 {
		free <- make([]ports.OutletRow, 0, imp.cfg.BatchRows)
	}
	stageErr := make(chan error, 1)
	go func() {
		for b := range batches {
			if err := st.Stage(ctx, b); err != nil {
				stageErr <- err
				cancel()
				for range batches { // let the reader finish
				}
				return
			}
			progress.Add(int64(len(b)))
			free <- b[:0]
		}
		stageErr <- nil
	}()

	err := imp.parseFile(ctx, reader, channelID, res, batches, free)
	close(batches)
	if sErr := <-stageErr; sErr != nil {
		return sErr
	}
	return err
}

// parseFile reads and validates the rows, sending full batches to batches
// and taking empty ones from free.
func (imp *outletImporter) parseFile(ctx context.Context, reader *bulkcsv.Reader, channelID int64, res *ImportResult,
	batches chan<- []ports.OutletRow, free <-chan []ports.OutletRow) error {
	var batch []ports.OutletRow
	select {
	case batch = <-free:
	case <-ctx.Done():
		return ctx.Err()
	}

	for {
		row, err := reader.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var rowErr *bulkcsv.RowError
		var lostChar *bulkcsv.ReplacementCharError
		var extra *bulkcsv.ExtraFieldError
		readable := errors.As(err, &lostChar) || errors.As(err, &extra)
		switch {
		case readable:
			// The values can be read, so the row goes on below, to be
			// rejected with its other errors and keep its outlet.
		case errors.As(err, &rowErr):
			res.Rows++
			imp.reject(res, RejectedRow{Line: rowErr.Line, Value: rowErr.Value, Error: rowErr.Err.Error(),
				ReasonES: rowErrorReason(rowErr)})
			res.Rejected++
			continue
		case err != nil:
			return readError(fmt.Errorf("read %s file: %w", imp.kind, err))
		}
		res.Rows++

		o, errs := imp.parseRow(row, channelID)
		if short := row.Short(); short != nil {
			// The row keeps its outlet, unchanged, rather than empty the
			// values it lacks.
			errs = append([]error{short}, errs...)
		}
		if readable {
			// The row keeps its outlet, unchanged, rather than store
			// U+FFFD in place of a lost character, or leave out a value
			// that may belong to a column.
			errs = append([]error{err}, errs...)
		}
		for _, e := range errs {
			imp.reject(res, imp.rejectedField(row.Line, e))
		}
		if len(errs) > 0 {
			res.Rejected++
		}
		if domain.ValidateOutletCode(o.Code) != nil {
			continue // without a code the row cannot even keep its outlet
		}
		batch = append(batch, ports.OutletRow{Line: row.Line, Outlet: o, Valid: len(errs) == 0})
		if len(batch) < cap(batch) {
			continue
		}

		batches <- batch
		select {
		case batch = <-free:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if len(batch) > 0 {
		batches <- batch
	}
	return nil
}

// readError marks an error of reading a file as permanent when the file
// itself is at fault: invalid, or not CSV that the reader can get past.
// Any other error, such as a connection to the blob store that broke off,
// is left to the job's retries.
func readError(err error) error {
	var parse *csv.ParseError
	if errors.Is(err, domain.ErrInvalid) || errors.As(err, &parse) {
		return domain.Permanent(err)
	}
	return err
}

// parseRow turns a row into an outlet and the errors of its fields.
func (imp *outletImporter) parseRow(row bulkcsv.Row, channelID int64) (domain.Outlet, []error) {
	o := domain.Outlet{
		Kind: imp.kind, ChannelID: channelID,
		Code: row.Get("code"), Name: row.Get("name"), Email: row.Get("email"),
		Address: row.Get("address"), City: row.Get("city"), Province: row.Get("province"), ShopCode: row.Get("shop"),
	}
	var errs []error
	var err error

	if o.Enabled, err = domain.ParseFlag("enabled", row.Get("enabled"), true); err != nil {
		errs = append(errs, err)
	}
	if v := row.Get("phone"); v != "" {
		if o.Phone, err = domain.NormalizeSpanishPhone(v); err != nil {
			errs = append(errs, asField("phone", v, err))
		}
	}
	if v := row.Get("postal_code"); v != "" {
		if o.PostalCode, err = domain.NormalizePostalCode(v); err != nil {
			errs = append(errs, err)
		}
	}
	if o.Settings.AllowedSaleTypes, err = domain.ParseSaleTypes(row.Get("sale_types")); err != nil {
		errs = append(errs, err)
	}
	if o.Settings.MaxDiscountPercent, err = domain.ParseDiscountPercent(row.Get("max_discount")); err != nil {
		errs = append(errs, err)
	}
	if o.Settings.CanSellDevices, err = domain.ParseFlag("can sell devices", row.Get("can_sell_devices"), false); err != nil {
		errs = append(errs, err)
	}
	if o.Settings.ESIMAllowed, err = domain.ParseFlag("esim allowed", row.Get("esim_allowed"), false); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		// The other checks would repeat the errors above.
		if err := domain.ValidateOutletCode(o.Code); err != nil {
			errs = append([]error{err}, errs...)
		}
		return o, errs
	}
	return o, o.Validate()
}

// asField renames the field of a validation error.
func asField(field, value string, err error) error {
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		return &domain.ValidationError{Field: field, Value: value, Reason: ve.Reason}
	}
	return err
}

// rejectedField reports one wrong field of a row.
func (imp *outletImporter) rejectedField(line int, err error) RejectedRow {
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		column := strings.ReplaceAll(ve.Field, " ", "_")
		return RejectedRow{Line: line, Column: column, Value: ve.Value, Error: ve.Error(),
			ReasonES: imp.words().fieldReason(column, ve.Value)}
	}
	var short *bulkcsv.ShortRowError
	if errors.As(err, &short) {
		return RejectedRow{Line: line, Error: err.Error(), ReasonES: shortRowReason(short)}
	}
	var rowErr *bulkcsv.RowError
	if errors.As(err, &rowErr) {
		return RejectedRow{Line: line, Column: rowErr.Column, Value: rowErr.Value, Error: rowErr.Err.Error(),
			ReasonES: rowErrorReason(rowErr)}
	}
	return RejectedRow{Line: line, Error: err.Error(), ReasonES: "la fila no es válida: revísela"}
}

// reject lists a problem when the list has room.
func (imp *outletImporter) reject(res *ImportResult, r RejectedRow) {
	if len(res.RejectedRows) < imp.cfg.MaxReportedRows {
		res.RejectedRows = append(res.RejectedRows, r)
	}
}
