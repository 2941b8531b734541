package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
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

	t.Run("ImportRowsDisable", func(t *testing.T) {
		t.Parallel()
		for _, disable := range []bool{false, true} {
			_, os, c := setup(t)
			for _, code := range []string{"RENAMED", "SAME", "OFF"} {
				o := outletRow(0, code, "Igual", true).Outlet
				o.ChannelID = c.ID
				o.Enabled = code != "OFF"
				save(t, os, o)
			}
			rows := []ports.OutletRow{
				outletRow(2, "RENAMED", "Nuevo nombre", true),
				outletRow(3, "SAME", "Igual", true),
				outletRow(4, "OFF", "Igual", true),
			}
			for i := range rows {
				rows[i].Outlet.Enabled = false
			}

			at := base.Add(time.Hour)
			err := os.ImportOutlets(ctx, domain.KindShop, c.ID, func(ctx context.Context, imp ports.OutletImport) error {
				require.NoError(t, imp.Stage(ctx, rows))
				plan, err := imp.Plan(ctx)
				require.NoError(t, err)
				require.Equal(t, ports.ImportPlan{Update: 2, Unchanged: 1, DisableInFile: 2, Enabled: 2}, plan)

				done, err := imp.Apply(ctx, at, disable)
				require.NoError(t, err)
				if disable {
					require.Equal(t, plan, done)
				} else {
					require.Equal(t, ports.ImportPlan{Update: 1, Unchanged: 2, Enabled: 2}, done,
						"only the rename of RENAMED applies")
				}
				return nil
			})
			require.NoError(t, err)

			renamed, err := os.Outlet(ctx, domain.KindShop, c.ID, "RENAMED")
			require.NoError(t, err)
			require.Equal(t, "Nuevo nombre", renamed.Name)
			require.Equal(t, !disable, renamed.Enabled)
			same, err := os.Outlet(ctx, domain.KindShop, c.ID, "SAME")
			require.NoError(t, err)
			require.Equal(t, !disable, same.Enabled)
			require.Equal(t, disable, same.UpdatedAt.Equal(at), "a held-back row does not touch its outlet")
		}
	})

	t.Run("ImportRejectsUnknownShops", func(t *testing.T) {
		t.Parallel()
		s, os, c := setup(t)
		other, err := s.CreateChannel(ctx, domain.Channel{Slug: "otro", Name: "Otro"})
		require.NoError(t, err)
		shop := func(channelID int64, code string, enabled bool) {
			o := outletRow(0, code, "Tienda", true).Outlet
			o.ChannelID, o.Enabled = channelID, enabled
			save(t, os, o)
		}
		shop(c.ID, "TDA-1", true)
		shop(c.ID, "TDA-OFF", false)
		shop(other.ID, "TDA-X", true)
		stored := domain.Outlet{Kind: domain.KindSeller, ChannelID: c.ID, Code: "VEN-2", Name: "Antes", Enabled: true, ShopCode: "TDA-1"}
		save(t, os, stored)

		seller := func(line int, code, shopCode string, valid bool) ports.OutletRow {
			r := outletRow(line, code, "Vendedor", valid)
			r.Outlet.Kind, r.Outlet.ShopCode = domain.KindSeller, shopCode
			return r
		}
		err = os.ImportOutlets(ctx, domain.KindSeller, c.ID, func(ctx context.Context, imp ports.OutletImport) error {
			require.NoError(t, imp.Stage(ctx, []ports.OutletRow{
				seller(2, "VEN-1", "TDA-1", true),
				seller(3, "VEN-2", "TDA-X", true), // a shop of another channel
				seller(4, "VEN-3", "", true),
				seller(5, "VEN-4", "TDA-OFF", true),
				seller(6, "VEN-5", "TDA-9", false), // rejected already
				seller(7, "VEN-1", "TDA-9", true),  // a repeat, reported as such
				seller(8, "VEN-6", "TDA-9", true),
			}))

			unknown, total, err := imp.RejectUnknownShops(ctx, 1)
			require.NoError(t, err)
			require.Equal(t, []ports.UnknownShop{{Line: 3, ShopCode: "TDA-X"}}, unknown)
			require.Equal(t, 2, total)

			dups, err := imp.Duplicates(ctx, 10)
			require.NoError(t, err)
			require.Equal(t, []ports.DuplicateCode{{Code: "VEN-1", FirstLine: 2, Line: 7}}, dups)

			plan, err := imp.Plan(ctx)
			require.NoError(t, err)
			require.Equal(t, ports.ImportPlan{Create: 3, Enabled: 1, Duplicates: 1}, plan)
			_, _, err = imp.RejectUnknownShops(ctx, 1)
			require.Error(t, err, "too late after Plan")

			_, err = imp.Apply(ctx, base, true)
			return err
		})
		require.NoError(t, err)

		list, err := os.ListOutlets(ctx, domain.KindSeller, c.ID)
		require.NoError(t, err)
		codes := []string{}
		for _, o := range list {
			codes = append(codes, o.Code)
		}
		require.Equal(t, []string{"VEN-1", "VEN-2", "VEN-3", "VEN-4"}, codes)
		kept, err := os.Outlet(ctx, domain.KindSeller, c.ID, "VEN-2")
		require.NoError(t, err)
		require.Equal(t, "TDA-1", kept.ShopCode, "the rejected row changed nothing")
		require.True(t, kept.Enabled, "the rejected row keeps its seller enabled")

		err = os.ImportOutlets(ctx, domain.KindShop, c.ID, func(ctx context.Context, imp ports.OutletImport) error {
			require.NoError(t, imp.Stage(ctx, []ports.OutletRow{outletRow(2, "TDA-2", "Tienda", true)}))
			unknown, total, err := imp.RejectUnknownShops(ctx, 10)
			require.NoError(t, err)
			require.Empty(t, unknown, "a shop import checks no shop codes")
			require.Zero(t, total)
			return nil
		})
		require.NoError(t, err)
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

	t.Run("ConcurrentImportsOfOneChannel", func(t *testing.T) {
		t.Parallel()
		_, os, c := setup(t)

		// Every import brings the same new codes, so each would plan to
		// create them all if it did not wait for the others.
		const workers, codes = 8, 200
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rows := make([]ports.OutletRow, codes)
				for i := range rows {
					rows[i] = outletRow(i+2, fmt.Sprintf("T%03d", i), fmt.Sprint("Importación ", w), true)
				}
				errs <- os.ImportOutlets(ctx, domain.KindShop, c.ID, func(ctx context.Context, imp ports.OutletImport) error {
					if err := imp.Stage(ctx, rows); err != nil {
						return err
					}
					_, err := imp.Apply(ctx, base.Add(time.Duration(w)*time.Minute), true)
					return err
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}

		list, err := os.ListOutlets(ctx, domain.KindShop, c.ID)
		require.NoError(t, err)
		require.Len(t, list, codes)
		for _, o := range list {
			require.True(t, o.Enabled, o.Code)
			require.Equal(t, list[0].Name, o.Name, "one import was applied last, whole")
		}
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
