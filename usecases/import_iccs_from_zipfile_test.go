package usecases_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
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

// iccStore is what the ICC jobs need from storage, plus the channel and
// purchase stores that the tests fill.
type iccStore interface {
	ports.TxRunner
	ports.IccStore
	ports.IccAssigner
	ports.IccReleaser
	ports.UsedIccPurger
	ports.EsimStockAlertStore
	ports.AlarmStore
	ports.ChannelStore
	ports.PurchaseStore
}

// iccStores opens an empty store per database; the ICC jobs' tests run
// once on each.
var iccStores = map[string]func(t testing.TB) iccStore{
	"SQLite":     func(t testing.TB) iccStore { return sqlitetest.Open(t) },
	"PostgreSQL": func(t testing.TB) iccStore { return pgtest.Open(t) },
}

// forEachIccStore runs test as a parallel subtest per database.
func forEachIccStore(t *testing.T, test func(t *testing.T, store iccStore)) {
	for name, open := range iccStores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, open(t))
		})
	}
}

// iccNow is the fake time of the ICC tests.
var iccNow = time.Date(2025, 10, 27, 8, 0, 0, 0, time.UTC)

// validICCID returns a valid 19-digit ICCID numbered n.
func validICCID(n int) string {
	body := fmt.Sprintf("8934%014d", n)
	return body + string(domain.LuhnCheckDigit(body))
}

func pdfBytes(iccid string) []byte {
	return []byte("%PDF-1.4\n% eSIM " + iccid + "\n%%EOF\n")
}

// zipEntry is one entry of a test ZIP. Raw entries are written as they are,
// with the header given.
type zipEntry struct {
	name string
	data []byte
	raw  *zip.FileHeader
}

func buildZip(t testing.TB, entries []zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range entries {
		if e.raw != nil {
			fw, err := w.CreateRaw(e.raw)
			require.NoError(t, err)
			_, err = fw.Write(e.data)
			require.NoError(t, err)
			continue
		}
		fw, err := w.Create(e.name)
		require.NoError(t, err)
		_, err = fw.Write(e.data)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

type importFixture struct {
	store  iccStore
	blobs  *fake.BlobStore
	clock  *fake.Clock
	cfg    usecases.ImportIccsFromZipfileConfig
	tmpDir string
}

func importSetup(t *testing.T, store iccStore) *importFixture {
	t.Helper()
	return &importFixture{
		store:  store,
		blobs:  fake.NewBlobStore(),
		clock:  fake.NewClock(iccNow),
		tmpDir: t.TempDir(),
	}
}

func (f *importFixture) handler(t *testing.T, iccs usecases.IccImportStore) *usecases.ImportIccsFromZipfile {
	t.Helper()
	cfg := f.cfg
	cfg.TempDir = f.tmpDir
	if iccs == nil {
		iccs = f.store
	}
	h, err := usecases.NewImportIccsFromZipfile(cfg, f.blobs, iccs, f.store, f.clock, nil)
	require.NoError(t, err)
	return h
}

func (f *importFixture) upload(t *testing.T, key string, data []byte) {
	t.Helper()
	require.NoError(t, f.blobs.Put(context.Background(), key, bytes.NewReader(data)))
}

func (f *importFixture) run(t *testing.T, key string) (usecases.ImportIccsFromZipfileResult, error) {
	t.Helper()
	return f.handler(t, nil).Handle(context.Background(), usecases.ImportIccsFromZipfileInput{ZipKey: key})
}

// requireNoTempFiles checks that the run left nothing in its temporary
// folder.
func (f *importFixture) requireNoTempFiles(t *testing.T) {
	t.Helper()
	left, err := os.ReadDir(f.tmpDir)
	require.NoError(t, err)
	require.Empty(t, left, "temporary files are removed")
}

func (f *importFixture) requireRowsHavePDFs(t *testing.T, iccids ...string) {
	t.Helper()
	ctx := context.Background()
	for _, iccid := range iccids {
		icc, err := f.store.Icc(ctx, iccid)
		require.NoError(t, err, iccid)
		require.Equal(t, domain.IccESIM, icc.Kind)
		require.Equal(t, domain.ESIMPDFKey(iccid), icc.PDFKey)
		require.True(t, icc.Free())
		rc, err := f.blobs.Get(ctx, icc.PDFKey)
		require.NoError(t, err, "the PDF of %s is stored", iccid)
		body, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		require.Equal(t, pdfBytes(iccid), body)
	}
}

func entryByName(t *testing.T, res usecases.ImportIccsFromZipfileResult, name string) usecases.IccEntryResult {
	t.Helper()
	for _, e := range res.Report {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("entry %q not in the report %+v", name, res.Report)
	return usecases.IccEntryResult{}
}

func TestImportIccsEntryKinds(t *testing.T) {
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
			{name: "lote/ICC_" + validICCID(2) + "F.PDF", data: pdfBytes(validICCID(2))},
			{name: "lote/", data: nil},
			{name: "__MACOSX/lote/._" + validICCID(1) + ".pdf", data: []byte("resource fork")},
			{name: "lote/._" + validICCID(4) + ".pdf", data: []byte("resource fork")},
			{name: "lote/.DS_Store", data: []byte("finder")},
			{name: "leeme.txt", data: []byte("hola")},
			{name: validICCID(5) + ".pdf", data: []byte("<html>not a pdf</html>")},
			{name: "ICC_" + badCheck + ".pdf", data: pdfBytes(badCheck)},
			{name: "factura.pdf", data: pdfBytes("")},
			{name: "otra/" + validICCID(1) + ".pdf", data: pdfBytes(validICCID(1))},
			{name: stored + ".pdf", data: pdfBytes(stored)},
		}
		f.upload(t, "uploads/lote.zip", buildZip(t, entries))

		res, err := f.run(t, "uploads/lote.zip")
		require.NoError(t, err)

		require.Equal(t, len(entries), res.Entries)
		require.Equal(t, 2, res.Imported)
		require.Equal(t, 1, res.AlreadyStored)
		require.Equal(t, 2, res.Invalid)
		require.Equal(t, 2, res.Ignored)
		require.Equal(t, 1, res.Duplicate)
		require.Equal(t, 4, res.Skipped, "folder, __MACOSX/, ._ file and .DS_Store")
		require.Len(t, res.Report, len(entries)-4)

		cases := []struct {
			name    string
			outcome string
			reason  string
		}{
			{validICCID(1) + ".pdf", usecases.IccEntryImported, ""},
			{"lote/ICC_" + validICCID(2) + "F.PDF", usecases.IccEntryImported, ""},
			{"leeme.txt", usecases.IccEntryIgnored, "not a PDF file"},
			{validICCID(5) + ".pdf", usecases.IccEntryIgnored, "%PDF- header"},
			{"ICC_" + badCheck + ".pdf", usecases.IccEntryInvalid, "Luhn"},
			{"factura.pdf", usecases.IccEntryInvalid, "contains no ICCID"},
			{"otra/" + validICCID(1) + ".pdf", usecases.IccEntryDuplicate, "also in entry " + validICCID(1) + ".pdf"},
			{stored + ".pdf", usecases.IccEntryAlreadyStored, "already stored"},
		}
		for _, tc := range cases {
			e := entryByName(t, res, tc.name)
			require.Equal(t, tc.outcome, e.Outcome, tc.name)
			if tc.reason == "" {
				require.Empty(t, e.Reason, tc.name)
			} else {
				require.Contains(t, e.Reason, tc.reason, tc.name)
			}
		}
		require.Equal(t, validICCID(2), entryByName(t, res, "lote/ICC_"+validICCID(2)+"F.PDF").ICCID)

		f.requireRowsHavePDFs(t, validICCID(1), validICCID(2))
		_, err = store.Icc(ctx, validICCID(5))
		require.ErrorIs(t, err, domain.ErrNotFound, "an entry without the PDF header is not imported")
		free, err := store.CountFreeIccs(ctx, domain.IccESIM)
		require.NoError(t, err)
		require.Equal(t, 3, free)

		require.True(t, res.AlarmRaised)
		alarm, err := store.OpenAlarm(ctx, usecases.IccImportAlarmName("uploads/lote.zip"))
		require.NoError(t, err)
		require.Contains(t, alarm.Message, "3 entradas rechazadas")
		require.Contains(t, alarm.Details, "ICC_"+badCheck+".pdf: el dígito de control del ICCID no es válido")
		require.Contains(t, alarm.Details, "factura.pdf: el nombre no contiene un ICCID")
		require.Contains(t, alarm.Details, "otra/"+validICCID(1)+".pdf: ICCID repetido en el ZIP")
		require.NotContains(t, alarm.Details, "leeme.txt", "ignored entries are not alarms")

		require.True(t, res.ZipDeleted)
		ok, err := f.blobs.Exists(ctx, "uploads/lote.zip")
		require.NoError(t, err)
		require.False(t, ok, "the ZIP is deleted after a finished run")
		f.requireNoTempFiles(t)
	})
}

func TestImportIccsCleanZipNoAlarm(t *testing.T) {
	t.Parallel()
	forEachIccStore(t, func(t *testing.T, store iccStore) {
		f := importSetup(t, store)
		f.upload(t, "ok.zip", buildZip(t, []zipEntry{{name: validICCID(1) + ".pdf", data: pdfBytes(validICCID(1))}}))

		res, err := f.run(t, "ok.zip")
		require.NoError(t, err)
		require.Equal(t, 1, res.Imported)
		require.False(t, res.AlarmRaised)
		alarms, err := store.ListAlarms(context.Background(), true, 10)
		require.NoError(t, err)
		require.Empty(t, alarms)
	})
}

func TestImportIccsZipSlipNames(t *testing.T) {
	t.Parallel()
	forEachIccStore(t, func(t *testing.T, store iccStore) {
		f := importSetup(t, store)
		names := []string{
			"../" + validICCID(1) + ".pdf",
			"lote/../../" + validICCID(2) + ".pdf",
			"/etc/" + validICCID(3) + ".pdf",
			`lote\..\` + validICCID(4) + ".pdf",
			"C:" + validICCID(5) + ".pdf",
		}
		var entries []zipEntry
		for i, name := range names {
			entries = append(entries, zipEntry{name: name, data: pdfBytes(validICCID(i + 1))})
		}
		f.upload(t, "slip.zip", buildZip(t, entries))

		res, err := f.run(t, "slip.zip")
		require.NoError(t, err)
		require.Equal(t, len(names), res.Invalid)
		require.Zero(t, res.Imported)
		for _, name := range names {
			e := entryByName(t, res, name)
			require.Equal(t, usecases.IccEntryInvalid, e.Outcome, name)
			require.Contains(t, e.Reason, "insecure path", name)
		}

		list, err := f.blobs.List(context.Background(), "")
		require.NoError(t, err)
		require.Empty(t, list, "no PDF stored, and the ZIP deleted")
		alarm, err := store.OpenAlarm(context.Background(), usecases.IccImportAlarmName("slip.zip"))
		require.NoError(t, err)
		require.Contains(t, alarm.Details, "ruta insegura")
		f.requireNoTempFiles(t)

		outside, err := os.ReadDir(filepath.Dir(f.tmpDir))
		require.NoError(t, err)
		for _, e := range outside {
			require.NotContains(t, e.Name(), "8934", "nothing written beside the temporary folder")
		}
	})
}

// lyingEntry returns a stored or deflated entry whose header declares
// declared bytes while its data expands to actual.
func lyingEntry(t *testing.T, name string, actual []byte, declared uint64, method uint16) zipEntry {
	t.Helper()
	data := actual
	if method == zip.Deflate {
		var buf bytes.Buffer
		w, err := flate.NewWriter(&buf, flate.BestCompression)
		require.NoError(t, err)
		_, err = w.Write(actual)
		require.NoError(t, err)
		require.NoError(t, w.Close())
		data = buf.Bytes()
	}
	return zipEntry{data: data, raw: &zip.FileHeader{
		Name:               name,
		Method:             method,
		CRC32:              crc32.ChecksumIEEE(actual),
		CompressedSize64:   uint64(len(data)),
		UncompressedSize64: declared,
	}}
}

func TestImportIccsEntryLiesAboutSize(t *testing.T) {
	t.Parallel()
	forEachIccStore(t, func(t *testing.T, store iccStore) {
		f := importSetup(t, store)
		f.cfg.MaxEntryBytes = 1 << 20

		// 8 MiB of zeros deflate to a few KiB: a small bomb that declares 100 bytes.
		bomb := append(pdfBytes(validICCID(1)), make([]byte, 8<<20)...)
		stored := append(pdfBytes(validICCID(2)), bytes.Repeat([]byte("x"), 500)...)
		entries := []zipEntry{
			lyingEntry(t, validICCID(1)+".pdf", bomb, 100, zip.Deflate),
			lyingEntry(t, validICCID(2)+".pdf", stored, 50, zip.Store),
			{name: validICCID(3) + ".pdf", data: pdfBytes(validICCID(3))},
		}
		f.upload(t, "bomb.zip", buildZip(t, entries))

		res, err := f.run(t, "bomb.zip")
		require.NoError(t, err)
		require.Equal(t, 1, res.Imported)
		require.Equal(t, 2, res.Invalid)
		for _, n := range []int{1, 2} {
			e := entryByName(t, res, validICCID(n)+".pdf")
			require.Equal(t, usecases.IccEntryInvalid, e.Outcome)
			require.Contains(t, e.Reason, "bytes it declares")
			_, err := store.Icc(context.Background(), validICCID(n))
			require.ErrorIs(t, err, domain.ErrNotFound)
		}
		ok, err := f.blobs.Exists(context.Background(), domain.ESIMPDFKey(validICCID(1)))
		require.NoError(t, err)
		require.False(t, ok)
		alarm, err := store.OpenAlarm(context.Background(), usecases.IccImportAlarmName("bomb.zip"))
		require.NoError(t, err)
		require.Contains(t, alarm.Details, "100 bytes que declara")
		require.Contains(t, alarm.Details, "50 bytes que declara")
		f.requireRowsHavePDFs(t, validICCID(3))
	})
}

func TestImportIccsEntryDeclaredTooLarge(t *testing.T) {
	t.Parallel()
	forEachIccStore(t, func(t *testing.T, store iccStore) {
		f := importSetup(t, store)
		f.cfg.MaxEntryBytes = 1024
		big := append(pdfBytes(validICCID(1)), make([]byte, 4096)...)
		f.upload(t, "big.zip", buildZip(t, []zipEntry{{name: validICCID(1) + ".pdf", data: big}}))

		res, err := f.run(t, "big.zip")
		require.NoError(t, err)
		e := entryByName(t, res, validICCID(1)+".pdf")
		require.Equal(t, usecases.IccEntryInvalid, e.Outcome)
		require.Contains(t, e.Reason, "over MaxEntryBytes (1024)")
	})
}

func TestImportIccsTooManyEntries(t *testing.T) {
	t.Parallel()
	forEachIccStore(t, func(t *testing.T, store iccStore) {
		f := importSetup(t, store)
		f.cfg.MaxEntries = 5
		var entries []zipEntry
		for n := range 6 {
			entries = append(entries, zipEntry{name: validICCID(n) + ".pdf", data: pdfBytes(validICCID(n))})
		}
		f.upload(t, "many.zip", buildZip(t, entries))

		res, err := f.run(t, "many.zip")
		require.Error(t, err)
		require.True(t, domain.IsPermanent(err), "retrying cannot fix it: %v", err)
		require.ErrorContains(t, err, "more than MaxEntries (5) entries")
		require.Zero(t, res.Imported)

		ok, err := f.blobs.Exists(context.Background(), "many.zip")
		require.NoError(t, err)
		require.True(t, ok, "a rejected ZIP is kept")
		alarm, err := store.OpenAlarm(context.Background(), usecases.IccImportAlarmName("many.zip"))
		require.NoError(t, err)
		require.Contains(t, alarm.Details, "más de 5 entradas")
		free, err := store.CountFreeIccs(context.Background(), domain.IccESIM)
		require.NoError(t, err)
		require.Zero(t, free)
		f.requireNoTempFiles(t)
	})
}

// TestImportIccsTooManyEntriesZip64 counts the entries of a ZIP with more
// than 65,535 of them, whose count is only in the ZIP64 end record.
func TestImportIccsTooManyEntriesZip64(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for n := range 70_000 {
		_, err := w.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("d%05d/", n), Method: zip.Store})
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())

	f := importSetup(t, sqlitetest.Open(t))
	f.cfg.MaxEntries = 69_999
	f.upload(t, "zip64.zip", buf.Bytes())
	_, err := f.run(t, "zip64.zip")
	require.ErrorContains(t, err, "more than MaxEntries (69999) entries")

	f.cfg.MaxEntries = 70_000
	res, err := f.run(t, "zip64.zip")
	require.NoError(t, err)
	require.Equal(t, 70_000, res.Entries)
	require.Equal(t, 70_000, res.Skipped)
}

func TestImportIccsTotalSizeCap(t *testing.T) {
	t.Parallel()
	f := importSetup(t, sqlitetest.Open(t))
	f.cfg.MaxEntryBytes = 1000
	f.cfg.MaxTotalBytes = 1000
	var entries []zipEntry
	for n := range 3 {
		entries = append(entries, zipEntry{name: validICCID(n) + ".pdf", data: append(pdfBytes(validICCID(n)), make([]byte, 400)...)})
	}
	f.upload(t, "total.zip", buildZip(t, entries))

	_, err := f.run(t, "total.zip")
	require.True(t, domain.IsPermanent(err))
	require.ErrorContains(t, err, "more than MaxTotalBytes (1000 bytes)")
}

func TestImportIccsNotAZip(t *testing.T) {
	t.Parallel()
	f := importSetup(t, sqlitetest.Open(t))
	f.upload(t, "fake.zip", []byte("this is not a zip archive"))

	_, err := f.run(t, "fake.zip")
	require.True(t, domain.IsPermanent(err))
	require.ErrorContains(t, err, "not a ZIP archive")
	f.requireNoTempFiles(t)
}

func TestImportIccsMissingZip(t *testing.T) {
	t.Parallel()
	f := importSetup(t, sqlitetest.Open(t))

	_, err := f.run(t, "missing.zip")
	require.ErrorIs(t, err, domain.ErrNotFound)
	require.True(t, domain.IsPermanent(err))

	_, err = f.run(t, " ")
	require.ErrorIs(t, err, domain.ErrInvalid)
}

// failingIccStore fails CreateIcc for one ICCID, after its PDF was stored.
type failingIccStore struct {
	usecases.IccImportStore
	failICCID string
	calls     atomic.Int32
}

func (s *failingIccStore) CreateIcc(ctx context.Context, icc domain.Icc) (domain.Icc, error) {
	s.calls.Add(1)
	if icc.ICCID == s.failICCID {
		return domain.Icc{}, errors.New("connection to the database lost")
	}
	return s.IccImportStore.CreateIcc(ctx, icc)
}

func TestImportIccsFailureHalfWay(t *testing.T) {
	t.Parallel()
	forEachIccStore(t, func(t *testing.T, store iccStore) {
		ctx := context.Background()
		var entries []zipEntry
		var iccids []string
		for n := 1; n <= 5; n++ {
			entries = append(entries, zipEntry{name: validICCID(n) + ".pdf", data: pdfBytes(validICCID(n))})
			iccids = append(iccids, validICCID(n))
		}
		zipData := buildZip(t, entries)

		t.Run("PutFails", func(t *testing.T) {
			f := importSetup(t, store)
			f.upload(t, "put.zip", zipData)
			f.blobs.FailPut = func(key string) error {
				if key == domain.ESIMPDFKey(iccids[2]) {
					return errors.New("S3 unavailable")
				}
				return nil
			}

			_, err := f.run(t, "put.zip")
			require.ErrorContains(t, err, "S3 unavailable")
			require.False(t, domain.IsPermanent(err), "the job retries")
			f.requireRowsHavePDFs(t, iccids[:2]...)
			for _, iccid := range iccids[2:] {
				_, err := store.Icc(ctx, iccid)
				require.ErrorIs(t, err, domain.ErrNotFound, "no row for %s", iccid)
			}
			ok, err := f.blobs.Exists(ctx, "put.zip")
			require.NoError(t, err)
			require.True(t, ok, "the ZIP is kept for the retry")
			f.requireNoTempFiles(t)

			f.blobs.FailPut = nil
			res, err := f.run(t, "put.zip")
			require.NoError(t, err)
			require.Equal(t, 2, res.AlreadyStored)
			require.Equal(t, 3, res.Imported)
			f.requireRowsHavePDFs(t, iccids...)
			require.True(t, res.ZipDeleted)
		})

		t.Run("RowFailsAfterPDF", func(t *testing.T) {
			f := importSetup(t, store)
			base := validICCID(100)
			var later []zipEntry
			for n := 100; n < 103; n++ {
				later = append(later, zipEntry{name: validICCID(n) + ".pdf", data: pdfBytes(validICCID(n))})
			}
			f.upload(t, "row.zip", buildZip(t, later))
			failing := &failingIccStore{IccImportStore: store, failICCID: validICCID(101)}

			_, err := f.handler(t, failing).Handle(ctx, usecases.ImportIccsFromZipfileInput{ZipKey: "row.zip"})
			require.ErrorContains(t, err, "connection to the database lost")
			f.requireRowsHavePDFs(t, base)
			_, err = store.Icc(ctx, validICCID(101))
			require.ErrorIs(t, err, domain.ErrNotFound)
			ok, err := f.blobs.Exists(ctx, domain.ESIMPDFKey(validICCID(101)))
			require.NoError(t, err)
			require.True(t, ok, "a PDF without a row is allowed; a row without a PDF is not")

			res, err := f.run(t, "row.zip")
			require.NoError(t, err)
			require.Equal(t, 2, res.Imported)
			f.requireRowsHavePDFs(t, validICCID(100), validICCID(101), validICCID(102))
		})
	})
}

func TestImportIccsCancelled(t *testing.T) {
	t.Parallel()
	f := importSetup(t, sqlitetest.Open(t))
	f.upload(t, "c.zip", buildZip(t, []zipEntry{{name: validICCID(1) + ".pdf", data: pdfBytes(validICCID(1))}}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	_, err := f.handler(t, nil).Handle(ctx, usecases.ImportIccsFromZipfileInput{ZipKey: "c.zip"})
	require.ErrorIs(t, err, context.Canceled)
	ok, err := f.blobs.Exists(context.Background(), "c.zip")
	require.NoError(t, err)
	require.True(t, ok)
	f.requireNoTempFiles(t)
}

func TestImportIccsLenientCheckDigit(t *testing.T) {
	t.Parallel()
	f := importSetup(t, sqlitetest.Open(t))
	f.cfg.ICCID.AllowBadCheckDigit = true
	bad := validICCID(7)[:18] + string('0'+(validICCID(7)[18]-'0'+1)%10)
	f.upload(t, "l.zip", buildZip(t, []zipEntry{{name: bad + ".pdf", data: pdfBytes(bad)}}))

	res, err := f.run(t, "l.zip")
	require.NoError(t, err)
	require.Equal(t, 1, res.Imported)
	f.requireRowsHavePDFs(t, bad)
}

func TestImportIccsTestdataZips(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file     string
		imported int
		rejected bool
	}{
		{"esims_ok.zip", 5, false},
		{"esims_mixed.zip", 2, true},
	}
	for _, tc := range cases {
		t.Run(strings.TrimSuffix(tc.file, ".zip"), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join("..", "testdata", "iccs", tc.file))
			require.NoError(t, err)
			f := importSetup(t, sqlitetest.Open(t))
			f.upload(t, tc.file, data)

			res, err := f.run(t, tc.file)
			require.NoError(t, err)
			require.Equal(t, tc.imported, res.Imported)
			require.Equal(t, tc.rejected, res.AlarmRaised)
		})
	}
}

func TestImportIccsConfigValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		cfg   usecases.ImportIccsFromZipfileConfig
		field string
	}{
		{"NegativeEntries", usecases.ImportIccsFromZipfileConfig{MaxEntries: -1}, "MaxEntries"},
		{"TotalUnderEntry", usecases.ImportIccsFromZipfileConfig{MaxEntryBytes: 10, MaxTotalBytes: 5}, "MaxTotalBytes"},
		{"MissingTempDir", usecases.ImportIccsFromZipfileConfig{TempDir: "/no/such/folder"}, "TempDir"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.cfg.WithDefaults().Validate()
			require.ErrorContains(t, err, tc.field)
		})
	}
}
