package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/telcojobs/telcojobs/adapters/postgres"
	"github.com/telcojobs/telcojobs/adapters/river"
	"github.com/telcojobs/telcojobs/adapters/sqlite"
	"github.com/telcojobs/telcojobs/ports"
)

// Storage is the part of a storage adapter that the command uses directly,
// besides the ports the use cases take.
type Storage interface {
	ports.TxRunner
	ports.AlarmStore
	ports.ChannelStore
	ports.PurchaseStore
	ports.ActivationStore
	ports.TemplateStore
	ports.NotificationStore
	ports.LeadStore
	ports.IccStore
	ports.IccAssigner
	ports.PromotionStore
	ports.OutletStore
	ports.DeviceStore
	ports.ScheduleStore
	Close() error
}

// App is the command's wired object graph.
type App struct {
	Config   Config
	Logger   *slog.Logger
	Clock    ports.Clock
	Store    Storage
	Blobs    ports.BlobStore
	Queue    *river.DeferredQueue
	Engine   *river.Engine
	UseCases *UseCases
	Bound    queueBound
	Migrated jobTablesReady

	cleanup func()
	// uploaded lists the blob keys of the files this process copied into
	// the blob store with --file.
	uploaded []string
}

// Close releases the database. The engine must be stopped first.
func (a *App) Close() error {
	if a.cleanup != nil {
		a.cleanup()
	}
	return nil
}

// Dependencies are the values an App is built from that do not come from
// the configuration alone.
type Dependencies struct {
	Clock       ports.Clock
	Provisioner ports.Provisioner
	// Gateway replaces the SMS gateway that --sms-url names.
	Gateway ports.SMSGateway
}

// openApp opens the database of cfg.DB (applying the business and job
// migrations), the blob store of cfg.Blob, and wires the use cases and the
// job engine.
func openApp(ctx context.Context, cfg Config, logger *slog.Logger, deps Dependencies) (*App, error) {
	if deps.Clock == nil {
		deps.Clock = ports.SystemClock{}
	}
	if deps.Provisioner == nil {
		deps.Provisioner = commandProvisioner{}
	}
	kind, target, err := ParseDB(cfg.DB)
	if err != nil {
		return nil, err
	}
	blobs, err := openBlobStore(ctx, cfg.Blob, logger)
	if err != nil {
		return nil, fmt.Errorf("open blob store: %w", err)
	}
	gateway := deps.Gateway
	if gateway == nil {
		if gateway, err = provideGateway(cfg, logger); err != nil {
			return nil, err
		}
	}

	var app *App
	var cleanup func()
	switch kind {
	case DBPostgres:
		app, cleanup, err = injectPostgres(ctx, cfg, postgres.Config{URL: target, Logger: logger}, blobs, gateway, deps.Clock, logger, deps.Provisioner)
		if err != nil {
			return nil, fmt.Errorf("open database %s: %w", RedactURL(target), err)
		}
	default:
		app, cleanup, err = injectSQLite(ctx, cfg, sqlite.Config{Path: target, Logger: logger}, blobs, gateway, deps.Clock, logger, deps.Provisioner)
		if err != nil {
			return nil, fmt.Errorf("open database %s: %w", target, err)
		}
	}
	app.cleanup = cleanup
	return app, nil
}

// jobTablesReady is the proof, for wire, that the job tables exist.
type jobTablesReady struct{}

func migrateSQLiteJobs(ctx context.Context, store *sqlite.Store, logger *slog.Logger) (jobTablesReady, error) {
	return jobTablesReady{}, river.MigrateSQLite(ctx, store, logger)
}

func migratePostgresJobs(ctx context.Context, store *postgres.Store, logger *slog.Logger) (jobTablesReady, error) {
	return jobTablesReady{}, river.MigratePostgres(ctx, store, logger)
}

// errJobFailed marks a job that ran and failed: exit status 1.
var errJobFailed = errors.New("job failed")
