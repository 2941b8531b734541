package ports

import (
	"context"

	"github.com/telcojobs/telcojobs/domain"
)

// CatalogueEntry is one device of the vendor's catalogue listing.
type CatalogueEntry struct {
	Alias string
	Name  string
	Brand string
}

// CataloguePage is one page of the vendor's catalogue listing. Pages are
// numbered from 1; Pages and Total describe the whole listing.
type CataloguePage struct {
	Devices []CatalogueEntry
	Page    int
	Pages   int
	Total   int
}

// Catalogue is the handset vendor's device catalogue (Orion).
type Catalogue interface {
	// ListDevices returns one page of the listing, numbered from 1. A page
	// beyond the last one, or one the vendor cannot serve, is an error.
	ListDevices(ctx context.Context, page int) (CataloguePage, error)
	// RetrieveDevice returns one device with its detail, offers and payment
	// plans, enabled. A device the vendor no longer has is
	// domain.ErrNotFound; a response that fails domain validation matches
	// domain.ErrInvalid.
	RetrieveDevice(ctx context.Context, alias string) (domain.Device, error)
}
