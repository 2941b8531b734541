package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

var (
	_ ports.IccStore            = (*Store)(nil)
	_ ports.IccAssigner         = (*Store)(nil)
	_ ports.IccReleaser         = (*Store)(nil)
	_ ports.UsedIccPurger       = (*Store)(nil)
	_ ports.EsimStockAlertStore = (*Store)(nil)
)

const iccColumns = `id, iccid, kind, pdf_key, purchase_id, assigned_at, created_at`

// maxInParams caps the values bound in one IN list, well under the
// parameter limits of SQLite (32,766) and PostgreSQL (65,535).
const maxInParams = 500

func scanIcc(row interface{ Scan(...any) error }) (domain.Icc, error) {
	var icc domain.Icc
	var purchaseID *int64
	var created Time
	err := row.Scan(&icc.ID, &icc.ICCID, &icc.Kind, &icc.PDFKey, &purchaseID, NullTime{&icc.AssignedAt}, &created)
	icc.PurchaseID = purchaseID
	icc.CreatedAt = created.Time
	return icc, err
}

// CreateIcc implements ports.IccStore.
func (s *Store) CreateIcc(ctx context.Context, icc domain.Icc) (domain.Icc, error) {
	if _, err := domain.ParseIccKind(string(icc.Kind)); err != nil {
		return domain.Icc{}, err
	}
	if strings.TrimSpace(icc.ICCID) == "" {
		return domain.Icc{}, domain.Invalid("ICCID", icc.ICCID, "must not be empty")
	}
	if icc.CreatedAt.IsZero() {
		icc.CreatedAt = time.Now()
	}

	row := s.Q(ctx).QueryRowContext(ctx, `INSERT INTO iccs (iccid, kind, pdf_key, purchase_id, assigned_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+iccColumns,
		icc.ICCID, string(icc.Kind), icc.PDFKey, icc.PurchaseID, TPtr(icc.AssignedAt), T(icc.CreatedAt))
	out, err := scanIcc(row)
	return out, s.Err(err, "create ICC %q", icc.ICCID)
}

// Icc implements ports.IccStore.
func (s *Store) Icc(ctx context.Context, iccid string) (domain.Icc, error) {
	row := s.Q(ctx).QueryRowContext(ctx, `SELECT `+iccColumns+` FROM iccs WHERE iccid = $1`, iccid)
	icc, err := scanIcc(row)
	return icc, s.Err(err, "get ICC %q", iccid)
}

// KnownICCIDs implements ports.IccStore, querying in chunks of maxInParams.
func (s *Store) KnownICCIDs(ctx context.Context, iccids []string) ([]string, error) {
	var known []string
	for start := 0; start < len(iccids); start += maxInParams {
		chunk := iccids[start:min(start+maxInParams, len(iccids))]
		args := make([]any, len(chunk))
		for i, v := range chunk {
			args[i] = v
		}

		rows, err := s.Q(ctx).QueryContext(ctx, `SELECT iccid FROM iccs WHERE iccid IN (`+iccPlaceholders(1, len(chunk))+`)`, args...)
		if err != nil {
			return nil, s.Err(err, "look up ICCIDs")
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return nil, s.Err(err, "scan ICCID")
			}
			known = append(known, v)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, s.Err(err, "look up ICCIDs")
		}
	}
	return known, nil
}

// CountFreeIccs implements ports.IccStore.
func (s *Store) CountFreeIccs(ctx context.Context, kind domain.IccKind) (int, error) {
	var n int
	err := s.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM iccs WHERE kind = $1 AND purchase_id IS NULL`, string(kind)).Scan(&n)
	return n, s.Err(err, "count free %s ICCs", kind)
}

// TakeFreeIcc implements ports.IccAssigner. On PostgreSQL the select skips
// rows that other transactions have locked, so concurrent callers take
// different ICCs without waiting. On SQLite the transaction holds the
// database's writer lock from its start.
func (s *Store) TakeFreeIcc(ctx context.Context, kind domain.IccKind, purchaseID int64) (domain.Icc, error) {
	var out domain.Icc
	err := s.InTx(ctx, func(ctx context.Context) error {
		q := s.Q(ctx)
		icc, err := scanIcc(q.QueryRowContext(ctx, `SELECT `+iccColumns+` FROM iccs
			WHERE kind = $1 AND purchase_id IS NULL ORDER BY id LIMIT 1 `+s.dialect.LockSkipLocked, string(kind)))
		if err != nil {
			return s.Err(err, "take a free %s ICC: none is free", kind)
		}

		now := time.Now().UTC()
		res, err := q.ExecContext(ctx, `UPDATE iccs SET purchase_id = $1, assigned_at = $2 WHERE id = $3 AND purchase_id IS NULL`,
			purchaseID, T(now), icc.ID)
		if err != nil {
			return s.Err(err, "assign ICC %q to purchase %d", icc.ICCID, purchaseID)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("assign ICC %q to purchase %d: taken by another transaction: %w", icc.ICCID, purchaseID, domain.ErrConflict)
		}

		res, err = q.ExecContext(ctx, `UPDATE purchases SET icc_code = $1 WHERE id = $2`, icc.ICCID, purchaseID)
		if err != nil {
			return s.Err(err, "set ICC code of purchase %d", purchaseID)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("assign ICC to purchase %d: purchase %w", purchaseID, domain.ErrNotFound)
		}

		icc.PurchaseID, icc.AssignedAt = &purchaseID, &now
		out = icc
		return nil
	})
	return out, err
}

// ReleaseIccs implements ports.IccReleaser. Both updates select the
// purchases with the same subquery inside one transaction.
func (s *Store) ReleaseIccs(ctx context.Context, f ports.IccReleaseFilter) (int, error) {
	if err := validateReleaseFilter(f); err != nil {
		return 0, err
	}

	// $1 kind, $2 and $3 the range, $4 the delivery type, then the statuses.
	args := []any{string(f.Kind), T(f.LastAttemptFrom), T(f.LastAttemptTo), string(f.DeliveryType)}
	for _, st := range f.Statuses {
		args = append(args, string(st))
	}
	heldIccs := `SELECT i.id FROM iccs i JOIN purchases p ON p.id = i.purchase_id
		WHERE i.kind = $1 AND p.last_attempt_at >= $2 AND p.last_attempt_at < $3
		AND p.delivery_type = $4 AND p.status IN (` + iccPlaceholders(5, len(f.Statuses)) + `)`

	var released int
	err := s.InTx(ctx, func(ctx context.Context) error {
		q := s.Q(ctx)
		_, err := q.ExecContext(ctx, `UPDATE purchases SET icc_code = ''
			WHERE id IN (SELECT i.purchase_id FROM iccs i WHERE i.id IN (`+heldIccs+`) AND i.iccid = purchases.icc_code)`, args...)
		if err != nil {
			return s.Err(err, "clear ICC codes of purchases")
		}

		res, err := q.ExecContext(ctx, `UPDATE iccs SET purchase_id = NULL, assigned_at = NULL WHERE id IN (`+heldIccs+`)`, args...)
		if err != nil {
			return s.Err(err, "release ICCs")
		}
		n, err := res.RowsAffected()
		released = int(n)
		return s.Err(err, "count released ICCs")
	})
	return released, err
}

func validateReleaseFilter(f ports.IccReleaseFilter) error {
	switch {
	case f.LastAttemptFrom.IsZero() || f.LastAttemptTo.IsZero():
		return domain.Invalid("release range", fmt.Sprintf("%s - %s", f.LastAttemptFrom, f.LastAttemptTo), "both bounds are required")
	case !f.LastAttemptFrom.Before(f.LastAttemptTo):
		return domain.Invalid("release range", fmt.Sprintf("%s - %s", f.LastAttemptFrom, f.LastAttemptTo), "the start must be before the end")
	case len(f.Statuses) == 0:
		return domain.Invalid("release statuses", "", "at least one purchase status is required")
	case f.DeliveryType == "":
		return domain.Invalid("release delivery type", "", "a delivery type is required")
	case f.Kind == "":
		return domain.Invalid("release ICC kind", "", "an ICC kind is required")
	}
	return nil
}

// DeleteUsedIccs implements ports.UsedIccPurger with one DELETE ...
// RETURNING, so that the rows it returns are exactly those it deleted.
func (s *Store) DeleteUsedIccs(ctx context.Context, createdBefore time.Time, limit int) ([]domain.Icc, error) {
	if limit <= 0 {
		return nil, domain.Invalid("batch size", strconv.Itoa(limit), "must be positive")
	}
	rows, err := s.Q(ctx).QueryContext(ctx, `DELETE FROM iccs WHERE id IN (
			SELECT i.id FROM iccs i JOIN purchases p ON p.id = i.purchase_id
			WHERE p.created_at < $1 ORDER BY i.id LIMIT $2)
		RETURNING `+iccColumns, T(createdBefore), limit)
	return collect(s, rows, err, "delete used ICCs", scanIcc)
}

// EsimStockAlert implements ports.EsimStockAlertStore.
func (s *Store) EsimStockAlert(ctx context.Context) (domain.EsimStockAlert, error) {
	var a domain.EsimStockAlert
	err := s.Q(ctx).QueryRowContext(ctx, `SELECT version, last_alert_at, last_alert_count FROM esim_stock_alert WHERE id = 1`).
		Scan(&a.Version, NullTime{&a.LastAlertAt}, &a.LastAlertCount)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.EsimStockAlert{}, nil
	}
	return a, s.Err(err, "get eSIM stock alert state")
}

// SaveEsimStockAlert implements ports.EsimStockAlertStore.
func (s *Store) SaveEsimStockAlert(ctx context.Context, prevVersion int64, next domain.EsimStockAlert) error {
	res, err := s.Q(ctx).ExecContext(ctx, `UPDATE esim_stock_alert
		SET version = version + 1, last_alert_at = $1, last_alert_count = $2
		WHERE id = 1 AND version = $3`, TPtr(next.LastAlertAt), next.LastAlertCount, prevVersion)
	if err != nil {
		return s.Err(err, "save eSIM stock alert state")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("save eSIM stock alert state: version %d was changed by another run: %w", prevVersion, domain.ErrConflict)
	}
	return nil
}

// iccPlaceholders returns "$first, $first+1, ..." with n placeholders.
func iccPlaceholders(first, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$")
		b.WriteString(strconv.Itoa(first + i))
	}
	return b.String()
}
