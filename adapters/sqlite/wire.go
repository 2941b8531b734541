package sqlite

import (
	"context"

	"github.com/google/wire"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// ProviderSet opens the *Store from a Config (see Provide) and binds every
// storage port, and the storage interfaces that use cases declare, to it.
var ProviderSet = wire.NewSet(
	Provide,
	wire.Bind(new(ports.TxRunner), new(*Store)),
	wire.Bind(new(ports.AlarmStore), new(*Store)),
	wire.Bind(new(ports.AuditStore), new(*Store)),
	wire.Bind(new(ports.ChannelStore), new(*Store)),
	wire.Bind(new(ports.PurchaseStore), new(*Store)),
	wire.Bind(new(ports.ActivationStore), new(*Store)),
	wire.Bind(new(ports.TemplateStore), new(*Store)),
	wire.Bind(new(ports.NotificationStore), new(*Store)),
	wire.Bind(new(ports.PromotionStore), new(*Store)),
	wire.Bind(new(ports.OutletStore), new(*Store)),
	wire.Bind(new(ports.DeviceStore), new(*Store)),
	wire.Bind(new(ports.LeadStore), new(*Store)),
	wire.Bind(new(ports.ScheduleStore), new(*Store)),
	wire.Bind(new(ports.PurchaseSelector), new(*Store)),
	wire.Bind(new(ports.IccStore), new(*Store)),
	wire.Bind(new(ports.IccReleaser), new(*Store)),
	wire.Bind(new(ports.UsedIccPurger), new(*Store)),
	wire.Bind(new(usecases.EsimStockStore), new(*Store)),
	wire.Bind(new(usecases.IccImportStore), new(*Store)),
)

// Provide opens the store for wire and returns the cleanup that closes it.
func Provide(ctx context.Context, cfg Config) (*Store, func(), error) {
	s, err := Open(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return s, func() { _ = s.Close() }, nil
}
