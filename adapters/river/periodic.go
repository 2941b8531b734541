package river

import (
	"fmt"
	"time"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// PeriodicJob is a job that the engine enqueues on a schedule. Only the
// elected leader among the engines on one database enqueues periodic jobs,
// so running several engines does not multiply them. Runs of one job are
// unique per minute of their run time, so a schedule that fires more than
// once a minute runs once a minute.
type PeriodicJob struct {
	// Args is the job enqueued at each run time.
	Args ports.JobArgs
	// Schedule gives the run times.
	Schedule Schedule
	// RunOnStart also enqueues the job when an engine becomes the leader,
	// for jobs whose run time could be missed while no engine runs.
	RunOnStart bool
}

// DefaultPeriodicJobs returns the default table of periodic jobs, with clock
// times in cfg.TimeZone (Europe/Madrid by default):
//
//	kind                                  schedule
//	check_schedules                       every minute
//	update_devices_stock                  every hour, on the hour
//	update_device_data                    daily at 03:30
//	send_daily_validation_report          daily at 07:05, to DailyReportRecipients
//	check_number_of_unassigned_esim_iccs  every hour, threshold EsimStockThreshold
//	unassign_esim_iccs                    daily at 00:30, for the previous day
//	delete_used_iccs                      daily at 04:30, older than UsedIccsDaysOld
//
// The daily report window ends at 07:00, so the report runs just after it.
// The nightly jobs avoid 02:00-03:00, the hour that Spain's clock changes
// skip or repeat. send_daily_validation_report is left out when
// DailyReportRecipients is empty.
func DefaultPeriodicJobs(cfg Config) ([]PeriodicJob, error) {
	cfg = cfg.WithDefaults()
	loc, err := domain.LoadZone(cfg.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("default periodic jobs: TimeZone: %w", err)
	}

	everyMinute, err := Every(time.Minute, loc)
	if err != nil {
		return nil, err
	}
	hourly, err := Every(time.Hour, loc)
	if err != nil {
		return nil, err
	}
	daily := func(at string) Schedule {
		// The clock times below are constants that Daily accepts.
		s, _ := Daily(at, loc)
		return s
	}

	jobs := []PeriodicJob{
		{Args: usecases.CheckSchedulesInput{}, Schedule: everyMinute},
		{Args: usecases.UpdateDevicesStockInput{}, Schedule: hourly},
		{Args: usecases.UpdateDeviceDataInput{}, Schedule: daily("03:30")},
	}
	if len(cfg.DailyReportRecipients) > 0 {
		jobs = append(jobs, PeriodicJob{
			Args:     usecases.SendDailyValidationReportInput{Emails: cfg.DailyReportRecipients},
			Schedule: daily("07:05"),
		})
	}
	jobs = append(jobs,
		PeriodicJob{
			Args: usecases.CheckNumberOfUnassignedEsimIccsInput{
				Threshold:  cfg.EsimStockThreshold,
				Recipients: cfg.EsimAlertRecipients,
			},
			Schedule: hourly,
		},
		PeriodicJob{Args: usecases.UnassignEsimIccsInput{}, Schedule: daily("00:30")},
		PeriodicJob{Args: usecases.DeleteUsedIccsInput{DaysOld: cfg.UsedIccsDaysOld}, Schedule: daily("04:30")},
	)
	return jobs, nil
}
