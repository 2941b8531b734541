package usecases_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/telcojobs/telcojobs/adapters/fake"
	"github.com/telcojobs/telcojobs/adapters/sqlite"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// ExampleUpdateShops imports a shop file into a channel on the embedded
// SQLite store. Row errors are reported per line while the other rows are
// imported.
func ExampleUpdateShops() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	store, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "shop.db")})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if _, err := store.CreateChannel(ctx, domain.Channel{Slug: "tienda-online", Name: "Tienda online"}); err != nil {
		log.Fatal(err)
	}

	blobs := fake.NewBlobStore()
	file := "codigo;nombre;activo;email\n" +
		"TDA-001;Tienda Gran Vía;si;granvia@tiendas.example.com\n" +
		"TDA-002;Tienda Diagonal;si;no-es-un-email\n"
	if err := blobs.Put(ctx, "uploads/shops.csv", strings.NewReader(file)); err != nil {
		log.Fatal(err)
	}

	shops, err := usecases.NewUpdateShops(usecases.ImportConfig{}, blobs, store, store, store, ports.SystemClock{}, nil)
	if err != nil {
		log.Fatal(err)
	}
	res, err := shops.Handle(ctx, usecases.UpdateShopsInput{ChannelSlug: "tienda-online", FileKey: "uploads/shops.csv"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("created %d, rejected %d\n", res.Created, res.Rejected)
	for _, row := range res.RejectedRows {
		fmt.Printf("line %d, %s %q\n", row.Line, row.Column, row.Value)
	}
	// Output:
	// created 1, rejected 1
	// line 3, email "no-es-un-email"
}
