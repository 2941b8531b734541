// Package sqlite is the embedded storage adapter: one database file, no
// server, through the pure-Go driver modernc.org/sqlite. It is the default
// for the telcojobs command and for tests.
//
// The database runs in WAL mode with a busy timeout, and write transactions
// begin with BEGIN IMMEDIATE, so a transaction takes the single writer lock
// up front instead of failing half-way. The handle keeps one open
// connection, as River's SQLite driver advises; several processes may share
// the file and then wait on the busy timeout.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/telcojobs/telcojobs/adapters/sqlstore"
	"github.com/telcojobs/telcojobs/ports"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Config configures the SQLite adapter.
type Config struct {
	// Path is the database file. ":memory:" is rejected because every
	// connection would see a different database; use a file in a temporary
	// folder instead. Required.
	Path string
	// BusyTimeout is how long a statement waits for another writer before
	// failing with SQLITE_BUSY. Default 5s.
	BusyTimeout time.Duration
	// Logger receives migration and rollback messages. Default: discard.
	Logger *slog.Logger
}

// WithDefaults returns a copy with the defaults filled in.
func (c Config) WithDefaults() Config {
	if c.BusyTimeout == 0 {
		c.BusyTimeout = 5 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	if strings.TrimSpace(c.Path) == "" {
		return errors.New("sqlite config: Path is required, for example ./telcojobs.db")
	}
	if c.Path == ":memory:" || strings.Contains(c.Path, "mode=memory") {
		return fmt.Errorf("sqlite config: Path %q is an in-memory database; use a file", c.Path)
	}
	if c.BusyTimeout < 0 {
		return fmt.Errorf("sqlite config: BusyTimeout %s must not be negative", c.BusyTimeout)
	}
	return nil
}

// Store is the SQLite storage adapter.
type Store struct {
	*sqlstore.Store
}

var (
	_ ports.TxRunner     = (*Store)(nil)
	_ ports.AlarmStore   = (*Store)(nil)
	_ ports.ChannelStore = (*Store)(nil)
)

// Dialect is the SQLite dialect of the shared SQL code.
var Dialect = sqlstore.Dialect{
	Name:           "sqlite",
	LockSkipLocked: "",
	TranslateError: translateError,
}

// Open opens (creating if needed) the database file and applies the
// migrations. The caller closes the store.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}

	db, err := sql.Open("sqlite", DSN(cfg.Path, cfg.BusyTimeout))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %q: %w", cfg.Path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)

	store, err := sqlstore.New(db, Dialect, cfg.Logger)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	s := &Store{Store: store}
	if err := s.Migrate(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// DSN builds the modernc.org/sqlite data source name for path: WAL journal,
// busy timeout, foreign keys on, and BEGIN IMMEDIATE for transactions.
func DSN(path string, busyTimeout time.Duration) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Migrate applies the embedded migrations that the database lacks.
func (s *Store) Migrate(ctx context.Context) error {
	migrations, err := sqlstore.LoadMigrations(migrationFS, "migrations")
	if err != nil {
		return err
	}
	_, err = s.Store.Migrate(ctx, migrations)
	return err
}

// Close closes the database.
func (s *Store) Close() error { return s.DB().Close() }

func translateError(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return sqlstore.Conflict(err)
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return sqlstore.Conflict(err)
	}
	return err
}
