package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strconv"
	"time"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

var _ ports.LeadStore = (*Store)(nil)

const leadColumns = `id, address_code, has_coverage, technology, max_speed_mbps, checked_at, created_at`

func scanLead(row interface{ Scan(...any) error }) (domain.Lead, error) {
	var l domain.Lead
	var coverage sql.NullBool
	var created Time
	err := row.Scan(&l.ID, &l.AddressCode, &coverage, &l.Technology, &l.MaxSpeedMbps, NullTime{&l.CheckedAt}, &created)
	if coverage.Valid {
		v := coverage.Bool
		l.HasCoverage = &v
	}
	l.CreatedAt = created.Time
	return l, err
}

// CreateLead implements ports.LeadStore.
func (s *Store) CreateLead(ctx context.Context, l domain.Lead) (domain.Lead, error) {
	if l.CreatedAt.IsZero() {
		l.CreatedAt = time.Now()
	}
	var coverage any
	if l.HasCoverage != nil {
		coverage = *l.HasCoverage
	}
	row := s.Q(ctx).QueryRowContext(ctx, `INSERT INTO leads
		(address_code, has_coverage, technology, max_speed_mbps, checked_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+leadColumns,
		l.AddressCode, coverage, l.Technology, l.MaxSpeedMbps, TPtr(l.CheckedAt), T(l.CreatedAt))
	out, err := scanLead(row)
	return out, s.Err(err, "create lead")
}

// Lead implements ports.LeadStore.
func (s *Store) Lead(ctx context.Context, id int64) (domain.Lead, error) {
	row := s.Q(ctx).QueryRowContext(ctx, `SELECT `+leadColumns+` FROM leads WHERE id = $1`, id)
	l, err := scanLead(row)
	return l, s.Err(err, "get lead %d", id)
}

// LeadsByIDs implements ports.LeadStore. It reads the leads in batches so
// that a long id list stays under the databases' parameter limits.
func (s *Store) LeadsByIDs(ctx context.Context, ids []int64) ([]domain.Lead, error) {
	const batch = 500
	seen := make(map[int64]bool, len(ids))
	var out []domain.Lead
	for start := 0; start < len(ids); start += batch {
		chunk := ids[start:min(start+batch, len(ids))]
		query := `SELECT ` + leadColumns + ` FROM leads WHERE id IN (`
		args := make([]any, len(chunk))
		for i, id := range chunk {
			if i > 0 {
				query += ", "
			}
			query += "$" + itoa(i+1)
			args[i] = id
		}
		query += `)`

		rows, err := s.Q(ctx).QueryContext(ctx, query, args...)
		if err != nil {
			return nil, s.Err(err, "list leads")
		}
		for rows.Next() {
			l, err := scanLead(rows)
			if err != nil {
				rows.Close()
				return nil, s.Err(err, "scan lead")
			}
			if !seen[l.ID] {
				seen[l.ID] = true
				out = append(out, l)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, s.Err(err, "list leads")
		}
	}

	sortLeads(out)
	return out, nil
}

// SaveCoverage implements ports.LeadStore.
func (s *Store) SaveCoverage(ctx context.Context, id int64, c domain.Coverage, checkedAt time.Time) error {
	res, err := s.Q(ctx).ExecContext(ctx, `UPDATE leads SET has_coverage = $1, technology = $2, max_speed_mbps = $3, checked_at = $4
		WHERE id = $5`, c.Available, c.Technology, c.MaxSpeedMbps, T(checkedAt), id)
	if err != nil {
		return s.Err(err, "save coverage of lead %d", id)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domainNotFound("lead", itoa64(id))
	}
	return nil
}

func sortLeads(leads []domain.Lead) {
	slices.SortFunc(leads, func(a, b domain.Lead) int { return cmp.Compare(a.ID, b.ID) })
}

func itoa(i int) string { return strconv.Itoa(i) }

func itoa64(i int64) string { return strconv.FormatInt(i, 10) }
