package river

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/telcojobs/telcojobs/adapters/postgres"
	"github.com/telcojobs/telcojobs/adapters/sqlite"
)

// migrationLockKey is the PostgreSQL advisory lock that serialises River
// migrations between processes. It differs from the business migrations'
// key so that both can run in one process one after the other.
const migrationLockKey = 7310242

// MigrateSQLite creates or upgrades River's job tables in the SQLite
// database of store, in one transaction. BEGIN IMMEDIATE takes the
// database's writer lock, so two processes migrating at once apply each
// version once. A nil logger discards the log.
func MigrateSQLite(ctx context.Context, store *sqlite.Store, logger *slog.Logger) error {
	if store == nil {
		return errors.New("river migrate: sqlite store is nil")
	}
	logger = orDiscard(logger)
	migrator, err := rivermigrate.New(riversqlite.New(store.DB()), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return fmt.Errorf("river migrate: %w", err)
	}

	tx, err := store.DB().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("river migrate: begin transaction: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	res, err := migrator.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("river migrate sqlite: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("river migrate: commit: %w", err)
	}
	logMigrated(ctx, logger, res)
	return nil
}

// MigratePostgres creates or upgrades River's job tables in the PostgreSQL
// database of store. River applies each version in its own transaction,
// because one transaction for all versions fails: a version adds an enum
// value that the next one uses. A session advisory lock, held on a
// connection of its own, keeps two processes migrating at once from
// applying a version twice. A nil logger discards the log.
func MigratePostgres(ctx context.Context, store *postgres.Store, logger *slog.Logger) error {
	if store == nil {
		return errors.New("river migrate: postgres store is nil")
	}
	logger = orDiscard(logger)
	migrator, err := rivermigrate.New(riverpgxv5.New(store.Pool()), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return fmt.Errorf("river migrate: %w", err)
	}

	conn, err := store.Pool().Acquire(ctx)
	if err != nil {
		return fmt.Errorf("river migrate: acquire connection for the lock: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
		return fmt.Errorf("river migrate: lock: %w", err)
	}
	defer func() {
		// A failed unlock leaves the lock to the session, which ends when
		// the pool closes the connection.
		if _, err := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockKey); err != nil {
			logger.WarnContext(ctx, "river migrate: unlock failed", "error", err)
		}
	}()

	res, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("river migrate postgres: %w", err)
	}
	logMigrated(ctx, logger, res)
	return nil
}

func logMigrated(ctx context.Context, logger *slog.Logger, res *rivermigrate.MigrateResult) {
	if res == nil || len(res.Versions) == 0 {
		return
	}
	versions := make([]int, len(res.Versions))
	for i, v := range res.Versions {
		versions[i] = v.Version
	}
	logger.InfoContext(ctx, "job tables migrated", "river_versions", versions)
}

func orDiscard(logger *slog.Logger) *slog.Logger {
	if logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return logger
}
