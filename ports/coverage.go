package ports

import (
	"context"

	"github.com/telcojobs/telcojobs/domain"
)

// CoverageChecker is the fibre coverage API (Telco).
type CoverageChecker interface {
	// CheckCoverage returns the coverage of the address with that code. An
	// address the API does not know is domain.ErrNotFound; any other error
	// is a failure of this address only.
	CheckCoverage(ctx context.Context, addressCode string) (domain.Coverage, error)
}
