package usecases_test

import (
	"context"
	"encoding/binary"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/usecases"
)

func TestRejectedFileAlarm(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		data    string
		english string
		details []string
	}{
		{"MissingColumn", "codigo;ciudad\nTDA-1;Madrid\n", "missing required columns: name (or nombre)", []string{
			"Falta la columna obligatoria: nombre.\n",
			"Cabecera encontrada: «codigo», «ciudad»\n",
			"Añada a la primera fila del fichero las columnas que faltan y vuelva a lanzar la importación.",
		}},
		{"MissingColumns", "ciudad,provincia\nMadrid,Madrid\n", "missing required columns: code (or codigo, cod), name (or nombre)", []string{
			"Faltan las columnas obligatorias: código (o codigo, cod), nombre.\n",
			"Cabecera encontrada: «ciudad», «provincia»\n",
		}},
		{"OneColumn", "codigo|nombre\nTDA-1|Uno\n", "missing required columns", []string{
			"Faltan las columnas obligatorias: código (o codigo, cod), nombre.\n",
			"Cabecera encontrada: «codigo|nombre»\n",
			"La cabecera tiene una sola columna, así que sus columnas no están separadas por punto y coma (;), coma (,) ni tabulador.\n",
			"Guarde el fichero como CSV con las columnas separadas por punto y coma (;), coma (,) o tabulador y vuelva a lanzar la importación.",
		}},
		{"Empty", "", `invalid file "": is empty; expected a header row such as code,name`, []string{
			"El fichero está vacío: no tiene ni siquiera la fila de cabecera.\n",
			"Suba un fichero con una fila de cabecera, como codigo;nombre, y una fila por tienda y vuelva a lanzar la importación.",
		}},
		{"OnlyBOM", "\xef\xbb\xbf", "is empty", []string{"El fichero está vacío"}},
		{"DuplicateColumn", "code;nombre;codigo\n", `invalid header "code;nombre;codigo": column code appears twice (as "code" and "codigo"); keep one`, []string{
			"La columna código aparece dos veces en la cabecera, como «code» y como «codigo».\n",
			"Cabecera encontrada: «code», «nombre», «codigo»\n",
			"Borre una de las dos columnas y vuelva a lanzar la importación.",
		}},
		{"UTF16", utf16LE("codigo;nombre\r\nTDA-1;Peñíscola\r\n"), "the file is encoded as UTF-16LE", []string{
			"El fichero está guardado en UTF-16LE, la codificación que usa Excel al guardar como «Texto Unicode», y no se puede leer.\n",
			"Abra el fichero en Excel, guárdelo con «Guardar como» y el tipo «CSV UTF-8 (delimitado por comas)», súbalo de nuevo y vuelva a lanzar la importación.",
		}},
		{"HeaderQuote", "codigo;nom\"bre\nTDA-1;Uno\n", `invalid header "": cannot be read`, []string{
			"La primera fila, la cabecera, no se puede leer: tiene comillas (\") mal puestas.\n",
		}},
	}
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		ctx := context.Background()
		_, err := env.importShops(t, env.put(t, "good.csv", []byte("codigo;nombre\nTDA-1;Uno\n")), false)
		require.NoError(t, err)

		// The cases run in turn because they share one file key and one alarm.
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				key := env.put(t, "tiendas.csv", []byte(tc.data))
				res, err := env.importShops(t, key, false)
				require.Error(t, err)
				require.True(t, domain.IsPermanent(err), "the job is cancelled")
				require.ErrorIs(t, err, domain.ErrInvalid)
				require.ErrorContains(t, err, tc.english)
				require.True(t, res.AlarmRaised)

				alarm, err := env.store.OpenAlarm(ctx, "update_shops:web:rejected_file")
				require.NoError(t, err)
				require.Equal(t, "Importación de tiendas del canal web: fichero rechazado entero, no se ha cambiado ninguna tienda", alarm.Message)
				require.Contains(t, alarm.Details, "Fichero: "+key+"\n")
				for _, want := range tc.details {
					require.Contains(t, alarm.Details, want)
				}
				requireSpanishAlarm(t, alarm.Details, "")
				require.True(t, env.shop(t, "TDA-1").Enabled, "a rejected file disables nothing")
			})
		}
	})
}

// utf16LE encodes text as UTF-16LE with a byte order mark, as Excel saves
// "Unicode Text".
func utf16LE(text string) string {
	b := []byte{0xFF, 0xFE}
	for _, unit := range utf16.Encode([]rune(text)) {
		b = binary.LittleEndian.AppendUint16(b, unit)
	}
	return string(b)
}

func TestLoadPromotionCodesRejectsUTF16(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		key := env.put(t, "codigos.txt", []byte(utf16LE("TV-7F3K9Q\r\nTV-8G4L0R\r\n")))

		res, err := env.load.Handle(context.Background(), usecases.LoadPromotionCodesInput{FileKey: key})
		require.True(t, domain.IsPermanent(err), "a retry reads the same bytes")
		require.ErrorIs(t, err, domain.ErrInvalid)
		require.ErrorContains(t, err, "the file is encoded as UTF-16LE")
		require.Zero(t, res.Added)
	})
}

func TestRejectedSellerFileAlarm(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		ctx := context.Background()
		key := env.put(t, "vendedores.csv", []byte("nombre;tienda\nAna;TDA-1\n"))

		_, err := env.sellers.Handle(ctx, usecases.UpdateSellersInput{ChannelSlug: "web", FileKey: key})
		require.True(t, domain.IsPermanent(err))
		require.ErrorContains(t, err, "missing required columns: code (or codigo, cod)")

		alarm, err := env.store.OpenAlarm(ctx, "update_sellers:web:rejected_file")
		require.NoError(t, err)
		require.Equal(t, "Importación de vendedores del canal web: fichero rechazado entero, no se ha cambiado ningún vendedor", alarm.Message)
		require.Equal(t, "Fichero: vendedores.csv\n"+
			"Falta la columna obligatoria: código (o codigo, cod).\n"+
			"Cabecera encontrada: «nombre», «tienda»\n"+
			"Añada a la primera fila del fichero las columnas que faltan y vuelva a lanzar la importación.\n", alarm.Details)
	})
}
