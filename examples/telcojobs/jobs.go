package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// jobSpec describes one job for the run and enqueue commands.
type jobSpec struct {
	// Name is the job's name in kebab case, as typed on the command line.
	Name string
	// Kind is the job's name on the queue.
	Kind  string
	Short string
	// Flags declares the job's flags on fs and returns the function that
	// builds the job's input from them once the app is open.
	Flags func(fs *pflag.FlagSet, cfg *Config) func(ctx context.Context, a *App) (ports.JobArgs, error)
	// Run runs the input in this process and returns the result.
	Run func(ctx context.Context, a *App, in ports.JobArgs) (any, error)
}

// handler is the method set that every use case offers the command.
type handler[In ports.JobArgs, Out any] interface {
	Handle(ctx context.Context, in In) (Out, error)
}

// runWith adapts a use case's Handle to jobSpec.Run.
func runWith[In ports.JobArgs, Out any](pick func(*UseCases) handler[In, Out]) func(context.Context, *App, ports.JobArgs) (any, error) {
	return func(ctx context.Context, a *App, in ports.JobArgs) (any, error) {
		out, err := pick(a.UseCases).Handle(ctx, in.(In))
		if err != nil {
			return out, err
		}
		// Some results stand for a failure that Handle reports in the
		// result, such as a vendor feed that failed: the command exits 1
		// for them, as the job engine retries them.
		if failure, ok := any(out).(interface{ Err() error }); ok {
			return out, failure.Err()
		}
		return out, nil
	}
}

// noFlags is the Flags of a job without flags.
func noFlags[In ports.JobArgs](in In) func(*pflag.FlagSet, *Config) func(context.Context, *App) (ports.JobArgs, error) {
	return func(*pflag.FlagSet, *Config) func(context.Context, *App) (ports.JobArgs, error) {
		return func(context.Context, *App) (ports.JobArgs, error) { return in, nil }
	}
}

// uploadFile copies a local file into the blob store under uploads/ and
// returns its key, so that a worker on another machine can read it.
func uploadFile(ctx context.Context, a *App, job, path string) (string, error) {
	if path == "" {
		return "", usageErrorf("--file is required: the path of the file to process")
	}
	f, err := os.Open(path)
	if err != nil {
		return "", usageErrorf("--file %s: %v", path, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return "", usageErrorf("--file %s is a folder; give a file", path)
	}

	name := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 {
			return '_'
		}
		return r
	}, filepath.Base(path))
	key := fmt.Sprintf("uploads/%s/%s-%s", job, time.Now().UTC().Format("20060102T150405.000000000"), name)
	if err := a.Blobs.Put(ctx, key, f); err != nil {
		return "", fmt.Errorf("upload %s to the blob store: %w", path, err)
	}
	a.uploaded = append(a.uploaded, key)
	return key, nil
}

// parseLocalTime reads a flag value that is either a date (YYYY-MM-DD, the
// start of that day in the business zone) or an RFC 3339 instant.
func parseLocalTime(flag, value, zone string) (time.Time, error) {
	if value == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, value); err == nil {
		return t, nil
	}
	loc, err := domain.LoadZone(zone)
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.ParseInLocation("2006-01-02", value, loc)
	if err != nil {
		return time.Time{}, usageErrorf("--%s %q: expected a date such as 2025-03-30 or an instant such as 2025-03-30T07:00:00+02:00", flag, value)
	}
	return t, nil
}

// jobSpecs lists every job the command can run or enqueue.
func jobSpecs() []jobSpec {
	specs := []jobSpec{
		{
			Name: "send-daily-validation-report", Kind: "send_daily_validation_report",
			Short: "E-mail the activation data of the last day as a CSV file",
			Flags: func(fs *pflag.FlagSet, cfg *Config) func(context.Context, *App) (ports.JobArgs, error) {
				emails := fs.StringSlice("emails", nil, "comma-separated recipients; default --report-recipients")
				date := fs.String("date", "", "report for the window ending at 07:00 of this date (YYYY-MM-DD, business zone); default today")
				resend := fs.Bool("resend", false, "send the day's report again to recipients who already had it")
				return func(context.Context, *App) (ports.JobArgs, error) {
					in := usecases.SendDailyValidationReportInput{Emails: *emails, Date: *date, Resend: *resend}
					if len(in.Emails) == 0 {
						in.Emails = cfg.ReportRecipients
					}
					if len(in.Emails) == 0 {
						return nil, usageErrorf("--emails or --report-recipients is required: who receives the report")
					}
					return in, nil
				}
			},
			Run: runWith(func(u *UseCases) handler[usecases.SendDailyValidationReportInput, usecases.SendDailyValidationReportResult] {
				return u.SendDailyValidationReport
			}),
		},
		{
			Name: "update-device-data", Kind: "update_device_data",
			Short: "Sync the whole device catalogue from Orion",
			Flags: func(fs *pflag.FlagSet, _ *Config) func(context.Context, *App) (ports.JobArgs, error) {
				force := fs.Bool("force", false, "disable the devices Orion no longer lists even when the safety valve would stop it")
				return func(context.Context, *App) (ports.JobArgs, error) {
					return usecases.UpdateDeviceDataInput{Force: *force}, nil
				}
			},
			Run: runWith(func(u *UseCases) handler[usecases.UpdateDeviceDataInput, usecases.UpdateDeviceDataResult] {
				return u.UpdateDeviceData
			}),
		},
		{
			Name: "update-devices-stock", Kind: "update_devices_stock",
			Short: "Update the stock of every offer of the enabled devices from Orion",
			Flags: noFlags(usecases.UpdateDevicesStockInput{}),
			Run: runWith(func(u *UseCases) handler[usecases.UpdateDevicesStockInput, usecases.UpdateDevicesStockResult] {
				return u.UpdateDevicesStock
			}),
		},
		{
			Name: "check-coverage-from-leads", Kind: "check_coverage_from_leads_ids",
			Short: "Check the fibre coverage of leads with the Telco API",
			Flags: func(fs *pflag.FlagSet, _ *Config) func(context.Context, *App) (ports.JobArgs, error) {
				ids := fs.Int64Slice("lead-ids", nil, "comma-separated lead ids (required)")
				return func(context.Context, *App) (ports.JobArgs, error) {
					if len(*ids) == 0 {
						return nil, usageErrorf("--lead-ids is required: the ids of the leads to check")
					}
					return usecases.CheckCoverageFromLeadsInput{LeadIDs: *ids}, nil
				}
			},
			Run: runWith(func(u *UseCases) handler[usecases.CheckCoverageFromLeadsInput, usecases.CheckCoverageFromLeadsResult] {
				return u.CheckCoverageFromLeads
			}),
		},
		sendSpec("send-async-email", "send_async_email", "e-mail", domain.ChannelEmail,
			func(id int64) usecases.SendAsyncEmailInput { return usecases.SendAsyncEmailInput{NotificationID: id} },
			func(u *UseCases) handler[usecases.SendAsyncEmailInput, usecases.SendAsyncEmailResult] {
				return u.SendAsyncEmail
			}),
		sendSpec("send-async-sms", "send_async_sms", "SMS", domain.ChannelSMS,
			func(id int64) usecases.SendAsyncSMSInput { return usecases.SendAsyncSMSInput{NotificationID: id} },
			func(u *UseCases) handler[usecases.SendAsyncSMSInput, usecases.SendAsyncSMSResult] {
				return u.SendAsyncSMS
			}),
		{
			Name: "assign-promotion-codes", Kind: "assign_promotion_codes",
			Short: "Assign a free promotion code to each document of a CSV file",
			Flags: func(fs *pflag.FlagSet, _ *Config) func(context.Context, *App) (ports.JobArgs, error) {
				file := fs.String("file", "", "CSV file with the columns document type and document number (required)")
				user := fs.String("user-id", "", "back-office user recorded in the audit trail (required)")
				kind := fs.String("kind", "", "kind of promotion code; default TV")
				return func(ctx context.Context, a *App) (ports.JobArgs, error) {
					if strings.TrimSpace(*user) == "" {
						return nil, usageErrorf("--user-id is required: the back-office user the audit trail names")
					}
					key, err := uploadFile(ctx, a, "assign_promotion_codes", *file)
					if err != nil {
						return nil, err
					}
					return usecases.AssignPromotionCodesInput{FileKey: key, UserID: *user, PromotionKind: *kind}, nil
				}
			},
			Run: runWith(func(u *UseCases) handler[usecases.AssignPromotionCodesInput, usecases.AssignPromotionCodesResult] {
				return u.AssignPromotionCodes
			}),
		},
		{
			Name: "import-iccs-from-zipfile", Kind: "import_iccs_from_zipfile",
			Short: "Import eSIM ICCs from a ZIP archive of PDF files",
			Flags: func(fs *pflag.FlagSet, _ *Config) func(context.Context, *App) (ports.JobArgs, error) {
				file := fs.String("file", "", "ZIP file of eSIM PDFs named by ICCID; it is copied into the blob store")
				zipKey := fs.String("zip-key", "", "blob-store key of a ZIP already uploaded (instead of --file)")
				return func(ctx context.Context, a *App) (ports.JobArgs, error) {
					if *zipKey != "" {
						if *file != "" {
							return nil, usageErrorf("give --file or --zip-key, not both")
						}
						if ok, err := a.Blobs.Exists(ctx, *zipKey); err != nil || !ok {
							return nil, usageErrorf("--zip-key %q: no such object in the blob store", *zipKey)
						}
						return usecases.ImportIccsFromZipfileInput{ZipKey: *zipKey}, nil
					}
					key, err := uploadFile(ctx, a, "import_iccs_from_zipfile", *file)
					if err != nil {
						return nil, err
					}
					return usecases.ImportIccsFromZipfileInput{ZipKey: key}, nil
				}
			},
			Run: runWith(func(u *UseCases) handler[usecases.ImportIccsFromZipfileInput, usecases.ImportIccsFromZipfileResult] {
				return u.ImportIccsFromZipfile
			}),
		},
		{
			Name: "check-number-of-unassigned-esim-iccs", Kind: "check_number_of_unassigned_esim_iccs",
			Short: "Alert by e-mail when free eSIM ICCs fall below a threshold",
			Flags: func(fs *pflag.FlagSet, cfg *Config) func(context.Context, *App) (ports.JobArgs, error) {
				threshold := fs.Int("threshold", 0, "free eSIM ICCs below which the alert is sent; default --esim-threshold")
				recipients := fs.StringSlice("recipients", nil, "comma-separated recipients; default --alert-recipients")
				return func(context.Context, *App) (ports.JobArgs, error) {
					in := usecases.CheckNumberOfUnassignedEsimIccsInput{Threshold: *threshold, Recipients: *recipients}
					if in.Threshold == 0 {
						in.Threshold = cfg.EsimThreshold
					}
					if len(in.Recipients) == 0 {
						in.Recipients = cfg.AlertRecipients
					}
					return in, nil
				}
			},
			Run: runWith(func(u *UseCases) handler[usecases.CheckNumberOfUnassignedEsimIccsInput, usecases.CheckNumberOfUnassignedEsimIccsResult] {
				return u.CheckNumberOfUnassignedEsimIccs
			}),
		},
		{
			Name: "unassign-esim-iccs", Kind: "unassign_esim_iccs",
			Short: "Release the eSIM ICCs of pending purchases delivered by e-mail",
			Flags: func(fs *pflag.FlagSet, cfg *Config) func(context.Context, *App) (ports.JobArgs, error) {
				start := fs.String("start", "", "start of the last-attempt range: YYYY-MM-DD (business zone) or RFC 3339; default yesterday")
				end := fs.String("end", "", "end of the range, exclusive; default today 00:00")
				return func(context.Context, *App) (ports.JobArgs, error) {
					s, err := parseLocalTime("start", *start, cfg.TimeZone)
					if err != nil {
						return nil, err
					}
					e, err := parseLocalTime("end", *end, cfg.TimeZone)
					if err != nil {
						return nil, err
					}
					if s.IsZero() != e.IsZero() {
						return nil, usageErrorf("give both --start and --end, or neither for yesterday")
					}
					return usecases.UnassignEsimIccsInput{Start: s, End: e}, nil
				}
			},
			Run: runWith(func(u *UseCases) handler[usecases.UnassignEsimIccsInput, usecases.UnassignEsimIccsResult] {
				return u.UnassignEsimIccs
			}),
		},
		{
			Name: "delete-used-iccs", Kind: "delete_used_iccs",
			Short: "Delete the ICCs, and their PDFs, of purchases older than some days",
			Flags: func(fs *pflag.FlagSet, _ *Config) func(context.Context, *App) (ports.JobArgs, error) {
				days := fs.Int("days-old", 60, "minimum age of the purchases in days")
				return func(context.Context, *App) (ports.JobArgs, error) {
					if *days <= 0 || *days > usecases.MaxDaysOld {
						return nil, usageErrorf("--days-old %d: expected a number of days from 1 to %d", *days, usecases.MaxDaysOld)
					}
					return usecases.DeleteUsedIccsInput{DaysOld: *days}, nil
				}
			},
			Run: runWith(func(u *UseCases) handler[usecases.DeleteUsedIccsInput, usecases.DeleteUsedIccsResult] {
				return u.DeleteUsedIccs
			}),
		},
		{
			Name: "check-schedules", Kind: "check_schedules",
			Short: "Fire the schedule slots that are due (run every minute by the worker)",
			Flags: noFlags(usecases.CheckSchedulesInput{}),
			Run: runWith(func(u *UseCases) handler[usecases.CheckSchedulesInput, usecases.CheckSchedulesResult] {
				return u.CheckSchedules
			}),
		},
		{
			Name: "run-schedule-action", Kind: "run_schedule_action",
			Short: "Run the action of one schedule now",
			Flags: func(fs *pflag.FlagSet, _ *Config) func(context.Context, *App) (ports.JobArgs, error) {
				id := fs.Int64("schedule-id", 0, "id of the schedule (required)")
				return func(ctx context.Context, a *App) (ports.JobArgs, error) {
					if *id <= 0 {
						return nil, usageErrorf("--schedule-id is required: a positive schedule id")
					}
					if _, err := a.Store.Schedule(ctx, *id); err != nil {
						return nil, usageErrorf("--schedule-id %d: %v", *id, err)
					}
					return usecases.RunScheduleActionInput{ScheduleID: *id}, nil
				}
			},
			Run: runWith(func(u *UseCases) handler[usecases.RunScheduleActionInput, usecases.RunScheduleActionResult] {
				return u.RunScheduleAction
			}),
		},
		outletSpec("update-sellers", "update_sellers", "sellers"),
		outletSpec("update-shops", "update_shops", "shops"),
	}
	sort.Slice(specs, func(i, j int) bool { return specs[i].Name < specs[j].Name })
	return specs
}

// sendSpec is the spec of send-async-email and send-async-sms, which take
// the same flag and differ in the channel they send.
func sendSpec[In ports.JobArgs, Out any](name, kind, what string, channel domain.NotificationChannel,
	input func(id int64) In, pick func(*UseCases) handler[In, Out]) jobSpec {
	return jobSpec{
		Name: name, Kind: kind,
		Short: "Send one " + what + " notification",
		Flags: func(fs *pflag.FlagSet, _ *Config) func(context.Context, *App) (ports.JobArgs, error) {
			id := fs.Int64("notification-id", 0, "id of the notification to send (required)")
			return func(ctx context.Context, a *App) (ports.JobArgs, error) {
				if err := checkNotification(ctx, a, *id, channel); err != nil {
					return nil, err
				}
				return input(*id), nil
			}
		},
		Run: runWith(pick),
	}
}

// outletSpec is the spec of update-shops and update-sellers, which take the
// same flags.
func outletSpec(name, kind, what string) jobSpec {
	return jobSpec{
		Name: name, Kind: kind,
		Short: "Import the " + what + " of a sales channel from a CSV file",
		Flags: func(fs *pflag.FlagSet, _ *Config) func(context.Context, *App) (ports.JobArgs, error) {
			channel := fs.String("channel", "", "slug of the sales channel (required)")
			file := fs.String("file", "", "CSV file of "+what+" (required)")
			force := fs.Bool("force", false, "disable the "+what+" missing from the file even when the safety valve would stop it")
			return func(ctx context.Context, a *App) (ports.JobArgs, error) {
				if *channel == "" {
					return nil, usageErrorf("--channel is required: the slug of the sales channel")
				}
				if _, err := a.Store.ChannelBySlug(ctx, *channel); err != nil {
					return nil, usageErrorf("--channel %q: unknown sales channel; create it with telcojobs channel create %s", *channel, *channel)
				}
				key, err := uploadFile(ctx, a, kind, *file)
				if err != nil {
					return nil, err
				}
				if kind == "update_shops" {
					return usecases.UpdateShopsInput{ChannelSlug: *channel, FileKey: key, Force: *force}, nil
				}
				return usecases.UpdateSellersInput{ChannelSlug: *channel, FileKey: key, Force: *force}, nil
			}
		},
		Run: func(ctx context.Context, a *App, in ports.JobArgs) (any, error) {
			switch v := in.(type) {
			case usecases.UpdateShopsInput:
				return a.UseCases.UpdateShops.Handle(ctx, v)
			case usecases.UpdateSellersInput:
				return a.UseCases.UpdateSellers.Handle(ctx, v)
			}
			return nil, fmt.Errorf("unexpected input %T", in)
		},
	}
}

// checkNotification rejects a notification id that does not exist or whose
// channel another job sends, before anything is run or enqueued.
func checkNotification(ctx context.Context, a *App, id int64, channel domain.NotificationChannel) error {
	if id <= 0 {
		return usageErrorf("--notification-id is required: a positive notification id")
	}
	n, err := a.Store.Notification(ctx, id)
	if err != nil {
		return usageErrorf("--notification-id %d: %v", id, err)
	}
	if n.Channel != channel {
		return usageErrorf("--notification-id %d is an %s notification; send it with send-async-%s", id, n.Channel, map[domain.NotificationChannel]string{domain.ChannelEmail: "email", domain.ChannelSMS: "sms"}[n.Channel])
	}
	return nil
}
