package ports

import (
	"context"
	"time"

	"github.com/telcojobs/telcojobs/domain"
)

// LeadStore keeps leads and the result of their coverage checks.
type LeadStore interface {
	// CreateLead stores a lead and returns it with its id.
	CreateLead(ctx context.Context, l domain.Lead) (domain.Lead, error)
	// Lead returns one lead or domain.ErrNotFound.
	Lead(ctx context.Context, id int64) (domain.Lead, error)
	// LeadsByIDs returns the leads with those ids, ordered by id. Unknown
	// ids are left out and repeated ids return one lead.
	LeadsByIDs(ctx context.Context, ids []int64) ([]domain.Lead, error)
	// SaveCoverage stores a coverage answer on the lead, checked at the
	// given time. An unknown lead is domain.ErrNotFound.
	SaveCoverage(ctx context.Context, id int64, c domain.Coverage, checkedAt time.Time) error
}
