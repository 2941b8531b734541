package river_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/telcojobs/telcojobs/adapters/river"
	"github.com/telcojobs/telcojobs/adapters/sqlite"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// Example enqueues a job inside a store transaction: the rolled-back
// enqueue leaves no job, the committed one runs once.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	store, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "jobs.db")})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if err := river.MigrateSQLite(ctx, store, nil); err != nil {
		log.Fatal(err)
	}

	done := make(chan int64, 2)
	engine, err := river.NewSQLite(store, river.Handlers{
		ProvisionPurchase: river.HandlerFunc[usecases.ProvisionPurchaseInput](func(_ context.Context, in usecases.ProvisionPurchaseInput) error {
			done <- in.PurchaseID
			return nil
		}),
	}, river.Config{FetchPollInterval: 50 * time.Millisecond, FetchCooldown: 20 * time.Millisecond, PeriodicJobs: []river.PeriodicJob{}})
	if err != nil {
		log.Fatal(err)
	}
	if err := engine.Start(ctx); err != nil {
		log.Fatal(err)
	}
	defer engine.Stop(ctx)

	enqueue := func(id int64, fail error) error {
		return store.InTx(ctx, func(ctx context.Context) error {
			if _, err := engine.Enqueue(ctx, usecases.ProvisionPurchaseInput{PurchaseID: id}, ports.EnqueueOptions{}); err != nil {
				return err
			}
			return fail
		})
	}
	fmt.Println(enqueue(1, errors.New("payment rejected")))
	fmt.Println(enqueue(2, nil))

	fmt.Println("ran purchase", <-done)
	select {
	case id := <-done:
		fmt.Println("unexpected run of purchase", id)
	case <-time.After(time.Second):
	}
	// Output:
	// payment rejected
	// <nil>
	// ran purchase 2
}
