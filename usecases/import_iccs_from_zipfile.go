package usecases

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"strings"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// ImportIccsFromZipfileInput is the input of import_iccs_from_zipfile.
type ImportIccsFromZipfileInput struct {
	// ZipKey is the blob-store key of the ZIP archive of eSIM PDFs.
	ZipKey string `json:"zip_key"`
}

// Kind returns the job's name on the queue.
func (ImportIccsFromZipfileInput) Kind() string { return "import_iccs_from_zipfile" }

// Outcomes of one ZIP entry in the import report.
const (
	IccEntryImported      = "imported"
	IccEntryAlreadyStored = "already_stored"
	IccEntryInvalid       = "invalid"
	IccEntryIgnored       = "ignored"
	IccEntryDuplicate     = "duplicate"
)

// IccImportAlarmName returns the name of the alarm of one ZIP: the alarm
// that lists its rejected entries, or gives why it was rejected as a whole.
// Importing the same ZIP again counts another occurrence of that alarm.
func IccImportAlarmName(zipKey string) string { return "import_iccs_from_zipfile:" + zipKey }

// ImportIccsFromZipfileConfig configures import_iccs_from_zipfile. The caps
// keep a hostile or broken ZIP from filling the disk or the memory.
type ImportIccsFromZipfileConfig struct {
	// MaxZipBytes caps the size of the ZIP file itself. Default 2 GiB.
	MaxZipBytes int64
	// MaxEntries caps the number of entries in the ZIP, counted before the
	// ZIP is opened. Default 200,000.
	MaxEntries int
	// MaxEntryBytes caps the uncompressed size of one entry, as declared and
	// as read. A larger entry is rejected. Default 10 MiB (an eSIM PDF is
	// usually tens of KiB).
	MaxEntryBytes int64
	// MaxTotalBytes caps the sum of the declared uncompressed sizes of all
	// entries. A ZIP over it is rejected as a whole. Default 20 GiB.
	MaxTotalBytes int64
	// TempDir is the folder of the temporary files. Default: os.TempDir().
	TempDir string
	// ICCID relaxes the ICCID rules, for card batches printed without a
	// valid check digit. Default: strict.
	ICCID domain.ICCIDOptions
}

// WithDefaults returns a copy with the defaults filled in.
func (c ImportIccsFromZipfileConfig) WithDefaults() ImportIccsFromZipfileConfig {
	if c.MaxZipBytes == 0 {
		c.MaxZipBytes = 2 << 30
	}
	if c.MaxEntries == 0 {
		c.MaxEntries = 200_000
	}
	if c.MaxEntryBytes == 0 {
		c.MaxEntryBytes = 10 << 20
	}
	if c.MaxTotalBytes == 0 {
		c.MaxTotalBytes = 20 << 30
	}
	if c.TempDir == "" {
		c.TempDir = os.TempDir()
	}
	return c
}

// Validate reports the first invalid field.
func (c ImportIccsFromZipfileConfig) Validate() error {
	switch {
	case c.MaxZipBytes <= 0:
		return fmt.Errorf("import ICCs config: MaxZipBytes %d must be positive", c.MaxZipBytes)
	case c.MaxEntries <= 0:
		return fmt.Errorf("import ICCs config: MaxEntries %d must be positive", c.MaxEntries)
	case c.MaxEntryBytes <= 0:
		return fmt.Errorf("import ICCs config: MaxEntryBytes %d must be positive", c.MaxEntryBytes)
	case c.MaxTotalBytes < c.MaxEntryBytes:
		return fmt.Errorf("import ICCs config: MaxTotalBytes %d must be at least MaxEntryBytes %d", c.MaxTotalBytes, c.MaxEntryBytes)
	}
	if info, err := os.Stat(c.TempDir); err != nil || !info.IsDir() {
		return fmt.Errorf("import ICCs config: TempDir %q must be an existing folder", c.TempDir)
	}
	return nil
}

// IccEntryResult is the outcome of one entry of the ZIP.
type IccEntryResult struct {
	// Name is the entry's path inside the ZIP.
	Name string `json:"name"`
	// ICCID is the canonical ICCID taken from the name, when valid.
	ICCID string `json:"iccid,omitempty"`
	// Outcome is imported, already_stored, invalid, ignored or duplicate.
	Outcome string `json:"outcome"`
	// Reason is the reason, in English, that the entry was not imported.
	Reason string `json:"reason,omitempty"`
	// ReasonES is the same reason in Spanish for the back-office
	// operators, with what to do. The command's summaries show it, and
	// the alarm lists it for invalid and duplicate entries.
	ReasonES string `json:"reason_es,omitempty"`
}

// ImportIccsFromZipfileResult is the outcome of one import.
type ImportIccsFromZipfileResult struct {
	ZipKey string `json:"zip_key"`
	// Entries counts every entry of the ZIP, folders included.
	Entries       int `json:"entries"`
	Imported      int `json:"imported"`
	AlreadyStored int `json:"already_stored"`
	Invalid       int `json:"invalid"`
	Ignored       int `json:"ignored"`
	Duplicate     int `json:"duplicate"`
	// Skipped counts the entries left out of the report: folders and the
	// metadata that archivers add (__MACOSX/, ._* files, .DS_Store).
	Skipped int `json:"skipped"`
	// Report lists every other entry in ZIP order.
	Report []IccEntryResult `json:"report"`
	// AlarmRaised is true when the alarm listing rejected entries was raised.
	AlarmRaised bool `json:"alarm_raised"`
	// ZipDeleted is true when the source ZIP was deleted after the run.
	ZipDeleted bool `json:"zip_deleted"`
}

// IccImportStore is the storage port of the import.
type IccImportStore interface {
	KnownICCIDs(ctx context.Context, iccids []string) ([]string, error)
	CreateIcc(ctx context.Context, icc domain.Icc) (domain.Icc, error)
}

// ImportIccsFromZipfile imports the eSIM PDFs of a ZIP archive in the blob
// store. Each new ICC's PDF is stored before its row is created, so a run
// that stops half-way leaves PDFs without rows (which the next run
// overwrites) but never a row without its PDF.
type ImportIccsFromZipfile struct {
	cfg    ImportIccsFromZipfileConfig
	blobs  ports.BlobStore
	iccs   IccImportStore
	alarms ports.AlarmStore
	clock  ports.Clock
	logger *slog.Logger
}

// NewImportIccsFromZipfile builds the use case. A nil logger discards.
func NewImportIccsFromZipfile(cfg ImportIccsFromZipfileConfig, blobs ports.BlobStore, iccs IccImportStore,
	alarms ports.AlarmStore, clock ports.Clock, logger *slog.Logger) (*ImportIccsFromZipfile, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch {
	case blobs == nil:
		return nil, errors.New("import ICCs: BlobStore is nil")
	case iccs == nil:
		return nil, errors.New("import ICCs: IccImportStore is nil")
	case alarms == nil:
		return nil, errors.New("import ICCs: AlarmStore is nil")
	case clock == nil:
		return nil, errors.New("import ICCs: Clock is nil")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &ImportIccsFromZipfile{cfg: cfg, blobs: blobs, iccs: iccs, alarms: alarms, clock: clock, logger: logger}, nil
}

// HandleJob runs Handle for the job engine.
func (h *ImportIccsFromZipfile) HandleJob(ctx context.Context, in ImportIccsFromZipfileInput) error {
	_, err := h.Handle(ctx, in)
	return err
}

// Handle downloads the ZIP to a temporary file, imports its entries, raises
// one alarm listing the rejected ones, and deletes the ZIP once every entry
// was handled. A ZIP that is missing, not a ZIP or over a cap is a
// permanent error that keeps the ZIP and raises an alarm. A failure of the
// blob store or the database stops the run with a retryable error and
// keeps the ZIP, so the retry imports what is left.
func (h *ImportIccsFromZipfile) Handle(ctx context.Context, in ImportIccsFromZipfileInput) (ImportIccsFromZipfileResult, error) {
	res := ImportIccsFromZipfileResult{ZipKey: in.ZipKey, Report: []IccEntryResult{}}
	if strings.TrimSpace(in.ZipKey) == "" {
		return res, domain.Permanent(domain.Invalid("zip key", in.ZipKey, "must name the ZIP in the blob store"))
	}
	logger := h.logger.With("job", in.Kind(), "zip_key", in.ZipKey)
	logger.InfoContext(ctx, "ICC import started")

	dir, err := os.MkdirTemp(h.cfg.TempDir, "telcojobs-iccs-")
	if err != nil {
		return res, fmt.Errorf("import ICCs: create temporary folder: %w", err)
	}
	defer func() {
		if err := os.RemoveAll(dir); err != nil {
			logger.WarnContext(ctx, "temporary folder not removed", "dir", dir, "error", err)
		}
	}()

	zr, zipFile, err := h.openZip(ctx, in.ZipKey, dir)
	if err != nil {
		var rejected *zipRejectedError
		if errors.As(err, &rejected) {
			h.raiseAlarm(ctx, logger, in.ZipKey, fmt.Sprintf("El ZIP %s no se ha importado", in.ZipKey), rejected.spanish)
			return res, domain.Permanent(err)
		}
		return res, err
	}
	defer zipFile.Close()
	res.Entries = len(zr.File)
	progress := ports.ProgressFrom(ctx)
	progress.Total(int64(len(zr.File)))

	run := &iccImportRun{h: h, logger: logger, res: &res, dir: dir}
	if err := run.importEntries(ctx, zr.File); err != nil {
		return res, err
	}

	if len(run.alarmLines) > 0 {
		rejected := fmt.Sprintf("%d entradas rechazadas", len(run.alarmLines))
		if len(run.alarmLines) == 1 {
			rejected = "1 entrada rechazada"
		}
		msg := fmt.Sprintf("Importación de ICCs del ZIP %s: %s", in.ZipKey, rejected)
		res.AlarmRaised = h.raiseAlarm(ctx, logger, in.ZipKey, msg, strings.Join(run.alarmLines, "\n"))
	}

	if err := h.blobs.Delete(ctx, in.ZipKey); err != nil {
		logger.WarnContext(ctx, "source ZIP not deleted after the import", "error", err)
	} else {
		res.ZipDeleted = true
	}
	logger.InfoContext(ctx, "ICC import finished", "entries", res.Entries, "imported", res.Imported,
		"already_stored", res.AlreadyStored, "invalid", res.Invalid, "ignored", res.Ignored, "duplicate", res.Duplicate)
	return res, nil
}

// zipRejectedError rejects the ZIP as a whole. spanish is the alarm detail.
type zipRejectedError struct {
	key     string
	reason  string
	spanish string
}

func (e *zipRejectedError) Error() string {
	return fmt.Sprintf("import ICCs: ZIP %q rejected: %s", e.key, e.reason)
}

// Is makes a rejected ZIP match domain.ErrInvalid: the input is bad as a
// whole.
func (e *zipRejectedError) Is(target error) bool { return target == domain.ErrInvalid }

// openZip copies the ZIP from the blob store into a file in dir, checks the
// caps that apply to the archive as a whole, and opens it. The caller
// closes the file.
func (h *ImportIccsFromZipfile) openZip(ctx context.Context, key, dir string) (*zip.Reader, *os.File, error) {
	rc, err := h.blobs.Get(ctx, key)
	if errors.Is(err, domain.ErrNotFound) || errors.Is(err, domain.ErrInvalid) {
		return nil, nil, domain.Permanent(fmt.Errorf("import ICCs: %w", err))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("import ICCs: %w", err)
	}
	defer rc.Close()

	f, err := os.CreateTemp(dir, "source-*.zip")
	if err != nil {
		return nil, nil, fmt.Errorf("import ICCs: create temporary file: %w", err)
	}
	zr, err := h.readZip(key, f, rc)
	if err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	return zr, f, nil
}

// readZip copies rc into f, bounded by MaxZipBytes, and opens it as a ZIP
// after checking the entry count and the declared sizes.
func (h *ImportIccsFromZipfile) readZip(key string, f *os.File, rc io.Reader) (*zip.Reader, error) {
	size, err := io.Copy(f, io.LimitReader(rc, h.cfg.MaxZipBytes+1))
	if err != nil {
		return nil, fmt.Errorf("import ICCs: download %q: %w", key, err)
	}
	if size > h.cfg.MaxZipBytes {
		return nil, &zipRejectedError{key: key,
			reason:  fmt.Sprintf("larger than MaxZipBytes (%d bytes)", h.cfg.MaxZipBytes),
			spanish: fmt.Sprintf("El ZIP supera el tamaño máximo de %d bytes.", h.cfg.MaxZipBytes)}
	}

	count, err := countZipEntries(f, size, h.cfg.MaxEntries)
	if err != nil {
		return nil, &zipRejectedError{key: key, reason: "not a ZIP archive: " + err.Error(),
			spanish: "El fichero no es un ZIP válido."}
	}
	if count > h.cfg.MaxEntries {
		return nil, &zipRejectedError{key: key,
			reason:  fmt.Sprintf("more than MaxEntries (%d) entries", h.cfg.MaxEntries),
			spanish: fmt.Sprintf("El ZIP tiene más de %d entradas.", h.cfg.MaxEntries)}
	}

	zr, err := zip.NewReader(f, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, &zipRejectedError{key: key, reason: "not a ZIP archive: " + err.Error(),
			spanish: "El fichero no es un ZIP válido."}
	}
	if len(zr.File) > h.cfg.MaxEntries {
		return nil, &zipRejectedError{key: key,
			reason:  fmt.Sprintf("more than MaxEntries (%d) entries", h.cfg.MaxEntries),
			spanish: fmt.Sprintf("El ZIP tiene más de %d entradas.", h.cfg.MaxEntries)}
	}

	var total uint64
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if total > uint64(h.cfg.MaxTotalBytes) {
			return nil, &zipRejectedError{key: key,
				reason:  fmt.Sprintf("entries declare more than MaxTotalBytes (%d bytes) uncompressed", h.cfg.MaxTotalBytes),
				spanish: fmt.Sprintf("Las entradas del ZIP suman más de %d bytes descomprimidas.", h.cfg.MaxTotalBytes)}
		}
	}
	return zr, nil
}

func (h *ImportIccsFromZipfile) raiseAlarm(ctx context.Context, logger *slog.Logger, zipKey, message, details string) bool {
	name := IccImportAlarmName(zipKey)
	alarm, err := domain.NewAlarm(name, message, details, h.clock.Now())
	if err == nil {
		_, err = h.alarms.RaiseAlarm(ctx, alarm)
	}
	if err != nil {
		logger.ErrorContext(ctx, "alarm not raised", "alarm", name, "error", err)
		return false
	}
	return true
}

// iccImportRun is the state of one import: the report, the alarm lines in
// Spanish, and the file that holds one extracted entry at a time.
type iccImportRun struct {
	h          *ImportIccsFromZipfile
	logger     *slog.Logger
	res        *ImportIccsFromZipfileResult
	dir        string
	alarmLines []string
	entryFile  *os.File
}

// iccCandidate is a PDF entry with a valid ICCID seen once in the ZIP.
type iccCandidate struct {
	file  *zip.File
	iccid string
}

// importEntries classifies every entry from the central directory, looks up
// the stored ICCIDs in bulk, then extracts and imports the new ones.
func (r *iccImportRun) importEntries(ctx context.Context, files []*zip.File) error {
	progress := ports.ProgressFrom(ctx)
	var candidates []iccCandidate
	firstByICCID := map[string]string{}
	for _, zf := range files {
		c, ok := r.classify(zf, firstByICCID)
		if ok {
			candidates = append(candidates, c)
		} else {
			progress.Add(1)
		}
	}

	iccids := make([]string, len(candidates))
	for i, c := range candidates {
		iccids[i] = c.iccid
	}
	stored, err := r.h.iccs.KnownICCIDs(ctx, iccids)
	if err != nil {
		return fmt.Errorf("import ICCs: look up stored ICCIDs: %w", err)
	}
	known := make(map[string]bool, len(stored))
	for _, v := range stored {
		known[v] = true
	}

	f, err := os.CreateTemp(r.dir, "entry-*.pdf")
	if err != nil {
		return fmt.Errorf("import ICCs: create temporary file: %w", err)
	}
	defer f.Close()
	r.entryFile = f

	for _, c := range candidates {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("import ICCs: stopped after %d imported: %w", r.res.Imported, err)
		}
		if known[c.iccid] {
			r.report(c.file.Name, c.iccid, IccEntryAlreadyStored, "the ICCID is already stored", iccAlreadyStoredES)
		} else if err := r.importEntry(ctx, c); err != nil {
			return err
		}
		progress.Add(1)
	}
	return nil
}

// classify sorts an entry by its central-directory record alone. It returns
// the entry as a candidate, or reports it and returns false.
func (r *iccImportRun) classify(zf *zip.File, firstByICCID map[string]string) (iccCandidate, bool) {
	name := zf.Name
	if reason := insecureEntryName(name); reason != "" {
		r.report(name, "", IccEntryInvalid, "insecure path: "+reason,
			"ruta insegura dentro del ZIP (absoluta, con unidad, con «..» o con barra invertida): "+
				"vuelva a crear el ZIP con los PDF en carpetas normales")
		return iccCandidate{}, false
	}
	base := path.Base(name)
	if strings.HasSuffix(name, "/") || zf.FileInfo().IsDir() || isArchiverMetadata(name, base) {
		r.res.Skipped++
		return iccCandidate{}, false
	}
	if !strings.EqualFold(path.Ext(base), ".pdf") {
		r.report(name, "", IccEntryIgnored, "not a PDF file", "no es un fichero PDF, así que se ignora")
		return iccCandidate{}, false
	}
	if zf.UncompressedSize64 > uint64(r.h.cfg.MaxEntryBytes) {
		r.report(name, "", IccEntryInvalid,
			fmt.Sprintf("declares %d bytes uncompressed, over MaxEntryBytes (%d)", zf.UncompressedSize64, r.h.cfg.MaxEntryBytes),
			fmt.Sprintf("es demasiado grande: ocupa %d bytes sin comprimir, y el máximo es %d; compruebe que es el PDF de una eSIM",
				zf.UncompressedSize64, r.h.cfg.MaxEntryBytes))
		return iccCandidate{}, false
	}

	iccid, err := r.h.cfg.ICCID.ParseFileName(name)
	if err != nil {
		r.report(name, "", IccEntryInvalid, err.Error(), iccidReason(err))
		return iccCandidate{}, false
	}
	if first, dup := firstByICCID[iccid]; dup {
		r.report(name, iccid, IccEntryDuplicate, "the ICCID is also in entry "+first,
			"ICCID repetido en el ZIP, ya está en "+first+": quite una de las dos entradas")
		return iccCandidate{}, false
	}
	firstByICCID[iccid] = name
	return iccCandidate{file: zf, iccid: iccid}, true
}

// importEntry extracts one entry, checks it, stores its PDF and then
// creates its row. A failure of the blob store or the database stops the
// run; a bad entry is reported.
func (r *iccImportRun) importEntry(ctx context.Context, c iccCandidate) error {
	name := c.file.Name
	size, problem, spanish := r.extract(c.file)
	if problem != "" {
		r.report(name, c.iccid, IccEntryInvalid, problem, spanish)
		return nil
	}
	header := make([]byte, 5)
	if _, err := r.entryFile.ReadAt(header, 0); err != nil || !bytes.Equal(header, []byte("%PDF-")) {
		r.report(name, c.iccid, IccEntryIgnored, "a .pdf entry without the %PDF- header",
			"tiene extensión .pdf pero no es un PDF (no empieza por %PDF-), así que se ignora")
		return nil
	}

	key := domain.ESIMPDFKey(c.iccid)
	if err := r.h.blobs.Put(ctx, key, io.NewSectionReader(r.entryFile, 0, size)); err != nil {
		return fmt.Errorf("import ICCs: store the PDF of %q (entry %q): %w", c.iccid, name, err)
	}
	_, err := r.h.iccs.CreateIcc(ctx, domain.Icc{ICCID: c.iccid, Kind: domain.IccESIM, PDFKey: key, CreatedAt: r.h.clock.Now()})
	if errors.Is(err, domain.ErrConflict) {
		// Another import stored the ICCID since the bulk look-up; the PDF
		// written under its key is the same card's.
		r.report(name, c.iccid, IccEntryAlreadyStored, "the ICCID is already stored", iccAlreadyStoredES)
		return nil
	}
	if err != nil {
		return fmt.Errorf("import ICCs: create ICC %q (entry %q): %w", c.iccid, name, err)
	}
	r.report(name, c.iccid, IccEntryImported, "", "")
	return nil
}

// extract copies the entry into the entry file, reading at most one byte
// more than both its declared size and MaxEntryBytes allow. It returns the
// size, or a problem in English and in Spanish for an entry that is
// corrupt or holds more data than it declares.
func (r *iccImportRun) extract(zf *zip.File) (size int64, problem, spanish string) {
	f := r.entryFile
	if err := f.Truncate(0); err != nil {
		return 0, "temporary file: " + err.Error(), "error al escribir el fichero temporal"
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, "temporary file: " + err.Error(), "error al escribir el fichero temporal"
	}

	rc, err := zf.Open()
	if err != nil {
		return 0, "cannot open the entry: " + err.Error(),
			"la entrada no se puede abrir (compresión no soportada o dañada): vuelva a crear el ZIP"
	}
	defer rc.Close()

	limit := min(int64(zf.UncompressedSize64), r.h.cfg.MaxEntryBytes)
	n, err := io.Copy(f, io.LimitReader(rc, limit+1))
	switch {
	case n > limit:
		return 0, fmt.Sprintf("holds more than the %d bytes it declares", zf.UncompressedSize64),
			fmt.Sprintf("contiene más datos de los %d bytes que declara: vuelva a crear el ZIP", zf.UncompressedSize64)
	case errors.Is(err, zip.ErrChecksum):
		return 0, "corrupt entry: checksum mismatch", "la entrada está dañada (CRC incorrecto): vuelva a crear el ZIP"
	case errors.Is(err, zip.ErrFormat):
		// archive/zip stops a read that passes the declared size with
		// ErrFormat, before the limit above is reached.
		return 0, fmt.Sprintf("its data does not match the %d bytes it declares, or it is corrupt", zf.UncompressedSize64),
			fmt.Sprintf("la entrada está dañada o sus datos no coinciden con los %d bytes que declara: vuelva a crear el ZIP",
				zf.UncompressedSize64)
	case err != nil:
		return 0, "cannot read the entry: " + err.Error(), "la entrada no se puede leer: vuelva a crear el ZIP"
	}
	return n, "", ""
}

// report adds one entry to the result with its reason in English and in
// Spanish, and adds the rejected (invalid or duplicate) entries to the
// alarm.
func (r *iccImportRun) report(name, iccid, outcome, reason, spanish string) {
	r.res.Report = append(r.res.Report, IccEntryResult{Name: name, ICCID: iccid, Outcome: outcome, Reason: reason, ReasonES: spanish})
	switch outcome {
	case IccEntryImported:
		r.res.Imported++
	case IccEntryAlreadyStored:
		r.res.AlreadyStored++
	case IccEntryInvalid:
		r.res.Invalid++
	case IccEntryIgnored:
		r.res.Ignored++
	case IccEntryDuplicate:
		r.res.Duplicate++
	}
	if outcome == IccEntryInvalid || outcome == IccEntryDuplicate {
		r.alarmLines = append(r.alarmLines, fmt.Sprintf("%s: %s", name, spanishOrEntry(spanish)))
	}
}

// iccAlreadyStoredES is the Spanish reason of an entry whose ICCID is
// already stored.
const iccAlreadyStoredES = "el ICCID ya está guardado, así que no se importa de nuevo"

// spanishOrEntry returns reason, or a plain Spanish word for an entry
// rejected without one, so that no English text reaches the alarm.
func spanishOrEntry(reason string) string {
	if reason == "" {
		return "entrada rechazada"
	}
	return reason
}

// insecureEntryName returns why a name could reach outside a folder it was
// extracted to, or "" for a safe name. The import never builds a disk path
// from a name, but such an entry is a sign of a crafted archive.
func insecureEntryName(name string) string {
	switch {
	case name == "":
		return "empty name"
	case strings.ContainsRune(name, 0):
		return "NUL byte in the name"
	case strings.Contains(name, `\`):
		return "backslash in the name"
	case strings.HasPrefix(name, "/"):
		return "absolute path"
	case len(name) >= 2 && name[1] == ':':
		return "drive letter"
	}
	for _, segment := range strings.Split(name, "/") {
		if segment == ".." {
			return "parent folder (..) in the path"
		}
	}
	return ""
}

// isArchiverMetadata reports the files that archivers add beside the real
// content: macOS resource forks (__MACOSX/ and ._ files) and Finder's
// .DS_Store.
func isArchiverMetadata(name, base string) bool {
	return strings.HasPrefix(name, "__MACOSX/") || strings.Contains(name, "/__MACOSX/") ||
		strings.HasPrefix(base, "._") || base == ".DS_Store"
}

// ZIP record signatures and sizes (APPNOTE.TXT, sections 4.3.12 to 4.3.16).
const (
	zipDirEndSignature      = 0x06054b50
	zipDir64LocSignature    = 0x07064b50
	zipDir64EndSignature    = 0x06064b50
	zipDirHeaderSignature   = 0x02014b50
	zipDirEndLen            = 22
	zipDir64LocLen          = 20
	zipDir64EndLen          = 56
	zipDirHeaderLen         = 46
	zipMaxCommentSearchSpan = 65 * 1024
)

// countZipEntries counts the central-directory records of the ZIP in r,
// stopping once the count passes limit. archive/zip reads and allocates
// records until the first bad one, whatever count the archive declares.
// Counting them first, without allocating, lets a ZIP with millions of
// records be rejected cheaply. Like archive/zip, it reads from the start
// that the end record gives and from the start implied by the directory
// size, and keeps the larger count.
func countZipEntries(r io.ReaderAt, size int64, limit int) (int, error) {
	tailLen := min(size, zipMaxCommentSearchSpan)
	tail := make([]byte, tailLen)
	if _, err := r.ReadAt(tail, size-tailLen); err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	p := bytes.LastIndex(tail, binary.LittleEndian.AppendUint32(nil, zipDirEndSignature))
	if p < 0 || len(tail)-p < zipDirEndLen {
		return 0, errors.New("no end of central directory record")
	}
	endOffset := size - tailLen + int64(p)
	end := tail[p:]
	records := uint64(binary.LittleEndian.Uint16(end[10:]))
	dirSize := uint64(binary.LittleEndian.Uint32(end[12:]))
	dirOffset := uint64(binary.LittleEndian.Uint32(end[16:]))

	if records == 0xffff || dirSize == 0xffff || dirOffset == 0xffffffff {
		loc := make([]byte, zipDir64LocLen)
		if endOffset >= zipDir64LocLen {
			if _, err := r.ReadAt(loc, endOffset-zipDir64LocLen); err == nil &&
				binary.LittleEndian.Uint32(loc) == zipDir64LocSignature {
				recOffset := int64(binary.LittleEndian.Uint64(loc[8:]))
				rec := make([]byte, zipDir64EndLen)
				if recOffset >= 0 && recOffset < size {
					if _, err := r.ReadAt(rec, recOffset); err == nil && binary.LittleEndian.Uint32(rec) == zipDir64EndSignature {
						dirSize = binary.LittleEndian.Uint64(rec[40:])
						dirOffset = binary.LittleEndian.Uint64(rec[48:])
						endOffset = recOffset
					}
				}
			}
		}
	}

	best := 0
	for _, start := range []int64{endOffset - int64(dirSize), int64(dirOffset)} {
		if start < 0 || start >= size {
			continue
		}
		best = max(best, countDirectoryRecords(r, start, size, limit))
	}
	return best, nil
}

// countDirectoryRecords counts consecutive central-directory records from
// start, at most limit+1 of them.
func countDirectoryRecords(r io.ReaderAt, start, size int64, limit int) int {
	br := bufio.NewReaderSize(io.NewSectionReader(r, start, size-start), 64<<10)
	header := make([]byte, zipDirHeaderLen)
	n := 0
	for n <= limit {
		if _, err := io.ReadFull(br, header); err != nil {
			break
		}
		if binary.LittleEndian.Uint32(header) != zipDirHeaderSignature {
			break
		}
		n++
		variable := int(binary.LittleEndian.Uint16(header[28:])) + int(binary.LittleEndian.Uint16(header[30:])) +
			int(binary.LittleEndian.Uint16(header[32:]))
		if _, err := br.Discard(variable); err != nil {
			break
		}
	}
	return n
}
