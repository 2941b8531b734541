package usecases

import "github.com/google/wire"

// ProviderSet has the constructor of every use case. The injector provides
// the ports, the configs, a ports.JobQueue, a ports.Clock and a
// *slog.Logger. SendAsyncSMS and ProvisionPurchase are left to the host,
// which knows its SMS sender id and its provisioner.
var ProviderSet = wire.NewSet(
	NewAssignPromotionCodes,
	NewCheckCoverageFromLeads,
	NewCheckNumberOfUnassignedEsimIccs,
	NewCheckSchedules,
	NewCreateNotification,
	NewDeleteUsedIccs,
	NewImportIccsFromZipfile,
	NewLoadPromotionCodes,
	NewDefaultActionRegistry,
	NewRunScheduleAction,
	NewSaveSchedule,
	NewSendAsyncEmail,
	NewSendDailyValidationReport,
	NewUnassignEsimIccs,
	NewUpdateDeviceData,
	NewUpdateDevicesStock,
	NewUpdateSellers,
	NewUpdateShops,
	wire.Bind(new(NotificationCreator), new(*CreateNotification)),
)
