package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

var (
	_ ports.TxRunner        = (*Store)(nil)
	_ ports.AlarmStore      = (*Store)(nil)
	_ ports.AuditStore      = (*Store)(nil)
	_ ports.ChannelStore    = (*Store)(nil)
	_ ports.PurchaseStore   = (*Store)(nil)
	_ ports.ActivationStore = (*Store)(nil)
)

const alarmColumns = `id, name, message, details, started_at, last_seen_at, occurrences, resolved_at`

func scanAlarm(row interface{ Scan(...any) error }) (domain.Alarm, error) {
	var a domain.Alarm
	var started, lastSeen Time
	err := row.Scan(&a.ID, &a.Name, &a.Message, &a.Details, &started, &lastSeen, &a.Occurrences, NullTime{&a.ResolvedAt})
	a.StartedAt, a.LastSeenAt = started.Time, lastSeen.Time
	return a, err
}

// RaiseAlarm implements ports.AlarmStore. The partial unique index on open
// names turns a second raise into an update of the open row, atomically.
func (s *Store) RaiseAlarm(ctx context.Context, a domain.Alarm) (domain.Alarm, error) {
	if strings.TrimSpace(a.Name) == "" {
		return domain.Alarm{}, domain.Invalid("alarm name", a.Name, "must not be empty")
	}
	if a.StartedAt.IsZero() {
		a.StartedAt = time.Now()
	}
	if a.LastSeenAt.IsZero() {
		a.LastSeenAt = a.StartedAt
	}

	a.Name, a.Message, a.Details = cleanText(a.Name), cleanText(a.Message), cleanText(a.Details)
	row := s.Q(ctx).QueryRowContext(ctx, `INSERT INTO alarms (name, message, details, started_at, last_seen_at, occurrences)
		VALUES ($1, $2, $3, $4, $5, 1)
		ON CONFLICT (name) WHERE resolved_at IS NULL DO UPDATE SET
			occurrences = alarms.occurrences + 1,
			message = excluded.message,
			details = excluded.details,
			last_seen_at = excluded.last_seen_at
		RETURNING `+alarmColumns,
		a.Name, a.Message, a.Details, T(a.StartedAt), T(a.LastSeenAt))
	out, err := scanAlarm(row)
	return out, s.Err(err, "raise alarm %q", a.Name)
}

// ResolveAlarm implements ports.AlarmStore.
func (s *Store) ResolveAlarm(ctx context.Context, name string, at time.Time) error {
	res, err := s.Q(ctx).ExecContext(ctx, `UPDATE alarms SET resolved_at = $1 WHERE name = $2 AND resolved_at IS NULL`, T(at), name)
	if err != nil {
		return s.Err(err, "resolve alarm %q", name)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domainNotFound("open alarm", name)
	}
	return nil
}

// OpenAlarm implements ports.AlarmStore.
func (s *Store) OpenAlarm(ctx context.Context, name string) (domain.Alarm, error) {
	row := s.Q(ctx).QueryRowContext(ctx, `SELECT `+alarmColumns+` FROM alarms WHERE name = $1 AND resolved_at IS NULL`, name)
	a, err := scanAlarm(row)
	return a, s.Err(err, "get open alarm %q", name)
}

// ListAlarms implements ports.AlarmStore.
func (s *Store) ListAlarms(ctx context.Context, openOnly bool, limit int) ([]domain.Alarm, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.Q(ctx).QueryContext(ctx, `SELECT `+alarmColumns+` FROM alarms
		WHERE ($1 = 0 OR resolved_at IS NULL) ORDER BY last_seen_at DESC, id DESC LIMIT $2`, boolInt(openOnly), limit)
	return collect(s, rows, err, "list alarms", scanAlarm)
}

// AddAudit implements ports.AuditStore.
func (s *Store) AddAudit(ctx context.Context, e domain.AuditEntry) (domain.AuditEntry, error) {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = e.At.UTC()
	e.Actor, e.Action, e.Object, e.Message = cleanText(e.Actor), cleanText(e.Action), cleanText(e.Object), cleanText(e.Message)
	err := s.Q(ctx).QueryRowContext(ctx, `INSERT INTO audit_entries (actor, action, object, message, at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, e.Actor, e.Action, e.Object, e.Message, T(e.At)).Scan(&e.ID)
	return e, s.Err(err, "add audit entry")
}

// ListAudit implements ports.AuditStore.
func (s *Store) ListAudit(ctx context.Context, object string, limit int) ([]domain.AuditEntry, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := s.Q(ctx).QueryContext(ctx, `SELECT id, actor, action, object, message, at FROM audit_entries
		WHERE ($1 = '' OR object = $1) ORDER BY id LIMIT $2`, object, limit)
	if err != nil {
		return nil, s.Err(err, "list audit entries")
	}
	defer rows.Close()

	var out []domain.AuditEntry
	for rows.Next() {
		var e domain.AuditEntry
		var at Time
		if err := rows.Scan(&e.ID, &e.Actor, &e.Action, &e.Object, &e.Message, &at); err != nil {
			return nil, s.Err(err, "scan audit entry")
		}
		e.At = at.Time
		out = append(out, e)
	}
	return out, s.Err(rows.Err(), "list audit entries")
}

// CreateChannel implements ports.ChannelStore.
func (s *Store) CreateChannel(ctx context.Context, c domain.Channel) (domain.Channel, error) {
	if err := domain.ValidateSlug(c.Slug); err != nil {
		return domain.Channel{}, err
	}
	err := s.Q(ctx).QueryRowContext(ctx, `INSERT INTO channels (slug, name) VALUES ($1, $2) RETURNING id`, c.Slug, c.Name).Scan(&c.ID)
	return c, s.Err(err, "create channel %q", c.Slug)
}

// ChannelBySlug implements ports.ChannelStore.
func (s *Store) ChannelBySlug(ctx context.Context, slug string) (domain.Channel, error) {
	var c domain.Channel
	err := s.Q(ctx).QueryRowContext(ctx, `SELECT id, slug, name FROM channels WHERE slug = $1`, slug).Scan(&c.ID, &c.Slug, &c.Name)
	return c, s.Err(err, "get channel %q", slug)
}

// ListChannels implements ports.ChannelStore.
func (s *Store) ListChannels(ctx context.Context) ([]domain.Channel, error) {
	rows, err := s.Q(ctx).QueryContext(ctx, `SELECT id, slug, name FROM channels ORDER BY slug`)
	if err != nil {
		return nil, s.Err(err, "list channels")
	}
	defer rows.Close()

	var out []domain.Channel
	for rows.Next() {
		var c domain.Channel
		if err := rows.Scan(&c.ID, &c.Slug, &c.Name); err != nil {
			return nil, s.Err(err, "scan channel")
		}
		out = append(out, c)
	}
	return out, s.Err(rows.Err(), "list channels")
}

const purchaseColumns = `id, channel_id, type, status, delivery_type, error_code, attempts, last_attempt_at, created_at, icc_code`

// ScanPurchase reads a row selected with the purchase columns in order: id,
// channel_id, type, status, delivery_type, error_code, attempts,
// last_attempt_at, created_at, icc_code.
func ScanPurchase(row interface{ Scan(...any) error }) (domain.Purchase, error) {
	var p domain.Purchase
	var created Time
	err := row.Scan(&p.ID, &p.ChannelID, &p.Type, &p.Status, &p.DeliveryType, &p.ErrorCode, &p.Attempts,
		NullTime{&p.LastAttemptAt}, &created, &p.IccCode)
	p.CreatedAt = created.Time
	return p, err
}

// PurchaseColumns is the column list that ScanPurchase reads.
const PurchaseColumns = purchaseColumns

// CreatePurchase implements ports.PurchaseStore.
func (s *Store) CreatePurchase(ctx context.Context, p domain.Purchase) (domain.Purchase, error) {
	if p.CreatedAt.IsZero() {
		p.CreatedAt = time.Now()
	}
	if p.Status == "" {
		p.Status = domain.PurchaseCreated
	}
	row := s.Q(ctx).QueryRowContext(ctx, `INSERT INTO purchases
		(channel_id, type, status, delivery_type, error_code, attempts, last_attempt_at, created_at, icc_code)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+purchaseColumns,
		p.ChannelID, p.Type, string(p.Status), string(p.DeliveryType), p.ErrorCode, p.Attempts,
		TPtr(p.LastAttemptAt), T(p.CreatedAt), p.IccCode)
	out, err := ScanPurchase(row)
	return out, s.Err(err, "create purchase")
}

// Purchase implements ports.PurchaseStore.
func (s *Store) Purchase(ctx context.Context, id int64) (domain.Purchase, error) {
	row := s.Q(ctx).QueryRowContext(ctx, `SELECT `+purchaseColumns+` FROM purchases WHERE id = $1`, id)
	p, err := ScanPurchase(row)
	return p, s.Err(err, "get purchase %d", id)
}

// AddActivation implements ports.ActivationStore.
func (s *Store) AddActivation(ctx context.Context, a domain.ActivationData) (domain.ActivationData, error) {
	err := s.Q(ctx).QueryRowContext(ctx, `INSERT INTO activation_data
		(icc, msisdn, document, status, retries, last_retry_date, error)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		a.ICC, a.MSISDN, a.Document, a.Status, a.Retries, T(a.LastRetryDate), a.Error).Scan(&a.ID)
	a.LastRetryDate = a.LastRetryDate.UTC()
	return a, s.Err(err, "add activation data")
}

// ActivationsRetriedBetween implements ports.ActivationStore.
func (s *Store) ActivationsRetriedBetween(ctx context.Context, from, to time.Time) ([]domain.ActivationData, error) {
	rows, err := s.Q(ctx).QueryContext(ctx, `SELECT id, icc, msisdn, document, status, retries, last_retry_date, error
		FROM activation_data WHERE last_retry_date >= $1 AND last_retry_date < $2
		ORDER BY last_retry_date, id`, T(from), T(to))
	if err != nil {
		return nil, s.Err(err, "list activation data")
	}
	defer rows.Close()

	var out []domain.ActivationData
	for rows.Next() {
		var a domain.ActivationData
		var last Time
		if err := rows.Scan(&a.ID, &a.ICC, &a.MSISDN, &a.Document, &a.Status, &a.Retries, &last, &a.Error); err != nil {
			return nil, s.Err(err, "scan activation data")
		}
		a.LastRetryDate = last.Time
		out = append(out, a)
	}
	return out, s.Err(rows.Err(), "list activation data")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func domainNotFound(what, key string) error {
	return notFoundf("%s %q: %w", what, key, domain.ErrNotFound)
}

// cleanText makes free text storable in both databases: PostgreSQL rejects
// NUL bytes and invalid UTF-8 in text columns, and alarm details quote
// operators' file names, which may contain either. A NUL byte, and each run
// of invalid bytes, becomes U+FFFD.
func cleanText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
