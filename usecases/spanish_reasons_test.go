package usecases_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/usecases"
)

// englishWords are words of the domain's English errors that must not
// reach an alarm that Spanish operators read.
var englishWords = []string{"expected", "invalid", "must ", "not found", "repeats", "header", "missing", "field"}

// requireSpanishAlarm checks that every line of an alarm's details after
// the first (the file name) starts with prefix, and that the details
// contain none of englishWords.
func requireSpanishAlarm(t *testing.T, details string, prefix string) {
	t.Helper()
	for _, word := range englishWords {
		require.NotContains(t, strings.ToLower(details), word)
	}
	for _, line := range strings.Split(strings.TrimSuffix(details, "\n"), "\n")[1:] {
		require.True(t, strings.HasPrefix(line, prefix), "line %q", line)
	}
}

// spanishShopFile has one bad field of each kind per row, a repeated code
// and unreadable rows: a stray quote, a value beyond the header and a
// quoted field closed too early.
var spanishShopFile = strings.Join([]string{
	"code;name;enabled;email;phone;postal_code;sale_types;max_discount;can_sell_devices;esim_allowed",
	"TDA-001;Buena;si;;;;alta;10;no;si",
	"TDA-002;Activo malo;quizá;;;;;;;",
	"TDA-003;Correo malo;si;ana@localhost;;;;;;",
	"TDA-004;Teléfono corto;si;;12345;;;;;",
	"TDA-005;Teléfono francés;si;;+33 6 12 34 56 78;;;;;",
	"TDA-006;CP con letra;si;;;2800A;;;;",
	"TDA-007;CP sin provincia;si;;;99999;;;;",
	"TDA-008;Venta desconocida;si;;;;trueque;;;",
	"TDA-009;Venta mixta;si;;;;alta|fibra;;;",
	"TDA-010;Descuento alto;si;;;;;150;;",
	"TDA-011;Terminales raro;si;;;;;;talvez;",
	"TDA-012;Terminal sin permiso;si;;;;terminal;;no;",
	"TDA-013;eSIM rara;si;;;;;;;quizá",
	"TDA 014;Código malo;si;;;;;;;",
	"TDA-015;;si;;;;;;;",
	"TDA-016;" + strings.Repeat("a", 201) + ";si;;;;;;;",
	"TDA-001;Repetida;si;;;;;;;",
	`TDA-017;Tienda 9"01;si;;;;;;;`,
	"TDA-018;Sobra;si;;;;;;;;sobra",
	`TDA-019;"Tienda "rara";si;;;;;;;`,
	"TDA-020;Después;si;;;;;;;",
}, "\n") + "\n"

func TestShopAlarmSpanishReasons(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		res, err := env.importShops(t, env.put(t, "tiendas.csv", []byte(spanishShopFile)), false)
		require.NoError(t, err)
		require.Equal(t, 21, res.Rows)
		require.Equal(t, 2, res.Created, "TDA-001 and the row after the broken quote")
		require.Equal(t, 19, res.Rejected)

		cases := []struct {
			line   int
			column string
			reason string
		}{
			{3, "enabled", "la columna activo tiene «quizá», que no es sí ni no: escriba sí o no (también valen 1 y 0)"},
			{4, "email", "la columna correo tiene «ana@localhost», que no es una dirección de correo válida: " +
				"escriba una sola dirección, sin nombre delante y con un dominio completo, como tienda@example.com"},
			{5, "phone", "la columna teléfono tiene «12345», que no es un teléfono español: " +
				"escriba 9 cifras que empiecen por 6, 7, 8 o 9, con o sin +34, como 600 111 222"},
			{6, "phone", "la columna teléfono tiene «+33 6 12 34 56 78», que es un teléfono extranjero, y solo se admiten " +
				"teléfonos españoles: escriba 9 cifras que empiecen por 6, 7, 8 o 9, con o sin +34, como 600 111 222"},
			{7, "postal_code", "la columna código postal tiene «2800A», que no es un código postal: " +
				"escriba 5 cifras, como 28013, con la provincia (01 a 52) en las dos primeras"},
			{8, "postal_code", "la columna código postal tiene «99999», que no es un código postal español: " +
				"las dos primeras cifras son la provincia y van de 01 a 52, como en 28013"},
			{9, "sale_types", "la columna tipos de venta tiene «trueque», que no es un tipo de venta: " +
				"escriba alta, portabilidad, renovacion o terminal, separados por |, como alta|terminal"},
			{10, "sale_types", "la columna tipos de venta tiene «alta|fibra», y «fibra» no es un tipo de venta: " +
				"escriba alta, portabilidad, renovacion o terminal, separados por |, como alta|terminal"},
			{11, "max_discount", "la columna descuento máximo tiene «150», que no es un porcentaje válido: " +
				"escriba un número entero de 0 a 100, como 15, con o sin %"},
			{12, "can_sell_devices", "la columna vende terminales tiene «talvez», que no es sí ni no: " +
				"escriba sí o no (también valen 1 y 0)"},
			{13, "can_sell_devices", "la columna tipos de venta incluye terminal, pero la columna vende terminales no dice sí: " +
				"escriba sí en vende terminales o quite terminal de los tipos de venta"},
			{14, "esim_allowed", "la columna permite eSIM tiene «quizá», que no es sí ni no: escriba sí o no (también valen 1 y 0)"},
			{15, "code", "la columna código tiene «TDA 014», que no es un código válido: use de 1 a 64 letras sin tilde, " +
				"cifras, puntos, barras (/), guiones o guiones bajos, empezando por una letra o una cifra, como TDA-001"},
			{16, "name", "la columna nombre está vacía: escriba el nombre de la tienda"},
			{17, "name", "la columna nombre tiene «" + strings.Repeat("a", 60) + "…», que es demasiado largo: " +
				"acórtelo a 200 bytes como máximo (la ñ y las letras con tilde ocupan 2)"},
			{18, "code", "el código TDA-001 repite la línea 2; se conserva la línea 2: borre esta fila o corrija su código"},
			{19, "", "la fila tiene comillas (\") dentro de un campo que no empieza por comillas: " +
				"encierre todo el campo entre comillas y duplique las de dentro (\"\"), o quítelas"},
			{20, "", "la fila tiene el valor «sobra» en el campo 11, pero la cabecera solo tiene 10 columnas: " +
				"quite ese valor o añada su columna a la cabecera; revise también que el separador no aparezca sin comillas dentro de un valor"},
			{21, "", "la fila tiene un campo entre comillas mal cerrado: cierre las comillas justo antes del separador " +
				"y duplique las comillas de dentro del campo (\"\")"},
		}
		require.Len(t, res.RejectedRows, len(cases))
		byLine := map[int]usecases.RejectedRow{}
		for _, r := range res.RejectedRows {
			byLine[r.Line] = r
		}
		alarm, err := env.store.OpenAlarm(context.Background(), "update_shops:web:rejected_rows")
		require.NoError(t, err)

		for _, tc := range cases {
			r, ok := byLine[tc.line]
			require.True(t, ok, "line %d not rejected", tc.line)
			require.Equal(t, tc.column, r.Column, "line %d", tc.line)
			require.NotEmpty(t, r.Error, "line %d keeps its English error", tc.line)
			require.Equal(t, tc.reason, r.ReasonES, "line %d", tc.line)
			require.Contains(t, alarm.Details, "Línea "+strconv.Itoa(tc.line)+": "+tc.reason+"\n")
		}
		requireSpanishAlarm(t, alarm.Details, "Línea ")
	})
}

func TestSellerAlarmSpanishReasons(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		ctx := context.Background()
		_, err := env.importShops(t, env.putFile(t, "shops/happy.csv"), false)
		require.NoError(t, err)

		file := "codigo;nombre;tienda;activo\nVEN-1;Ana;TDA-001;si\nVEN-2;Luis;TDA-999;si\nVEN-3;;TDA-001;si\nVEN 4;Marta;TDA-001;si\n"
		res, err := env.sellers.Handle(ctx, usecases.UpdateSellersInput{ChannelSlug: "web", FileKey: env.put(t, "vendedores.csv", []byte(file))})
		require.NoError(t, err)
		require.Equal(t, 1, res.Created)
		require.Equal(t, 3, res.Rejected)

		alarm, err := env.store.OpenAlarm(ctx, "update_sellers:web:rejected_rows")
		require.NoError(t, err)
		require.Equal(t, "Fichero: vendedores.csv\n"+
			"Línea 4: la columna nombre está vacía: escriba el nombre del vendedor\n"+
			"Línea 5: la columna código tiene «VEN 4», que no es un código válido: use de 1 a 64 letras sin tilde, cifras, "+
			"puntos, barras (/), guiones o guiones bajos, empezando por una letra o una cifra, como VEN-001\n"+
			"Línea 3: la tienda TDA-999 no existe en el canal web: importe antes las tiendas del canal "+
			"o corrija el código de la columna tienda\n", alarm.Details)
		requireSpanishAlarm(t, alarm.Details, "Línea ")
	})
}

func TestAssignAlarmSpanishReasons(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		env.loadPool(t, "TV", 1)
		file := strings.Join([]string{
			"tipo;numero",
			"DNI;12345678Z",
			"CIF;B12345678",
			"DNI;12345678A",
			"DNI;1234567",
			"NIE;12345678Z",
			"NIE;X1234567A",
			"PASAPORTE;AB",
			"DNI;12.345.678-z",
			`DNI;1234"5678Z`,
			";12345678Z",
			"DNI;X1234567L",
			"DNI;" + dniNumber(5),
			"PASAPORTE;PAA123456",
		}, "\n") + "\n"
		res := env.assignFile(t, env.put(t, "docs.csv", []byte(file)), "user:1")
		require.Equal(t, 1, res.Assigned)
		require.Equal(t, 9, res.Invalid)
		require.Equal(t, 1, res.Duplicate)
		require.Equal(t, 2, res.NotAssignedNoCodes)

		want := map[int]string{
			3: "el tipo de documento «CIF» no es válido: escriba DNI, NIE o PASAPORTE",
			4: "la letra de control del DNI «12345678A» no corresponde a sus cifras: con esas cifras es 12345678Z; " +
				"compruebe las cifras y la letra en el documento",
			5: "al DNI «1234567» le falta la letra de control: con esas cifras es 01234567L; compruébelo en el documento",
			6: "el NIE «12345678Z» no empieza por X, Y o Z, y es un DNI válido: cambie el tipo de documento a DNI",
			7: "la letra de control del NIE «X1234567A» no corresponde a sus cifras: con esas cifras es X1234567L; " +
				"compruebe las cifras y la letra en el documento",
			8: "el pasaporte «AB» no es válido: escriba de 3 a 20 letras sin tilde (A-Z) y cifras, como PAA123456",
			9: "el DNI 12345678Z repite la línea 2; solo la línea 2 recibe código: borre esta fila",
			10: "la fila tiene comillas (\") dentro de un campo que no empieza por comillas: " +
				"encierre todo el campo entre comillas y duplique las de dentro (\"\"), o quítelas",
			11: "falta el tipo de documento: escriba DNI, NIE o PASAPORTE",
			12: "el DNI «X1234567L» empieza por X, Y o Z, así que es un NIE: cambie el tipo de documento a NIE",
			13: "no quedan códigos TV libres: cargue más códigos TV y vuelva a lanzar el fichero; " +
				"los documentos que ya tienen código no recibirán otro",
		}
		require.Len(t, res.Rows, 13)
		require.Equal(t, "assigned", res.Rows[0].Status)
		require.Empty(t, res.Rows[0].ReasonES)
		for _, r := range res.Rows[1:] {
			require.NotEmpty(t, r.Error, "line %d keeps its English error", r.Line)
			if reason, ok := want[r.Line]; ok {
				require.Equal(t, reason, r.ReasonES, "line %d", r.Line)
			}
			for _, word := range englishWords {
				require.NotContains(t, r.ReasonES, word, "line %d", r.Line)
			}
		}

		alarm, err := env.store.OpenAlarm(context.Background(), "assign_promotion_codes:no_free_codes:TV")
		require.NoError(t, err)
		require.Equal(t, "Fichero: docs.csv\nUsuario: user:1\n"+
			"2 documentos se han quedado sin código y 1 lo ha recibido en esta ejecución.\n"+
			"Cargue más códigos TV y vuelva a lanzar el fichero: los documentos que ya tienen código no recibirán otro.\n"+
			"Documentos sin código:\n"+
			"Línea 13: DNI "+dniNumber(5)+"\n"+
			"Línea 14: pasaporte PAA123456\n", alarm.Details)
		for _, word := range englishWords {
			require.NotContains(t, strings.ToLower(alarm.Details), word)
		}
		require.NotContains(t, alarm.Details, "PASSPORT")
	})
}

func TestIccAlarmSpanishReasons(t *testing.T) {
	t.Parallel()
	forEachIccStore(t, func(t *testing.T, store iccStore) {
		f := importSetup(t, store)
		ctx := context.Background()

		stored := validICCID(9)
		_, err := store.CreateIcc(ctx, domain.Icc{ICCID: stored, Kind: domain.IccESIM, PDFKey: domain.ESIMPDFKey(stored)})
		require.NoError(t, err)
		badCheck := validICCID(3)[:18] + "0"
		if badCheck == validICCID(3) {
			badCheck = validICCID(3)[:18] + "1"
		}

		entries := []zipEntry{
			{name: validICCID(1) + ".pdf", data: pdfBytes(validICCID(1))},
			{name: "ICC_" + badCheck + ".pdf", data: pdfBytes(badCheck)},
			{name: "ICC_89340712345.pdf", data: pdfBytes("")},
			{name: "ICC_1234567890123456789.pdf", data: pdfBytes("")},
			{name: "ICC_8934A071234567890.pdf", data: pdfBytes("")},
			{name: "factura.pdf", data: pdfBytes("")},
			{name: "otra/" + validICCID(1) + ".pdf", data: pdfBytes(validICCID(1))},
			{name: "../fuera/" + validICCID(2) + ".pdf", data: pdfBytes(validICCID(2))},
			{name: "leeme.txt", data: []byte("hola")},
			{name: validICCID(5) + ".pdf", data: []byte("<html>not a pdf</html>")},
			{name: stored + ".pdf", data: pdfBytes(stored)},
		}
		f.upload(t, "uploads/lote.zip", buildZip(t, entries))
		res, err := f.run(t, "uploads/lote.zip")
		require.NoError(t, err)
		require.Equal(t, 1, res.Imported)

		want := map[string]string{
			"ICC_" + badCheck + ".pdf": "el dígito de control del ICCID no es válido (se esperaba " + validICCID(3)[18:] +
				"): compruebe el ICCID de la tarjeta y corrija el nombre del fichero",
			"ICC_89340712345.pdf": "el ICCID del nombre no tiene 19 ni 20 dígitos: un ICCID tiene 19 o 20 cifras, " +
				"empieza por 89 y acaba en un dígito de control válido; corrija el nombre del fichero",
			"ICC_1234567890123456789.pdf": "el ICCID del nombre no empieza por 89: un ICCID tiene 19 o 20 cifras, " +
				"empieza por 89 y acaba en un dígito de control válido; corrija el nombre del fichero",
			"ICC_8934A071234567890.pdf": "el ICCID del nombre contiene caracteres que no son dígitos: un ICCID tiene 19 o 20 cifras, " +
				"empieza por 89 y acaba en un dígito de control válido, con una F final opcional; corrija el nombre del fichero",
			"factura.pdf":                    "el nombre no contiene un ICCID: nombre el PDF con el ICCID de la tarjeta, como ICC_8934071234567890125.pdf",
			"otra/" + validICCID(1) + ".pdf": "ICCID repetido en el ZIP, ya está en " + validICCID(1) + ".pdf: quite una de las dos entradas",
			"../fuera/" + validICCID(2) + ".pdf": "ruta insegura dentro del ZIP (absoluta, con unidad, con «..» o con barra invertida): " +
				"vuelva a crear el ZIP con los PDF en carpetas normales",
		}
		ignored := map[string]string{
			"leeme.txt":            "no es un fichero PDF, así que se ignora",
			validICCID(5) + ".pdf": "tiene extensión .pdf pero no es un PDF (no empieza por %PDF-), así que se ignora",
			stored + ".pdf":        "el ICCID ya está guardado, así que no se importa de nuevo",
			validICCID(1) + ".pdf": "",
		}

		alarm, err := store.OpenAlarm(ctx, usecases.IccImportAlarmName("uploads/lote.zip"))
		require.NoError(t, err)
		require.Equal(t, "Importación de ICCs del ZIP uploads/lote.zip: 7 entradas rechazadas", alarm.Message)
		for name, reason := range want {
			e := entryByName(t, res, name)
			require.NotEmpty(t, e.Reason, "%s keeps its English reason", name)
			require.Equal(t, reason, e.ReasonES, name)
			require.Contains(t, alarm.Details, name+": "+reason, name)
		}
		lines := strings.Split(alarm.Details, "\n")
		for name, reason := range ignored {
			require.Equal(t, reason, entryByName(t, res, name).ReasonES, name)
			for _, line := range lines {
				require.False(t, strings.HasPrefix(line, name+":"), "%s is not an alarm", name)
			}
		}
		for _, word := range englishWords {
			require.NotContains(t, strings.ToLower(alarm.Details), word)
		}
	})
}

func TestUpdateShopsUndefinedByteKeepsShop(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		_, err := env.importShops(t, env.put(t, "a.csv", []byte("codigo;nombre\nTDA-1;Peña\nTDA-2;Dos\n")), false)
		require.NoError(t, err)

		// Windows-1252, because of the ñ (0xF1), with the undefined 0x81.
		res, err := env.importShops(t, env.put(t, "b.csv", []byte("codigo;nombre\nTDA-1;Pe\x81a\nTDA-2;Do\xf1a\n")), false)
		require.NoError(t, err)
		require.Equal(t, "Windows-1252", res.Encoding)
		require.Equal(t, 1, res.Rejected)
		require.Equal(t, 1, res.Updated)
		require.Zero(t, res.Disabled, "the rejected row keeps its shop")
		require.Equal(t, []usecases.RejectedRow{{Line: 2, Column: "name", Value: "Pe\uFFFDa",
			Error: "contains a byte that Windows-1252 does not define (0x81, 0x8D, 0x8F, 0x90 or 0x9D); " +
				"correct the character, or save the file as CSV UTF-8",
			ReasonES: "la columna nombre tiene «Pe\uFFFDa», con un carácter que no se puede leer (\uFFFD): " +
				"escriba de nuevo el carácter correcto; si el fichero viene de Excel, guárdelo como «CSV UTF-8»"}},
			res.RejectedRows)

		shop := env.shop(t, "TDA-1")
		require.Equal(t, "Peña", shop.Name, "U+FFFD is not stored")
		require.True(t, shop.Enabled)
		require.Equal(t, "Doña", env.shop(t, "TDA-2").Name)

		alarm, err := env.store.OpenAlarm(context.Background(), "update_shops:web:rejected_rows")
		require.NoError(t, err)
		require.Contains(t, alarm.Details, "Línea 2: la columna nombre tiene «Pe\uFFFDa», con un carácter que no se puede leer")
	})
}
