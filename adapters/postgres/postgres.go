// Package postgres is the production storage adapter on PostgreSQL through
// pgx v5. A pgxpool.Pool is the single pool of connections. The business
// queries reach it through database/sql (pgx's stdlib wrapper), and the job
// engine uses the same pool. Jobs and business rows therefore share one
// database, and one transaction when a use case enqueues.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/telcojobs/telcojobs/adapters/sqlstore"
	"github.com/telcojobs/telcojobs/ports"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Config configures the PostgreSQL adapter.
type Config struct {
	// URL is the connection string, such as
	// postgres://user:pass@127.0.0.1:5432/telcojobs?sslmode=disable.
	// Required.
	URL string
	// MaxConns caps the pool. Zero keeps pgxpool's default (4 or the
	// number of CPUs, whichever is larger).
	MaxConns int32
	// Logger receives migration and rollback messages. Default: discard.
	Logger *slog.Logger
}

// WithDefaults returns a copy with the defaults filled in.
func (c Config) WithDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	if strings.TrimSpace(c.URL) == "" {
		return errors.New("postgres config: URL is required, for example postgres://user@127.0.0.1:5432/telcojobs")
	}
	if c.MaxConns < 0 {
		return fmt.Errorf("postgres config: MaxConns %d must not be negative", c.MaxConns)
	}
	return nil
}

// Store is the PostgreSQL storage adapter.
type Store struct {
	*sqlstore.Store
	pool *pgxpool.Pool
}

var (
	_ ports.TxRunner     = (*Store)(nil)
	_ ports.AlarmStore   = (*Store)(nil)
	_ ports.ChannelStore = (*Store)(nil)
)

// Dialect is the PostgreSQL dialect of the shared SQL code.
var Dialect = sqlstore.Dialect{
	Name:           "postgres",
	LockSkipLocked: "FOR UPDATE SKIP LOCKED",
	TranslateError: translateError,
	// The key is arbitrary but fixed: every telcojobs process uses it.
	MigrationLock: "SELECT pg_advisory_xact_lock(7310241)",
}

// Open connects, checks the connection and applies the migrations. The
// caller closes the store.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}

	poolCfg, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres config: URL is not a valid connection string: %s", redactError(err))
	}
	if cfg.MaxConns > 0 {
		poolCfg.MaxConns = cfg.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}

	db := stdlib.OpenDBFromPool(pool)
	store, err := sqlstore.New(db, Dialect, cfg.Logger)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s := &Store{Store: store, pool: pool}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Pool returns the pgx pool, for the job engine and for COPY.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Migrate applies the embedded migrations that the database lacks.
func (s *Store) Migrate(ctx context.Context) error {
	migrations, err := sqlstore.LoadMigrations(migrationFS, "migrations")
	if err != nil {
		return err
	}
	_, err = s.Store.Migrate(ctx, migrations)
	return err
}

// Close closes the database handle and the pool.
func (s *Store) Close() error {
	err := s.DB().Close()
	s.pool.Close()
	return err
}

func translateError(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "23505", "40001", "40P01", "55P03":
		// unique_violation, serialization_failure, deadlock_detected,
		// lock_not_available
		return sqlstore.Conflict(err)
	}
	return err
}

// redactError drops the connection string that some parse errors repeat,
// since it may contain a password.
func redactError(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "postgres"); i >= 0 && strings.Contains(msg, "@") {
		return "cannot parse the connection string (not shown because it may contain a password)"
	}
	return msg
}
