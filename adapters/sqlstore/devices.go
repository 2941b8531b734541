package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

var _ ports.DeviceStore = (*Store)(nil)

// lockCatalogue serialises catalogue writers. On PostgreSQL the updated row
// stays locked until the transaction ends; on SQLite the transaction
// already holds the database's writer lock.
func (s *Store) lockCatalogue(ctx context.Context) error {
	_, err := s.Q(ctx).ExecContext(ctx, `UPDATE device_sync_lock SET writes = writes + 1 WHERE id = 1`)
	return s.Err(err, "lock device catalogue")
}

// UpsertDevices implements ports.DeviceStore. It reads the stored catalogue
// once, compares it with the new data in memory and writes only the rows
// that differ, so a second run on the same feed issues no write.
func (s *Store) UpsertDevices(ctx context.Context, devices []domain.Device) (ports.DeviceChanges, error) {
	for _, d := range devices {
		if err := d.Validate(); err != nil {
			return ports.DeviceChanges{}, err
		}
	}

	var total ports.DeviceChanges
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.lockCatalogue(ctx); err != nil {
			return err
		}

		// NOTE: the whole catalogue is loaded to compare against, which
		// suits catalogues of thousands of devices, not millions.
		filter := ""
		if len(devices) == 1 {
			filter = devices[0].Alias
		}
		stored, err := s.loadDevices(ctx, filter)
		if err != nil {
			return err
		}
		byAlias := make(map[string]domain.Device, len(stored))
		for _, d := range stored {
			byAlias[d.Alias] = d
		}

		for _, d := range devices {
			old, exists := byAlias[d.Alias]
			changes, err := s.upsertDevice(ctx, d, old, exists)
			if err != nil {
				return err
			}
			total = total.Add(changes)
		}
		return nil
	})
	if err != nil {
		return ports.DeviceChanges{}, err
	}
	return total, nil
}

// upsertDevice writes one device given its stored version, if any.
func (s *Store) upsertDevice(ctx context.Context, d, old domain.Device, exists bool) (ports.DeviceChanges, error) {
	var c ports.DeviceChanges
	q := s.Q(ctx)

	// A device the vendor describes is on sale, and so are its offers.
	d.Enabled = true
	specs, err := encodeSpecs(d.Detail.Specs)
	if err != nil {
		return c, err
	}

	switch {
	case !exists:
		err := q.QueryRowContext(ctx, `INSERT INTO devices (alias, name, brand, enabled) VALUES ($1, $2, $3, TRUE) RETURNING id`,
			d.Alias, d.Name, d.Brand).Scan(&d.ID)
		if err != nil {
			return c, s.Err(err, "create device %q", d.Alias)
		}
		c.DevicesCreated++
	case !d.SameData(old):
		d.ID = old.ID
		if _, err := q.ExecContext(ctx, `UPDATE devices SET name = $1, brand = $2, enabled = TRUE WHERE id = $3`,
			d.Name, d.Brand, d.ID); err != nil {
			return c, s.Err(err, "update device %q", d.Alias)
		}
		c.DevicesUpdated++
	default:
		d.ID = old.ID
	}

	if !exists || !d.SameData(old) {
		_, err := q.ExecContext(ctx, `INSERT INTO device_details (device_id, description, specs) VALUES ($1, $2, $3)
			ON CONFLICT (device_id) DO UPDATE SET description = excluded.description, specs = excluded.specs`,
			d.ID, d.Detail.Description, specs)
		if err != nil {
			return c, s.Err(err, "write detail of device %q", d.Alias)
		}
	}

	// Offers: update the stored ones, create the new ones in one statement,
	// then write the payment plans that changed in one statement.
	var created []domain.DeviceSetting
	var plans []planRow
	listed := make(map[string]bool, len(d.Offers))
	for _, o := range d.Offers {
		listed[o.Alias] = true
		prev, exists := old.Offer(o.Alias)
		if !exists {
			created = append(created, o)
			continue
		}

		o.ID, o.Enabled = prev.ID, true
		if !o.SameData(prev) {
			_, err := q.ExecContext(ctx, `UPDATE device_settings SET color = $1, storage_gb = $2, price_cents = $3, stock = $4, enabled = TRUE
				WHERE id = $5`, o.Color, o.StorageGB, int64(o.Price), o.Stock, o.ID)
			if err != nil {
				return c, s.Err(err, "update offer %q of device %q", o.Alias, d.Alias)
			}
			c.OffersUpdated++
		}
		if !domain.SamePayments(o.Payments, prev.Payments) {
			if _, err := q.ExecContext(ctx, `DELETE FROM device_payments WHERE setting_id = $1`, o.ID); err != nil {
				return c, s.Err(err, "delete payment plans of offer %q", o.Alias)
			}
			c.PaymentsReplaced++
			plans = appendPlans(plans, o.ID, o.Payments)
		}
	}

	ids, err := s.insertOffers(ctx, d, created)
	if err != nil {
		return c, err
	}
	c.OffersCreated += len(created)
	for _, o := range created {
		plans = appendPlans(plans, ids[o.Alias], o.Payments)
	}
	if err := s.insertPlans(ctx, d.Alias, plans); err != nil {
		return c, err
	}

	for _, o := range old.Offers {
		if listed[o.Alias] || !o.Enabled {
			continue
		}
		if _, err := q.ExecContext(ctx, `UPDATE device_settings SET enabled = FALSE WHERE id = $1`, o.ID); err != nil {
			return c, s.Err(err, "disable offer %q of device %q", o.Alias, d.Alias)
		}
		c.OffersDisabled++
	}
	return c, nil
}

// insertOffers creates the offers of device d, enabled, in one statement and
// returns their ids by alias.
func (s *Store) insertOffers(ctx context.Context, d domain.Device, offers []domain.DeviceSetting) (map[string]int64, error) {
	ids := make(map[string]int64, len(offers))
	if len(offers) == 0 {
		return ids, nil
	}
	var query strings.Builder
	query.WriteString(`INSERT INTO device_settings (device_id, alias, color, storage_gb, price_cents, stock, enabled) VALUES `)
	args := make([]any, 0, len(offers)*6)
	for i, o := range offers {
		if i > 0 {
			query.WriteString(", ")
		}
		n := len(args)
		fmt.Fprintf(&query, "($%d, $%d, $%d, $%d, $%d, $%d, TRUE)", n+1, n+2, n+3, n+4, n+5, n+6)
		args = append(args, d.ID, o.Alias, o.Color, o.StorageGB, int64(o.Price), o.Stock)
	}
	query.WriteString(` RETURNING id, alias`)

	rows, err := s.Q(ctx).QueryContext(ctx, query.String(), args...)
	if err != nil {
		return nil, s.Err(err, "create offers of device %q", d.Alias)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var alias string
		if err := rows.Scan(&id, &alias); err != nil {
			return nil, s.Err(err, "scan offer id")
		}
		ids[alias] = id
	}
	return ids, s.Err(rows.Err(), "create offers of device %q", d.Alias)
}

// planRow is a payment plan to insert for the offer with id settingID.
type planRow struct {
	settingID int64
	plan      domain.DevicePayment
}

func appendPlans(rows []planRow, settingID int64, plans []domain.DevicePayment) []planRow {
	for _, p := range domain.SortedPayments(plans) {
		rows = append(rows, planRow{settingID: settingID, plan: p})
	}
	return rows
}

// insertPlans creates payment plans in statements of up to 200 rows, which
// stays far below the databases' limits on bound parameters.
func (s *Store) insertPlans(ctx context.Context, device string, rows []planRow) error {
	const batch = 200
	for start := 0; start < len(rows); start += batch {
		chunk := rows[start:min(start+batch, len(rows))]
		var query strings.Builder
		query.WriteString(`INSERT INTO device_payments (setting_id, plan, months, upfront_cents, monthly_cents) VALUES `)
		args := make([]any, 0, len(chunk)*5)
		for i, r := range chunk {
			if i > 0 {
				query.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&query, "($%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5)
			args = append(args, r.settingID, r.plan.Plan, r.plan.Months, int64(r.plan.Upfront), int64(r.plan.Monthly))
		}
		if _, err := s.Q(ctx).ExecContext(ctx, query.String(), args...); err != nil {
			return s.Err(err, "create payment plans of device %q", device)
		}
	}
	return nil
}

// DisableDevices implements ports.DeviceStore.
func (s *Store) DisableDevices(ctx context.Context, aliases []string) (ports.DeviceChanges, error) {
	var c ports.DeviceChanges
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.lockCatalogue(ctx); err != nil {
			return err
		}
		q := s.Q(ctx)
		for _, alias := range aliases {
			res, err := q.ExecContext(ctx, `UPDATE devices SET enabled = FALSE WHERE alias = $1 AND enabled = TRUE`, alias)
			if err != nil {
				return s.Err(err, "disable device %q", alias)
			}
			n, _ := res.RowsAffected()
			c.DevicesDisabled += int(n)

			res, err = q.ExecContext(ctx, `UPDATE device_settings SET enabled = FALSE
				WHERE device_id = (SELECT id FROM devices WHERE alias = $1) AND enabled = TRUE`, alias)
			if err != nil {
				return s.Err(err, "disable offers of device %q", alias)
			}
			n, _ = res.RowsAffected()
			c.OffersDisabled += int(n)
		}
		return nil
	})
	if err != nil {
		return ports.DeviceChanges{}, err
	}
	return c, nil
}

// EnabledDeviceAliases implements ports.DeviceStore.
func (s *Store) EnabledDeviceAliases(ctx context.Context) ([]string, error) {
	rows, err := s.Q(ctx).QueryContext(ctx, `SELECT alias FROM devices WHERE enabled = TRUE ORDER BY alias`)
	if err != nil {
		return nil, s.Err(err, "list enabled devices")
	}
	defer rows.Close()

	var out []string
	for rows.Next() {
		var alias string
		if err := rows.Scan(&alias); err != nil {
			return nil, s.Err(err, "scan device alias")
		}
		out = append(out, alias)
	}
	return out, s.Err(rows.Err(), "list enabled devices")
}

// Device implements ports.DeviceStore.
func (s *Store) Device(ctx context.Context, alias string) (domain.Device, error) {
	if alias == "" {
		return domain.Device{}, domain.Invalid("device alias", alias, "must not be empty")
	}
	devices, err := s.loadDevices(ctx, alias)
	if err != nil {
		return domain.Device{}, err
	}
	if len(devices) == 0 {
		return domain.Device{}, domainNotFound("device", alias)
	}
	return devices[0], nil
}

// ListDevices implements ports.DeviceStore.
func (s *Store) ListDevices(ctx context.Context) ([]domain.Device, error) {
	return s.loadDevices(ctx, "")
}

// SetOfferStocks implements ports.DeviceStore.
func (s *Store) SetOfferStocks(ctx context.Context, deviceAlias string, stocks map[string]int) (ports.StockChanges, error) {
	offerAliases := make([]string, 0, len(stocks))
	for alias, stock := range stocks {
		if stock < 0 {
			return ports.StockChanges{}, domain.Invalid("offer stock", fmt.Sprint(stock), fmt.Sprintf("must not be negative (offer %s)", alias))
		}
		offerAliases = append(offerAliases, alias)
	}
	sort.Strings(offerAliases)

	var c ports.StockChanges
	err := s.InTx(ctx, func(ctx context.Context) error {
		q := s.Q(ctx)
		var deviceID int64
		if err := q.QueryRowContext(ctx, `SELECT id FROM devices WHERE alias = $1`, deviceAlias).Scan(&deviceID); err != nil {
			return s.Err(err, "get device %q", deviceAlias)
		}

		current, err := s.offerStocks(ctx, deviceID)
		if err != nil {
			return err
		}
		for _, alias := range offerAliases {
			stock, known := current[alias]
			switch {
			case !known:
				c.Unknown = append(c.Unknown, alias)
			case stock == stocks[alias]:
				c.Unchanged++
			default:
				if _, err := q.ExecContext(ctx, `UPDATE device_settings SET stock = $1 WHERE device_id = $2 AND alias = $3`,
					stocks[alias], deviceID, alias); err != nil {
					return s.Err(err, "set stock of offer %q", alias)
				}
				c.Updated++
			}
		}
		return nil
	})
	if err != nil {
		return ports.StockChanges{}, err
	}
	return c, nil
}

func (s *Store) offerStocks(ctx context.Context, deviceID int64) (map[string]int, error) {
	rows, err := s.Q(ctx).QueryContext(ctx, `SELECT alias, stock FROM device_settings WHERE device_id = $1`, deviceID)
	if err != nil {
		return nil, s.Err(err, "list offer stock")
	}
	defer rows.Close()

	out := map[string]int{}
	for rows.Next() {
		var alias string
		var stock int
		if err := rows.Scan(&alias, &stock); err != nil {
			return nil, s.Err(err, "scan offer stock")
		}
		out[alias] = stock
	}
	return out, s.Err(rows.Err(), "list offer stock")
}

// loadDevices reads the devices with their detail, offers and plans in three
// queries: every device when alias is empty, else the one with that alias.
func (s *Store) loadDevices(ctx context.Context, alias string) ([]domain.Device, error) {
	q := s.Q(ctx)
	rows, err := q.QueryContext(ctx, `SELECT d.id, d.alias, d.name, d.brand, d.enabled,
			COALESCE(dd.description, ''), COALESCE(dd.specs, '{}')
		FROM devices d LEFT JOIN device_details dd ON dd.device_id = d.id
		WHERE ($1 = '' OR d.alias = $1) ORDER BY d.alias`, alias)
	if err != nil {
		return nil, s.Err(err, "list devices")
	}
	var devices []domain.Device
	index := map[int64]int{}
	for rows.Next() {
		var d domain.Device
		var specs string
		if err := rows.Scan(&d.ID, &d.Alias, &d.Name, &d.Brand, &d.Enabled, &d.Detail.Description, &specs); err != nil {
			rows.Close()
			return nil, s.Err(err, "scan device")
		}
		if d.Detail.Specs, err = decodeSpecs(specs); err != nil {
			rows.Close()
			return nil, fmt.Errorf("device %q: %w", d.Alias, err)
		}
		index[d.ID] = len(devices)
		devices = append(devices, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.Err(err, "list devices")
	}
	if len(devices) == 0 {
		return nil, nil
	}

	offers, err := s.loadOffers(ctx, alias)
	if err != nil {
		return nil, err
	}
	for deviceID, list := range offers {
		if i, ok := index[deviceID]; ok {
			devices[i].Offers = list
		}
	}
	return devices, nil
}

// loadOffers returns the offers with their plans, keyed by device id.
func (s *Store) loadOffers(ctx context.Context, alias string) (map[int64][]domain.DeviceSetting, error) {
	q := s.Q(ctx)
	payments := map[int64][]domain.DevicePayment{}
	rows, err := q.QueryContext(ctx, `SELECT p.setting_id, p.plan, p.months, p.upfront_cents, p.monthly_cents
		FROM device_payments p
		JOIN device_settings ds ON ds.id = p.setting_id
		JOIN devices d ON d.id = ds.device_id
		WHERE ($1 = '' OR d.alias = $1) ORDER BY p.setting_id, p.plan`, alias)
	if err != nil {
		return nil, s.Err(err, "list payment plans")
	}
	for rows.Next() {
		var settingID int64
		var p domain.DevicePayment
		var upfront, monthly int64
		if err := rows.Scan(&settingID, &p.Plan, &p.Months, &upfront, &monthly); err != nil {
			rows.Close()
			return nil, s.Err(err, "scan payment plan")
		}
		p.Upfront, p.Monthly = domain.Cents(upfront), domain.Cents(monthly)
		payments[settingID] = append(payments[settingID], p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.Err(err, "list payment plans")
	}

	rows, err = q.QueryContext(ctx, `SELECT ds.id, ds.device_id, ds.alias, ds.color, ds.storage_gb, ds.price_cents, ds.stock, ds.enabled
		FROM device_settings ds JOIN devices d ON d.id = ds.device_id
		WHERE ($1 = '' OR d.alias = $1) ORDER BY ds.device_id, ds.alias`, alias)
	if err != nil {
		return nil, s.Err(err, "list offers")
	}
	defer rows.Close()

	out := map[int64][]domain.DeviceSetting{}
	for rows.Next() {
		var o domain.DeviceSetting
		var deviceID, price int64
		if err := rows.Scan(&o.ID, &deviceID, &o.Alias, &o.Color, &o.StorageGB, &price, &o.Stock, &o.Enabled); err != nil {
			return nil, s.Err(err, "scan offer")
		}
		o.Price = domain.Cents(price)
		o.Payments = payments[o.ID]
		out[deviceID] = append(out[deviceID], o)
	}
	return out, s.Err(rows.Err(), "list offers")
}

func encodeSpecs(specs map[string]string) (string, error) {
	if len(specs) == 0 {
		return "{}", nil
	}
	// encoding/json writes map keys sorted, so equal specs give equal text.
	b, err := json.Marshal(specs)
	if err != nil {
		return "", fmt.Errorf("encode device specs: %w", err)
	}
	return string(b), nil
}

func decodeSpecs(text string) (map[string]string, error) {
	var specs map[string]string
	if err := json.Unmarshal([]byte(text), &specs); err != nil {
		return nil, fmt.Errorf("decode stored device specs %q: %w", text, err)
	}
	if len(specs) == 0 {
		return nil, nil
	}
	return specs, nil
}
