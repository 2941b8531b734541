//go:build wireinject

package main

import (
	"context"
	"log/slog"

	"github.com/google/wire"
	"github.com/telcojobs/telcojobs/adapters/postgres"
	"github.com/telcojobs/telcojobs/adapters/river"
	"github.com/telcojobs/telcojobs/adapters/sqlite"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// commonSet builds the use cases, the adapters configured by Config and the
// job engine's configuration; the injectors add the storage adapter.
var commonSet = wire.NewSet(
	usecases.ProviderSet,
	wire.Struct(new(UseCases), "*"),
	wire.Struct(new(App), "Config", "Logger", "Clock", "Store", "Blobs", "Queue", "Engine", "UseCases", "Bound", "Migrated"),
	wire.Bind(new(ports.JobQueue), new(*river.DeferredQueue)),
	river.NewDeferredQueue,
	handlers,
	bindQueue,
	riverConfig,
	provideCatalogue,
	provideCoverage,
	provideMailer,
	provideRenderer,
	provideProvisionPurchase,
	provideSendConfig,
	provideSendAsyncSMS,
	provideReportConfig,
	provideEsimConfig,
	provideDeleteConfig,
	provideUnassignConfig,
	wire.Value(usecases.AssignPromotionCodesConfig{}),
	wire.Value(usecases.CheckCoverageFromLeadsConfig{}),
	wire.Value(usecases.ImportIccsFromZipfileConfig{}),
	wire.Value(usecases.UpdateDeviceDataConfig{}),
	wire.Value(usecases.UpdateDevicesStockConfig{}),
	wire.Value(usecases.ImportConfig{}),
)

func injectSQLite(ctx context.Context, cfg Config, storeCfg sqlite.Config, blobs ports.BlobStore, gateway ports.SMSGateway,
	clock ports.Clock, logger *slog.Logger, provisioner ports.Provisioner) (*App, func(), error) {
	wire.Build(commonSet, sqlite.ProviderSet, wire.Bind(new(Storage), new(*sqlite.Store)), migrateSQLiteJobs, river.NewSQLite)
	return nil, nil, nil
}

func injectPostgres(ctx context.Context, cfg Config, storeCfg postgres.Config, blobs ports.BlobStore, gateway ports.SMSGateway,
	clock ports.Clock, logger *slog.Logger, provisioner ports.Provisioner) (*App, func(), error) {
	wire.Build(commonSet, postgres.ProviderSet, wire.Bind(new(Storage), new(*postgres.Store)), migratePostgresJobs, river.NewPostgres)
	return nil, nil, nil
}
