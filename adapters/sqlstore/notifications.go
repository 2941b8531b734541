package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

var (
	_ ports.TemplateStore     = (*Store)(nil)
	_ ports.NotificationStore = (*Store)(nil)
)

const templateColumns = `id, name, channel, subject, body, html_body, sender, updated_at`

func scanTemplate(row interface{ Scan(...any) error }) (domain.NotificationTemplate, error) {
	var t domain.NotificationTemplate
	var updated Time
	err := row.Scan(&t.ID, &t.Name, &t.Channel, &t.Subject, &t.Body, &t.HTMLBody, &t.Sender, &updated)
	t.UpdatedAt = updated.Time
	return t, err
}

func validateTemplate(t domain.NotificationTemplate) error {
	if strings.TrimSpace(t.Name) == "" {
		return domain.Invalid("template name", t.Name, "must not be empty")
	}
	if _, err := domain.ParseNotificationChannel(string(t.Channel)); err != nil {
		return err
	}
	if strings.TrimSpace(t.Body) == "" {
		return domain.Invalid("template body", t.Body, "must not be empty")
	}
	return nil
}

// CreateTemplate implements ports.TemplateStore.
func (s *Store) CreateTemplate(ctx context.Context, t domain.NotificationTemplate) (domain.NotificationTemplate, error) {
	if err := validateTemplate(t); err != nil {
		return domain.NotificationTemplate{}, err
	}
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = time.Now()
	}
	row := s.Q(ctx).QueryRowContext(ctx, `INSERT INTO notification_templates
		(name, channel, subject, body, html_body, sender, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+templateColumns,
		t.Name, string(t.Channel), t.Subject, t.Body, t.HTMLBody, t.Sender, T(t.UpdatedAt))
	out, err := scanTemplate(row)
	return out, s.Err(err, "create template %q", t.Name)
}

// Template implements ports.TemplateStore.
func (s *Store) Template(ctx context.Context, name string) (domain.NotificationTemplate, error) {
	row := s.Q(ctx).QueryRowContext(ctx, `SELECT `+templateColumns+` FROM notification_templates WHERE name = $1`, name)
	t, err := scanTemplate(row)
	return t, s.Err(err, "get template %q", name)
}

// UpdateTemplate implements ports.TemplateStore.
func (s *Store) UpdateTemplate(ctx context.Context, t domain.NotificationTemplate) (domain.NotificationTemplate, error) {
	if err := validateTemplate(t); err != nil {
		return domain.NotificationTemplate{}, err
	}
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = time.Now()
	}
	row := s.Q(ctx).QueryRowContext(ctx, `UPDATE notification_templates
		SET channel = $2, subject = $3, body = $4, html_body = $5, sender = $6, updated_at = $7
		WHERE name = $1 RETURNING `+templateColumns,
		t.Name, string(t.Channel), t.Subject, t.Body, t.HTMLBody, t.Sender, T(t.UpdatedAt))
	out, err := scanTemplate(row)
	return out, s.Err(err, "update template %q", t.Name)
}

// ListTemplates implements ports.TemplateStore.
func (s *Store) ListTemplates(ctx context.Context) ([]domain.NotificationTemplate, error) {
	rows, err := s.Q(ctx).QueryContext(ctx, `SELECT `+templateColumns+` FROM notification_templates ORDER BY name`)
	return collect(s, rows, err, "list templates", scanTemplate)
}

const notificationColumns = `id, template_name, channel, recipient, context, status, attempts, max_attempts,
	last_error, sent_at, created_at, encoding, segments, provider_id, claimed_until, dedupe_key`

func scanNotification(row interface{ Scan(...any) error }) (domain.Notification, error) {
	var n domain.Notification
	var vars string
	var created Time
	var key sql.NullString
	err := row.Scan(&n.ID, &n.TemplateName, &n.Channel, &n.Recipient, &vars, &n.Status, &n.Attempts, &n.MaxAttempts,
		&n.LastError, NullTime{&n.SentAt}, &created, &n.Encoding, &n.Segments, &n.ProviderID, NullTime{&n.ClaimedUntil}, &key)
	if err != nil {
		return n, err
	}
	n.CreatedAt = created.Time
	n.DedupeKey = key.String
	n.Context, err = decodeContext(vars)
	if err != nil {
		return n, fmt.Errorf("notification %d: %w", n.ID, err)
	}
	return n, nil
}

// decodeContext reads the stored template variables. JSON has one number
// type, so whole numbers come back as int64 and the others as float64,
// which lets a template print 3 rather than 3.000000 and compare numbers.
func decodeContext(s string) (map[string]any, error) {
	if s == "" || s == "null" {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode context: %w", err)
	}
	for k, v := range m {
		m[k] = convertNumbers(v)
	}
	return m, nil
}

func convertNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil && !math.IsInf(f, 0) {
			return f
		}
		return x.String()
	case map[string]any:
		for k, e := range x {
			x[k] = convertNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = convertNumbers(e)
		}
	}
	return v
}

// CreateNotification implements ports.NotificationStore. It writes the
// notification and its attachments in one transaction.
func (s *Store) CreateNotification(ctx context.Context, n domain.Notification) (domain.Notification, error) {
	if _, err := domain.ParseNotificationChannel(string(n.Channel)); err != nil {
		return domain.Notification{}, err
	}
	if strings.TrimSpace(n.Recipient) == "" {
		return domain.Notification{}, domain.Invalid("recipient", n.Recipient, "must not be empty")
	}
	if n.Status == "" {
		n.Status = domain.NotificationPending
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = time.Now()
	}
	vars, err := json.Marshal(n.Context)
	if err != nil {
		return domain.Notification{}, fmt.Errorf("encode context of notification to %s: %w", n.Recipient, domain.Permanent(err))
	}

	var out domain.Notification
	err = s.InTx(ctx, func(ctx context.Context) error {
		row := s.Q(ctx).QueryRowContext(ctx, `INSERT INTO notifications
			(template_name, channel, recipient, context, status, attempts, max_attempts, last_error, sent_at,
			 created_at, encoding, segments, provider_id, claimed_until, dedupe_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
			ON CONFLICT (dedupe_key) DO NOTHING RETURNING `+notificationColumns,
			n.TemplateName, string(n.Channel), n.Recipient, string(vars), string(n.Status), n.Attempts, n.MaxAttempts,
			n.LastError, TPtr(n.SentAt), T(n.CreatedAt), n.Encoding, n.Segments, n.ProviderID, TPtr(n.ClaimedUntil),
			sql.NullString{String: n.DedupeKey, Valid: n.DedupeKey != ""})
		created, err := scanNotification(row)
		if errors.Is(err, sql.ErrNoRows) && n.DedupeKey != "" {
			// DO NOTHING keeps the transaction usable, so that the caller
			// can read the notification that has the key.
			return fmt.Errorf("create notification to %s: dedupe key %q is taken: %w", n.Recipient, n.DedupeKey, domain.ErrConflict)
		}
		if err != nil {
			return s.Err(err, "create notification to %s", n.Recipient)
		}

		for i, a := range n.Attachments {
			if strings.TrimSpace(a.Filename) == "" {
				return domain.Invalid("attachment filename", a.Filename, "must not be empty")
			}
			content := a.Content
			if content == nil {
				content = []byte{}
			}
			if _, err := s.Q(ctx).ExecContext(ctx, `INSERT INTO notification_attachments
				(notification_id, position, filename, content_type, content) VALUES ($1, $2, $3, $4, $5)`,
				created.ID, i, a.Filename, a.ContentType, content); err != nil {
				return s.Err(err, "store attachment %q of notification %d", a.Filename, created.ID)
			}
			created.Attachments = append(created.Attachments, domain.Attachment{
				Filename: a.Filename, ContentType: a.ContentType, Content: bytes.Clone(content),
			})
		}
		out = created
		return nil
	})
	return out, err
}

// NotificationByDedupeKey implements ports.NotificationStore.
func (s *Store) NotificationByDedupeKey(ctx context.Context, key string) (domain.Notification, error) {
	if key == "" {
		return domain.Notification{}, domain.Invalid("dedupe key", key, "must not be empty")
	}
	row := s.Q(ctx).QueryRowContext(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE dedupe_key = $1`, key)
	n, err := scanNotification(row)
	if err != nil {
		return domain.Notification{}, s.Err(err, "get notification with dedupe key %q", key)
	}
	n.Attachments, err = s.attachments(ctx, n.ID)
	return n, err
}

// Notification implements ports.NotificationStore.
func (s *Store) Notification(ctx context.Context, id int64) (domain.Notification, error) {
	row := s.Q(ctx).QueryRowContext(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE id = $1`, id)
	n, err := scanNotification(row)
	if err != nil {
		return domain.Notification{}, s.Err(err, "get notification %d", id)
	}
	n.Attachments, err = s.attachments(ctx, id)
	return n, err
}

func (s *Store) attachments(ctx context.Context, id int64) ([]domain.Attachment, error) {
	rows, err := s.Q(ctx).QueryContext(ctx, `SELECT filename, content_type, content FROM notification_attachments
		WHERE notification_id = $1 ORDER BY position`, id)
	if err != nil {
		return nil, s.Err(err, "list attachments of notification %d", id)
	}
	defer rows.Close()

	var out []domain.Attachment
	for rows.Next() {
		var a domain.Attachment
		if err := rows.Scan(&a.Filename, &a.ContentType, &a.Content); err != nil {
			return nil, s.Err(err, "scan attachment of notification %d", id)
		}
		out = append(out, a)
	}
	return out, s.Err(rows.Err(), "list attachments of notification %d", id)
}

// StartNotificationAttempt implements ports.NotificationStore. The claim
// and the attempt count are one UPDATE whose WHERE clause re-checks the
// state, so of two concurrent runs only one gets the row. On PostgreSQL the
// second UPDATE waits for the first to commit and then finds the claim. On
// SQLite the writer lock runs them one after the other.
func (s *Store) StartNotificationAttempt(ctx context.Context, id int64, now, claimUntil time.Time) (domain.Notification, error) {
	row := s.Q(ctx).QueryRowContext(ctx, `UPDATE notifications
		SET attempts = attempts + 1, claimed_until = $3
		WHERE id = $1 AND status = 'pending'
			AND (claimed_until IS NULL OR claimed_until <= $2)
			AND (max_attempts = 0 OR attempts < max_attempts)
		RETURNING `+notificationColumns, id, T(now), T(claimUntil))
	n, err := scanNotification(row)
	if err == nil {
		n.Attachments, err = s.attachments(ctx, id)
		return n, err
	}
	if err = s.Err(err, "start attempt of notification %d", id); !errors.Is(err, domain.ErrNotFound) {
		return domain.Notification{}, err
	}

	// Nothing was updated, so the stored row gives the reason.
	n, err = s.Notification(ctx, id)
	if err != nil {
		return domain.Notification{}, err
	}
	if why := n.CanStartAttempt(now); why != nil {
		return n, why
	}
	return n, fmt.Errorf("start attempt of notification %d: changed by another run: %w", id, domain.ErrConflict)
}

// UpdateNotification implements ports.NotificationStore.
func (s *Store) UpdateNotification(ctx context.Context, n domain.Notification) error {
	if _, err := domain.ParseNotificationChannel(string(n.Channel)); err != nil && n.Channel != "" {
		return err
	}
	res, err := s.Q(ctx).ExecContext(ctx, `UPDATE notifications
		SET status = $2, last_error = $3, sent_at = $4, provider_id = $5, encoding = $6, segments = $7,
			claimed_until = NULL
		WHERE id = $1 AND status = 'pending'`,
		n.ID, string(n.Status), n.LastError, TPtr(n.SentAt), n.ProviderID, n.Encoding, n.Segments)
	if err != nil {
		return s.Err(err, "update notification %d", n.ID)
	}
	if count, _ := res.RowsAffected(); count > 0 {
		return nil
	}

	var status domain.NotificationStatus
	err = s.Q(ctx).QueryRowContext(ctx, `SELECT status FROM notifications WHERE id = $1`, n.ID).Scan(&status)
	if err != nil {
		return s.Err(err, "update notification %d", n.ID)
	}
	return fmt.Errorf("update notification %d: it is %s: %w", n.ID, status, domain.ErrNotificationFinal)
}
