package usecases

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases/bulkcsv"
)

// LoadPromotionCodesInput is the input of load_promotion_codes.
type LoadPromotionCodesInput struct {
	// FileKey is the blob-store key of a text file with one code per line.
	// A first line "code" or "codigo" is taken as a header and skipped.
	FileKey string `json:"file_key"`
	// PromotionKind is the kind of the codes. Default TV.
	PromotionKind string `json:"promotion_kind,omitempty"`
}

// Kind returns the job's name on the queue.
func (LoadPromotionCodesInput) Kind() string { return "load_promotion_codes" }

// LoadPromotionCodesResult is the result of load_promotion_codes.
type LoadPromotionCodesResult struct {
	Added int `json:"added"`
	// AlreadyPresent counts codes the pool had before; AlreadyPresentCodes
	// lists them, capped at 1000.
	AlreadyPresent      int      `json:"already_present"`
	AlreadyPresentCodes []string `json:"already_present_codes"`
	// Rejected lists invalid lines and codes repeated in the file.
	Rejected []RejectedRow `json:"rejected"`
}

// maxListedCodes caps the codes and lines listed in a load result.
const maxListedCodes = 1000

// loadBatch is how many codes are added in one statement.
const loadBatch = 1000

// LoadPromotionCodes runs load_promotion_codes: it adds free codes to the
// pool from a file in the blob store.
type LoadPromotionCodes struct {
	blobs  ports.BlobStore
	codes  ports.PromotionStore
	clock  ports.Clock
	logger *slog.Logger
}

// NewLoadPromotionCodes builds the handler.
func NewLoadPromotionCodes(blobs ports.BlobStore, codes ports.PromotionStore, clock ports.Clock, logger *slog.Logger) (*LoadPromotionCodes, error) {
	if blobs == nil || codes == nil {
		return nil, errors.New("new load promotion codes: blob store and promotion store are required")
	}
	if clock == nil {
		clock = ports.SystemClock{}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &LoadPromotionCodes{blobs: blobs, codes: codes, clock: clock, logger: logger}, nil
}

// Handle reads the file (UTF-8 or Windows-1252, CRLF or LF, blank lines
// skipped), checks each code with domain.ValidatePromotionCode and adds
// them in batches. Codes the pool already has are reported, not changed.
func (h *LoadPromotionCodes) Handle(ctx context.Context, in LoadPromotionCodesInput) (LoadPromotionCodesResult, error) {
	res := LoadPromotionCodesResult{AlreadyPresentCodes: []string{}, Rejected: []RejectedRow{}}
	kind, err := domain.ParsePromotionKind(in.PromotionKind)
	if err != nil {
		return res, domain.Permanent(err)
	}
	body, err := h.blobs.Get(ctx, in.FileKey)
	if err != nil {
		if errors.Is(err, domain.ErrNotFound) || errors.Is(err, domain.ErrInvalid) {
			return res, domain.Permanent(fmt.Errorf("read code file %q: %w", in.FileKey, err))
		}
		return res, fmt.Errorf("read code file %q: %w", in.FileKey, err)
	}
	defer body.Close()
	text, _, err := bulkcsv.Decode(body)
	if errors.Is(err, domain.ErrInvalid) {
		// A UTF-16 file reads the same on every retry.
		return res, domain.Permanent(fmt.Errorf("code file %q rejected: %w", in.FileKey, err))
	}
	if err != nil {
		return res, fmt.Errorf("read code file %q: %w", in.FileKey, err)
	}

	seen := map[string]int{}
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		existing, err := h.codes.AddPromotionCodes(ctx, kind, batch, h.clock.Now())
		if err != nil {
			return err
		}
		res.Added += len(batch) - len(existing)
		res.AlreadyPresent += len(existing)
		for _, c := range existing {
			if len(res.AlreadyPresentCodes) < maxListedCodes {
				res.AlreadyPresentCodes = append(res.AlreadyPresentCodes, c)
			}
		}
		batch = batch[:0]
		return nil
	}
	reject := func(r RejectedRow) {
		if len(res.Rejected) < maxListedCodes {
			res.Rejected = append(res.Rejected, r)
		}
	}

	sc := bufio.NewScanner(text)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	line := 0
	for sc.Scan() {
		line++
		code := strings.TrimSpace(sc.Text())
		if code == "" {
			continue
		}
		if line == 1 {
			switch strings.ToLower(code) {
			case "code", "codigo", "código", "codes", "codigos", "códigos":
				continue
			}
		}
		if err := domain.ValidatePromotionCode(code); err != nil {
			reject(RejectedRow{Line: line, Column: "code", Value: code, Error: err.Error(), ReasonES: promotionCodeReason(code)})
			continue
		}
		if first, dup := seen[code]; dup {
			reject(RejectedRow{Line: line, Column: "code", Value: code, Error: fmt.Sprintf("code %s repeats line %d", code, first),
				ReasonES: repeatedPromotionCodeReason(code, first)})
			continue
		}
		seen[code] = line
		batch = append(batch, code)
		if len(batch) == loadBatch {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		err = fmt.Errorf("read code file %q after line %d: %w", in.FileKey, line, err)
		if errors.Is(err, bufio.ErrTooLong) {
			return res, domain.Permanent(err)
		}
		// A broken connection is retried; the codes already loaded are
		// then reported as present.
		return res, err
	}
	if err := flush(); err != nil {
		return res, err
	}

	h.logger.InfoContext(ctx, "promotion codes loaded", "job", in.Kind(), "file_key", in.FileKey,
		"kind", string(kind), "added", res.Added, "already_present", res.AlreadyPresent, "rejected", len(res.Rejected))
	return res, nil
}

// HandleJob implements ports.JobHandler.
func (h *LoadPromotionCodes) HandleJob(ctx context.Context, in LoadPromotionCodesInput) error {
	_, err := h.Handle(ctx, in)
	return err
}
