package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

var _ ports.PromotionStore = (*Store)(nil)

// AuditAssignPromotionCode is the audit action of a code assignment.
const AuditAssignPromotionCode = "assign_promotion_code"

// assignBatch bounds the documents of one assignment statement: 3 bound
// values per code and 5 per audit entry stay under SQLite's limit of 32,766.
const assignBatch = 1000

// assignAttempts bounds the retries of a batch that lost a race.
const assignAttempts = 20

const promotionColumns = `id, code, kind, document_type, document_number, assigned_at, assigned_by, created_at`

func scanPromotion(row interface{ Scan(...any) error }) (domain.PromotionCode, error) {
	var p domain.PromotionCode
	var docType, docNumber *string
	var created Time
	err := row.Scan(&p.ID, &p.Code, &p.Kind, &docType, &docNumber, NullTime{&p.AssignedAt}, &p.AssignedBy, &created)
	p.CreatedAt = created.Time
	if docType != nil && docNumber != nil {
		p.Document = &domain.Document{Kind: domain.DocumentKind(*docType), Number: *docNumber}
	}
	return p, err
}

// AddPromotionCodes implements ports.PromotionStore.
func (s *Store) AddPromotionCodes(ctx context.Context, kind domain.PromotionKind, codes []string, at time.Time) ([]string, error) {
	var existing []string
	err := s.InTx(ctx, func(ctx context.Context) error {
		for start := 0; start < len(codes); start += assignBatch {
			batch := codes[start:min(len(codes), start+assignBatch)]
			inserted := make(map[string]bool, len(batch))

			var b strings.Builder
			b.WriteString(`INSERT INTO promotion_codes (code, kind, created_at) VALUES `)
			args := []any{string(kind), T(at)}
			for i, c := range batch {
				if i > 0 {
					b.WriteString(", ")
				}
				args = append(args, c)
				fmt.Fprintf(&b, "($%d, $1, $2)", len(args))
			}
			b.WriteString(` ON CONFLICT (code) DO NOTHING RETURNING code`)

			rows, err := s.Q(ctx).QueryContext(ctx, b.String(), args...)
			if err != nil {
				return s.Err(err, "add promotion codes")
			}
			for rows.Next() {
				var c string
				if err := rows.Scan(&c); err != nil {
					rows.Close()
					return s.Err(err, "scan added code")
				}
				inserted[c] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return s.Err(err, "add promotion codes")
			}
			for _, c := range batch {
				if !inserted[c] {
					existing = append(existing, c)
				}
			}
		}
		return nil
	})
	return existing, err
}

// AssignPromotionCodes implements ports.PromotionStore. Each batch of
// documents runs in its own transaction with a few set-based statements:
// read the codes the documents already have, lock as many free codes as
// are needed (skipping rows other transactions hold), assign them, and
// write the audit entries. A batch that loses a race (the unique index on
// the document rejects a second code) is retried from the start.
func (s *Store) AssignPromotionCodes(ctx context.Context, req ports.AssignRequest) ([]ports.Assignment, error) {
	out := make([]ports.Assignment, 0, len(req.Documents))
	for start := 0; start < len(req.Documents); start += assignBatch {
		batch := req.Documents[start:min(len(req.Documents), start+assignBatch)]
		var got []ports.Assignment
		var err error
		for attempt := 1; ; attempt++ {
			final := attempt == assignAttempts
			err = s.InTx(ctx, func(ctx context.Context) error {
				var err error
				got, err = s.assignBatch(ctx, req, batch, final)
				return err
			})
			if final || !(errors.Is(err, domain.ErrConflict) || errors.Is(err, errRetryBatch)) {
				break
			}
			s.logger.DebugContext(ctx, "promotion code batch lost a race; retrying", "attempt", attempt, "error", err)
			if !sleepCtx(ctx, time.Duration(attempt)*5*time.Millisecond) {
				return out, ctx.Err()
			}
		}
		if err != nil {
			return out, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// errRetryBatch rolls back a batch that must run again.
var errRetryBatch = errors.New("retry promotion code batch")

// assignBatch assigns codes to one batch in the transaction ctx carries.
// Unless final, it returns errRetryBatch when it locked fewer free codes
// than there are, because other transactions held them: those may roll
// back, so the batch runs again instead of reporting the pool empty.
func (s *Store) assignBatch(ctx context.Context, req ports.AssignRequest, docs []domain.Document, final bool) ([]ports.Assignment, error) {
	q := s.Q(ctx)
	result := make([]ports.Assignment, len(docs))
	for i, d := range docs {
		result[i] = ports.Assignment{Document: d}
	}

	// Codes the documents already have.
	var b strings.Builder
	args := []any{string(req.Kind)}
	b.WriteString(`SELECT document_type, document_number, code FROM promotion_codes
		WHERE kind = $1 AND document_number IS NOT NULL AND (document_type, document_number) IN (VALUES `)
	for i, d := range docs {
		if i > 0 {
			b.WriteString(", ")
		}
		args = append(args, string(d.Kind), d.Number)
		fmt.Fprintf(&b, "($%d, $%d)", len(args)-1, len(args))
	}
	b.WriteString(`)`)
	have := map[domain.Document]string{}
	rows, err := q.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, s.Err(err, "read assigned promotion codes")
	}
	for rows.Next() {
		var d domain.Document
		var code string
		if err := rows.Scan(&d.Kind, &d.Number, &code); err != nil {
			rows.Close()
			return nil, s.Err(err, "scan assigned promotion code")
		}
		have[d] = code
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.Err(err, "read assigned promotion codes")
	}

	var need []int
	for i, d := range docs {
		if code, ok := have[d]; ok {
			result[i].Status, result[i].Code = ports.AssignAlreadyAssigned, code
			continue
		}
		need = append(need, i)
	}
	if len(need) == 0 {
		return result, nil
	}

	// Lock the next free codes.
	rows, err = q.QueryContext(ctx, `SELECT id, code FROM promotion_codes
		WHERE kind = $1 AND document_number IS NULL ORDER BY id LIMIT $2 `+s.dialect.LockSkipLocked,
		string(req.Kind), len(need))
	if err != nil {
		return nil, s.Err(err, "pick free promotion codes")
	}
	type free struct {
		id   int64
		code string
	}
	var codes []free
	for rows.Next() {
		var f free
		if err := rows.Scan(&f.id, &f.code); err != nil {
			rows.Close()
			return nil, s.Err(err, "scan free promotion code")
		}
		codes = append(codes, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.Err(err, "pick free promotion codes")
	}

	if len(codes) < len(need) && s.dialect.LockSkipLocked != "" && !final {
		var total int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM promotion_codes WHERE kind = $1 AND document_number IS NULL`,
			string(req.Kind)).Scan(&total); err != nil {
			return nil, s.Err(err, "count free promotion codes")
		}
		if total > len(codes) {
			return nil, errRetryBatch
		}
	}

	// Assign them, and audit each assignment.
	if len(codes) > 0 {
		b.Reset()
		args = []any{T(req.At), req.By}
		b.WriteString(`UPDATE promotion_codes SET document_type = v.column2, document_number = v.column3,
			assigned_at = $1, assigned_by = $2 FROM (VALUES `)
		audit := strings.Builder{}
		auditArgs := []any{req.By, AuditAssignPromotionCode, T(req.At)}
		audit.WriteString(`INSERT INTO audit_entries (actor, action, object, message, at) VALUES `)
		for j, f := range codes {
			i := need[j]
			d := docs[i]
			if j > 0 {
				b.WriteString(", ")
				audit.WriteString(", ")
			}
			args = append(args, f.id, string(d.Kind), d.Number)
			fmt.Fprintf(&b, "(CAST($%d AS BIGINT), $%d, $%d)", len(args)-2, len(args)-1, len(args))
			auditArgs = append(auditArgs, "promotion_code:"+f.code, fmt.Sprintf("código %s asignado a %s", f.code, d))
			fmt.Fprintf(&audit, "($1, $2, $%d, $%d, $3)", len(auditArgs)-1, len(auditArgs))
			result[i].Status, result[i].Code = ports.AssignAssigned, f.code
		}
		b.WriteString(`) AS v WHERE promotion_codes.id = v.column1 AND promotion_codes.document_number IS NULL`)

		res, err := q.ExecContext(ctx, b.String(), args...)
		if err != nil {
			return nil, s.Err(err, "assign promotion codes")
		}
		if n := affected(res); n != len(codes) {
			// A code taken by another transaction since it was read; only
			// possible without row locks.
			return nil, Conflict(fmt.Errorf("assigned %d of %d locked promotion codes", n, len(codes)))
		}
		if _, err := q.ExecContext(ctx, audit.String(), auditArgs...); err != nil {
			return nil, s.Err(err, "audit promotion codes")
		}
	}
	for _, i := range need[len(codes):] {
		result[i].Status = ports.AssignNoFreeCode
	}
	return result, nil
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// PromotionCodeOf implements ports.PromotionStore.
func (s *Store) PromotionCodeOf(ctx context.Context, kind domain.PromotionKind, doc domain.Document) (domain.PromotionCode, error) {
	row := s.Q(ctx).QueryRowContext(ctx, `SELECT `+promotionColumns+` FROM promotion_codes
		WHERE kind = $1 AND document_type = $2 AND document_number = $3`, string(kind), string(doc.Kind), doc.Number)
	p, err := scanPromotion(row)
	return p, s.Err(err, "get %s promotion code of %s", kind, doc)
}

// CountFreePromotionCodes implements ports.PromotionStore.
func (s *Store) CountFreePromotionCodes(ctx context.Context, kind domain.PromotionKind) (int, error) {
	var n int
	err := s.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM promotion_codes WHERE kind = $1 AND document_number IS NULL`,
		string(kind)).Scan(&n)
	return n, s.Err(err, "count free %s promotion codes", kind)
}

// ListPromotionCodes implements ports.PromotionStore.
func (s *Store) ListPromotionCodes(ctx context.Context, kind domain.PromotionKind, assignedOnly bool) ([]domain.PromotionCode, error) {
	rows, err := s.Q(ctx).QueryContext(ctx, `SELECT `+promotionColumns+` FROM promotion_codes
		WHERE kind = $1 AND ($2 = 0 OR document_number IS NOT NULL) ORDER BY id`, string(kind), boolInt(assignedOnly))
	return collect(s, rows, err, fmt.Sprintf("list %s promotion codes", kind), scanPromotion)
}
