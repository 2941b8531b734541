package usecases

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// DeleteUsedIccsInput is the input of delete_used_iccs.
type DeleteUsedIccsInput struct {
	// DaysOld is the minimum age in days of the purchases; 0 means 60.
	DaysOld int `json:"days_old,omitempty"`
}

// Kind returns the job's name on the queue.
func (DeleteUsedIccsInput) Kind() string { return "delete_used_iccs" }

// DeleteUsedIccsAlarmName names the alarm that lists PDFs left in the blob
// store after their rows were deleted.
const DeleteUsedIccsAlarmName = "delete_used_iccs_pdfs"

// DeleteUsedIccsConfig configures delete_used_iccs.
type DeleteUsedIccsConfig struct {
	// TimeZone is the IANA zone whose calendar days DaysOld counts.
	// Default Europe/Madrid.
	TimeZone string
	// DaysOld is used when the input gives 0. Default 60.
	DaysOld int
	// BatchSize is how many ICC rows one statement deletes. Default 500.
	BatchSize int
}

// WithDefaults returns a copy with the defaults filled in.
func (c DeleteUsedIccsConfig) WithDefaults() DeleteUsedIccsConfig {
	if c.TimeZone == "" {
		c.TimeZone = domain.DefaultTimeZone
	}
	if c.DaysOld == 0 {
		c.DaysOld = 60
	}
	if c.BatchSize == 0 {
		c.BatchSize = 500
	}
	return c
}

// Validate reports the first invalid field.
func (c DeleteUsedIccsConfig) Validate() error {
	if _, err := domain.LoadZone(c.TimeZone); err != nil {
		return fmt.Errorf("delete used ICCs config: TimeZone: %w", err)
	}
	if c.DaysOld < 0 {
		return fmt.Errorf("delete used ICCs config: DaysOld %d must not be negative", c.DaysOld)
	}
	if c.BatchSize < 0 {
		return fmt.Errorf("delete used ICCs config: BatchSize %d must not be negative", c.BatchSize)
	}
	return nil
}

// DeleteUsedIccsResult is the outcome of one run.
type DeleteUsedIccsResult struct {
	// Cutoff is the creation time, in UTC, before which purchases count as
	// old.
	Cutoff time.Time `json:"cutoff"`
	// Deleted counts the deleted ICC rows, in Batches statements.
	Deleted int `json:"deleted"`
	Batches int `json:"batches"`
	// PDFsDeleted counts the PDFs removed from the blob store.
	PDFsDeleted int `json:"pdfs_deleted"`
	// PDFsLeft lists the keys of PDFs whose deletion failed; an alarm lists
	// them too.
	PDFsLeft []string `json:"pdfs_left,omitempty"`
}

// DeleteUsedIccs deletes the ICC rows of old purchases, batch by batch, and
// their PDFs. Each batch deletes the rows first and then the PDFs: a
// failure in between leaves PDFs without rows, which an alarm lists, and
// never a row whose PDF is gone. The purchases keep their ICC code.
type DeleteUsedIccs struct {
	cfg    DeleteUsedIccsConfig
	loc    *time.Location
	iccs   ports.UsedIccPurger
	blobs  ports.BlobStore
	alarms ports.AlarmStore
	clock  ports.Clock
	logger *slog.Logger
}

// NewDeleteUsedIccs builds the use case. A nil logger discards.
func NewDeleteUsedIccs(cfg DeleteUsedIccsConfig, iccs ports.UsedIccPurger, blobs ports.BlobStore, alarms ports.AlarmStore,
	clock ports.Clock, logger *slog.Logger) (*DeleteUsedIccs, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch {
	case iccs == nil:
		return nil, errors.New("delete used ICCs: UsedIccPurger is nil")
	case blobs == nil:
		return nil, errors.New("delete used ICCs: BlobStore is nil")
	case alarms == nil:
		return nil, errors.New("delete used ICCs: AlarmStore is nil")
	case clock == nil:
		return nil, errors.New("delete used ICCs: Clock is nil")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	loc, _ := domain.LoadZone(cfg.TimeZone)
	return &DeleteUsedIccs{cfg: cfg, loc: loc, iccs: iccs, blobs: blobs, alarms: alarms, clock: clock, logger: logger}, nil
}

// HandleJob runs Handle for the job engine.
func (h *DeleteUsedIccs) HandleJob(ctx context.Context, in DeleteUsedIccsInput) error {
	_, err := h.Handle(ctx, in)
	return err
}

// MaxDaysOld bounds DaysOld: larger values overflow the date arithmetic
// and could put the cutoff in the future.
const MaxDaysOld = 36500

// Handle deletes the ICCs of the purchases created more than DaysOld
// calendar days ago in the business zone. A negative DaysOld is a
// permanent error.
func (h *DeleteUsedIccs) Handle(ctx context.Context, in DeleteUsedIccsInput) (DeleteUsedIccsResult, error) {
	days := in.DaysOld
	if days == 0 {
		days = h.cfg.DaysOld
	}
	if days < 0 || days > MaxDaysOld {
		return DeleteUsedIccsResult{}, domain.Permanent(domain.Invalid("days_old", fmt.Sprint(in.DaysOld),
			fmt.Sprintf("must be 0 (for 60) or a number of days from 1 to %d", MaxDaysOld)))
	}
	res := DeleteUsedIccsResult{Cutoff: h.clock.Now().In(h.loc).AddDate(0, 0, -days).UTC()}
	if !res.Cutoff.Before(h.clock.Now()) {
		// Defence in depth: a cutoff that is not in the past would delete
		// the ICCs of purchases still in progress.
		return DeleteUsedIccsResult{}, domain.Permanent(fmt.Errorf("delete_used_iccs: cutoff %s is not in the past", res.Cutoff))
	}
	logger := h.logger.With("job", in.Kind(), "cutoff", res.Cutoff)

	for {
		deleted, err := h.iccs.DeleteUsedIccs(ctx, res.Cutoff, h.cfg.BatchSize)
		if err != nil {
			h.reportLeftPDFs(ctx, logger, res.PDFsLeft)
			return res, fmt.Errorf("delete used ICCs after %d deleted: %w", res.Deleted, err)
		}
		if len(deleted) > 0 {
			res.Batches++
			res.Deleted += len(deleted)
		}

		for _, icc := range deleted {
			if icc.PDFKey == "" {
				continue
			}
			if err := h.blobs.Delete(ctx, icc.PDFKey); err != nil {
				logger.WarnContext(ctx, "PDF of a deleted ICC not deleted", "iccid", icc.ICCID, "pdf_key", icc.PDFKey, "error", err)
				res.PDFsLeft = append(res.PDFsLeft, icc.PDFKey)
				continue
			}
			res.PDFsDeleted++
		}
		if len(deleted) < h.cfg.BatchSize {
			break
		}
	}

	h.reportLeftPDFs(ctx, logger, res.PDFsLeft)
	logger.InfoContext(ctx, "used ICCs deleted", "deleted", res.Deleted, "batches", res.Batches,
		"pdfs_deleted", res.PDFsDeleted, "pdfs_left", len(res.PDFsLeft))
	return res, nil
}

// reportLeftPDFs raises an alarm listing the PDFs that stay in the blob
// store without a row, since no later run will find them.
func (h *DeleteUsedIccs) reportLeftPDFs(ctx context.Context, logger *slog.Logger, keys []string) {
	if len(keys) == 0 {
		return
	}
	alarm, err := domain.NewAlarm(DeleteUsedIccsAlarmName,
		fmt.Sprintf("%d PDF de ICCs borrados no se han podido eliminar del almacenamiento", len(keys)),
		"Bórrelos a mano:\n"+strings.Join(keys, "\n"), h.clock.Now())
	if err == nil {
		_, err = h.alarms.RaiseAlarm(ctx, alarm)
	}
	if err != nil {
		logger.ErrorContext(ctx, "alarm not raised", "alarm", DeleteUsedIccsAlarmName, "error", err)
	}
}
