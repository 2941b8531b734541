// Package pgtest gives each test its own PostgreSQL database on the server
// named by the TELCOJOBS_TEST_POSTGRES_URL environment variable.
//
// Without the variable the tests skip with a message saying how to run
// them, except under CI (CI=true), where they fail: the test command
// (make test) starts a throwaway server and sets the variable.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/telcojobs/telcojobs/adapters/postgres"
)

// EnvURL is the environment variable that names the test server.
const EnvURL = "TELCOJOBS_TEST_POSTGRES_URL"

// ServerURL returns the URL of the test server, skipping or failing the test
// when none is configured.
func ServerURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set; under CI the PostgreSQL tests must run (use make test)", EnvURL)
		}
		t.Skipf("PostgreSQL tests skipped: set %s to a server URL, or run make test, which starts a throwaway server", EnvURL)
	}
	return u
}

// NewDatabase creates an empty database for t, drops it when t ends, and
// returns its URL.
func NewDatabase(t testing.TB) string {
	t.Helper()
	server := ServerURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "telcojobs_test_" + hex.EncodeToString(b[:])

	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("connect to test server: %v", err)
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}

	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Logf("drop test database %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})

	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvURL, err)
	}
	u.Path = "/" + name
	return u.String()
}

// Open creates a database for t, opens a migrated store on it and closes it
// when t ends.
func Open(t testing.TB) *postgres.Store {
	t.Helper()
	store, err := postgres.Open(context.Background(), postgres.Config{URL: NewDatabase(t)})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return store
}
