package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/telcojobs/telcojobs/adapters/localfs"
	"github.com/telcojobs/telcojobs/adapters/orion"
	"github.com/telcojobs/telcojobs/adapters/pongo2"
	"github.com/telcojobs/telcojobs/adapters/river"
	"github.com/telcojobs/telcojobs/adapters/s3"
	"github.com/telcojobs/telcojobs/adapters/smtp"
	"github.com/telcojobs/telcojobs/adapters/telco"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// UseCases holds one handler per job and the operators' use cases.
type UseCases struct {
	SendDailyValidationReport       *usecases.SendDailyValidationReport
	UpdateDeviceData                *usecases.UpdateDeviceData
	UpdateDevicesStock              *usecases.UpdateDevicesStock
	CheckCoverageFromLeads          *usecases.CheckCoverageFromLeads
	SendAsyncEmail                  *usecases.SendAsyncEmail
	SendAsyncSMS                    *usecases.SendAsyncSMS
	AssignPromotionCodes            *usecases.AssignPromotionCodes
	ImportIccsFromZipfile           *usecases.ImportIccsFromZipfile
	CheckNumberOfUnassignedEsimIccs *usecases.CheckNumberOfUnassignedEsimIccs
	UnassignEsimIccs                *usecases.UnassignEsimIccs
	DeleteUsedIccs                  *usecases.DeleteUsedIccs
	CheckSchedules                  *usecases.CheckSchedules
	RunScheduleAction               *usecases.RunScheduleAction
	UpdateSellers                   *usecases.UpdateSellers
	UpdateShops                     *usecases.UpdateShops
	ProvisionPurchase               *usecases.ProvisionPurchase

	CreateNotification *usecases.CreateNotification
	LoadPromotionCodes *usecases.LoadPromotionCodes
	SaveSchedule       *usecases.SaveSchedule
}

// handlers registers the jobs of uc on the engine, except those whose
// outbound service cfg leaves unconfigured (see Config.missingSettings).
func handlers(uc *UseCases, cfg Config) river.Handlers {
	h := allHandlers(uc)
	missing := cfg.missingSettings()
	if missing["update_device_data"] != "" {
		h.UpdateDeviceData, h.UpdateDevicesStock = nil, nil
	}
	if missing["check_coverage_from_leads_ids"] != "" {
		h.CheckCoverageFromLeads = nil
	}
	if missing["send_async_email"] != "" {
		h.SendAsyncEmail = nil
	}
	if missing["send_async_sms"] != "" {
		h.SendAsyncSMS = nil
	}
	if _, stub := uc.ProvisionPurchase.Provisioner.(commandProvisioner); stub {
		// The host application's engine runs these with its provisioner.
		h.ProvisionPurchase = nil
	}
	return h
}

// allHandlers registers every job of uc.
func allHandlers(uc *UseCases) river.Handlers {
	return river.Handlers{
		SendDailyValidationReport:       uc.SendDailyValidationReport,
		UpdateDeviceData:                uc.UpdateDeviceData,
		UpdateDevicesStock:              uc.UpdateDevicesStock,
		CheckCoverageFromLeads:          uc.CheckCoverageFromLeads,
		SendAsyncEmail:                  uc.SendAsyncEmail,
		SendAsyncSMS:                    uc.SendAsyncSMS,
		AssignPromotionCodes:            uc.AssignPromotionCodes,
		ImportIccsFromZipfile:           uc.ImportIccsFromZipfile,
		CheckNumberOfUnassignedEsimIccs: uc.CheckNumberOfUnassignedEsimIccs,
		UnassignEsimIccs:                uc.UnassignEsimIccs,
		DeleteUsedIccs:                  uc.DeleteUsedIccs,
		CheckSchedules:                  uc.CheckSchedules,
		RunScheduleAction:               uc.RunScheduleAction,
		UpdateSellers:                   uc.UpdateSellers,
		UpdateShops:                     uc.UpdateShops,
		ProvisionPurchase:               uc.ProvisionPurchase,
	}
}

// queueBound is the proof, for wire, that the deferred queue forwards to
// the engine.
type queueBound struct{}

func bindQueue(q *river.DeferredQueue, e *river.Engine) queueBound {
	q.Set(e)
	return queueBound{}
}

func riverConfig(c Config, logger *slog.Logger) river.Config {
	return river.Config{
		TimeZone:              c.TimeZone,
		ShutdownTimeout:       c.ShutdownTimeout,
		RescueStuckJobsAfter:  c.RescueAfter,
		DailyReportRecipients: c.ReportRecipients,
		EsimStockThreshold:    c.EsimThreshold,
		EsimAlertRecipients:   c.AlertRecipients,
		Logger:                logger,
	}
}

// notConfigured is an error for a port whose settings are missing. It is
// permanent: retrying the job cannot help until an operator sets them.
func notConfigured(what, flag string) error {
	env := envPrefix + upperSnake(flag)
	return domain.Permanent(fmt.Errorf("%s is not configured: set --%s or %s", what, flag, env))
}

type unconfiguredCatalogue struct{}

func (unconfiguredCatalogue) ListDevices(context.Context, int) (ports.CataloguePage, error) {
	return ports.CataloguePage{}, notConfigured("the Orion catalogue", "orion-url")
}

func (unconfiguredCatalogue) RetrieveDevice(context.Context, string) (domain.Device, error) {
	return domain.Device{}, notConfigured("the Orion catalogue", "orion-url")
}

func provideCatalogue(c Config, logger *slog.Logger) (ports.Catalogue, error) {
	if c.OrionURL == "" {
		return unconfiguredCatalogue{}, nil
	}
	return orion.NewClient(orion.Config{BaseURL: c.OrionURL, Token: c.OrionToken}, logger)
}

type unconfiguredCoverage struct{}

func (unconfiguredCoverage) CheckCoverage(context.Context, string) (domain.Coverage, error) {
	return domain.Coverage{}, notConfigured("the Telco coverage API", "telco-url")
}

func provideCoverage(c Config, logger *slog.Logger) (ports.CoverageChecker, error) {
	if c.TelcoURL == "" {
		return unconfiguredCoverage{}, nil
	}
	return telco.NewClient(telco.Config{BaseURL: c.TelcoURL, Token: c.TelcoToken}, logger)
}

type unconfiguredMailer struct{}

func (unconfiguredMailer) SendMail(context.Context, ports.MailMessage) error {
	return notConfigured("the SMTP server", "smtp-host")
}

func provideMailer(c Config, logger *slog.Logger) (ports.Mailer, error) {
	if c.SMTPHost == "" {
		return unconfiguredMailer{}, nil
	}
	return smtp.New(smtp.Config{
		Host: c.SMTPHost, Port: c.SMTPPort, TLSMode: smtp.TLSMode(c.SMTPTLS),
		Username: c.SMTPUser, Password: c.SMTPPassword, From: c.SMTPFrom, Logger: logger,
	})
}

func provideRenderer() (ports.TemplateRenderer, error) {
	return pongo2.New(pongo2.Config{})
}

// commandProvisioner replaces the host application's provisioner. The
// command cannot provision lines, so its engine does not register
// provision_purchase, and a direct call fails permanently with an error
// that explains why.
type commandProvisioner struct{}

func (commandProvisioner) Provision(context.Context, int64) error {
	return domain.Permanent(errors.New("the telcojobs command has no provisioner; a host application provides ports.Provisioner and runs the engine"))
}

func provideProvisionPurchase(p ports.Provisioner) *usecases.ProvisionPurchase {
	return &usecases.ProvisionPurchase{Provisioner: p}
}

func provideSendConfig(c Config) usecases.SendConfig {
	return usecases.SendConfig{DefaultSender: c.SMTPFrom}
}

func provideSendAsyncSMS(c Config, templates ports.TemplateStore, notifications ports.NotificationStore,
	renderer ports.TemplateRenderer, gateway ports.SMSGateway, clock ports.Clock, logger *slog.Logger) (*usecases.SendAsyncSMS, error) {
	return usecases.NewSendAsyncSMS(usecases.SendConfig{DefaultSender: c.SMSSender}, templates, notifications, renderer, gateway, clock, logger)
}

func provideReportConfig(c Config) usecases.SendDailyValidationReportConfig {
	return usecases.SendDailyValidationReportConfig{TimeZone: c.TimeZone}
}

func provideEsimConfig(c Config) usecases.CheckNumberOfUnassignedEsimIccsConfig {
	return usecases.CheckNumberOfUnassignedEsimIccsConfig{Threshold: c.EsimThreshold, Recipients: c.AlertRecipients}
}

func provideDeleteConfig(c Config) usecases.DeleteUsedIccsConfig {
	return usecases.DeleteUsedIccsConfig{TimeZone: c.TimeZone}
}

func provideUnassignConfig(c Config) usecases.UnassignEsimIccsConfig {
	return usecases.UnassignEsimIccsConfig{TimeZone: c.TimeZone}
}

// openBlobStore builds the blob store that --blob names.
func openBlobStore(ctx context.Context, raw string, logger *slog.Logger) (ports.BlobStore, error) {
	loc, err := ParseBlob(raw)
	if err != nil {
		return nil, err
	}
	switch loc.Kind {
	case BlobS3:
		if !loc.InstanceMetadata && !awsCredentialsConfigured() {
			return nil, usageErrorf("--blob %s: no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE with ~/.aws/credentials), or add instance_metadata=true on an EC2 instance with a role", RedactURL(raw))
		}
		return s3.New(ctx, s3.Config{
			Bucket: loc.Bucket, Prefix: loc.Prefix, Endpoint: loc.Endpoint,
			Region: loc.Region, UsePathStyle: loc.PathStyle, UseInstanceMetadata: loc.InstanceMetadata, Logger: logger,
		})
	default:
		return localfs.New(localfs.Config{Root: loc.Dir})
	}
}

// awsCredentialsConfigured reports whether the standard AWS credential
// chain has a source other than the instance metadata service: the
// environment, the shared files, web identity or a container role.
func awsCredentialsConfigured() bool {
	for _, name := range []string{"AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		if os.Getenv(name) != "" {
			return true
		}
	}
	files := []string{os.Getenv("AWS_SHARED_CREDENTIALS_FILE"), os.Getenv("AWS_CONFIG_FILE")}
	if home, err := os.UserHomeDir(); err == nil {
		files = append(files, filepath.Join(home, ".aws", "credentials"), filepath.Join(home, ".aws", "config"))
	}
	for _, f := range files {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err == nil {
			return true
		}
	}
	return false
}
