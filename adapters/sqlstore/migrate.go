package sqlstore

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migration is one versioned schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// LoadMigrations reads the files NNNN_name.sql of dir in fsys, ordered by
// version. Two files with one version are an error.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}

	var out []Migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		prefix, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		version, err := strconv.Atoi(prefix)
		if !ok || err != nil || version <= 0 {
			return nil, fmt.Errorf("migration file %q: expected a name such as 0001_core.sql", e.Name())
		}
		if other, dup := seen[version]; dup {
			return nil, fmt.Errorf("migration version %d is used by both %q and %q", version, other, e.Name())
		}
		seen[version] = e.Name()

		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %q: %w", e.Name(), err)
		}
		out = append(out, Migration{Version: version, Name: name, SQL: string(body)})
	}

	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// Migrate applies the migrations that the database has not recorded yet,
// each in its own transaction together with its row in schema_migrations. It
// returns the versions it applied.
func (s *Store) Migrate(ctx context.Context, migrations []Migration) ([]int, error) {
	// Two processes creating the table at once collide in PostgreSQL's
	// catalogue even with IF NOT EXISTS, so the creation takes the lock too.
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.lockMigrations(ctx); err != nil {
			return err
		}
		_, err := s.Q(ctx).ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`)
		return s.Err(err, "create schema_migrations")
	})
	if err != nil {
		return nil, err
	}

	var applied []int
	for _, m := range migrations {
		done := false
		err := s.InTx(ctx, func(ctx context.Context) error {
			q := s.Q(ctx)
			if err := s.lockMigrations(ctx); err != nil {
				return err
			}

			var n int
			if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
				return s.Err(err, "read schema_migrations")
			}
			if n > 0 {
				done = true
				return nil
			}

			if _, err := q.ExecContext(ctx, m.SQL); err != nil {
				return s.Err(err, "apply migration %04d_%s", m.Version, m.Name)
			}
			_, err := q.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, time.Now().UTC().Format(time.RFC3339))
			return s.Err(err, "record migration %04d_%s", m.Version, m.Name)
		})
		if err != nil {
			return applied, err
		}
		if !done {
			applied = append(applied, m.Version)
			s.logger.InfoContext(ctx, "migration applied", "version", m.Version, "name", m.Name)
		}
	}
	return applied, nil
}

// lockMigrations takes the dialect's migration lock in the transaction of
// ctx, if the dialect has one.
func (s *Store) lockMigrations(ctx context.Context) error {
	if s.dialect.MigrationLock == "" {
		return nil
	}
	_, err := s.Q(ctx).ExecContext(ctx, s.dialect.MigrationLock)
	return s.Err(err, "lock migrations")
}
