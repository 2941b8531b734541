package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"

	"github.com/telcojobs/telcojobs/domain"
)

// Dialect describes what differs between the databases that share this code.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// LockSkipLocked is appended to a SELECT that picks a free row to
	// assign, so that concurrent transactions never pick the same one. It is
	// "FOR UPDATE SKIP LOCKED" on PostgreSQL and empty on SQLite, where a
	// write transaction holds the database's single writer lock.
	LockSkipLocked string
	// TranslateError maps a driver error to a domain error, wrapping it. It
	// returns err unchanged when it has no mapping.
	TranslateError func(err error) error
	// MigrationLock is run at the start of each migration transaction so
	// that two processes migrating at once apply each version once. It may
	// be empty when beginning a transaction already takes a database-wide
	// write lock, as SQLite's BEGIN IMMEDIATE does.
	MigrationLock string
}

// Store implements the storage ports on a *sql.DB.
type Store struct {
	db      *sql.DB
	dialect Dialect
	logger  *slog.Logger
}

// New builds a Store. The caller owns db and closes it.
func New(db *sql.DB, dialect Dialect, logger *slog.Logger) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: db is nil")
	}
	if dialect.Name == "" || dialect.TranslateError == nil {
		return nil, errors.New("sqlstore: dialect Name and TranslateError are required")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Store{db: db, dialect: dialect, logger: logger}, nil
}

// DB returns the underlying database handle.
func (s *Store) DB() *sql.DB { return s.db }

// Dialect returns the dialect the store was built with.
func (s *Store) Dialect() Dialect { return s.dialect }

// Logger returns the store's logger.
func (s *Store) Logger() *slog.Logger { return s.logger }

type txKey struct{}

// TxFromContext returns the transaction that InTx put in ctx, if any.
func TxFromContext(ctx context.Context) (*sql.Tx, bool) {
	tx, ok := ctx.Value(txKey{}).(*sql.Tx)
	return tx, ok
}

// ContextWithTx returns a context that carries tx, for callers that manage a
// transaction themselves and want the store's methods to join it.
func ContextWithTx(ctx context.Context, tx *sql.Tx) context.Context {
	return context.WithValue(ctx, txKey{}, tx)
}

// Querier is the method set that *sql.DB and *sql.Tx share.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Q returns the transaction carried by ctx, or the database.
func (s *Store) Q(ctx context.Context) Querier {
	if tx, ok := TxFromContext(ctx); ok {
		return tx
	}
	return s.db
}

// InTx implements ports.TxRunner. A context that already carries a
// transaction joins it.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if _, ok := TxFromContext(ctx); ok {
		return fn(ctx)
	}

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", s.dialect.TranslateError(err))
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
				s.logger.WarnContext(ctx, "rollback failed", "error", rbErr)
			}
		}
	}()

	if err = fn(ContextWithTx(ctx, tx)); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", s.dialect.TranslateError(err))
	}
	return nil
}

// Err translates a driver error into a domain error and adds what failed.
// sql.ErrNoRows becomes domain.ErrNotFound. A nil err stays nil.
func (s *Store) Err(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, s.translate(err))...)
}

func (s *Store) translate(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		// The driver's "no rows in result set" adds nothing for a reader.
		return domain.ErrNotFound
	}
	return s.dialect.TranslateError(err)
}

// collect reads every row of a query with scan and closes the rows. err is
// the query's error; what names the query in errors.
func collect[T any](s *Store, rows *sql.Rows, err error, what string, scan func(row interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	if err != nil {
		return nil, s.Err(err, "%s", what)
	}
	defer rows.Close()

	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, s.Err(err, "scan %s", what)
		}
		out = append(out, v)
	}
	return out, s.Err(rows.Err(), "%s", what)
}
