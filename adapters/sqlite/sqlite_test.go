package sqlite_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/sqlite"
	"github.com/telcojobs/telcojobs/adapters/sqlite/sqlitetest"
	"github.com/telcojobs/telcojobs/ports/storetest"
)

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storetest.Store { return sqlitetest.Open(t) })
}

func TestOpenRejectsMemory(t *testing.T) {
	t.Parallel()
	_, err := sqlite.Open(context.Background(), sqlite.Config{Path: ":memory:"})
	require.ErrorContains(t, err, "Path")
}

func TestMigrateTwiceAppliesNothing(t *testing.T) {
	t.Parallel()
	path := sqlitetest.Path(t)
	ctx := context.Background()

	s, err := sqlite.Open(ctx, sqlite.Config{Path: path})
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s, err = sqlite.Open(ctx, sqlite.Config{Path: path})
	require.NoError(t, err)
	defer s.Close()
	var n int
	require.NoError(t, s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n))
	require.Positive(t, n)
}
