package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

func init() { register("Outlets", testOutlets) }

func outletRow(line int, code, name string, valid bool) ports.OutletRow {
	return ports.OutletRow{Line: line, Valid: valid, Outlet: domain.Outlet{
		Kind: domain.KindShop, Code: code, Name: name, Enabled: true, City: "Madrid",
		Settings: domain.ShopSetting{AllowedSaleTypes: []domain.SaleType{domain.SaleNewLine}, MaxDiscountPercent: 5},
	}}
}

func testOutlets(t *testing.T, open Opener) {
	ctx := context.Background()

	setup := func(t *testing.T) (Store, ports.OutletStore, domain.Channel) {
		s := open(t)
		c, err := s.CreateChannel(ctx, domain.Channel{Slug: "web", Name: "Web"})
		require.NoError(t, err)
		return s, As[ports.OutletStore](t, s), c
	}
	save := func(t *testing.T, os ports.OutletStore, o domain.Outlet) domain.Outlet {
		o, err := os.SaveOutlet(ctx, o)
		require.NoError(t, err)
		return o
	}

	t.Run("SaveAndGet", func(t *testing.T) {
		t.Parallel()
		_, os, c := setup(t)
		in := domain.Outlet{
			Kind: domain.KindSeller, ChannelID: c.ID, Code: "VEN-1", Name: "Ana", Enabled: true,
			Email: "ana@example.com", Phone: "+34600000001", PostalCode: "28001", Address: "Calle 1",
			City: "Madrid", Province: "Madrid", ShopCode: "TDA-1", UpdatedAt: base,
			Settings: domain.ShopSetting{AllowedSaleTypes: []domain.SaleType{domain.SaleNewLine, domain.SaleDevice},
				MaxDiscountPercent: 15, CanSellDevices: true, ESIMAllowed: true},
		}
		saved := save(t, os, in)
		require.NotZero(t, saved.ID)
		in.ID = saved.ID
		require.Equal(t, in, saved)

		got, err := os.Outlet(ctx, domain.KindSeller, c.ID, "VEN-1")
		require.NoError(t, err)
		require.Equal(t, in, got)

		in.Name = "Ana María"
		again := save(t, os, in)
		require.Equal(t, saved.ID, again.ID, "saving the same code updates the row")
		require.Equal(t, "Ana María", again.Name)

		_, err = os.Outlet(ctx, domain.KindShop, c.ID, "VEN-1")
		require.ErrorIs(t, err, domain.ErrNotFound, "sellers and shops are apart")
		_, err = os.Outlet(ctx, domain.KindSeller, c.ID, "missing")
		require.ErrorIs(t, err, domain.ErrNotFound)
		_, err = os.Outlet(ctx, "kiosk", c.ID, "VEN-1")
		require.ErrorIs(t, err, domain.ErrInvalid)
	})

	t.Run("ImportCreatesUpdatesDisables", func(t *testing.T) {
		t.Parallel()
		s, os, c := setup(t)
		other, err := s.CreateChannel(ctx, domain.Channel{Slug: "otro", Name: "Otro"})
		require.NoError(t, err)
		keep := outletRow(0, "KEEP", "Igual", true).Outlet
		keep.ChannelID = c.ID
		save(t, os, keep)
		change := outletRow(0, "CHANGE", "Antes", true).Outlet
		change.ChannelID = c.ID
		save(t, os, change)
		gone := outletRow(0, "GONE", "Se va", true).Outlet
		gone.ChannelID = c.ID
		save(t, os, gone)
		rejected := outletRow(0, "REJECTED", "Fila mala", true).Outlet
		rejected.ChannelID = c.ID
		save(t, os, rejected)
		elsewhere := outletRow(0, "GONE", "Otro canal", true).Outlet
		elsewhere.ChannelID = other.ID
		save(t, os, elsewhere)

		at := base.Add(time.Hour)
		err = os.ImportOutlets(ctx, domain.KindShop, c.ID, func(ctx context.Context, imp ports.OutletImport) error {
			require.NoError(t, imp.Stage(ctx, []ports.OutletRow{
				outletRow(2, "KEEP", "Igual", true),
				outletRow(3, "CHANGE", "Después", true),
				outletRow(4, "NEW", "Nueva", true),
				outletRow(5, "REJECTED", "", false),
			}))
			require.NoError(t, imp.Stage(ctx, []ports.OutletRow{outletRow(6, "NEW", "Repetida", true)}))

			dups, err := imp.Duplicates(ctx, 10)
			require.NoError(t, err)
			require.Equal(t, []ports.DuplicateCode{{Code: "NEW", FirstLine: 4, Line: 6}}, dups)

			plan, err := imp.Plan(ctx)
			require.NoError(t, err)
			require.Equal(t, ports.ImportPlan{Create: 1, Update: 1, Unchanged: 1, Disable: 1, Enabled: 4, Duplicates: 1}, plan)

			done, err := imp.Apply(ctx, at, true)
			require.NoError(t, err)
			require.Equal(t, plan, done)
			return nil
		})
		require.NoError(t, err)

		list, err := os.ListOutlets(ctx, domain.KindShop, c.ID)
		require.NoError(t, err)
		byCode := map[string]domain.Outlet{}
		for _, o := range list {
			byCode[o.Code] = o
		}
		require.Len(t, byCode, 5)
		require.Equal(t, "Después", byCode["CHANGE"].Name)
		require.True(t, byCode["CHANGE"].UpdatedAt.Equal(at))
		require.True(t, byCode["KEEP"].UpdatedAt.Equal(base) || !byCode["KEEP"].UpdatedAt.Equal(at), "unchanged row not touched")
		require.Equal(t, "Nueva", byCode["NEW"].Name, "the first line of a repeated code wins")
		require.False(t, byCode["GONE"].Enabled)
		require.True(t, byCode["REJECTED"].Enabled, "a rejected row keeps its outlet enabled")
		require.Equal(t, "Fila mala", byCode["REJECTED"].Name)

		o, err := os.Outlet(ctx, domain.KindShop, other.ID, "GONE")
		require.NoError(t, err)
		require.True(t, o.Enabled, "another channel is untouched")
	})

	t.Run("ImportWithoutDisable", func(t *testing.T) {
		t.Parallel()
		_, os, c := setup(t)
		gone := outletRow(0, "GONE", "Se queda", true).Outlet
		gone.ChannelID = c.ID
		save(t, os, gone)

		err := os.ImportOutlets(ctx, domain.KindShop, c.ID, func(ctx context.Context, imp ports.OutletImport) error {
			require.NoError(t, imp.Stage(ctx, []ports.OutletRow{outletRow(2, "NEW", "Nueva", true)}))
			done, err := imp.Apply(ctx, base, false)
			require.NoError(t, err)
			require.Equal(t, ports.ImportPlan{Create: 1, Enabled: 1}, done)
			return nil
		})
		require.NoError(t, err)
		o, err := os.Outlet(ctx, domain.KindShop, c.ID, "GONE")
		require.NoError(t, err)
		require.True(t, o.Enabled)
	})

	t.Run("ImportRollsBack", func(t *testing.T) {
		t.Parallel()
		_, os, c := setup(t)
		boom := errors.New("boom")
		err := os.ImportOutlets(ctx, domain.KindShop, c.ID, func(ctx context.Context, imp ports.OutletImport) error {
			require.NoError(t, imp.Stage(ctx, []ports.OutletRow{outletRow(2, "NEW", "Nueva", true)}))
			_, err := imp.Apply(ctx, base, true)
			require.NoError(t, err)
			return boom
		})
		require.ErrorIs(t, err, boom)
		list, err := os.ListOutlets(ctx, domain.KindShop, c.ID)
		require.NoError(t, err)
		require.Empty(t, list)

		// The staging table of the failed import does not linger.
		err = os.ImportOutlets(ctx, domain.KindShop, c.ID, func(ctx context.Context, imp ports.OutletImport) error {
			require.NoError(t, imp.Stage(ctx, []ports.OutletRow{outletRow(2, "NEW", "Nueva", true)}))
			_, err := imp.Apply(ctx, base, true)
			return err
		})
		require.NoError(t, err)
	})

	t.Run("ImportJoinsTransaction", func(t *testing.T) {
		t.Parallel()
		s, os, c := setup(t)
		boom := errors.New("boom")
		err := s.InTx(ctx, func(ctx context.Context) error {
			err := os.ImportOutlets(ctx, domain.KindSeller, c.ID, func(ctx context.Context, imp ports.OutletImport) error {
				require.NoError(t, imp.Stage(ctx, []ports.OutletRow{outletRow(2, "VEN", "Vendedor", true)}))
				_, err := imp.Apply(ctx, base, true)
				return err
			})
			require.NoError(t, err)
			return boom
		})
		require.ErrorIs(t, err, boom)
		_, err = os.Outlet(ctx, domain.KindSeller, c.ID, "VEN")
		require.ErrorIs(t, err, domain.ErrNotFound)
	})

	t.Run("ImportManyRows", func(t *testing.T) {
		t.Parallel()
		_, os, c := setup(t)
		rows := make([]ports.OutletRow, 2500)
		for i := range rows {
			rows[i] = outletRow(i+2, fmt.Sprintf("T%05d", i), fmt.Sprint("Tienda ", i), true)
		}
		err := os.ImportOutlets(ctx, domain.KindShop, c.ID, func(ctx context.Context, imp ports.OutletImport) error {
			require.NoError(t, imp.Stage(ctx, rows))
			done, err := imp.Apply(ctx, base, true)
			require.NoError(t, err)
			require.Equal(t, 2500, done.Create)
			return nil
		})
		require.NoError(t, err)
		list, err := os.ListOutlets(ctx, domain.KindShop, c.ID)
		require.NoError(t, err)
		require.Len(t, list, 2500)
	})
}
