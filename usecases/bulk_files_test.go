package usecases_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/fake"
	"github.com/telcojobs/telcojobs/adapters/postgres/pgtest"
	"github.com/telcojobs/telcojobs/adapters/sqlite/sqlitetest"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// bulkStore is what the bulk-file jobs need from storage.
type bulkStore interface {
	ports.TxRunner
	ports.ChannelStore
	ports.OutletStore
	ports.AlarmStore
	ports.AuditStore
	ports.PromotionStore
}

// onBothStores runs test once on SQLite and once on PostgreSQL.
func onBothStores(t *testing.T, test func(t *testing.T, open func(t *testing.T) bulkStore)) {
	t.Run("SQLite", func(t *testing.T) {
		t.Parallel()
		test(t, func(t *testing.T) bulkStore { return sqlitetest.Open(t) })
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		t.Parallel()
		test(t, func(t *testing.T) bulkStore { return pgtest.Open(t) })
	})
}

var testNow = time.Date(2025, 6, 2, 9, 30, 0, 0, time.UTC)

type bulkEnv struct {
	store   bulkStore
	blobs   *fake.BlobStore
	shops   *usecases.UpdateShops
	sellers *usecases.UpdateSellers
	assign  *usecases.AssignPromotionCodes
	load    *usecases.LoadPromotionCodes
	channel domain.Channel
}

func setupBulk(t *testing.T, store bulkStore) *bulkEnv {
	t.Helper()
	env := &bulkEnv{store: store, blobs: fake.NewBlobStore()}
	clock := fake.NewClock(testNow)
	var err error
	env.shops, err = usecases.NewUpdateShops(usecases.ImportConfig{BatchRows: 3}, env.blobs, store, store, store, clock, nil)
	require.NoError(t, err)
	env.sellers, err = usecases.NewUpdateSellers(usecases.ImportConfig{}, env.blobs, store, store, store, clock, nil)
	require.NoError(t, err)
	env.assign, err = usecases.NewAssignPromotionCodes(usecases.AssignPromotionCodesConfig{BatchSize: 4}, env.blobs, store, store, clock, nil)
	require.NoError(t, err)
	env.load, err = usecases.NewLoadPromotionCodes(env.blobs, store, clock, nil)
	require.NoError(t, err)
	env.channel, err = store.CreateChannel(context.Background(), domain.Channel{Slug: "web", Name: "Web"})
	require.NoError(t, err)
	return env
}

// put stores data under key.
func (env *bulkEnv) put(t *testing.T, key string, data []byte) string {
	t.Helper()
	require.NoError(t, env.blobs.Put(context.Background(), key, bytes.NewReader(data)))
	return key
}

// putFile stores a file of testdata under its own path.
func (env *bulkEnv) putFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", path))
	require.NoError(t, err)
	return env.put(t, path, b)
}

func (env *bulkEnv) importShops(t *testing.T, key string, force bool) (usecases.ImportResult, error) {
	t.Helper()
	return env.shops.Handle(context.Background(), usecases.UpdateShopsInput{ChannelSlug: "web", FileKey: key, Force: force})
}

func (env *bulkEnv) shop(t *testing.T, code string) domain.Outlet {
	t.Helper()
	o, err := env.store.Outlet(context.Background(), domain.KindShop, env.channel.ID, code)
	require.NoError(t, err)
	return o
}

func TestUpdateShopsHappyFile(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		key := env.putFile(t, "shops/happy.csv")

		res, err := env.importShops(t, key, false)
		require.NoError(t, err)
		require.Equal(t, 5, res.Rows)
		require.Equal(t, 5, res.Created)
		require.Zero(t, res.Rejected)
		require.Empty(t, res.RejectedRows)
		require.False(t, res.AlarmRaised)
		require.Equal(t, ";", res.Delimiter)

		gv := env.shop(t, "TDA-001")
		require.Equal(t, "Tienda Gran Vía", gv.Name)
		require.Equal(t, "+34910000001", gv.Phone)
		require.Equal(t, "28013", gv.PostalCode)
		require.Equal(t, domain.ShopSetting{
			AllowedSaleTypes:   []domain.SaleType{domain.SaleNewLine, domain.SalePortability, domain.SaleDevice},
			MaxDiscountPercent: 10, CanSellDevices: true, ESIMAllowed: true,
		}, gv.Settings)
		require.False(t, env.shop(t, "TDA-005").Enabled)
		require.True(t, env.shop(t, "TDA-005").UpdatedAt.Equal(testNow))

		again, err := env.importShops(t, key, false)
		require.NoError(t, err)
		require.Equal(t, 5, again.Unchanged)
		require.Zero(t, again.Created+again.Updated+again.Disabled)
	})
}

func TestUpdateShopsFormats(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		cases := []struct {
			file    string
			created int
			check   func(t *testing.T)
		}{
			{"utf8_bom_crlf_comma.csv", 2, func(t *testing.T) {
				require.Equal(t, "Logroño", env.shop(t, "TDA-101").City)
			}},
			{"windows1252.csv", 2, func(t *testing.T) {
				require.Equal(t, "Tienda “Peñíscola” €", env.shop(t, "TDA-201").Name)
			}},
			{"tab.csv", 2, func(t *testing.T) {
				require.Equal(t, "08001", env.shop(t, "TDA-301").PostalCode, "the leading zero comes back")
			}},
			{"quoted_multiline.csv", 3, func(t *testing.T) {
				require.Equal(t, `Tienda "La Esquina"`, env.shop(t, "TDA-401").Name)
				require.Equal(t, "Plaza\nSegunda línea", env.shop(t, "TDA-402").Address)
			}},
			{"trailing_empty_columns.csv", 3, func(t *testing.T) {
				require.Equal(t, "Tienda Tres", env.shop(t, "TDA-503").Name)
			}},
			{"spanish_headers.csv", 1, func(t *testing.T) {
				s := env.shop(t, "TDA-601")
				require.Equal(t, "centro@tiendas.example.com", s.Email)
				require.Equal(t, 20, s.Settings.MaxDiscountPercent)
				require.True(t, s.Settings.CanSellDevices)
			}},
		}
		// One channel per file, so that no file disables another's shops.
		for _, tc := range cases {
			slug := strings.ReplaceAll(strings.TrimSuffix(tc.file, ".csv"), "_", "-")
			ch, err := env.store.CreateChannel(context.Background(), domain.Channel{Slug: slug, Name: slug})
			require.NoError(t, err)
			env.channel = ch
			res, err := env.shops.Handle(context.Background(), usecases.UpdateShopsInput{ChannelSlug: slug, FileKey: env.putFile(t, "shops/"+tc.file)})
			require.NoError(t, err, tc.file)
			require.Equal(t, tc.created, res.Created, tc.file)
			require.Zero(t, res.Rejected, "%s: %v", tc.file, res.RejectedRows)
			tc.check(t)
		}
	})
}

func TestUpdateShopsRowErrors(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		res, err := env.importShops(t, env.putFile(t, "shops/row_errors.csv"), false)
		require.NoError(t, err)
		require.Equal(t, 9, res.Rows)
		require.Equal(t, 1, res.Created)
		require.Equal(t, 8, res.Rejected)
		require.True(t, res.AlarmRaised)

		byLine := map[int]usecases.RejectedRow{}
		for _, r := range res.RejectedRows {
			byLine[r.Line] = r
		}
		require.Equal(t, "email", byLine[3].Column)
		require.Equal(t, "no-es-un-correo", byLine[3].Value)
		require.Equal(t, "phone", byLine[4].Column)
		require.Equal(t, "postal_code", byLine[5].Column)
		require.Equal(t, "max_discount", byLine[6].Column)
		require.Equal(t, "150", byLine[6].Value)
		require.Equal(t, "sale_types", byLine[7].Column)
		require.Contains(t, byLine[8].Error, "code TDA-801 repeats line 2")
		require.Equal(t, "code", byLine[9].Column)
		require.Equal(t, "name", byLine[10].Column)

		alarm, err := env.store.OpenAlarm(context.Background(), "update_shops:web:rejected_rows")
		require.NoError(t, err)
		require.Contains(t, alarm.Message, "8 filas rechazadas de 9")
		require.Contains(t, alarm.Details, "Línea 3: la columna correo tiene «no-es-un-correo», que no es una dirección de correo válida")

		// The rows rejected for a field keep their codes out of the import,
		// and the valid row is kept.
		require.Equal(t, "Tienda buena", env.shop(t, "TDA-801").Name)
		_, err = env.store.Outlet(context.Background(), domain.KindShop, env.channel.ID, "TDA-802")
		require.ErrorIs(t, err, domain.ErrNotFound)
	})
}

func TestUpdateShopsRejectedRowKeepsShop(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		_, err := env.importShops(t, env.put(t, "a.csv", []byte("code;name\nA1;Uno\nA2;Dos\nA3;Tres\n")), false)
		require.NoError(t, err)

		res, err := env.importShops(t, env.put(t, "b.csv", []byte("code;name;email\nA1;Uno;\nA2;Dos;mal\nA3;Tres;\n")), false)
		require.NoError(t, err)
		require.Equal(t, 1, res.Rejected)
		require.Zero(t, res.Disabled)
		require.True(t, env.shop(t, "A2").Enabled, "a typo in one column does not disable the shop")
	})
}

func TestUpdateShopsShortRowKeepsShop(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		_, err := env.importShops(t, env.put(t, "a.csv", []byte("code;name;email;phone\nA1;Uno;a1@tienda.es;600111222\nA2;Dos;;\n")), false)
		require.NoError(t, err)

		// A truncated line must not empty the values it lacks.
		res, err := env.importShops(t, env.put(t, "b.csv", []byte("code;name;email;phone\nA1;Uno Nuevo\nA2;Dos;;\n")), false)
		require.NoError(t, err)
		require.Zero(t, res.Updated)
		require.Equal(t, 1, res.Unchanged)
		require.Equal(t, 1, res.Rejected)
		require.Zero(t, res.Disabled)
		require.Equal(t, usecases.RejectedRow{Line: 2,
			Error:    "the row ends after 2 values, before columns email, phone; complete the row, and keep the delimiters of empty values",
			ReasonES: "la fila acaba tras 2 valores y le faltan las columnas correo, teléfono: complete la fila, dejando el separador de cada valor vacío; no se ha cambiado nada de ella"},
			res.RejectedRows[0])

		a1 := env.shop(t, "A1")
		require.Equal(t, "Uno", a1.Name)
		require.Equal(t, "a1@tienda.es", a1.Email)
		require.Equal(t, "+34600111222", a1.Phone)
		require.True(t, a1.Enabled)

		// Empty values with their delimiters are a full row.
		res, err = env.importShops(t, env.put(t, "c.csv", []byte("code;name;email;phone\nA1;Uno;;\nA2;Dos;;\n")), false)
		require.NoError(t, err)
		require.Zero(t, res.Rejected)
		require.Equal(t, 1, res.Updated)
	})
}

func TestUpdateShopsExtraValueKeepsShop(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		_, err := env.importShops(t, env.put(t, "a.csv", []byte("code;name\nA1;Uno\nA2;Dos\nA3;Tres\n")), false)
		require.NoError(t, err)

		// A value past the header is rejected, but its code still keeps
		// the shop from being disabled as missing from the file.
		res, err := env.importShops(t, env.put(t, "b.csv", []byte("code;name\nA1;Uno\nA2;Dos;sobra\nA3;Tres\n")), false)
		require.NoError(t, err)
		require.Equal(t, 1, res.Rejected)
		require.Zero(t, res.Disabled)
		require.Equal(t, 3, res.RejectedRows[0].Line)
		require.Equal(t, "sobra", res.RejectedRows[0].Value)
		require.True(t, env.shop(t, "A2").Enabled)
		require.Equal(t, "Dos", env.shop(t, "A2").Name)
	})
}

func TestUpdateShopsRejectsFile(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		ctx := context.Background()

		_, err := env.importShops(t, env.putFile(t, "shops/missing_columns.csv"), false)
		require.True(t, domain.IsPermanent(err))
		require.ErrorContains(t, err, "missing required columns: name (or nombre)")

		_, err = env.shops.Handle(ctx, usecases.UpdateShopsInput{ChannelSlug: "desconocido", FileKey: env.putFile(t, "shops/happy.csv")})
		require.ErrorIs(t, err, domain.ErrNotFound)
		require.True(t, domain.IsPermanent(err))
		require.ErrorContains(t, err, `unknown channel "desconocido"`)

		_, err = env.importShops(t, "missing.csv", false)
		require.ErrorIs(t, err, domain.ErrNotFound)
		require.True(t, domain.IsPermanent(err))

		list, err := env.store.ListOutlets(ctx, domain.KindShop, env.channel.ID)
		require.NoError(t, err)
		require.Empty(t, list)
	})
}

// shopsFile builds a shop file with codes S0000 to S(n-1) from first.
func shopsFile(first, n int, namePrefix string) []byte {
	var b bytes.Buffer
	b.WriteString("codigo;nombre;cp;telefono;tipos de venta;descuento maximo\n")
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&b, "S%05d;%s %d;%05d;6%08d;alta|portabilidad;%d\n", i, namePrefix, i, 1000+i%50000, i, i%30)
	}
	return b.Bytes()
}

func TestUpdateShopsSafetyValve(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		ctx := context.Background()
		_, err := env.importShops(t, env.put(t, "all.csv", shopsFile(0, 10, "Tienda")), false)
		require.NoError(t, err)

		// Four of ten: six would be disabled, above half.
		few := env.put(t, "few.csv", shopsFile(0, 4, "Renombrada"))
		res, err := env.importShops(t, few, false)
		require.ErrorIs(t, err, usecases.ErrSafetyValve)
		require.True(t, domain.IsPermanent(err))
		require.ErrorContains(t, err, "would disable 6 of 10 enabled shops")
		require.ErrorContains(t, err, "set Force (the command's --force flag)")
		require.NotErrorIs(t, err, domain.ErrInvalid, "rows were applied, so the input was not rejected as a whole")
		require.Zero(t, res.Disabled)
		require.True(t, res.HeldBack)
		require.Equal(t, 6, res.NotDisabled)
		require.Equal(t, 4, res.Updated, "creates and updates still apply")
		require.True(t, res.AlarmRaised)
		require.True(t, env.shop(t, "S00009").Enabled)

		alarm, err := env.store.OpenAlarm(ctx, "update_shops:web:safety_valve")
		require.NoError(t, err)
		require.Contains(t, alarm.Message, "desactivaría 6 de 10 tiendas activas")
		require.Contains(t, alarm.Details, "opción Force (--force en la línea de comandos)")

		res, err = env.importShops(t, few, true)
		require.NoError(t, err)
		require.True(t, res.Forced)
		require.Equal(t, 6, res.Disabled)
		require.False(t, env.shop(t, "S00009").Enabled)
		_, err = env.store.OpenAlarm(ctx, "update_shops:web:safety_valve")
		require.ErrorIs(t, err, domain.ErrNotFound, "the forced import resolves the valve's alarm")
	})
}

func TestUpdateShopsCleanImportResolvesAlarm(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		ctx := context.Background()
		_, err := env.importShops(t, env.put(t, "bad.csv", []byte("code;name;phone\nA1;Uno;123\nA2;Dos;\n")), false)
		require.NoError(t, err)
		_, err = env.store.OpenAlarm(ctx, "update_shops:web:rejected_rows")
		require.NoError(t, err)

		_, err = env.importShops(t, env.put(t, "good.csv", []byte("code;name;phone\nA1;Uno;600111222\nA2;Dos;\n")), false)
		require.NoError(t, err)
		_, err = env.store.OpenAlarm(ctx, "update_shops:web:rejected_rows")
		require.ErrorIs(t, err, domain.ErrNotFound, "a file without rejected rows resolves the alarm")
	})
}

func TestUpdateShopsDisablesWithinShare(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		_, err := env.importShops(t, env.put(t, "all.csv", shopsFile(0, 10, "Tienda")), false)
		require.NoError(t, err)

		res, err := env.importShops(t, env.put(t, "most.csv", shopsFile(0, 5, "Tienda")), false)
		require.NoError(t, err, "disabling exactly half is allowed")
		require.Equal(t, 5, res.Disabled)
		require.Equal(t, 5, res.Unchanged)
		require.False(t, res.AlarmRaised)
		require.False(t, env.shop(t, "S00005").Enabled)
	})
}

func TestUpdateShopsNoValidRows(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		_, err := env.importShops(t, env.put(t, "all.csv", shopsFile(0, 3, "Tienda")), false)
		require.NoError(t, err)

		res, err := env.importShops(t, env.put(t, "bad.csv", []byte("code;name\nS00000;\n")), false)
		require.ErrorIs(t, err, usecases.ErrSafetyValve)
		require.Equal(t, 2, res.NotDisabled, "the rejected row keeps S00000")
		require.True(t, env.shop(t, "S00001").Enabled)
		alarm, err := env.store.OpenAlarm(context.Background(), "update_shops:web:safety_valve")
		require.NoError(t, err)
		require.Contains(t, alarm.Message, "no tiene ninguna fila válida")

		_, err = env.importShops(t, env.put(t, "header.csv", []byte("code;name\n")), false)
		require.ErrorIs(t, err, usecases.ErrSafetyValve, "a file with only a header disables nothing")
		require.True(t, env.shop(t, "S00001").Enabled)
	})
}

// importTwentyShops imports the file of twenty enabled shops.
func (env *bulkEnv) importTwentyShops(t *testing.T) {
	t.Helper()
	res, err := env.importShops(t, env.putFile(t, "shops/twenty_enabled.csv"), false)
	require.NoError(t, err)
	require.Equal(t, 20, res.Created)
}

// enabledShops counts the enabled shops of the channel.
func (env *bulkEnv) enabledShops(t *testing.T) int {
	t.Helper()
	list, err := env.store.ListOutlets(context.Background(), domain.KindShop, env.channel.ID)
	require.NoError(t, err)
	n := 0
	for _, o := range list {
		if o.Enabled {
			n++
		}
	}
	return n
}

func TestUpdateShopsRowsDisablingAll(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		env.importTwentyShops(t)
		key := env.putFile(t, "shops/twenty_all_disabled.csv")

		res, err := env.importShops(t, key, false)
		require.ErrorIs(t, err, usecases.ErrSafetyValve)
		require.True(t, domain.IsPermanent(err))
		require.NotErrorIs(t, err, domain.ErrInvalid)
		require.ErrorContains(t, err, "would disable 20 of 20 enabled shops (0 missing from the file, 20 by rows with enabled no)")
		require.ErrorContains(t, err, "to apply it anyway, set Force (the command's --force flag)")
		require.True(t, res.HeldBack)
		require.Zero(t, res.Disabled)
		require.Equal(t, 20, res.NotDisabled)
		require.Zero(t, res.Updated, "the rows change nothing but enabled")
		require.Equal(t, 20, res.Unchanged)
		require.True(t, res.AlarmRaised)
		require.Equal(t, 20, env.enabledShops(t))

		alarm, err := env.store.OpenAlarm(context.Background(), "update_shops:web:safety_valve")
		require.NoError(t, err)
		require.Equal(t, "Importación de tiendas del canal web detenida: desactivaría 20 de 20 tiendas activas (más del 50 % permitido)", alarm.Message)
		require.Contains(t, alarm.Details, "Tiendas que se desactivarían: 20 (faltan en el fichero: 0; el fichero las marca como no activas: 20).")
		require.Contains(t, alarm.Details, "No se ha desactivado ninguna tienda; las altas y los cambios sí se han aplicado.")

		res, err = env.importShops(t, key, true)
		require.NoError(t, err)
		require.False(t, res.HeldBack)
		require.Equal(t, 20, res.Disabled)
		require.Equal(t, 20, res.Updated)
		require.Zero(t, env.enabledShops(t))
	})
}

func TestUpdateShopsBothRoutesShareValve(t *testing.T) {
	t.Parallel()
	// Ten shops, then files that keep the first keep codes enabled, mark
	// the next off codes as not enabled and leave out the rest.
	file := func(keep, off int) []byte {
		var b bytes.Buffer
		b.WriteString("codigo;nombre;activo\n")
		for i := range keep + off {
			enabled := "si"
			if i >= keep {
				enabled = "no"
			}
			fmt.Fprintf(&b, "TDA-%03d;Tienda %d;%s\n", i+1, i+1, enabled)
		}
		return b.Bytes()
	}
	tests := []struct {
		name      string
		keep, off int
		held      bool
	}{
		{"HalfByRows", 5, 5, false},
		{"HalfByBothRoutes", 5, 2, false},
		{"AboveHalfByBothRoutes", 4, 2, true},
		{"AboveHalfByRows", 4, 6, true},
	}
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				env := setupBulk(t, open(t))
				_, err := env.importShops(t, env.put(t, "ten.csv", file(10, 0)), false)
				require.NoError(t, err)

				res, err := env.importShops(t, env.put(t, "next.csv", file(tt.keep, tt.off)), false)
				if tt.held {
					require.ErrorIs(t, err, usecases.ErrSafetyValve)
					require.Equal(t, 10-tt.keep, res.NotDisabled)
					require.Zero(t, res.Disabled)
					require.Equal(t, 10, env.enabledShops(t))
					return
				}
				require.NoError(t, err)
				require.Equal(t, 10-tt.keep, res.Disabled)
				require.Equal(t, tt.keep, env.enabledShops(t))
			})
		}
	})
}

func TestUpdateShopsForceNoValidRows(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		env.importTwentyShops(t)

		res, err := env.importShops(t, env.putFile(t, "shops/twenty_wrong_delimiter.csv"), true)
		require.ErrorIs(t, err, usecases.ErrSafetyValve)
		require.ErrorIs(t, err, domain.ErrInvalid, "no row was applied, so the file was rejected as a whole")
		require.ErrorContains(t, err, "the shop file has no valid rows, so nothing was disabled, even with Force")
		require.Equal(t, 20, res.Rejected)
		require.True(t, res.HeldBack)
		require.Zero(t, res.Disabled)
		require.Equal(t, 20, res.NotDisabled)
		require.Equal(t, 20, env.enabledShops(t), "force never lets a file without valid rows disable")

		ctx := context.Background()
		alarm, err := env.store.OpenAlarm(ctx, "update_shops:web:safety_valve")
		require.NoError(t, err)
		require.Contains(t, alarm.Details, "ni siquiera con la opción Force")
		alarm, err = env.store.OpenAlarm(ctx, "update_shops:web:rejected_rows")
		require.NoError(t, err)
		require.Equal(t, "Importación de tiendas del canal web: 20 filas rechazadas de 20", alarm.Message)
	})
}

func TestUpdateSellersUnknownShop(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		ctx := context.Background()
		_, err := env.importShops(t, env.putFile(t, "shops/happy.csv"), false)
		require.NoError(t, err)

		res, err := env.sellers.Handle(ctx, usecases.UpdateSellersInput{ChannelSlug: "web", FileKey: env.putFile(t, "sellers/unknown_shop.csv")})
		require.NoError(t, err)
		require.Equal(t, 2, res.Created, "the other rows go on")
		require.Equal(t, 1, res.Rejected)
		require.Equal(t, []usecases.RejectedRow{{Line: 3, Column: "shop", Value: "TDA-999",
			Error:    "shop TDA-999 not found in channel web; import the shops first",
			ReasonES: "la tienda TDA-999 no existe en el canal web: importe antes las tiendas del canal o corrija el código de la columna tienda"}},
			res.RejectedRows)
		_, err = env.store.Outlet(ctx, domain.KindSeller, env.channel.ID, "VEN-202")
		require.ErrorIs(t, err, domain.ErrNotFound)
		ana, err := env.store.Outlet(ctx, domain.KindSeller, env.channel.ID, "VEN-201")
		require.NoError(t, err)
		require.Equal(t, "TDA-001", ana.ShopCode)

		alarm, err := env.store.OpenAlarm(ctx, "update_sellers:web:rejected_rows")
		require.NoError(t, err)
		require.Equal(t, "Importación de vendedores del canal web: 1 fila rechazada de 3", alarm.Message)
		require.Contains(t, alarm.Details, "Línea 3: la tienda TDA-999 no existe en el canal web")
	})
}

func TestUpdateSellersBeforeShopsRetries(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		ctx := context.Background()
		in := usecases.UpdateSellersInput{ChannelSlug: "web", FileKey: env.putFile(t, "sellers/happy.csv")}

		// Every row names a shop the channel does not have yet: the job
		// fails, but not for good, so a retry after the shop import works.
		res, err := env.sellers.Handle(ctx, in)
		require.ErrorIs(t, err, usecases.ErrSafetyValve)
		require.False(t, domain.IsPermanent(err), "a retry may find the shops")
		require.NotErrorIs(t, err, domain.ErrInvalid)
		require.ErrorContains(t, err, "import the channel's shops first")
		require.Zero(t, res.Created)
		require.Equal(t, res.Rows, res.Rejected)
		alarm, err := env.store.OpenAlarm(ctx, "update_sellers:web:safety_valve")
		require.NoError(t, err)
		require.Equal(t, "Importación de vendedores del canal web detenida: ninguna de las tiendas que nombra el fichero existe en el canal", alarm.Message)
		require.Contains(t, alarm.Details, "Importe antes las tiendas del canal")

		_, err = env.importShops(t, env.putFile(t, "shops/happy.csv"), false)
		require.NoError(t, err)
		res, err = env.sellers.Handle(ctx, in)
		require.NoError(t, err)
		require.Equal(t, res.Rows, res.Created)

		// A file with other problems too stays a permanent rejection.
		bad := env.put(t, "bad.csv", []byte("code;name;shop\nVEN-1;;TDA-001\nVEN-2;Dos;TDA-999\n"))
		_, err = env.sellers.Handle(ctx, usecases.UpdateSellersInput{ChannelSlug: "web", FileKey: bad})
		require.True(t, domain.IsPermanent(err))
		require.ErrorIs(t, err, domain.ErrInvalid)
	})
}

// failingBlobs returns the object cut after limit bytes, then an error.
type failingBlobs struct {
	*fake.BlobStore
	limit int64
}

func (f failingBlobs) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	r, err := f.BlobStore.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(io.MultiReader(io.LimitReader(r, f.limit), errReader{})), nil
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestUpdateShopsFailureChangesNothing(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		store := open(t)
		env := setupBulk(t, store)
		data := shopsFile(0, 2000, "Tienda")
		env.put(t, "big.csv", data)

		h, err := usecases.NewUpdateShops(usecases.ImportConfig{BatchRows: 100}, failingBlobs{env.blobs, int64(len(data) / 2)},
			store, store, store, fake.NewClock(testNow), nil)
		require.NoError(t, err)
		_, err = h.Handle(context.Background(), usecases.UpdateShopsInput{ChannelSlug: "web", FileKey: "big.csv"})
		require.ErrorContains(t, err, "connection reset")
		require.False(t, domain.IsPermanent(err), "a broken connection is retried")

		// The same holds when the connection breaks inside the header.
		h, err = usecases.NewUpdateShops(usecases.ImportConfig{}, failingBlobs{env.blobs, 5},
			store, store, store, fake.NewClock(testNow), nil)
		require.NoError(t, err)
		_, err = h.Handle(context.Background(), usecases.UpdateShopsInput{ChannelSlug: "web", FileKey: "big.csv"})
		require.ErrorContains(t, err, "connection reset")
		require.False(t, domain.IsPermanent(err), "a broken connection is retried")

		list, err := store.ListOutlets(context.Background(), domain.KindShop, env.channel.ID)
		require.NoError(t, err)
		require.Empty(t, list, "the rows staged before the failure were rolled back")
	})
}

func TestUpdateShopsTenThousandRows(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		store := open(t)
		env := setupBulk(t, store)
		h, err := usecases.NewUpdateShops(usecases.ImportConfig{}, env.blobs, store, store, store, fake.NewClock(testNow), nil)
		require.NoError(t, err)
		run := func(data []byte) usecases.ImportResult {
			res, err := h.Handle(context.Background(), usecases.UpdateShopsInput{ChannelSlug: "web", FileKey: env.put(t, "10k.csv", data)})
			require.NoError(t, err)
			require.Zero(t, res.Rejected, "%v", res.RejectedRows)
			return res
		}

		res := run(shopsFile(0, 10_000, "Tienda"))
		require.Equal(t, 10_000, res.Created)

		// Shift by 1,000: 1,000 new, 9,000 renamed, 1,000 disabled.
		res = run(shopsFile(1000, 10_000, "Punto"))
		require.Equal(t, 1000, res.Created)
		require.Equal(t, 9000, res.Updated)
		require.Equal(t, 1000, res.Disabled)
		require.Equal(t, "Punto 5000", env.shop(t, "S05000").Name)
	})
}

func TestUpdateSellers(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		ctx := context.Background()
		_, err := env.importShops(t, env.putFile(t, "shops/happy.csv"), false)
		require.NoError(t, err)
		res, err := env.sellers.Handle(ctx, usecases.UpdateSellersInput{ChannelSlug: "web", FileKey: env.putFile(t, "sellers/happy.csv")})
		require.NoError(t, err)
		require.Equal(t, 4, res.Created)
		ana, err := env.store.Outlet(ctx, domain.KindSeller, env.channel.ID, "VEN-001")
		require.NoError(t, err)
		require.Equal(t, "TDA-001", ana.ShopCode)
		require.Equal(t, "+34600100001", ana.Phone)

		_, err = env.store.Outlet(ctx, domain.KindShop, env.channel.ID, "VEN-001")
		require.ErrorIs(t, err, domain.ErrNotFound, "sellers are not shops")

		spanish := env.putFile(t, "sellers/windows1252_spanish.csv")
		_, err = env.sellers.Handle(ctx, usecases.UpdateSellersInput{ChannelSlug: "web", FileKey: spanish})
		require.ErrorIs(t, err, usecases.ErrSafetyValve)
		alarm, err := env.store.OpenAlarm(ctx, "update_sellers:web:safety_valve")
		require.NoError(t, err)
		require.Contains(t, alarm.Message, "desactivaría 3 de 3 vendedores activos")
		require.Contains(t, alarm.Details, "Vendedores que se desactivarían: 3 (faltan en el fichero: 3; el fichero los marca como no activos: 0).")
		require.Contains(t, alarm.Details, "No se ha desactivado ningún vendedor")

		res, err = env.sellers.Handle(ctx, usecases.UpdateSellersInput{ChannelSlug: "web", FileKey: spanish, Force: true})
		require.NoError(t, err)
		require.Equal(t, 0, res.Created, "the run held back by the valve created them")
		require.Equal(t, 3, res.Disabled, "VEN-004 was disabled already")
		require.Equal(t, "Windows-1252", res.Encoding)
		jose, err := env.store.Outlet(ctx, domain.KindSeller, env.channel.ID, "VEN-101")
		require.NoError(t, err)
		require.Equal(t, "José Muñoz", jose.Name)
		begona, err := env.store.Outlet(ctx, domain.KindSeller, env.channel.ID, "VEN-102")
		require.NoError(t, err)
		require.False(t, begona.Enabled)
	})
}

func TestNewUpdateShopsValidatesConfig(t *testing.T) {
	t.Parallel()
	_, err := usecases.NewUpdateShops(usecases.ImportConfig{MaxDisableShare: 1.5}, fake.NewBlobStore(), nil, nil, nil, nil, nil)
	require.ErrorContains(t, err, "MaxDisableShare")
}
