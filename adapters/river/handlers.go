package river

import (
	"context"
	"log/slog"

	rq "github.com/riverqueue/river"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

// Handlers is the one place where job kinds get their handlers. Each field
// runs one kind. A nil field leaves its kind without a handler. The engine
// then does not work the kind's queue and leaves out its periodic job. It
// still accepts the kind on Enqueue, so that another engine on the same
// database with the handler runs it. The use cases of package usecases satisfy these fields through their
// HandleJob methods.
type Handlers struct {
	SendDailyValidationReport       ports.JobHandler[usecases.SendDailyValidationReportInput]
	UpdateDeviceData                ports.JobHandler[usecases.UpdateDeviceDataInput]
	UpdateDevicesStock              ports.JobHandler[usecases.UpdateDevicesStockInput]
	CheckCoverageFromLeads          ports.JobHandler[usecases.CheckCoverageFromLeadsInput]
	SendAsyncEmail                  ports.JobHandler[usecases.SendAsyncEmailInput]
	SendAsyncSMS                    ports.JobHandler[usecases.SendAsyncSMSInput]
	AssignPromotionCodes            ports.JobHandler[usecases.AssignPromotionCodesInput]
	ImportIccsFromZipfile           ports.JobHandler[usecases.ImportIccsFromZipfileInput]
	CheckNumberOfUnassignedEsimIccs ports.JobHandler[usecases.CheckNumberOfUnassignedEsimIccsInput]
	UnassignEsimIccs                ports.JobHandler[usecases.UnassignEsimIccsInput]
	DeleteUsedIccs                  ports.JobHandler[usecases.DeleteUsedIccsInput]
	CheckSchedules                  ports.JobHandler[usecases.CheckSchedulesInput]
	RunScheduleAction               ports.JobHandler[usecases.RunScheduleActionInput]
	UpdateSellers                   ports.JobHandler[usecases.UpdateSellersInput]
	UpdateShops                     ports.JobHandler[usecases.UpdateShopsInput]
	ProvisionPurchase               ports.JobHandler[usecases.ProvisionPurchaseInput]
}

// HandlerFunc adapts a function to ports.JobHandler, for hosts and tests
// that handle a kind without a use case struct.
type HandlerFunc[T ports.JobArgs] func(ctx context.Context, args T) error

// HandleJob calls f.
func (f HandlerFunc[T]) HandleJob(ctx context.Context, args T) error { return f(ctx, args) }

// registration adds the worker of one kind to River's worker bundle.
type registration struct {
	kind string
	// handled is false when the kind has no handler. Its worker is then a
	// stand-in that only gives River the kind's timeout (see absentWorker).
	handled bool
	add     func(workers *rq.Workers, policy KindPolicy, logger *slog.Logger) error
}

// registrations lists every kind with its handler, in the order of the
// Handlers fields.
func (h Handlers) registrations() []registration {
	return []registration{
		register(h.SendDailyValidationReport),
		register(h.UpdateDeviceData),
		register(h.UpdateDevicesStock),
		register(h.CheckCoverageFromLeads),
		register(h.SendAsyncEmail),
		register(h.SendAsyncSMS),
		register(h.AssignPromotionCodes),
		register(h.ImportIccsFromZipfile),
		register(h.CheckNumberOfUnassignedEsimIccs),
		register(h.UnassignEsimIccs),
		register(h.DeleteUsedIccs),
		register(h.CheckSchedules),
		register(h.RunScheduleAction),
		register(h.UpdateSellers),
		register(h.UpdateShops),
		register(h.ProvisionPurchase),
	}
}

func register[T ports.JobArgs](handler ports.JobHandler[T]) registration {
	var zero T
	if handler == nil {
		return registration{kind: zero.Kind(), add: func(workers *rq.Workers, policy KindPolicy, _ *slog.Logger) error {
			return rq.AddWorkerSafely(workers, &absentWorker[T]{policy: policy})
		}}
	}
	return registration{kind: zero.Kind(), handled: true, add: func(workers *rq.Workers, policy KindPolicy, logger *slog.Logger) error {
		return rq.AddWorkerSafely(workers, &worker[T]{handler: handler, policy: policy, logger: logger})
	}}
}
