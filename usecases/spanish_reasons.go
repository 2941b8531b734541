package usecases

import (
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/usecases/bulkcsv"
)

// This file words, in Spanish, why a row or an entry was rejected. Alarms
// and the command's summaries show these reasons to the back-office
// operators, and results keep the English error beside them for
// engineers. Each reason names the column in Spanish and the value, then
// what is wrong and what to write instead.

// outletColumnNames are the Spanish names of the columns of a shop or
// seller file, and of a document file, by canonical column name.
var outletColumnNames = map[string]string{
	"code":             "código",
	"name":             "nombre",
	"enabled":          "activo",
	"email":            "correo",
	"phone":            "teléfono",
	"postal_code":      "código postal",
	"address":          "dirección",
	"city":             "ciudad",
	"province":         "provincia",
	"sale_types":       "tipos de venta",
	"max_discount":     "descuento máximo",
	"can_sell_devices": "vende terminales",
	"esim_allowed":     "permite eSIM",
	"shop":             "tienda",
	// The columns of a document file for promotion codes.
	"document_type":   "tipo de documento",
	"document_number": "número de documento",
}

// Expected forms shared by several reasons.
const (
	outletCodeRule = "use de 1 a 64 letras sin tilde, cifras, puntos, barras (/), guiones o guiones bajos, " +
		"empezando por una letra o una cifra"
	flagRule      = "escriba sí o no (también valen 1 y 0)"
	spanishPhone  = "escriba 9 cifras que empiecen por 6, 7, 8 o 9, con o sin +34, como 600 111 222"
	saleTypesRule = "escriba alta, portabilidad, renovacion o terminal, separados por |, como alta|terminal"
	iccidRule     = "un ICCID tiene 19 o 20 cifras, empieza por 89 y acaba en un dígito de control válido"
)

// maxQuotedRunes caps the characters of a value quoted in a reason.
const maxQuotedRunes = 60

// quoted returns the value between Spanish quotes, cut to maxQuotedRunes.
func quoted(value string) string {
	if utf8.RuneCountInString(value) > maxQuotedRunes {
		value = string([]rune(value)[:maxQuotedRunes]) + "…"
	}
	return "«" + value + "»"
}

// spanishColumn returns the Spanish name of a column of a shop or seller
// file, or the name itself when it has none.
func spanishColumn(column string) string {
	if name, ok := outletColumnNames[column]; ok {
		return name
	}
	return column
}

// codeExample returns a code of the kind, for the examples in reasons.
func (w outletWords) codeExample() string {
	if w.feminine {
		return "TDA-001"
	}
	return "VEN-001"
}

// ofThe returns "de la tienda" or "del vendedor".
func (w outletWords) ofThe() string {
	if w.feminine {
		return "de la " + w.one
	}
	return "del " + w.one
}

// fieldReason returns the Spanish reason for a rejected field of a shop or
// seller row. column is the canonical column name and value the rejected
// value, as in a domain.ValidationError.
func (w outletWords) fieldReason(column, value string) string {
	name := spanishColumn(column)
	if value == "" {
		switch column {
		case "code":
			return fmt.Sprintf("la columna código está vacía: escriba el código %s, como %s", w.ofThe(), w.codeExample())
		case "name":
			return "la columna nombre está vacía: escriba el nombre " + w.ofThe()
		}
		return fmt.Sprintf("la columna %s está vacía: rellénela", name)
	}

	// A rejected can_sell_devices that reads as a flag breaks the rule
	// that a seller of devices must be allowed to sell them.
	if column == "can_sell_devices" {
		if _, err := domain.ParseFlag(column, value, false); err == nil {
			return "la columna tipos de venta incluye terminal, pero la columna vende terminales no dice sí: " +
				"escriba sí en vende terminales o quite terminal de los tipos de venta"
		}
	}
	if column == "sale_types" {
		if unknown := unknownSaleType(value); unknown != "" && unknown != strings.ToLower(strings.TrimSpace(value)) {
			return fmt.Sprintf("la columna tipos de venta tiene %s, y %s no es un tipo de venta: %s",
				quoted(value), quoted(unknown), saleTypesRule)
		}
	}

	return fmt.Sprintf("la columna %s tiene %s, que %s", name, quoted(value), w.fieldProblem(column, value))
}

// fieldProblem returns what is wrong with a non-empty value of a column
// and what to write, as the end of a sentence about the value.
func (w outletWords) fieldProblem(column, value string) string {
	switch column {
	case "code":
		return fmt.Sprintf("no es un código válido: %s, como %s", outletCodeRule, w.codeExample())
	case "shop":
		return fmt.Sprintf("no es un código de tienda válido: %s, como TDA-001", outletCodeRule)
	case "name":
		return "es demasiado largo: acórtelo a 200 bytes como máximo (la ñ y las letras con tilde ocupan 2)"
	case "enabled", "can_sell_devices", "esim_allowed":
		return "no es sí ni no: " + flagRule
	case "email":
		return "no es una dirección de correo válida: escriba una sola dirección, sin nombre delante y con " +
			"un dominio completo, como tienda@example.com"
	case "phone":
		if isForeignPhone(value) {
			return "es un teléfono extranjero, y solo se admiten teléfonos españoles: " + spanishPhone
		}
		return "no es un teléfono español: " + spanishPhone
	case "postal_code":
		if isFiveDigits(value) {
			return "no es un código postal español: las dos primeras cifras son la provincia y van de 01 a 52, como en 28013"
		}
		return "no es un código postal: escriba 5 cifras, como 28013, con la provincia (01 a 52) en las dos primeras"
	case "sale_types":
		return "no es un tipo de venta: " + saleTypesRule
	case "max_discount":
		return "no es un porcentaje válido: escriba un número entero de 0 a 100, como 15, con o sin %"
	}
	return "no es un valor válido: revíselo"
}

// isForeignPhone reports whether a phone number is written with a country
// code other than Spain's (+34 or 0034).
func isForeignPhone(value string) bool {
	v := strings.TrimSpace(value)
	switch {
	case strings.HasPrefix(v, "+"):
		v = v[1:]
	case strings.HasPrefix(v, "00"):
		v = v[2:]
	default:
		return false
	}
	v = strings.TrimLeft(v, " ")
	return v != "" && !strings.HasPrefix(v, domain.SpainCountryCode)
}

// isFiveDigits reports whether a postal code is, as domain.NormalizePostalCode
// reads it, five digits (a four-digit code gets its leading zero back).
func isFiveDigits(value string) bool {
	v := strings.TrimSpace(value)
	if len(v) == 4 {
		v = "0" + v
	}
	if len(v) != 5 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

// unknownSaleType returns the first name of a sale type list that
// domain.ParseSaleTypes does not know, in lower case, or "".
func unknownSaleType(value string) string {
	for _, name := range strings.FieldsFunc(strings.ToLower(value), func(r rune) bool {
		return strings.ContainsRune("|, ;\t", r)
	}) {
		if _, err := domain.ParseSaleTypes(name); err != nil {
			return name
		}
	}
	return ""
}

// duplicateCodeReason returns the reason of a row whose code repeats an
// earlier line.
func duplicateCodeReason(code string, firstLine int) string {
	return fmt.Sprintf("el código %s repite la línea %d; se conserva la línea %d: borre esta fila o corrija su código",
		code, firstLine, firstLine)
}

// unknownShopReason returns the reason of a seller row whose shop is not a
// shop of the channel.
func unknownShopReason(shopCode, slug string) string {
	return fmt.Sprintf("la tienda %s no existe en el canal %s: importe antes las tiendas del canal "+
		"o corrija el código de la columna tienda", shopCode, slug)
}

// shortRowReason returns the Spanish reason for a row that ends before
// some columns of the header.
func shortRowReason(err *bulkcsv.ShortRowError) string {
	names := make([]string, len(err.Missing))
	for i, column := range err.Missing {
		names[i] = spanishColumn(column)
	}
	values := "valores"
	if err.Values == 1 {
		values = "valor"
	}
	return fmt.Sprintf("la fila acaba tras %d %s y le faltan las columnas %s: complete la fila, dejando el separador de cada valor vacío; no se ha cambiado nada de ella",
		err.Values, values, strings.Join(names, ", "))
}

// rowErrorReason returns the reason of a row of a CSV file that could not
// be read.
func rowErrorReason(err *bulkcsv.RowError) string {
	var extra *bulkcsv.ExtraFieldError
	var lostChar *bulkcsv.ReplacementCharError
	switch {
	case errors.As(err.Err, &lostChar):
		return fmt.Sprintf("la columna %s tiene %s, con un carácter que no se puede leer (�): "+
			"escriba de nuevo el carácter correcto; si el fichero viene de Excel, guárdelo como «CSV UTF-8»",
			spanishColumn(err.Column), quoted(err.Value))
	case errors.As(err.Err, &extra):
		columns := fmt.Sprintf("%d columnas", extra.Columns)
		if extra.Columns == 1 {
			columns = "1 columna"
		}
		return fmt.Sprintf("la fila tiene el valor %s en el campo %d, pero la cabecera solo tiene %s: "+
			"quite ese valor o añada su columna a la cabecera; revise también que el separador no aparezca sin comillas dentro de un valor",
			quoted(err.Value), extra.Field, columns)
	case errors.Is(err.Err, csv.ErrBareQuote):
		return "la fila tiene comillas (\") dentro de un campo que no empieza por comillas: " +
			"encierre todo el campo entre comillas y duplique las de dentro (\"\"), o quítelas"
	case errors.Is(err.Err, csv.ErrQuote):
		return "la fila tiene un campo entre comillas mal cerrado: cierre las comillas justo antes del separador " +
			"y duplique las comillas de dentro del campo (\"\")"
	case errors.Is(err.Err, csv.ErrFieldCount):
		return "la fila no tiene el mismo número de campos que la cabecera: revise los separadores"
	}
	return "la fila no se puede leer: revise las comillas y los separadores"
}

// documentReason returns the reason of an assignment row whose document
// domain.ParseDocument rejected with err.
func documentReason(docType, number string, err error) string {
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Sprintf("el documento %s %s no es válido: revise el tipo y el número", quoted(docType), quoted(number))
	}

	switch ve.Field {
	case "document type":
		if strings.TrimSpace(docType) == "" {
			return "falta el tipo de documento: escriba DNI, NIE o PASAPORTE"
		}
		return fmt.Sprintf("el tipo de documento %s no es válido: escriba DNI, NIE o PASAPORTE", quoted(docType))
	case "DNI":
		return dniReason(number)
	case "NIE":
		return nieReason(number)
	case "passport":
		return fmt.Sprintf("el pasaporte %s no es válido: escriba de 3 a 20 letras sin tilde (A-Z) y cifras, como PAA123456",
			quoted(number))
	}
	return fmt.Sprintf("el documento %s %s no es válido: revise el tipo y el número", quoted(docType), quoted(number))
}

// dniReason words why a DNI was rejected, following the checks of
// domain.ParseDocument.
func dniReason(number string) string {
	n := domain.NormalizeDocumentNumber(number)
	if n == "" {
		return "falta el número del DNI: escriba 8 cifras y la letra, como 12345678Z"
	}
	if strings.IndexByte("XYZ", n[0]) >= 0 {
		return fmt.Sprintf("el DNI %s empieza por X, Y o Z, así que es un NIE: cambie el tipo de documento a NIE", quoted(number))
	}
	if corrected, ok := domain.CorrectedDocumentNumber(domain.DocumentDNI, number); ok {
		return controlLetterReason("DNI", number, n, corrected)
	}
	return fmt.Sprintf("el DNI %s no tiene 8 cifras y una letra: escríbalo como 12345678Z", quoted(number))
}

// nieReason words why a NIE was rejected, following the checks of
// domain.ParseDocument.
func nieReason(number string) string {
	n := domain.NormalizeDocumentNumber(number)
	if n == "" {
		return "falta el número del NIE: escriba X, Y o Z, 7 cifras y la letra, como X1234567L"
	}
	if strings.IndexByte("XYZ", n[0]) < 0 {
		if _, err := domain.ParseDocument(string(domain.DocumentDNI), number); err == nil {
			return fmt.Sprintf("el NIE %s no empieza por X, Y o Z, y es un DNI válido: cambie el tipo de documento a DNI", quoted(number))
		}
		return fmt.Sprintf("el NIE %s no empieza por X, Y o Z: escriba X, Y o Z, 7 cifras y la letra, como X1234567L", quoted(number))
	}
	if corrected, ok := domain.CorrectedDocumentNumber(domain.DocumentNIE, number); ok {
		return controlLetterReason("NIE", number, n, corrected)
	}
	return fmt.Sprintf("el NIE %s no tiene X, Y o Z, 7 cifras y una letra: escríbalo como X1234567L", quoted(number))
}

// controlLetterReason words a DNI or NIE whose digits are right but whose
// control letter is missing or does not match them. normalized is the
// number as domain.NormalizeDocumentNumber returns it, and corrected the
// number that its digits call for.
func controlLetterReason(kind, number, normalized, corrected string) string {
	last := normalized[len(normalized)-1]
	if last >= '0' && last <= '9' {
		return fmt.Sprintf("al %s %s le falta la letra de control: con esas cifras es %s; compruébelo en el documento",
			kind, quoted(number), corrected)
	}
	return fmt.Sprintf("la letra de control del %s %s no corresponde a sus cifras: con esas cifras es %s; "+
		"compruebe las cifras y la letra en el documento", kind, quoted(number), corrected)
}

// spanishDocument formats a document as operators write it: "DNI
// 12345678Z", "NIE X1234567L" or "pasaporte PAA123456".
func spanishDocument(doc domain.Document) string {
	if doc.Kind == domain.DocumentPassport {
		return "pasaporte " + doc.Number
	}
	return string(doc.Kind) + " " + doc.Number
}

// duplicateDocumentReason returns the reason of an assignment row whose
// document repeats an earlier line.
func duplicateDocumentReason(doc domain.Document, firstLine int) string {
	return fmt.Sprintf("el %s repite la línea %d; solo la línea %d recibe código: borre esta fila",
		spanishDocument(doc), firstLine, firstLine)
}

// noFreeCodeReason returns the reason of a document left without a code
// because the pool ran out.
func noFreeCodeReason(kind domain.PromotionKind) string {
	return fmt.Sprintf("no quedan códigos %s libres: cargue más códigos %s y vuelva a lanzar el fichero; "+
		"los documentos que ya tienen código no recibirán otro", kind, kind)
}

// promotionCodeReason returns the reason of a line of a code file that is
// not a valid promotion code.
func promotionCodeReason(code string) string {
	return fmt.Sprintf("el código %s no es válido: use de 4 a 64 letras sin tilde, cifras, guiones o guiones bajos, "+
		"empezando por una letra o una cifra, como TV-7F3K9Q", quoted(code))
}

// repeatedPromotionCodeReason returns the reason of a code that repeats an
// earlier line of the file.
func repeatedPromotionCodeReason(code string, firstLine int) string {
	return fmt.Sprintf("el código %s repite la línea %d y se carga una sola vez: borre esta línea", code, firstLine)
}

// iccidReason words an ICCID error of an entry name for the import report
// and its alarm.
func iccidReason(err error) string {
	var ie *domain.ICCIDError
	if !errors.As(err, &ie) {
		return "el nombre no contiene un ICCID válido: " + iccidRule + "; corrija el nombre del fichero"
	}
	switch ie.Problem {
	case domain.ICCIDNoICCIDPart, domain.ICCIDEmpty:
		return "el nombre no contiene un ICCID: nombre el PDF con el ICCID de la tarjeta, como ICC_8934071234567890125.pdf"
	case domain.ICCIDNotDigits:
		return "el ICCID del nombre contiene caracteres que no son dígitos: " + iccidRule +
			", con una F final opcional; corrija el nombre del fichero"
	case domain.ICCIDBadLength:
		return "el ICCID del nombre no tiene 19 ni 20 dígitos: " + iccidRule + "; corrija el nombre del fichero"
	case domain.ICCIDBadPrefix:
		return "el ICCID del nombre no empieza por 89: " + iccidRule + "; corrija el nombre del fichero"
	case domain.ICCIDCheckDigit:
		return fmt.Sprintf("el dígito de control del ICCID no es válido (se esperaba %c): compruebe el ICCID de la tarjeta "+
			"y corrija el nombre del fichero", ie.ExpectedCheckDigit)
	}
	return "el nombre no contiene un ICCID válido: " + iccidRule + "; corrija el nombre del fichero"
}

// fileProblem returns, in Spanish, why NewReader rejected a shop or seller
// file as a whole and what to do, for the details of its alarm. columns
// are the columns of the file, for the aliases of a missing one.
func (w outletWords) fileProblem(err error, columns []bulkcsv.Column) (problem, todo string) {
	var (
		missing   *bulkcsv.MissingColumnsError
		empty     *bulkcsv.EmptyFileError
		duplicate *bulkcsv.DuplicateColumnError
		header    *bulkcsv.HeaderReadError
		utf16     *bulkcsv.UTF16Error
	)
	retry := " y vuelva a lanzar la importación."
	switch {
	case errors.As(err, &missing):
		problem = missingColumnsProblem(missing, columns)
		if len(missing.Found) == 1 {
			problem += "\nLa cabecera tiene una sola columna, así que sus columnas no están separadas por punto y coma (;), " +
				"coma (,) ni tabulador."
			return problem, "Guarde el fichero como CSV con las columnas separadas por punto y coma (;), coma (,) o tabulador" + retry
		}
		return problem, "Añada a la primera fila del fichero las columnas que faltan" + retry
	case errors.As(err, &utf16):
		return fmt.Sprintf("El fichero está guardado en %s, la codificación que usa Excel al guardar como «Texto Unicode», "+
				"y no se puede leer.", utf16.Encoding),
			"Abra el fichero en Excel, guárdelo con «Guardar como» y el tipo «CSV UTF-8 (delimitado por comas)», " +
				"súbalo de nuevo" + retry
	case errors.As(err, &empty):
		return "El fichero está vacío: no tiene ni siquiera la fila de cabecera.",
			fmt.Sprintf("Suba un fichero con una fila de cabecera, como codigo;nombre, y una fila por %s%s", w.one, retry)
	case errors.As(err, &duplicate):
		return fmt.Sprintf("La columna %s aparece dos veces en la cabecera, como %s y como %s.\nCabecera encontrada: %s",
				spanishColumn(duplicate.Column), quoted(duplicate.First), quoted(duplicate.Second), quotedList(duplicate.Header)),
			"Borre una de las dos columnas" + retry
	case errors.As(err, &header):
		return "La primera fila, la cabecera, no se puede leer: tiene comillas (\") mal puestas.",
			"Quite las comillas de los nombres de columna de la primera fila" + retry
	}
	return "El fichero no se puede leer como CSV.", "Revise el separador y la cabecera" + retry
}

// missingColumnsProblem words the required columns that a header lacks,
// each with the other names it accepts, and the header found.
func missingColumnsProblem(err *bulkcsv.MissingColumnsError, columns []bulkcsv.Column) string {
	names := make([]string, len(err.Missing))
	for i, column := range err.Missing {
		names[i] = spanishColumn(column)
		var others []string
		for _, c := range columns {
			if c.Name != column {
				continue
			}
			for _, alias := range c.Aliases {
				if alias != names[i] {
					others = append(others, alias)
				}
			}
		}
		if len(others) > 0 {
			names[i] += " (o " + strings.Join(others, ", ") + ")"
		}
	}

	lead := "Faltan las columnas obligatorias: "
	if len(names) == 1 {
		lead = "Falta la columna obligatoria: "
	}
	return lead + strings.Join(names, ", ") + ".\nCabecera encontrada: " + quotedList(err.Found)
}

// quotedList returns each value between Spanish quotes, separated by
// commas, or "(vacía)" for no values.
func quotedList(values []string) string {
	if len(values) == 0 {
		return "(vacía)"
	}
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = quoted(v)
	}
	return strings.Join(parts, ", ")
}
