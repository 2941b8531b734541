package fake

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

var (
	_ ports.Catalogue       = (*Catalogue)(nil)
	_ ports.CoverageChecker = (*Coverage)(nil)
)

// Catalogue is an in-memory ports.Catalogue. Devices are listed in the order
// they were put, PageSize to a page.
type Catalogue struct {
	mu      sync.Mutex
	devices []domain.Device
	// PageSize is the number of devices per page. Default 50.
	PageSize int
	// ListErr, when set, is called before each ListDevices; an error it
	// returns fails that page.
	ListErr func(page int) error
	// RetrieveErr, when set, is called before each RetrieveDevice; an error
	// it returns fails that retrieval.
	RetrieveErr func(alias string) error

	listCalls     int
	retrieveCalls int
}

// NewCatalogue returns a catalogue that serves the devices.
func NewCatalogue(devices ...domain.Device) *Catalogue {
	return &Catalogue{devices: slices.Clone(devices)}
}

// SetDevices replaces the devices.
func (c *Catalogue) SetDevices(devices ...domain.Device) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.devices = slices.Clone(devices)
}

// Calls returns how many ListDevices and RetrieveDevice calls were made.
func (c *Catalogue) Calls() (list, retrieve int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.listCalls, c.retrieveCalls
}

// ListDevices implements ports.Catalogue. A page past the last one is
// domain.ErrNotFound.
func (c *Catalogue) ListDevices(ctx context.Context, page int) (ports.CataloguePage, error) {
	c.mu.Lock()
	c.listCalls++
	devices, size, hook := c.devices, c.PageSize, c.ListErr
	c.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return ports.CataloguePage{}, err
	}
	if hook != nil {
		if err := hook(page); err != nil {
			return ports.CataloguePage{}, err
		}
	}
	if size <= 0 {
		size = 50
	}

	pages := max(1, (len(devices)+size-1)/size)
	if page < 1 || page > pages {
		return ports.CataloguePage{}, fmt.Errorf("catalogue page %d of %d: %w", page, pages, domain.ErrNotFound)
	}
	out := ports.CataloguePage{Page: page, Pages: pages, Total: len(devices)}
	for _, d := range devices[(page-1)*size : min(page*size, len(devices))] {
		out.Devices = append(out.Devices, ports.CatalogueEntry{Alias: d.Alias, Name: d.Name, Brand: d.Brand})
	}
	return out, nil
}

// RetrieveDevice implements ports.Catalogue. An unknown alias is
// domain.ErrNotFound.
func (c *Catalogue) RetrieveDevice(ctx context.Context, alias string) (domain.Device, error) {
	c.mu.Lock()
	c.retrieveCalls++
	hook := c.RetrieveErr
	var found *domain.Device
	for i := range c.devices {
		if c.devices[i].Alias == alias {
			d := c.devices[i]
			found = &d
		}
	}
	c.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return domain.Device{}, err
	}
	if hook != nil {
		if err := hook(alias); err != nil {
			return domain.Device{}, err
		}
	}
	if found == nil {
		return domain.Device{}, fmt.Errorf("device %q: %w", alias, domain.ErrNotFound)
	}
	found.Enabled = true
	return *found, nil
}

// Coverage is an in-memory ports.CoverageChecker.
type Coverage struct {
	mu      sync.Mutex
	answers map[string]domain.Coverage
	// Err, when set, is called before each check; an error it returns
	// fails that check.
	Err     func(addressCode string) error
	checked []string
}

// NewCoverage returns a checker that returns the coverage in the map for
// each code. Other codes are domain.ErrNotFound.
func NewCoverage(answers map[string]domain.Coverage) *Coverage {
	c := &Coverage{answers: map[string]domain.Coverage{}}
	for k, v := range answers {
		c.answers[k] = v
	}
	return c
}

// CheckCoverage implements ports.CoverageChecker.
func (c *Coverage) CheckCoverage(ctx context.Context, addressCode string) (domain.Coverage, error) {
	c.mu.Lock()
	c.checked = append(c.checked, addressCode)
	answer, ok := c.answers[strings.TrimSpace(addressCode)]
	hook := c.Err
	c.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return domain.Coverage{}, err
	}
	if hook != nil {
		if err := hook(addressCode); err != nil {
			return domain.Coverage{}, err
		}
	}
	if !ok {
		return domain.Coverage{}, fmt.Errorf("address %q: %w", addressCode, domain.ErrNotFound)
	}
	return answer, nil
}

// Checked returns the address codes checked so far, in call order.
func (c *Coverage) Checked() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.checked)
}
