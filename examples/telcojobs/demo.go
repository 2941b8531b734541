package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"github.com/telcojobs/telcojobs/adapters/river"
	"github.com/telcojobs/telcojobs/adapters/sqlite"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/examples/fakevendor"
	"github.com/telcojobs/telcojobs/examples/internal/mailsink"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/usecases"
)

func (c *cli) demoCommand() *cobra.Command {
	var dir string
	var keep bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole system on a temporary SQLite database",
		Long: `Run the fifteen jobs through the job engine on a temporary SQLite database
and blob folder, with the fake vendor server (Orion catalogue, Telco
coverage, SMS gateway) and an SMTP server started on 127.0.0.1, on the files
in the testdata folder. It prints in Spanish what each job did, and exits 0
only when every job did what it should. --db and --blob are ignored.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.runDemo(cmd.Context(), dir, keep)
		},
	}
	cmd.Flags().StringVar(&dir, "testdata", "testdata", "folder of the sample files (the module's testdata folder)")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the temporary database and blob folder, and print where they are")
	return cmd
}

// offsetClock is the system clock moved by an offset that the demo changes
// to reach a schedule's time without waiting for it.
type offsetClock struct{ offset atomic.Int64 }

func (c *offsetClock) Now() time.Time                  { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *offsetClock) advance(d time.Duration)         { c.offset.Add(int64(d)) }
func (c *offsetClock) set(to time.Time)                { c.offset.Store(int64(time.Until(to))) }
func (c *offsetClock) since(t time.Time) time.Duration { return c.Now().Sub(t) }

// recordingProvisioner records the purchases it is given, in place of the
// host's provisioner.
type recordingProvisioner struct {
	mu  sync.Mutex
	ids []int64
}

func (p *recordingProvisioner) Provision(_ context.Context, id int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ids = append(p.ids, id)
	return nil
}

func (p *recordingProvisioner) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.ids)
}

// jobRecord is one finished run of a job in the demo.
type jobRecord struct {
	result any
	err    error
}

// recorder keeps the results of the jobs that the demo's engine ran.
type recorder struct {
	mu      sync.Mutex
	byKind  map[string][]jobRecord
	changed chan struct{}
}

func newRecorder() *recorder {
	return &recorder{byKind: map[string][]jobRecord{}, changed: make(chan struct{}, 1)}
}

func (r *recorder) add(kind string, rec jobRecord) {
	r.mu.Lock()
	r.byKind[kind] = append(r.byKind[kind], rec)
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

func (r *recorder) count(kind string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.byKind[kind])
}

// wait returns the n-th run (from 1) of kind, waiting for it up to timeout.
func (r *recorder) wait(ctx context.Context, kind string, n int, timeout time.Duration) (jobRecord, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		runs := r.byKind[kind]
		r.mu.Unlock()
		if len(runs) >= n {
			return runs[n-1], nil
		}
		select {
		case <-r.changed:
		case <-time.After(100 * time.Millisecond):
		case <-deadline.C:
			return jobRecord{}, fmt.Errorf("%s did not run within %s", kind, timeout)
		case <-ctx.Done():
			return jobRecord{}, ctx.Err()
		}
	}
}

// record wraps a use case so that the engine runs it and the demo receives
// its result. The error returned to the engine is Handle's.
func record[In ports.JobArgs, Out any](r *recorder, h handler[In, Out]) ports.JobHandler[In] {
	return river.HandlerFunc[In](func(ctx context.Context, in In) error {
		out, err := h.Handle(ctx, in)
		r.add(in.Kind(), jobRecord{result: out, err: err})
		return err
	})
}

func recordingHandlers(r *recorder, uc *UseCases) river.Handlers {
	return river.Handlers{
		SendDailyValidationReport:       record(r, handler[usecases.SendDailyValidationReportInput, usecases.SendDailyValidationReportResult](uc.SendDailyValidationReport)),
		UpdateDeviceData:                record(r, handler[usecases.UpdateDeviceDataInput, usecases.UpdateDeviceDataResult](uc.UpdateDeviceData)),
		UpdateDevicesStock:              record(r, handler[usecases.UpdateDevicesStockInput, usecases.UpdateDevicesStockResult](uc.UpdateDevicesStock)),
		CheckCoverageFromLeads:          record(r, handler[usecases.CheckCoverageFromLeadsInput, usecases.CheckCoverageFromLeadsResult](uc.CheckCoverageFromLeads)),
		SendAsyncEmail:                  record(r, handler[usecases.SendAsyncEmailInput, usecases.SendAsyncEmailResult](uc.SendAsyncEmail)),
		SendAsyncSMS:                    record(r, handler[usecases.SendAsyncSMSInput, usecases.SendAsyncSMSResult](uc.SendAsyncSMS)),
		AssignPromotionCodes:            record(r, handler[usecases.AssignPromotionCodesInput, usecases.AssignPromotionCodesResult](uc.AssignPromotionCodes)),
		ImportIccsFromZipfile:           record(r, handler[usecases.ImportIccsFromZipfileInput, usecases.ImportIccsFromZipfileResult](uc.ImportIccsFromZipfile)),
		CheckNumberOfUnassignedEsimIccs: record(r, handler[usecases.CheckNumberOfUnassignedEsimIccsInput, usecases.CheckNumberOfUnassignedEsimIccsResult](uc.CheckNumberOfUnassignedEsimIccs)),
		UnassignEsimIccs:                record(r, handler[usecases.UnassignEsimIccsInput, usecases.UnassignEsimIccsResult](uc.UnassignEsimIccs)),
		DeleteUsedIccs:                  record(r, handler[usecases.DeleteUsedIccsInput, usecases.DeleteUsedIccsResult](uc.DeleteUsedIccs)),
		CheckSchedules:                  record(r, handler[usecases.CheckSchedulesInput, usecases.CheckSchedulesResult](uc.CheckSchedules)),
		RunScheduleAction:               record(r, handler[usecases.RunScheduleActionInput, usecases.RunScheduleActionResult](uc.RunScheduleAction)),
		UpdateSellers:                   record(r, handler[usecases.UpdateSellersInput, usecases.ImportResult](uc.UpdateSellers)),
		UpdateShops:                     record(r, handler[usecases.UpdateShopsInput, usecases.ImportResult](uc.UpdateShops)),
		ProvisionPurchase:               record(r, handler[usecases.ProvisionPurchaseInput, usecases.ProvisionPurchaseResult](uc.ProvisionPurchase)),
	}
}

// demo holds the running pieces of one demo.
type demo struct {
	out      io.Writer
	dir      string
	app      *App
	engine   *river.Engine
	rec      *recorder
	clock    *offsetClock
	mail     *mailsink.Server
	vendor   *fakevendor.Server
	prov     *recordingProvisioner
	channel  domain.Channel
	failures []string
}

// check prints one verified line, or records a failure.
// plural returns n followed by one when n is 1 and by many otherwise, as
// in "1 página" and "3 páginas".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func (d *demo) check(ok bool, format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	if ok {
		fmt.Fprintf(d.out, "   ✔ %s\n", line)
		return
	}
	fmt.Fprintf(d.out, "   ✘ FALLO, se esperaba: %s\n", line)
	d.failures = append(d.failures, line)
}

func (c *cli) runDemo(ctx context.Context, testdataDir string, keep bool) error {
	if st, err := os.Stat(filepath.Join(testdataDir, "shops", "happy.csv")); err != nil || st.IsDir() {
		return usageErrorf("--testdata %s: the sample files are missing; run the demo from the module's root folder or give --testdata", testdataDir)
	}

	work, err := os.MkdirTemp("", "telcojobs-demo-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Fprintf(c.stdout, "Carpeta de la demo (se conserva): %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}

	d := &demo{out: c.stdout, dir: testdataDir, rec: newRecorder(), clock: &offsetClock{}, prov: &recordingProvisioner{}}
	if err := d.start(ctx, c, work); err != nil {
		return err
	}
	defer d.stop()

	steps := []struct {
		title string
		run   func(context.Context) error
	}{
		{"Tiendas y vendedores del canal tienda-online (update_shops, update_sellers)", d.outlets},
		{"Códigos promocionales de TV (assign_promotion_codes)", d.promotions},
		{"Catálogo y stock de Orion (update_device_data, update_devices_stock)", d.catalogue},
		{"Cobertura de fibra de los leads (check_coverage_from_leads_ids)", d.coverage},
		{"Inventario de ICC eSIM (import_iccs_from_zipfile, unassign_esim_iccs, delete_used_iccs)", d.iccs},
		{"Aviso de stock bajo de eSIM y envío de e-mail (check_number_of_unassigned_esim_iccs, send_async_email)", d.lowStock},
		{"SMS por la pasarela (send_async_sms)", d.sms},
		{"Informe diario de validación (send_daily_validation_report)", d.report},
		{"Programador de reaprovisionamiento (check_schedules, run_schedule_action, provision_purchase)", d.scheduler},
	}
	for i, step := range steps {
		fmt.Fprintf(c.stdout, "\n%d. %s\n", i+1, step.title)
		if err := step.run(ctx); err != nil {
			d.check(false, "el paso no ha terminado: %v", err)
		}
	}

	fmt.Fprintln(c.stdout)
	if len(d.failures) > 0 {
		if len(d.failures) == 1 {
			fmt.Fprintln(c.stdout, "La demo ha encontrado un problema.")
		} else {
			fmt.Fprintf(c.stdout, "La demo ha encontrado %d problemas.\n", len(d.failures))
		}
		return fmt.Errorf("%w: %d demo checks failed, the first: %s", errJobFailed, len(d.failures), d.failures[0])
	}
	fmt.Fprintln(c.stdout, "Demo completada: los quince trabajos han hecho lo que debían.")
	return nil
}

// start brings up the servers, the database and the demo's job engine.
func (d *demo) start(ctx context.Context, c *cli, work string) error {
	var err error
	if d.mail, err = mailsink.Start(); err != nil {
		return err
	}
	opts, err := fakevendor.LoadTestdata(d.dir)
	if err != nil {
		return err
	}
	if d.vendor, err = fakevendor.NewServer(opts); err != nil {
		return err
	}

	cfg := c.cfg
	cfg.DB = "sqlite:" + filepath.Join(work, "telcojobs.db")
	cfg.Blob = "file:" + filepath.Join(work, "blobs")
	cfg.OrionURL, cfg.TelcoURL, cfg.SMSURL = d.vendor.URL, d.vendor.URL, d.vendor.URL
	cfg.SMTPHost, cfg.SMTPPort, cfg.SMTPTLS = "127.0.0.1", d.mail.Addr().Port, "none"
	cfg.SMTPFrom, cfg.SMSSender = "operaciones@telcojobs.example", "TELCOJOBS"
	cfg.AlertRecipients = []string{"stock@telcojobs.example"}
	cfg.ReportRecipients = []string{"validacion@telcojobs.example"}

	d.app, err = openApp(ctx, cfg, c.logger, Dependencies{Clock: d.clock, Provisioner: d.prov})
	if err != nil {
		return err
	}

	// The demo's engine runs the same use cases, wrapped so that each
	// result reaches the demo, and polls often to keep the demo short.
	store, ok := d.app.Store.(*sqlite.Store)
	if !ok {
		return errors.New("demo: the store is not SQLite")
	}
	d.engine, err = river.NewSQLite(store, recordingHandlers(d.rec, d.app.UseCases), river.Config{
		TimeZone:          cfg.TimeZone,
		FetchPollInterval: 50 * time.Millisecond,
		FetchCooldown:     20 * time.Millisecond,
		PeriodicJobs:      []river.PeriodicJob{},
		Logger:            c.logger,
	})
	if err != nil {
		return err
	}
	d.app.Queue.Set(d.engine)
	if err := d.engine.Start(ctx); err != nil {
		return fmt.Errorf("start the job engine: %w", err)
	}

	if d.channel, err = d.app.Store.CreateChannel(ctx, domain.Channel{Slug: "tienda-online", Name: "Tienda online"}); err != nil {
		return err
	}
	fmt.Fprintf(d.out, "Base de datos SQLite temporal, servidor de proveedores en %s y servidor SMTP en %s.\n", d.vendor.URL, d.mail.Addr())
	return nil
}

func (d *demo) stop() {
	if d.engine != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_ = d.engine.Stop(ctx)
		cancel()
	}
	if d.app != nil {
		_ = d.app.Close()
	}
	if d.vendor != nil {
		d.vendor.Close()
	}
	if d.mail != nil {
		_ = d.mail.Close()
	}
}

// runJob enqueues in and returns the result of its run.
func (d *demo) runJob(ctx context.Context, in ports.JobArgs) (jobRecord, error) {
	n := d.rec.count(in.Kind()) + 1
	if _, err := d.engine.Enqueue(ctx, in, ports.EnqueueOptions{}); err != nil {
		return jobRecord{}, fmt.Errorf("enqueue %s: %w", in.Kind(), err)
	}
	return d.rec.wait(ctx, in.Kind(), n, time.Minute)
}

// upload copies a testdata file into the blob store.
func (d *demo) upload(ctx context.Context, key string, parts ...string) (string, error) {
	f, err := os.Open(filepath.Join(append([]string{d.dir}, parts...)...))
	if err != nil {
		return "", err
	}
	defer f.Close()
	return key, d.app.Blobs.Put(ctx, key, f)
}

func (d *demo) outlets(ctx context.Context) error {
	key, err := d.upload(ctx, "uploads/demo/shops.csv", "shops", "happy.csv")
	if err != nil {
		return err
	}
	rec, err := d.runJob(ctx, usecases.UpdateShopsInput{ChannelSlug: d.channel.Slug, FileKey: key})
	if err != nil {
		return err
	}
	shops, _ := rec.result.(usecases.ImportResult)
	d.check(rec.err == nil && shops.Created > 0 && shops.Rejected == 0,
		"tiendas: %s, %s, separador %q, codificación %s", plural(shops.Created, "creada", "creadas"),
		plural(shops.Rejected, "fila rechazada", "filas rechazadas"), shops.Delimiter, shops.Encoding)

	rec, err = d.runJob(ctx, usecases.UpdateShopsInput{ChannelSlug: d.channel.Slug, FileKey: key})
	if err != nil {
		return err
	}
	again, _ := rec.result.(usecases.ImportResult)
	d.check(rec.err == nil && again.Created == 0 && again.Unchanged == shops.Created,
		"el mismo fichero otra vez no cambia nada: %s", plural(again.Unchanged, "tienda sin cambios", "tiendas sin cambios"))

	key, err = d.upload(ctx, "uploads/demo/sellers.csv", "sellers", "windows1252_spanish.csv")
	if err != nil {
		return err
	}
	rec, err = d.runJob(ctx, usecases.UpdateSellersInput{ChannelSlug: d.channel.Slug, FileKey: key})
	if err != nil {
		return err
	}
	sellers, _ := rec.result.(usecases.ImportResult)
	d.check(rec.err == nil && sellers.Created > 0,
		"vendedores: %s de un fichero en %s con cabeceras en español", plural(sellers.Created, "creado", "creados"), sellers.Encoding)
	return nil
}

func (d *demo) promotions(ctx context.Context) error {
	key, err := d.upload(ctx, "uploads/demo/codes.txt", "promotions", "codes_happy.txt")
	if err != nil {
		return err
	}
	loaded, err := d.app.UseCases.LoadPromotionCodes.Handle(ctx, usecases.LoadPromotionCodesInput{FileKey: key})
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "   %s en la bolsa\n", plural(loaded.Added, "código libre cargado", "códigos libres cargados"))

	key, err = d.upload(ctx, "uploads/demo/documents.csv", "promotions", "documents_happy.csv")
	if err != nil {
		return err
	}
	rec, err := d.runJob(ctx, usecases.AssignPromotionCodesInput{FileKey: key, UserID: "demo"})
	if err != nil {
		return err
	}
	res, _ := rec.result.(usecases.AssignPromotionCodesResult)
	d.check(rec.err == nil && res.Assigned > 0 && res.Invalid == 0,
		"%s con código nuevo, %s, %s", plural(res.Assigned, "documento", "documentos"),
		plural(res.AlreadyAssigned, "ya tenía uno", "ya tenían uno"), plural(res.Invalid, "no válido", "no válidos"))

	rec, err = d.runJob(ctx, usecases.AssignPromotionCodesInput{FileKey: key, UserID: "demo"})
	if err != nil {
		return err
	}
	again, _ := rec.result.(usecases.AssignPromotionCodesResult)
	d.check(rec.err == nil && again.Assigned == 0 && again.AlreadyAssigned == res.Assigned,
		"repetir el fichero no da un segundo código: %s", plural(again.AlreadyAssigned, "ya asignado", "ya asignados"))
	return nil
}

func (d *demo) catalogue(ctx context.Context) error {
	rec, err := d.runJob(ctx, usecases.UpdateDeviceDataInput{})
	if err != nil {
		return err
	}
	res, _ := rec.result.(usecases.UpdateDeviceDataResult)
	d.check(rec.err == nil && res.DevicesCreated > 0 && res.OffersCreated > 0 && !res.AlarmRaised,
		"catálogo: %s y %s creados en %s", plural(res.DevicesCreated, "dispositivo", "dispositivos"),
		plural(res.OffersCreated, "oferta", "ofertas"), plural(res.Pages, "página", "páginas"))

	rec, err = d.runJob(ctx, usecases.UpdateDeviceDataInput{})
	if err != nil {
		return err
	}
	again, _ := rec.result.(usecases.UpdateDeviceDataResult)
	changes := again.DevicesCreated + again.DevicesUpdated + again.DevicesDisabled + again.OffersCreated + again.OffersUpdated + again.OffersDisabled
	d.check(rec.err == nil && changes == 0, "una segunda sincronización con el mismo catálogo no cambia nada")

	d.vendor.Handler.SetFaults(fakevendor.Fault{Endpoint: fakevendor.EndpointList, Kind: fakevendor.FaultEmptyListing, Times: 1})
	rec, err = d.runJob(ctx, usecases.UpdateDeviceDataInput{})
	if err != nil {
		return err
	}
	empty, _ := rec.result.(usecases.UpdateDeviceDataResult)
	d.check(empty.DevicesDisabled == 0 && empty.AlarmRaised,
		"un listado vacío de Orion no desactiva nada y crea una alarma (%s)", empty.Held)

	rec, err = d.runJob(ctx, usecases.UpdateDevicesStockInput{})
	if err != nil {
		return err
	}
	stock, _ := rec.result.(usecases.UpdateDevicesStockResult)
	d.check(rec.err == nil && stock.Devices > 0 && len(stock.Failed) == 0,
		"stock: %s, %s", plural(stock.Devices, "dispositivo consultado", "dispositivos consultados"),
		plural(stock.OffersUpdated, "oferta actualizada", "ofertas actualizadas"))
	return nil
}

func (d *demo) coverage(ctx context.Context) error {
	var leads []struct {
		AddressCode string `json:"address_code"`
	}
	b, err := os.ReadFile(filepath.Join(d.dir, "leads", "leads.json"))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &leads); err != nil {
		return fmt.Errorf("leads.json: %w", err)
	}
	var ids []int64
	for _, l := range leads {
		lead, err := d.app.Store.CreateLead(ctx, domain.Lead{AddressCode: l.AddressCode})
		if err != nil {
			return err
		}
		ids = append(ids, lead.ID)
	}

	rec, err := d.runJob(ctx, usecases.CheckCoverageFromLeadsInput{LeadIDs: ids})
	if err != nil {
		return err
	}
	res, _ := rec.result.(usecases.CheckCoverageFromLeadsResult)
	d.check(rec.err == nil && res.Checked > 0 && res.Skipped > 0,
		"%s, %d con cobertura, %s, %s, %s",
		plural(res.Checked, "lead comprobado", "leads comprobados"), res.Covered,
		plural(res.UnknownAddress, "dirección desconocida", "direcciones desconocidas"),
		plural(res.Skipped, "antiguo omitido", "antiguos omitidos"), plural(res.Failed, "fallido", "fallidos"))
	return nil
}

func (d *demo) iccs(ctx context.Context) error {
	key, err := d.upload(ctx, "uploads/demo/esims_mixed.zip", "iccs", "esims_mixed.zip")
	if err != nil {
		return err
	}
	rec, err := d.runJob(ctx, usecases.ImportIccsFromZipfileInput{ZipKey: key})
	if err != nil {
		return err
	}
	mixed, _ := rec.result.(usecases.ImportIccsFromZipfileResult)
	d.check(rec.err == nil && mixed.Imported > 0 && mixed.Invalid > 0 && mixed.AlarmRaised && mixed.ZipDeleted,
		"ZIP mixto: %s, %s, %s, %s; una alarma con los rechazados",
		plural(mixed.Imported, "importado", "importados"), plural(mixed.Invalid, "no válido", "no válidos"),
		plural(mixed.Duplicate, "duplicado", "duplicados"), plural(mixed.Ignored, "ignorado", "ignorados"))

	key, err = d.upload(ctx, "uploads/demo/esims_ok.zip", "iccs", "esims_ok.zip")
	if err != nil {
		return err
	}
	rec, err = d.runJob(ctx, usecases.ImportIccsFromZipfileInput{ZipKey: key})
	if err != nil {
		return err
	}
	ok, _ := rec.result.(usecases.ImportIccsFromZipfileResult)
	d.check(rec.err == nil && ok.Imported == 5 && !ok.AlarmRaised, "ZIP correcto: %s con su PDF",
		plural(ok.Imported, "eSIM importada", "eSIM importadas"))

	// Two purchases hold an eSIM: one pending since yesterday, which gets
	// its ICC back, and one finished 90 days ago, whose ICC is deleted.
	loc, err := domain.LoadZone(d.app.Config.TimeZone)
	if err != nil {
		return err
	}
	today, _ := domain.LocalDayRange(d.clock.Now(), loc)
	yesterdayNoon := today.Add(-12 * time.Hour)
	pending, err := d.purchase(ctx, domain.Purchase{Status: domain.PurchasePendingProvision, DeliveryType: domain.DeliveryEmail,
		LastAttemptAt: &yesterdayNoon, CreatedAt: yesterdayNoon})
	if err != nil {
		return err
	}
	old := d.clock.Now().AddDate(0, 0, -90)
	done, err := d.purchase(ctx, domain.Purchase{Status: domain.PurchaseCompleted, DeliveryType: domain.DeliveryEmail, CreatedAt: old})
	if err != nil {
		return err
	}
	for _, p := range []domain.Purchase{pending, done} {
		if _, err := d.app.Store.TakeFreeIcc(ctx, domain.IccESIM, p.ID); err != nil {
			return fmt.Errorf("assign an eSIM to purchase %d: %w", p.ID, err)
		}
	}

	rec, err = d.runJob(ctx, usecases.UnassignEsimIccsInput{})
	if err != nil {
		return err
	}
	released, _ := rec.result.(usecases.UnassignEsimIccsResult)
	d.check(rec.err == nil && released.Released == 1, "eSIM liberadas de compras pendientes de ayer: %d", released.Released)

	rec, err = d.runJob(ctx, usecases.DeleteUsedIccsInput{DaysOld: 60})
	if err != nil {
		return err
	}
	deleted, _ := rec.result.(usecases.DeleteUsedIccsResult)
	d.check(rec.err == nil && deleted.Deleted == 1 && deleted.PDFsDeleted == 1,
		"ICC usadas de hace más de 60 días borradas: %d, con %d PDF", deleted.Deleted, deleted.PDFsDeleted)
	return nil
}

func (d *demo) purchase(ctx context.Context, p domain.Purchase) (domain.Purchase, error) {
	p.ChannelID = d.channel.ID
	if p.Type == "" {
		p.Type = "alta"
	}
	return d.app.Store.CreatePurchase(ctx, p)
}

func (d *demo) lowStock(ctx context.Context) error {
	free, err := d.app.Store.CountFreeIccs(ctx, domain.IccESIM)
	if err != nil {
		return err
	}
	sentBefore := len(d.mail.Messages())
	emailsBefore := d.rec.count("send_async_email")

	rec, err := d.runJob(ctx, usecases.CheckNumberOfUnassignedEsimIccsInput{Threshold: free + 10})
	if err != nil {
		return err
	}
	res, _ := rec.result.(usecases.CheckNumberOfUnassignedEsimIccsResult)
	d.check(rec.err == nil && res.Low && len(res.Notifications) == 1,
		"%s, por debajo del umbral %d: aviso creado", plural(res.Free, "eSIM libre", "eSIM libres"), res.Threshold)

	email, err := d.rec.wait(ctx, "send_async_email", emailsBefore+1, time.Minute)
	if err != nil {
		return err
	}
	sent, _ := email.result.(usecases.SendAsyncEmailResult)
	d.check(email.err == nil && sent.Sent && len(d.mail.Messages()) == sentBefore+1,
		"e-mail de aviso entregado al servidor SMTP (Message-ID %s)", sent.MessageID)

	rec, err = d.runJob(ctx, usecases.CheckNumberOfUnassignedEsimIccsInput{Threshold: free + 10})
	if err != nil {
		return err
	}
	again, _ := rec.result.(usecases.CheckNumberOfUnassignedEsimIccsResult)
	d.check(rec.err == nil && len(again.Notifications) == 0,
		"el aviso no se repite en el mismo día mientras el stock no baje más")
	return nil
}

func (d *demo) sms(ctx context.Context) error {
	if _, err := d.app.Store.CreateTemplate(ctx, domain.NotificationTemplate{
		Name: "demo_bienvenida_sms", Channel: domain.ChannelSMS,
		Body: "Hola {{ nombre }}, tu línea {{ linea }} ya está activa. ¡Bienvenido!",
	}); err != nil {
		return err
	}
	before := d.rec.count("send_async_sms")
	created, err := d.app.UseCases.CreateNotification.Handle(ctx, usecases.CreateNotificationInput{
		TemplateName: "demo_bienvenida_sms", Recipient: "600 123 456",
		Context: map[string]any{"nombre": "Ana", "linea": "600123456"},
	})
	if err != nil {
		return err
	}
	rec, err := d.rec.wait(ctx, "send_async_sms", before+1, time.Minute)
	if err != nil {
		return err
	}
	res, _ := rec.result.(usecases.SendAsyncSMSResult)
	d.check(rec.err == nil && res.Sent && res.To == "+34600123456",
		"SMS %d enviado a %s: %s, %s", created.NotificationID, res.To, res.Encoding, plural(res.Segments, "segmento", "segmentos"))
	return nil
}

func (d *demo) report(ctx context.Context) error {
	var rows []domain.ActivationData
	b, err := os.ReadFile(filepath.Join(d.dir, "activations", "activations.json"))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &rows); err != nil {
		return fmt.Errorf("activations.json: %w", err)
	}

	// The rows are placed inside the report's window: from yesterday 07:00
	// to today 07:00 in the business zone.
	loc, err := domain.LoadZone(d.app.Config.TimeZone)
	if err != nil {
		return err
	}
	today, _ := domain.LocalDayRange(d.clock.Now(), loc)
	for i, row := range rows {
		row.LastRetryDate = today.Add(-time.Duration(6+i) * time.Hour)
		if _, err := d.app.Store.AddActivation(ctx, row); err != nil {
			return err
		}
	}

	emailsBefore := d.rec.count("send_async_email")
	rec, err := d.runJob(ctx, usecases.SendDailyValidationReportInput{Emails: d.app.Config.ReportRecipients})
	if err != nil {
		return err
	}
	res, _ := rec.result.(usecases.SendDailyValidationReportResult)
	d.check(rec.err == nil && res.Rows == len(rows) && len(res.Notifications) == 1,
		"informe con %s de activación (%s a %s), adjunto %s", plural(res.Rows, "fila", "filas"),
		res.WindowStart.In(loc).Format("02/01 15:04"), res.WindowEnd.In(loc).Format("02/01 15:04"), res.Filename)

	email, err := d.rec.wait(ctx, "send_async_email", emailsBefore+1, time.Minute)
	if err != nil {
		return err
	}
	sent, _ := email.result.(usecases.SendAsyncEmailResult)
	d.check(email.err == nil && sent.Sent, "informe entregado por e-mail a %v", d.app.Config.ReportRecipients)
	return nil
}

func (d *demo) scheduler(ctx context.Context) error {
	b, err := os.ReadFile(filepath.Join(d.dir, "schedules", "schedules.json"))
	if err != nil {
		return err
	}
	inputs, err := parseSchedules(b)
	if err != nil {
		return fmt.Errorf("schedules.json: %w", err)
	}
	for _, in := range inputs {
		if _, err := d.app.UseCases.SaveSchedule.Handle(ctx, in); err != nil {
			return fmt.Errorf("schedule %q: %w", in.Name, err)
		}
	}
	fmt.Fprintf(d.out, "   %s de schedules.json\n", plural(len(inputs), "programación cargada", "programaciones cargadas"))

	// Three purchases failed to provision an hour ago; a schedule two
	// minutes from now retries them. The demo moves its clock past that
	// minute instead of waiting.
	lastAttempt := d.clock.Now().Add(-time.Hour)
	for range 3 {
		if _, err := d.purchase(ctx, domain.Purchase{Status: domain.PurchaseProvisionError, DeliveryType: domain.DeliveryCourier,
			ErrorCode: "TIMEOUT", Attempts: 1, LastAttemptAt: &lastAttempt, CreatedAt: lastAttempt.Add(-time.Hour)}); err != nil {
			return err
		}
	}
	loc, err := domain.LoadZone(d.app.Config.TimeZone)
	if err != nil {
		return err
	}
	slot := d.clock.Now().Add(2 * time.Minute).In(loc).Truncate(time.Minute)
	params, _ := json.Marshal(map[string]any{"channels": []string{d.channel.Slug}, "statuses": []string{"provision_error"}, "error_codes": []string{"TIMEOUT"}})
	if _, err := d.app.UseCases.SaveSchedule.Handle(ctx, usecases.SaveScheduleInput{
		Name: "demo-reintentos", Enabled: true, Times: []string{slot.Format("15:04")},
		TimeZone: d.app.Config.TimeZone, Action: "generic", Parameters: params,
	}); err != nil {
		return err
	}
	d.clock.set(slot.Add(10 * time.Second))

	actionsBefore := d.rec.count("run_schedule_action")
	rec, err := d.runJob(ctx, usecases.CheckSchedulesInput{})
	if err != nil {
		return err
	}
	res, _ := rec.result.(usecases.CheckSchedulesResult)
	d.check(rec.err == nil && res.Fired == 1, "a las %s: %s de %s", slot.Format("15:04"),
		plural(res.Fired, "programación disparada", "programaciones disparadas"), plural(res.Checked, "comprobada", "comprobadas"))

	rec, err = d.runJob(ctx, usecases.CheckSchedulesInput{})
	if err != nil {
		return err
	}
	again, _ := rec.result.(usecases.CheckSchedulesResult)
	d.check(rec.err == nil && again.Fired == 0, "una segunda comprobación en el mismo minuto no la vuelve a disparar")

	action, err := d.rec.wait(ctx, "run_schedule_action", actionsBefore+1, time.Minute)
	if err != nil {
		return err
	}
	ran, _ := action.result.(usecases.RunScheduleActionResult)
	d.check(action.err == nil && ran.Selected == 3 && ran.Enqueued == 3,
		"acción %s: %s, %s", ran.Action, plural(ran.Selected, "compra seleccionada", "compras seleccionadas"),
		plural(ran.Enqueued, "reaprovisionamiento encolado", "reaprovisionamientos encolados"))

	if _, err := d.rec.wait(ctx, "provision_purchase", 3, time.Minute); err != nil {
		return err
	}
	d.check(d.prov.count() == 3, "el aprovisionador de la aplicación ha recibido %s", plural(d.prov.count(), "compra", "compras"))
	return nil
}
