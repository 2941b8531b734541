package river

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/google/wire"
	"github.com/telcojobs/telcojobs/adapters/postgres"
	"github.com/telcojobs/telcojobs/adapters/sqlite"
	"github.com/telcojobs/telcojobs/ports"
)

// ProviderSet builds the engine with New and provides it as
// ports.JobQueue. The injector binds Store to the store of the chosen
// database, such as wire.Bind(new(river.Store), new(*sqlite.Store)), and
// provides Handlers and Config.
var ProviderSet = wire.NewSet(New, wire.Bind(new(ports.JobQueue), new(*Engine)))

// Store is the storage adapter whose database the engine shares:
// *sqlite.Store or *postgres.Store.
type Store interface {
	DB() *sql.DB
}

// New builds the engine for the store's database with NewSQLite or
// NewPostgres.
func New(store Store, handlers Handlers, cfg Config) (*Engine, error) {
	switch s := store.(type) {
	case *sqlite.Store:
		return NewSQLite(s, handlers, cfg)
	case *postgres.Store:
		return NewPostgres(s, handlers, cfg)
	}
	return nil, fmt.Errorf("river: unsupported store %T; use *sqlite.Store or *postgres.Store", store)
}

// Migrate creates or upgrades River's job tables in the store's database
// with MigrateSQLite or MigratePostgres.
func Migrate(ctx context.Context, store Store, logger *slog.Logger) error {
	switch s := store.(type) {
	case *sqlite.Store:
		return MigrateSQLite(ctx, s, logger)
	case *postgres.Store:
		return MigratePostgres(ctx, s, logger)
	}
	return fmt.Errorf("river migrate: unsupported store %T; use *sqlite.Store or *postgres.Store", store)
}
