package usecases

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases/bulkcsv"
)

// AssignPromotionCodesInput is the input of assign_promotion_codes.
type AssignPromotionCodesInput struct {
	// FileKey is the blob-store key of the CSV file of documents.
	FileKey string `json:"file_key"`
	// UserID is the back-office user recorded in the audit trail.
	UserID string `json:"user_id"`
	// PromotionKind is the kind of code to assign. Default TV.
	PromotionKind string `json:"promotion_kind,omitempty"`
}

// Kind returns the job's name on the queue.
func (AssignPromotionCodesInput) Kind() string { return "assign_promotion_codes" }

// AssignPromotionCodesConfig tunes assign_promotion_codes.
type AssignPromotionCodesConfig struct {
	// BatchSize is how many documents get codes in one transaction.
	// Default 1000.
	BatchSize int
	// MaxAlarmRows caps the documents without a code that the alarm of an
	// exhausted pool lists; the alarm counts them all. Default 50.
	MaxAlarmRows int
}

// WithDefaults returns a copy with the defaults filled in.
func (c AssignPromotionCodesConfig) WithDefaults() AssignPromotionCodesConfig {
	if c.BatchSize == 0 {
		c.BatchSize = 1000
	}
	if c.MaxAlarmRows == 0 {
		c.MaxAlarmRows = 50
	}
	return c
}

// Validate reports the first invalid field.
func (c AssignPromotionCodesConfig) Validate() error {
	if c.BatchSize < 1 {
		return fmt.Errorf("assign promotion codes config: BatchSize %d must be positive", c.BatchSize)
	}
	if c.MaxAlarmRows < 1 {
		return fmt.Errorf("assign promotion codes config: MaxAlarmRows %d must be positive", c.MaxAlarmRows)
	}
	return nil
}

// Row statuses of an assignment besides those of ports.AssignStatus.
const (
	AssignDuplicate = "duplicate"
	AssignInvalid   = "invalid"
)

// AssignRow is the outcome of one row of the file.
type AssignRow struct {
	Line           int    `json:"line"`
	DocumentType   string `json:"document_type"`
	DocumentNumber string `json:"document_number"`
	// Status is assigned, already_assigned, duplicate, invalid or
	// not_assigned_no_codes.
	Status string `json:"status"`
	Code   string `json:"code,omitempty"`
	// Error is the reason, in English, that the row got no code, for
	// engineers and logs.
	Error string `json:"error,omitempty"`
	// ReasonES is the same reason in Spanish for the back-office
	// operators, with what to do. The command's summaries show it.
	ReasonES string `json:"reason_es,omitempty"`
}

// AssignPromotionCodesResult is the result of assign_promotion_codes.
type AssignPromotionCodesResult struct {
	Assigned           int         `json:"assigned"`
	AlreadyAssigned    int         `json:"already_assigned"`
	Duplicate          int         `json:"duplicate"`
	Invalid            int         `json:"invalid"`
	NotAssignedNoCodes int         `json:"not_assigned_no_codes"`
	AlarmRaised        bool        `json:"alarm_raised"`
	Rows               []AssignRow `json:"rows"`
}

// AssignPromotionCodes runs assign_promotion_codes: each document of the
// file that has no code of the kind gets the next free one.
type AssignPromotionCodes struct {
	cfg    AssignPromotionCodesConfig
	blobs  ports.BlobStore
	codes  ports.PromotionStore
	alarms ports.AlarmStore
	clock  ports.Clock
	logger *slog.Logger
}

// NewAssignPromotionCodes builds the handler.
func NewAssignPromotionCodes(cfg AssignPromotionCodesConfig, blobs ports.BlobStore, codes ports.PromotionStore,
	alarms ports.AlarmStore, clock ports.Clock, logger *slog.Logger) (*AssignPromotionCodes, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if blobs == nil || codes == nil || alarms == nil {
		return nil, errors.New("new assign promotion codes: blob store, promotion store and alarm store are required")
	}
	if clock == nil {
		clock = ports.SystemClock{}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &AssignPromotionCodes{cfg: cfg, blobs: blobs, codes: codes, alarms: alarms, clock: clock, logger: logger}, nil
}

var documentColumns = []bulkcsv.Column{
	{Name: "document_type", Aliases: []string{"tipo de documento", "tipo documento", "tipo_doc", "tipo", "type", "document type"}, Required: true},
	{Name: "document_number", Aliases: []string{"numero de documento", "numero documento", "num_doc", "numero", "documento", "number", "document"}, Required: true},
}

// Handle reads the file and assigns codes in batches. Each row is checked
// with domain.ParseDocument; a document repeated in the file is served once
// and its repeats reported with the first line. When the pool runs out,
// the remaining documents are reported as not assigned and one alarm is
// raised for the run.
func (h *AssignPromotionCodes) Handle(ctx context.Context, in AssignPromotionCodesInput) (AssignPromotionCodesResult, error) {
	res := AssignPromotionCodesResult{Rows: []AssignRow{}}
	log := h.logger.With("job", in.Kind(), "file_key", in.FileKey, "user_id", in.UserID)

	if in.UserID == "" {
		return res, domain.Permanent(domain.Invalid("user id", in.UserID, "must not be empty: the audit trail names the user"))
	}
	kind, err := domain.ParsePromotionKind(in.PromotionKind)
	if err != nil {
		return res, domain.Permanent(err)
	}
	body, err := h.blobs.Get(ctx, in.FileKey)
	if err != nil {
		if errors.Is(err, domain.ErrNotFound) || errors.Is(err, domain.ErrInvalid) {
			return res, domain.Permanent(fmt.Errorf("read document file %q: %w", in.FileKey, err))
		}
		return res, fmt.Errorf("read document file %q: %w", in.FileKey, err)
	}
	defer body.Close()
	reader, err := bulkcsv.NewReader(body, documentColumns)
	if err != nil {
		return res, readError(fmt.Errorf("document file %q rejected: %w", in.FileKey, err))
	}

	firstLine := map[domain.Document]int{}
	var pending []int // indexes into res.Rows of documents waiting for a batch
	progress := ports.ProgressFrom(ctx)
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		docs := make([]domain.Document, len(pending))
		for i, idx := range pending {
			docs[i] = domain.Document{Kind: domain.DocumentKind(res.Rows[idx].DocumentType), Number: res.Rows[idx].DocumentNumber}
		}
		got, err := h.codes.AssignPromotionCodes(ctx, ports.AssignRequest{Kind: kind, Documents: docs, By: in.UserID, At: h.clock.Now()})
		if err != nil {
			return err
		}
		for i, a := range got {
			row := &res.Rows[pending[i]]
			row.Status, row.Code = string(a.Status), a.Code
			switch a.Status {
			case ports.AssignAssigned:
				res.Assigned++
			case ports.AssignAlreadyAssigned:
				res.AlreadyAssigned++
			case ports.AssignNoFreeCode:
				res.NotAssignedNoCodes++
				row.Error = "no free " + string(kind) + " promotion code left; load more codes and run the file again"
				row.ReasonES = noFreeCodeReason(kind)
			}
		}
		progress.Add(int64(len(pending)))
		pending = pending[:0]
		return nil
	}

	for {
		row, err := reader.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var rowErr *bulkcsv.RowError
		if errors.As(err, &rowErr) {
			res.Invalid++
			res.Rows = append(res.Rows, AssignRow{Line: rowErr.Line, Status: AssignInvalid, Error: rowErr.Err.Error(),
				ReasonES: rowErrorReason(rowErr)})
			continue
		}
		if err != nil {
			return res, readError(fmt.Errorf("read document file %q: %w", in.FileKey, err))
		}

		r := AssignRow{Line: row.Line, DocumentType: row.Get("document_type"), DocumentNumber: row.Get("document_number")}
		doc, err := domain.ParseDocument(r.DocumentType, r.DocumentNumber)
		switch {
		case err != nil:
			r.Status, r.Error = AssignInvalid, err.Error()
			r.ReasonES = documentReason(r.DocumentType, r.DocumentNumber, err)
			res.Invalid++
		case firstLine[doc] != 0:
			r.DocumentType, r.DocumentNumber = string(doc.Kind), doc.Number
			r.Status, r.Error = AssignDuplicate, fmt.Sprintf("document %s repeats line %d", doc, firstLine[doc])
			r.ReasonES = duplicateDocumentReason(doc, firstLine[doc])
			res.Duplicate++
		default:
			firstLine[doc] = row.Line
			r.DocumentType, r.DocumentNumber = string(doc.Kind), doc.Number
			pending = append(pending, len(res.Rows))
		}
		res.Rows = append(res.Rows, r)

		if len(pending) == h.cfg.BatchSize {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	if err := flush(); err != nil {
		return res, err
	}

	log.InfoContext(ctx, "promotion codes assigned", "assigned", res.Assigned, "already_assigned", res.AlreadyAssigned,
		"duplicate", res.Duplicate, "invalid", res.Invalid, "not_assigned_no_codes", res.NotAssignedNoCodes)

	if res.NotAssignedNoCodes > 0 {
		name := "assign_promotion_codes:no_free_codes:" + string(kind)
		if err := h.raiseNoFreeCodesAlarm(ctx, name, in, kind, &res); err != nil {
			return res, err
		}
		log.WarnContext(ctx, "alarm raised", "alarm", name, "not_assigned_no_codes", res.NotAssignedNoCodes)
	}
	return res, nil
}

// raiseNoFreeCodesAlarm raises the alarm of an exhausted pool. It lists
// the documents left without a code, capped at MaxAlarmRows.
func (h *AssignPromotionCodes) raiseNoFreeCodesAlarm(ctx context.Context, name string, in AssignPromotionCodesInput,
	kind domain.PromotionKind, res *AssignPromotionCodesResult) error {
	var details strings.Builder
	fmt.Fprintf(&details, "Fichero: %s\nUsuario: %s\n", in.FileKey, in.UserID)
	fmt.Fprintf(&details, "%s sin código y %s en esta ejecución.\n",
		spanishCount(res.NotAssignedNoCodes, "documento se ha quedado", "documentos se han quedado"),
		spanishCount(res.Assigned, "lo ha recibido", "lo han recibido"))
	fmt.Fprintf(&details, "Cargue más códigos %s y vuelva a lanzar el fichero: los documentos que ya tienen código no recibirán otro.\n", kind)

	details.WriteString("Documentos sin código:\n")
	listed := 0
	for _, r := range res.Rows {
		if r.Status != string(ports.AssignNoFreeCode) {
			continue
		}
		if listed == h.cfg.MaxAlarmRows {
			fmt.Fprintf(&details, "… y %d más.\n", res.NotAssignedNoCodes-listed)
			break
		}
		doc := domain.Document{Kind: domain.DocumentKind(r.DocumentType), Number: r.DocumentNumber}
		fmt.Fprintf(&details, "Línea %d: %s\n", r.Line, spanishDocument(doc))
		listed++
	}

	msg := fmt.Sprintf("No quedan códigos promocionales %s libres", kind)
	alarm, err := domain.NewAlarm(name, msg, details.String(), h.clock.Now())
	if err != nil {
		return err
	}
	if _, err := h.alarms.RaiseAlarm(ctx, alarm); err != nil {
		return fmt.Errorf("raise alarm %q: %w", name, err)
	}
	res.AlarmRaised = true
	return nil
}

// spanishCount returns n followed by one when n is 1 and by many
// otherwise, so that the words agree with the count.
func spanishCount(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// HandleJob implements ports.JobHandler.
func (h *AssignPromotionCodes) HandleJob(ctx context.Context, in AssignPromotionCodesInput) error {
	_, err := h.Handle(ctx, in)
	return err
}
