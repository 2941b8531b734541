package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

var _ ports.OutletStore = (*Store)(nil)

// StageTable is the temporary table that an outlet import stages its rows
// in. It lives in the import's transaction and connection.
const StageTable = "outlet_import_stage"

// StageColumns are the columns of StageTable in the order of StageValues.
var StageColumns = []string{
	"line", "code", "valid", "name", "enabled", "email", "phone", "postal_code", "address",
	"city", "province", "shop_code", "sale_types", "max_discount_percent", "can_sell_devices", "esim_allowed",
}

// StageValues returns the values of a row in the order of StageColumns.
func StageValues(r ports.OutletRow) []any {
	o := r.Outlet
	return []any{
		int32(r.Line), o.Code, r.Valid, o.Name, o.Enabled, o.Email, o.Phone, o.PostalCode, o.Address,
		o.City, o.Province, o.ShopCode, domain.FormatSaleTypes(o.Settings.AllowedSaleTypes),
		int32(o.Settings.MaxDiscountPercent), o.Settings.CanSellDevices, o.Settings.ESIMAllowed,
	}
}

// StageFunc writes rows into StageTable in the transaction carried by ctx.
type StageFunc func(ctx context.Context, rows []ports.OutletRow) error

// outletTable returns the table of a kind.
func outletTable(kind domain.OutletKind) (string, error) {
	switch kind {
	case domain.KindShop:
		return "shops", nil
	case domain.KindSeller:
		return "sellers", nil
	}
	return "", domain.Invalid("outlet kind", string(kind), "expected shop or seller")
}

// outletFields are the columns an import copies from a row, besides code.
var outletFields = []string{
	"name", "enabled", "email", "phone", "postal_code", "address", "city", "province", "shop_code",
	"sale_types", "max_discount_percent", "can_sell_devices", "esim_allowed",
}

// ImportOutlets implements ports.OutletStore. Rows are staged with a
// prepared INSERT.
func (s *Store) ImportOutlets(ctx context.Context, kind domain.OutletKind, channelID int64,
	fn func(ctx context.Context, imp ports.OutletImport) error) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		return s.RunOutletImport(ctx, kind, channelID, nil, fn)
	})
}

// RunOutletImport runs an outlet import in the transaction that ctx must
// carry: it creates StageTable, calls fn, and drops the table. stage, when
// not nil, replaces the prepared INSERT that stages rows, so that an
// adapter can use a faster path such as PostgreSQL's COPY.
func (s *Store) RunOutletImport(ctx context.Context, kind domain.OutletKind, channelID int64, stage StageFunc,
	fn func(ctx context.Context, imp ports.OutletImport) error) error {
	if _, ok := TxFromContext(ctx); !ok {
		return fmt.Errorf("outlet import: the context carries no transaction")
	}
	table, err := outletTable(kind)
	if err != nil {
		return err
	}

	q := s.Q(ctx)
	if s.dialect.Name == "postgres" {
		// Imports into one channel wait for each other, shops and sellers
		// alike. The second plans against what the first wrote instead of
		// failing on the unique key of the codes both create, and a seller
		// import reads the shops of a shop import that began before it.
		// SQLite has a single writer already.
		_, err := q.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`,
			fmt.Sprintf("telcojobs: import outlets of channel %d", channelID))
		if err != nil {
			return s.Err(err, "wait for other imports into channel %d", channelID)
		}
		// The default 4 MB makes the hash joins and aggregates over a
		// million staged rows spill to disk; SET LOCAL ends with the
		// transaction.
		if _, err := q.ExecContext(ctx, `SET LOCAL work_mem = '64MB'`); err != nil {
			return s.Err(err, "set work_mem")
		}
	}
	if _, err := q.ExecContext(ctx, `DROP TABLE IF EXISTS `+StageTable); err != nil {
		return s.Err(err, "drop stage table")
	}
	if _, err := q.ExecContext(ctx, `CREATE TEMPORARY TABLE `+StageTable+` (
		line                 INTEGER NOT NULL,
		code                 TEXT NOT NULL,
		valid                BOOLEAN NOT NULL,
		name                 TEXT NOT NULL,
		enabled              BOOLEAN NOT NULL,
		email                TEXT NOT NULL,
		phone                TEXT NOT NULL,
		postal_code          TEXT NOT NULL,
		address              TEXT NOT NULL,
		city                 TEXT NOT NULL,
		province             TEXT NOT NULL,
		shop_code            TEXT NOT NULL,
		sale_types           TEXT NOT NULL,
		max_discount_percent INTEGER NOT NULL,
		can_sell_devices     BOOLEAN NOT NULL,
		esim_allowed         BOOLEAN NOT NULL,
		first_line           INTEGER,
		shop_missing         BOOLEAN NOT NULL DEFAULT FALSE
	)`); err != nil {
		return s.Err(err, "create stage table")
	}

	imp := &outletImport{s: s, kind: kind, table: table, channelID: channelID, stage: stage}
	if imp.stage == nil {
		imp.stage = s.insertStage
	}
	if err := fn(ctx, imp); err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `DROP TABLE `+StageTable)
	return s.Err(err, "drop stage table")
}

// insertStage stages rows with a prepared single-row INSERT. On SQLite
// this beats multi-row INSERTs, whose cost grows faster than their number
// of bound values in modernc.org/sqlite.
func (s *Store) insertStage(ctx context.Context, rows []ports.OutletRow) error {
	tx, ok := TxFromContext(ctx)
	if !ok {
		return fmt.Errorf("stage rows: the context carries no transaction")
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO `+StageTable+` (`+strings.Join(StageColumns, ", ")+`)
		VALUES `+rowPlaceholders(1, len(StageColumns)))
	if err != nil {
		return s.Err(err, "prepare staging")
	}
	defer stmt.Close()

	for _, r := range rows {
		if _, err := stmt.ExecContext(ctx, StageValues(r)...); err != nil {
			return s.Err(err, "stage the row of line %d", r.Line)
		}
	}
	return nil
}

// rowPlaceholders returns "($from, ..., $from+n-1)".
func rowPlaceholders(from, n int) string {
	var b strings.Builder
	b.WriteByte('(')
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	b.WriteByte(')')
	return b.String()
}

type outletImport struct {
	s         *Store
	kind      domain.OutletKind
	table     string
	channelID int64
	stage     StageFunc
	finished  bool
	// repeats is true when finish found a code on more than one row.
	repeats bool
	// plan is the last Plan, which Apply reuses.
	plan *ports.ImportPlan
}

func (imp *outletImport) Stage(ctx context.Context, rows []ports.OutletRow) error {
	if imp.finished {
		return fmt.Errorf("stage rows: the import was already planned or applied")
	}
	if len(rows) == 0 {
		return nil
	}
	return imp.stage(ctx, rows)
}

// finish indexes the staged rows and marks each row whose code repeats with
// the first line of its code. Files rarely repeat a code, so one count of
// distinct codes decides whether the costlier marking runs at all.
func (imp *outletImport) finish(ctx context.Context) error {
	if imp.finished {
		return nil
	}
	imp.finished = true
	q := imp.s.Q(ctx)

	if imp.s.dialect.Name == "postgres" {
		// Temporary tables are never analysed automatically, and without
		// statistics the planner may choose nested loops over a million
		// rows. The columns the queries filter and join on are enough.
		if _, err := q.ExecContext(ctx, `ANALYZE `+StageTable+` (code, line, valid, shop_code)`); err != nil {
			return imp.s.Err(err, "analyse stage table")
		}
	} else {
		if _, err := q.ExecContext(ctx, `CREATE INDEX `+StageTable+`_code ON `+StageTable+` (code, line)`); err != nil {
			return imp.s.Err(err, "index stage table")
		}
	}

	var rows, codes int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT code) FROM `+StageTable).Scan(&rows, &codes)
	if err != nil {
		return imp.s.Err(err, "count staged codes")
	}
	imp.repeats = codes < rows
	if !imp.repeats {
		return nil
	}
	_, err = q.ExecContext(ctx, `UPDATE `+StageTable+` AS s SET first_line = d.first_line
		FROM (SELECT code, MIN(line) AS first_line FROM `+StageTable+` GROUP BY code HAVING COUNT(*) > 1) AS d
		WHERE s.code = d.code`)
	return imp.s.Err(err, "find repeated codes")
}

func (imp *outletImport) Duplicates(ctx context.Context, limit int) ([]ports.DuplicateCode, error) {
	if err := imp.finish(ctx); err != nil {
		return nil, err
	}
	if !imp.repeats {
		return nil, nil
	}
	if limit <= 0 {
		limit = 1000
	}
	rows, err := imp.s.Q(ctx).QueryContext(ctx, `SELECT code, first_line, line FROM `+StageTable+`
		WHERE valid AND first_line IS NOT NULL AND line <> first_line ORDER BY line LIMIT $1`, limit)
	if err != nil {
		return nil, imp.s.Err(err, "list repeated codes")
	}
	defer rows.Close()

	var out []ports.DuplicateCode
	for rows.Next() {
		var d ports.DuplicateCode
		if err := rows.Scan(&d.Code, &d.FirstLine, &d.Line); err != nil {
			return nil, imp.s.Err(err, "scan repeated code")
		}
		out = append(out, d)
	}
	return out, imp.s.Err(rows.Err(), "list repeated codes")
}

func (imp *outletImport) RejectUnknownShops(ctx context.Context, limit int) ([]ports.UnknownShop, int, error) {
	if imp.plan != nil {
		return nil, 0, fmt.Errorf("reject unknown shops: the import was already planned")
	}
	if imp.kind != domain.KindSeller {
		return nil, 0, nil
	}
	if err := imp.finish(ctx); err != nil {
		return nil, 0, err
	}
	if limit <= 0 {
		limit = 1000
	}
	q := imp.s.Q(ctx)

	// Only the rows Apply would use are checked, so a repeated code stays
	// a repeat and a row is never reported twice.
	res, err := q.ExecContext(ctx, `UPDATE `+StageTable+` AS s SET valid = FALSE, shop_missing = TRUE
		WHERE `+keptRow+` AND s.shop_code <> ''
		AND NOT EXISTS (SELECT 1 FROM shops AS o WHERE o.channel_id = $1 AND o.code = s.shop_code)`, imp.channelID)
	if err != nil {
		return nil, 0, imp.s.Err(err, "check the shops of the sellers")
	}
	total := affected(res)
	if total == 0 {
		return nil, 0, nil
	}

	rows, err := q.QueryContext(ctx, `SELECT line, shop_code FROM `+StageTable+` WHERE shop_missing ORDER BY line LIMIT $1`, limit)
	if err != nil {
		return nil, 0, imp.s.Err(err, "list sellers of unknown shops")
	}
	defer rows.Close()
	var out []ports.UnknownShop
	for rows.Next() {
		var u ports.UnknownShop
		if err := rows.Scan(&u.Line, &u.ShopCode); err != nil {
			return nil, 0, imp.s.Err(err, "scan seller of an unknown shop")
		}
		out = append(out, u)
	}
	return out, total, imp.s.Err(rows.Err(), "list sellers of unknown shops")
}

// keptRow selects the staged rows an import applies: valid, and the first
// of their code.
const keptRow = `s.valid AND (s.first_line IS NULL OR s.line = s.first_line)`

// turnsOff is true when staged row s disables the enabled stored outlet o.
const turnsOff = `(o.enabled AND NOT s.enabled)`

// differs is true when stored outlet o differs from staged row s.
func differs() string {
	parts := make([]string, len(outletFields))
	for i, f := range outletFields {
		parts[i] = "o." + f + " <> s." + f
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

func (imp *outletImport) Plan(ctx context.Context) (ports.ImportPlan, error) {
	if imp.plan != nil {
		return *imp.plan, nil
	}
	if err := imp.finish(ctx); err != nil {
		return ports.ImportPlan{}, err
	}
	q := imp.s.Q(ctx)
	var p ports.ImportPlan

	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+StageTable+` AS s WHERE `+keptRow+`
		AND NOT EXISTS (SELECT 1 FROM `+imp.table+` AS o WHERE o.channel_id = $1 AND o.code = s.code)`,
		imp.channelID).Scan(&p.Create)
	if err != nil {
		return p, imp.s.Err(err, "count %s to create", imp.table)
	}

	err = q.QueryRowContext(ctx, `SELECT
			COALESCE(SUM(CASE WHEN `+differs()+` THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN `+differs()+` THEN 0 ELSE 1 END), 0),
			COALESCE(SUM(CASE WHEN `+turnsOff+` THEN 1 ELSE 0 END), 0)
		FROM `+StageTable+` AS s JOIN `+imp.table+` AS o ON o.channel_id = $1 AND o.code = s.code
		WHERE `+keptRow, imp.channelID).Scan(&p.Update, &p.Unchanged, &p.DisableInFile)
	if err != nil {
		return p, imp.s.Err(err, "count %s to update", imp.table)
	}

	err = q.QueryRowContext(ctx, `SELECT
			COUNT(*),
			COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM `+StageTable+` AS s WHERE s.code = o.code) THEN 0 ELSE 1 END), 0)
		FROM `+imp.table+` AS o WHERE o.channel_id = $1 AND o.enabled`, imp.channelID).Scan(&p.Enabled, &p.Disable)
	if err != nil {
		return p, imp.s.Err(err, "count %s to disable", imp.table)
	}

	if imp.repeats {
		err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+StageTable+` WHERE valid AND first_line IS NOT NULL AND line <> first_line`).Scan(&p.Duplicates)
		if err != nil {
			return p, imp.s.Err(err, "count repeated codes")
		}
	}
	imp.plan = &p
	return p, nil
}

func (imp *outletImport) Apply(ctx context.Context, at time.Time, disable bool) (ports.ImportPlan, error) {
	plan, err := imp.Plan(ctx)
	if err != nil {
		return plan, err
	}
	q := imp.s.Q(ctx)
	out := ports.ImportPlan{Unchanged: plan.Unchanged, Enabled: plan.Enabled, Duplicates: plan.Duplicates}

	// Disabling runs first, while the table holds only the outlets that
	// existed before the import, and not at all when the plan found none
	// to disable.
	if disable && plan.Disable > 0 {
		res, err := q.ExecContext(ctx, `UPDATE `+imp.table+` AS o SET enabled = FALSE, updated_at = $2
			WHERE o.channel_id = $1 AND o.enabled
			AND NOT EXISTS (SELECT 1 FROM `+StageTable+` AS s WHERE s.code = o.code)`, imp.channelID, T(at))
		if err != nil {
			return out, imp.s.Err(err, "disable missing %s", imp.table)
		}
		out.Disable = affected(res)
	}

	if plan.DisableInFile > 0 {
		if err := imp.applyTurnsOff(ctx, at, disable, &out); err != nil {
			return out, err
		}
	}

	if plan.Update > 0 {
		res, err := q.ExecContext(ctx, `UPDATE `+imp.table+` AS o SET `+setFromStage()+`, updated_at = $2
			FROM `+StageTable+` AS s
			WHERE o.channel_id = $1 AND o.code = s.code AND `+keptRow+` AND `+differs(),
			imp.channelID, T(at))
		if err != nil {
			return out, imp.s.Err(err, "update %s", imp.table)
		}
		out.Update += affected(res)
	}
	if !disable {
		// The rows whose only change was to disable their outlet changed
		// nothing.
		out.Unchanged = plan.Unchanged + plan.Update - out.Update
	}

	if plan.Create == 0 {
		return out, nil
	}
	// When no kept row matched a stored outlet, every kept row is new and
	// the insert needs no anti-join: imports into one channel do not run at
	// the same time.
	missing := ` AND NOT EXISTS (SELECT 1 FROM ` + imp.table + ` AS o WHERE o.channel_id = $1 AND o.code = s.code)`
	if plan.Update+plan.Unchanged == 0 {
		missing = ""
	}
	res, err := q.ExecContext(ctx, `INSERT INTO `+imp.table+` (channel_id, code, `+strings.Join(outletFields, ", ")+`, updated_at)
		SELECT CAST($1 AS BIGINT), s.code, s.`+strings.Join(outletFields, ", s.")+`, `+imp.s.timeParam(2)+`
		FROM `+StageTable+` AS s
		WHERE `+keptRow+missing, imp.channelID, T(at))
	if err != nil {
		return out, imp.s.Err(err, "create %s", imp.table)
	}
	out.Create = affected(res)
	return out, nil
}

// applyTurnsOff handles the rows that disable an enabled outlet. When
// disable is true, it applies them whole and counts them in out.Update and
// out.DisableInFile. When false, it stages them as enabled, so that the
// update that follows changes only their other fields.
func (imp *outletImport) applyTurnsOff(ctx context.Context, at time.Time, disable bool, out *ports.ImportPlan) error {
	q := imp.s.Q(ctx)
	if !disable {
		_, err := q.ExecContext(ctx, `UPDATE `+StageTable+` AS s SET enabled = TRUE
			WHERE `+keptRow+` AND NOT s.enabled
			AND EXISTS (SELECT 1 FROM `+imp.table+` AS o WHERE o.channel_id = $1 AND o.code = s.code AND o.enabled)`,
			imp.channelID)
		return imp.s.Err(err, "hold back the rows that disable %s", imp.table)
	}

	res, err := q.ExecContext(ctx, `UPDATE `+imp.table+` AS o SET `+setFromStage()+`, updated_at = $2
		FROM `+StageTable+` AS s
		WHERE o.channel_id = $1 AND o.code = s.code AND `+keptRow+` AND `+turnsOff,
		imp.channelID, T(at))
	if err != nil {
		return imp.s.Err(err, "disable %s by row", imp.table)
	}
	out.DisableInFile = affected(res)
	out.Update += out.DisableInFile
	return nil
}

// setFromStage returns the SET list that copies every field of staged row s.
func setFromStage() string {
	sets := make([]string, len(outletFields))
	for i, f := range outletFields {
		sets[i] = f + " = s." + f
	}
	return strings.Join(sets, ", ")
}

// timeParam returns placeholder $n typed as a time where the database needs
// it, as in the select list of INSERT ... SELECT on PostgreSQL. SQLite keeps
// the text.
func (s *Store) timeParam(n int) string {
	if s.dialect.Name == "postgres" {
		return fmt.Sprintf("CAST($%d AS TIMESTAMPTZ)", n)
	}
	return fmt.Sprintf("$%d", n)
}

func affected(res sql.Result) int {
	n, _ := res.RowsAffected()
	return int(n)
}

const outletColumns = `id, channel_id, code, name, enabled, email, phone, postal_code, address, city, province,
	shop_code, sale_types, max_discount_percent, can_sell_devices, esim_allowed, updated_at`

func scanOutlet(kind domain.OutletKind, row interface{ Scan(...any) error }) (domain.Outlet, error) {
	o := domain.Outlet{Kind: kind}
	var saleTypes string
	var updated Time
	err := row.Scan(&o.ID, &o.ChannelID, &o.Code, &o.Name, &o.Enabled, &o.Email, &o.Phone, &o.PostalCode,
		&o.Address, &o.City, &o.Province, &o.ShopCode, &saleTypes, &o.Settings.MaxDiscountPercent,
		&o.Settings.CanSellDevices, &o.Settings.ESIMAllowed, &updated)
	if err != nil {
		return o, err
	}
	o.UpdatedAt = updated.Time
	o.Settings.AllowedSaleTypes, err = domain.ParseSaleTypes(saleTypes)
	return o, err
}

// SaveOutlet implements ports.OutletStore.
func (s *Store) SaveOutlet(ctx context.Context, o domain.Outlet) (domain.Outlet, error) {
	table, err := outletTable(o.Kind)
	if err != nil {
		return o, err
	}
	if o.UpdatedAt.IsZero() {
		o.UpdatedAt = time.Now()
	}
	sets := make([]string, len(outletFields))
	for i, f := range outletFields {
		sets[i] = f + " = excluded." + f
	}
	row := s.Q(ctx).QueryRowContext(ctx, `INSERT INTO `+table+` (channel_id, code, `+strings.Join(outletFields, ", ")+`, updated_at)
		VALUES `+rowPlaceholders(1, len(outletFields)+3)+`
		ON CONFLICT (channel_id, code) DO UPDATE SET `+strings.Join(sets, ", ")+`, updated_at = excluded.updated_at
		RETURNING `+outletColumns,
		o.ChannelID, o.Code, o.Name, o.Enabled, o.Email, o.Phone, o.PostalCode, o.Address, o.City, o.Province,
		o.ShopCode, domain.FormatSaleTypes(o.Settings.AllowedSaleTypes), o.Settings.MaxDiscountPercent,
		o.Settings.CanSellDevices, o.Settings.ESIMAllowed, T(o.UpdatedAt))
	out, err := scanOutlet(o.Kind, row)
	return out, s.Err(err, "save %s %q", o.Kind, o.Code)
}

// Outlet implements ports.OutletStore.
func (s *Store) Outlet(ctx context.Context, kind domain.OutletKind, channelID int64, code string) (domain.Outlet, error) {
	table, err := outletTable(kind)
	if err != nil {
		return domain.Outlet{}, err
	}
	row := s.Q(ctx).QueryRowContext(ctx, `SELECT `+outletColumns+` FROM `+table+` WHERE channel_id = $1 AND code = $2`, channelID, code)
	o, err := scanOutlet(kind, row)
	return o, s.Err(err, "get %s %q", kind, code)
}

// ListOutlets implements ports.OutletStore.
func (s *Store) ListOutlets(ctx context.Context, kind domain.OutletKind, channelID int64) ([]domain.Outlet, error) {
	table, err := outletTable(kind)
	if err != nil {
		return nil, err
	}
	rows, err := s.Q(ctx).QueryContext(ctx, `SELECT `+outletColumns+` FROM `+table+` WHERE channel_id = $1 ORDER BY code`, channelID)
	if err != nil {
		return nil, s.Err(err, "list %s", table)
	}
	defer rows.Close()

	var out []domain.Outlet
	for rows.Next() {
		o, err := scanOutlet(kind, rows)
		if err != nil {
			return nil, s.Err(err, "scan %s", kind)
		}
		out = append(out, o)
	}
	return out, s.Err(rows.Err(), "list %s", table)
}
