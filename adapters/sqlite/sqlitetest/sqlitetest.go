// Package sqlitetest opens throwaway SQLite stores for tests.
package sqlitetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/telcojobs/telcojobs/adapters/sqlite"
)

// Open creates a migrated database file in t's temporary folder and closes
// it when the test ends.
func Open(t testing.TB) *sqlite.Store {
	t.Helper()
	store, err := sqlite.Open(context.Background(), sqlite.Config{Path: Path(t)})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return store
}

// Path returns a fresh database file path in t's temporary folder.
func Path(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "telcojobs.db")
}
