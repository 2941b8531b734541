// Package storetest is the contract suite of the storage ports. A storage
// adapter, ours or a host application's, proves that it behaves by calling
// [Run] from its tests with a function that opens an empty, migrated store:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Store { return sqlitetest.Open(t) })
//	}
//
// The suite is split by aggregate. Each part checks that the store
// implements its port and fails the test when it does not.
package storetest

import (
	"sort"
	"sync"
	"testing"

	"github.com/telcojobs/telcojobs/ports"
)

// Store is what every storage adapter implements at least. The parts of the
// suite for other aggregates assert their own ports on it.
type Store interface {
	ports.TxRunner
	ports.AlarmStore
	ports.AuditStore
	ports.ChannelStore
	ports.PurchaseStore
	ports.ActivationStore
}

// Opener returns an empty, migrated store that lives until t ends.
type Opener func(t *testing.T) Store

var (
	suitesMu sync.Mutex
	suites   = map[string]func(t *testing.T, open Opener){}
)

// register adds a part of the suite, run as a subtest with that name.
func register(name string, run func(t *testing.T, open Opener)) {
	suitesMu.Lock()
	defer suitesMu.Unlock()
	suites[name] = run
}

// Run runs every part of the contract suite against the stores that open
// returns.
func Run(t *testing.T, open Opener) {
	suitesMu.Lock()
	names := make([]string, 0, len(suites))
	for name := range suites {
		names = append(names, name)
	}
	suitesMu.Unlock()
	sort.Strings(names)

	for _, name := range names {
		run := suites[name]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			run(t, open)
		})
	}
}

// As returns store as the port T, failing the test when the adapter does not
// implement it.
func As[T any](t *testing.T, store Store) T {
	t.Helper()
	v, ok := any(store).(T)
	if !ok {
		var zero T
		t.Fatalf("store %T does not implement %T", store, &zero)
	}
	return v
}
