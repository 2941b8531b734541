package ports

import (
	"context"
	"time"

	"github.com/telcojobs/telcojobs/domain"
)

// OutletRow is one row of a shop or seller file, ready to stage.
type OutletRow struct {
	// Line is the physical line of the row in the file.
	Line int
	// Outlet holds the row's values. Its Code is always set.
	Outlet domain.Outlet
	// Valid is false for a row that was rejected but whose code could be
	// read: it changes nothing, and it keeps the stored outlet with that
	// code from being disabled as missing from the file.
	Valid bool
}

// DuplicateCode is a row whose code already appeared on an earlier line.
type DuplicateCode struct {
	Code      string
	FirstLine int
	Line      int
}

// ImportPlan counts what applying an import changes.
type ImportPlan struct {
	// Create counts valid rows whose code the channel does not have yet.
	Create int
	// Update counts valid rows whose stored outlet differs from the row.
	Update int
	// Unchanged counts valid rows equal to the stored outlet.
	Unchanged int
	// Disable counts enabled outlets of the channel whose code is not in
	// the file.
	Disable int
	// DisableInFile counts valid rows that turn an enabled outlet of the
	// channel off (the row has enabled no). Update counts them too.
	DisableInFile int
	// Enabled counts the channel's enabled outlets before the import.
	Enabled int
	// Duplicates counts valid staged rows left out because their code
	// appeared on an earlier line.
	Duplicates int
}

// UnknownShop is a seller row whose shop code names no shop of the
// channel.
type UnknownShop struct {
	Line     int
	ShopCode string
}

// OutletImport stages the rows of one file and applies them. It lives in
// the transaction of [OutletStore.ImportOutlets].
type OutletImport interface {
	// Stage adds rows. Rows are staged in file order; a code that repeats
	// is kept from its first line only.
	Stage(ctx context.Context, rows []OutletRow) error
	// RejectUnknownShops turns into rejected rows (as if Valid were false)
	// the seller rows that Apply would use and whose shop code names no
	// shop of the channel, disabled shops included. It returns the first
	// limit of them in line order and how many there are in all. Call it
	// after the last Stage and before Plan. In a shop import it finds
	// nothing.
	RejectUnknownShops(ctx context.Context, limit int) ([]UnknownShop, int, error)
	// Duplicates returns, in line order and at most limit of them, the
	// valid staged rows whose code appeared on an earlier line. Call it
	// after the last Stage; those rows are left out of Plan and Apply.
	Duplicates(ctx context.Context, limit int) ([]DuplicateCode, error)
	// Plan counts what Apply would change, without changing anything.
	Plan(ctx context.Context) (ImportPlan, error)
	// Apply creates and updates the outlets of the valid rows (settings
	// replaced whole). When disable is true, it also disables the channel's
	// outlets whose codes the file lacks and applies the rows that turn an
	// enabled outlet off. When disable is false, it disables nothing by
	// either route: such a row keeps its outlet enabled and changes only
	// its other fields. It returns the counts of what it changed. A row
	// whose only change was held back counts as Unchanged; Enabled and
	// Duplicates are as in Plan.
	Apply(ctx context.Context, at time.Time, disable bool) (ImportPlan, error)
}

// OutletStore keeps the shops and sellers of each channel, keyed by
// (kind, channel, code).
type OutletStore interface {
	// ImportOutlets begins a transaction, calls fn with an import of the
	// kind for the channel, and commits when fn returns nil. When ctx
	// already carries a transaction, the import joins it. Imports into one
	// channel, of shops or sellers, run one at a time: a second one waits
	// until the first commits or rolls back. An adapter may stage rows in its
	// own fast way (PostgreSQL uses COPY).
	ImportOutlets(ctx context.Context, kind domain.OutletKind, channelID int64,
		fn func(ctx context.Context, imp OutletImport) error) error
	// SaveOutlet creates or replaces one outlet by (kind, channel, code) and
	// returns it with its id.
	SaveOutlet(ctx context.Context, o domain.Outlet) (domain.Outlet, error)
	// Outlet returns one outlet or domain.ErrNotFound.
	Outlet(ctx context.Context, kind domain.OutletKind, channelID int64, code string) (domain.Outlet, error)
	// ListOutlets returns the outlets of a channel ordered by code.
	ListOutlets(ctx context.Context, kind domain.OutletKind, channelID int64) ([]domain.Outlet, error)
}
