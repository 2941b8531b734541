package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/usecases"
)

// summaryLines runs printSummary and returns its output split in lines.
func summaryLines(t *testing.T, kind string, result any) []string {
	t.Helper()
	var out bytes.Buffer
	printSummary(&out, kind, result, 0, nil)
	return strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
}

func TestSummaryShopRowsInSpanish(t *testing.T) {
	t.Parallel()
	e := setup(t)
	code, _, stderr := e.run("channel", "create", "web")
	require.Equal(t, 0, code, stderr)

	code, out, stderr := e.run("run", "update-shops", "--channel", "web", "--file", testdata("shops", "row_errors.csv"))
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "  filas rechazadas: 8\n")
	require.Contains(t, out, "    - línea=3, motivo=la columna correo tiene «no-es-un-correo», que no es una dirección de correo válida: "+
		"escriba una sola dirección, sin nombre delante y con un dominio completo, como tienda@example.com\n")
	require.Contains(t, out, "    - línea=8, motivo=el código TDA-801 repite la línea 2; se conserva la línea 2: "+
		"borre esta fila o corrija su código\n")
	for _, english := range []string{"expected", "invalid", "repeats", "error="} {
		require.NotContains(t, out, english)
	}

	code, res, stderr := e.runJSON("run", "update-shops", "--channel", "web", "--file", testdata("shops", "row_errors.csv"))
	require.Equal(t, 0, code, stderr)
	rows, ok := res["rejected_rows"].([]any)
	require.True(t, ok)
	require.Len(t, rows, 8)
	for _, r := range rows {
		row := r.(map[string]any)
		require.NotEmpty(t, row["error"], "--json keeps the English error")
		require.NotEmpty(t, row["reason_es"], "--json has the Spanish reason")
	}
}

func TestSummaryAssignRowsInSpanish(t *testing.T) {
	t.Parallel()
	res := usecases.AssignPromotionCodesResult{Invalid: 1, Rows: []usecases.AssignRow{
		{Line: 2, DocumentType: "DNI", DocumentNumber: "12345678Z", Status: "assigned", Code: "TV-1"},
		{Line: 3, DocumentType: "DNI", DocumentNumber: "12345678A", Status: "invalid",
			Error:    `invalid DNI "12345678A": wrong control letter A; expected Z for 12345678`,
			ReasonES: "la letra de control del DNI «12345678A» no corresponde a sus cifras"},
	}}
	lines := summaryLines(t, "assign_promotion_codes", res)
	require.Contains(t, lines, "    - código=TV-1, documento=12345678Z, tipo de documento=DNI, línea=2, estado=asignado")
	require.Contains(t, lines, "    - documento=12345678A, tipo de documento=DNI, línea=3, "+
		"motivo=la letra de control del DNI «12345678A» no corresponde a sus cifras, estado=no válido")
}

func TestSummaryIccEntriesInSpanish(t *testing.T) {
	t.Parallel()
	res := usecases.ImportIccsFromZipfileResult{ZipKey: "lote.zip", Entries: 2, Imported: 1, Ignored: 1,
		Report: []usecases.IccEntryResult{
			{Name: "8934000000000000010.pdf", ICCID: "8934000000000000010", Outcome: usecases.IccEntryImported},
			{Name: "leeme.txt", Outcome: usecases.IccEntryIgnored, Reason: "not a PDF file",
				ReasonES: "no es un fichero PDF, así que se ignora"},
		}}
	lines := summaryLines(t, "import_iccs_from_zipfile", res)
	require.Contains(t, lines, "    - ICCID=8934000000000000010, nombre=8934000000000000010.pdf, resultado=importado")
	require.Contains(t, lines, "    - nombre=leeme.txt, resultado=ignorado, motivo=no es un fichero PDF, así que se ignora")
	require.NotContains(t, strings.Join(lines, "\n"), "not a PDF file")
}

func TestSummaryKeepsEnglishWithoutSpanish(t *testing.T) {
	t.Parallel()
	res := usecases.ImportResult{Rejected: 1, RejectedRows: []usecases.RejectedRow{
		{Line: 4, Column: "phone", Value: "12345", Error: `invalid phone "12345"`},
	}}
	lines := summaryLines(t, "update_shops", res)
	require.Contains(t, lines, `    - columna=phone, error=invalid phone "12345", línea=4, valor=12345`)
}

func TestSummaryRejectedCountAndDetail(t *testing.T) {
	t.Parallel()
	res := usecases.ImportResult{Rows: 3, Rejected: 2, RejectedRows: []usecases.RejectedRow{
		{Line: 2, Error: "x", ReasonES: "la columna nombre está vacía: escriba el nombre de la tienda"},
		{Line: 3, Error: "y", ReasonES: "la columna código está vacía"},
	}}
	lines := summaryLines(t, "update_shops", res)
	require.Contains(t, lines, "  filas rechazadas: 2")
	require.Contains(t, lines, "  motivos de rechazo: 2")
	require.Contains(t, lines, "    - línea=2, motivo=la columna nombre está vacía: escriba el nombre de la tienda")
	require.NotContains(t, lines, "  rechazadas: 2")
}

func TestSummaryReportRecipients(t *testing.T) {
	t.Parallel()
	res := usecases.SendDailyValidationReportResult{Rows: 4, Notifications: []usecases.ReportNotification{
		{Recipient: "ana@example.com", NotificationID: 5},
		{Recipient: "luis@example.com", NotificationID: 6, JobID: 7},
	}}
	lines := summaryLines(t, "send_daily_validation_report", res)
	require.Contains(t, lines, "    - notificación=5, destinatario=ana@example.com", "a zero job_id is left out")
	require.Contains(t, lines, "    - trabajo=7, notificación=6, destinatario=luis@example.com")
	require.NotContains(t, strings.Join(lines, "\n"), "recipient=")
	require.NotContains(t, strings.Join(lines, "\n"), "trabajo=0")
}

func TestSummarySkippedReason(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		res  any
		want string
	}{
		{"AlertedRecently", usecases.CheckNumberOfUnassignedEsimIccsResult{Free: 3, Threshold: 10, Low: true,
			Skipped: usecases.EsimAlertSkippedAlertedRecently}, "  sin enviar: ya se avisó hace poco"},
		{"StockSufficient", usecases.CheckNumberOfUnassignedEsimIccsResult{Free: 30, Threshold: 10,
			Skipped: usecases.EsimAlertSkippedStockSufficient}, "  sin enviar: quedan eSIM libres suficientes"},
		{"ConcurrentRun", usecases.CheckNumberOfUnassignedEsimIccsResult{Free: 3, Threshold: 10, Low: true,
			Skipped: usecases.EsimAlertSkippedConcurrentRun}, "  sin enviar: otra ejecución lo está haciendo"},
		{"NoData", usecases.SendDailyValidationReportResult{Skipped: usecases.ReportSkippedNoData}, "  sin enviar: sin datos"},
		{"Count", usecases.CheckCoverageFromLeadsResult{Checked: 4, Skipped: 2}, "  omitidos: 2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Contains(t, summaryLines(t, "job", tc.res), tc.want)
		})
	}
}

func TestSummaryDocumentTypes(t *testing.T) {
	t.Parallel()
	res := usecases.AssignPromotionCodesResult{Rows: []usecases.AssignRow{
		{Line: 2, DocumentType: "PASSPORT", DocumentNumber: "PAA123456", Status: "assigned", Code: "TV-1"},
		{Line: 3, DocumentType: "NIE", DocumentNumber: "X1234567L", Status: "assigned", Code: "TV-2"},
	}}
	lines := summaryLines(t, "assign_promotion_codes", res)
	require.Contains(t, lines, "    - código=TV-1, documento=PAA123456, tipo de documento=pasaporte, línea=2, estado=asignado")
	require.Contains(t, lines, "    - código=TV-2, documento=X1234567L, tipo de documento=NIE, línea=3, estado=asignado")
}
