package river

import (
	"github.com/google/wire"
	"github.com/telcojobs/telcojobs/ports"
)

// ProviderSet provides an *Engine as ports.JobQueue. Add SQLiteSet or
// PostgresSet to the injector for the constructor of the chosen database;
// the host provides Handlers and Config.
var ProviderSet = wire.NewSet(wire.Bind(new(ports.JobQueue), new(*Engine)))

// SQLiteSet builds the engine on a *sqlite.Store.
var SQLiteSet = wire.NewSet(ProviderSet, NewSQLite)

// PostgresSet builds the engine on a *postgres.Store.
var PostgresSet = wire.NewSet(ProviderSet, NewPostgres)
