package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/telcojobs/telcojobs/ports"
)

func (c *cli) open(ctx context.Context) (*App, error) {
	return openApp(ctx, c.cfg, c.logger, Dependencies{})
}

func (c *cli) migrateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply the database schema: business tables and job tables",
		Long: `Apply the migrations that the database named by --db lacks: the business
tables and the job engine's tables. Running it again applies nothing. The
other commands also migrate when they open the database.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			app, err := c.open(cmd.Context())
			if err != nil {
				return err
			}
			defer app.Close()
			if c.cfg.JSON {
				return printJSON(c.stdout, map[string]any{"migrated": true, "db": RedactURL(c.cfg.DB)})
			}
			fmt.Fprintf(c.stdout, "Esquema de la base de datos al día: %s\n", RedactURL(c.cfg.DB))
			return nil
		},
	}
}

func (c *cli) runCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run JOB [flags]",
		Short: "Run one job now, in this process, and print its result",
		Long: `Run one job now, in this process, and print its result: a summary in
Spanish, or one JSON object with --json. Jobs that the job enqueues (e-mails
to send, purchases to provision) wait on the queue for a worker.

Exit status: 0 done, 1 the job failed, 2 bad usage or input rejected as a
whole.`,
	}
	for _, spec := range jobSpecs() {
		cmd.AddCommand(c.jobCommand(spec, false))
	}
	return cmd
}

func (c *cli) enqueueCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "enqueue JOB [flags]",
		Short: "Put one job on the queue for the workers",
		Long: `Put one job on the queue of the database named by --db, for the workers
(telcojobs worker) to run. A file given with --file is first copied into the
blob store named by --blob, which the workers must share.`,
	}
	for _, spec := range jobSpecs() {
		cmd.AddCommand(c.jobCommand(spec, true))
	}
	return cmd
}

// jobCommand builds the run or enqueue subcommand of one job.
func (c *cli) jobCommand(spec jobSpec, enqueue bool) *cobra.Command {
	cmd := &cobra.Command{
		Use:     spec.Name,
		Aliases: []string{spec.Kind},
		Short:   spec.Short,
		Long:    spec.Short + ".\n\nJob name on the queue: " + spec.Kind + ".",
		Args:    cobra.NoArgs,
	}
	build := spec.Flags(cmd.Flags(), &c.cfg)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx, cancel := c.withTimeout(cmd.Context())
		defer cancel()

		if flag := c.cfg.missingSettings()[spec.Kind]; flag != "" {
			return usageErrorf("%s needs --%s (or %s%s): the service it calls is not configured", spec.Kind, flag, envPrefix, upperSnake(flag))
		}

		app, err := c.open(ctx)
		if err != nil {
			return c.jsonError(err)
		}
		defer app.Close()

		in, err := build(ctx, app)
		if err != nil {
			c.removeUploads(app)
			return c.jsonError(err)
		}
		if enqueue {
			err = c.enqueueJob(ctx, app, spec, in)
		} else {
			err = c.runJob(ctx, app, spec, in)
			// The copy of the operator's file is needed only by this run;
			// files such as document lists hold personal data.
			c.removeUploads(app)
		}
		if f := cmd.Flags().Lookup("file"); err != nil && f != nil && f.Changed {
			// The job names the copy in the blob store; the operator
			// knows the file by the path they gave.
			return fmt.Errorf("--file %s: %w", f.Value.String(), err)
		}
		return err
	}
	return cmd
}

func (c *cli) enqueueJob(ctx context.Context, app *App, spec jobSpec, in ports.JobArgs) error {
	res, err := app.Engine.Enqueue(ctx, in, ports.EnqueueOptions{})
	if err != nil {
		return c.jsonError(fmt.Errorf("enqueue %s: %w", spec.Kind, err))
	}
	if c.cfg.JSON {
		return printJSON(c.stdout, map[string]any{"kind": spec.Kind, "job_id": res.JobID, "duplicate": res.Duplicate})
	}
	if res.Duplicate {
		fmt.Fprintf(c.stdout, "Ya había un trabajo %s igual en la cola (id %d); no se ha añadido otro.\n", spec.Kind, res.JobID)
		return nil
	}
	fmt.Fprintf(c.stdout, "Trabajo %s en la cola con id %d.\n", spec.Kind, res.JobID)
	return nil
}

func (c *cli) runJob(ctx context.Context, app *App, spec jobSpec, in ports.JobArgs) error {
	var bar *terminalProgress
	if !c.cfg.JSON && isTerminal(os.Stderr) {
		bar = newTerminalProgress(c.stderr, spec.Kind)
		ctx = ports.WithProgress(ctx, bar)
	}

	started := time.Now()
	result, err := spec.Run(ctx, app, in)
	if bar != nil {
		bar.finish()
	}

	if err != nil && ctx.Err() == context.DeadlineExceeded && c.cfg.Timeout > 0 {
		err = fmt.Errorf("stopped by --timeout %s: %w", c.cfg.Timeout, err)
	}
	if c.cfg.JSON {
		if exitCode(err) == exitUsage {
			// Input rejected as a whole: nothing ran, so there are no
			// counts to print.
			result = nil
		}
		if perr := printJSONResult(c.stdout, result, err); perr != nil {
			return perr
		}
	} else {
		printSummary(c.stdout, spec.Kind, result, time.Since(started), err)
	}
	if err != nil && !strings.HasPrefix(err.Error(), spec.Kind) {
		return fmt.Errorf("%s: %w", spec.Kind, err)
	}
	return err
}

func (c *cli) workerCommand() *cobra.Command {
	var uiAddr string
	cmd := &cobra.Command{
		Use:   "worker [--ui ADDR]",
		Short: "Run the job engine, the periodic jobs and the scheduler",
		Long: `Run the job engine on the database named by --db until interrupted (Ctrl-C
or SIGTERM): it works the queued jobs, enqueues the periodic jobs in the
business time zone (check_schedules every minute, the stock sync hourly, the
catalogue sync, the report and the ICC jobs daily) and, with --ui, serves the
job dashboard. Start several workers on one PostgreSQL database to scale
out; on SQLite run one.

A job whose service is not configured (Orion, Telco, SMTP, SMS gateway) is
not registered: its queued jobs wait, untouched, for a worker that has the
setting. The worker lists them when it starts.

The dashboard has no authentication: serve it on 127.0.0.1 or behind your
own authentication.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.runWorker(cmd.Context(), uiAddr)
		},
	}
	cmd.Flags().StringVar(&uiAddr, "ui", "", "serve the job dashboard at this address, such as 127.0.0.1:8080; empty means no dashboard")
	cmd.Flags().DurationVar(&c.cfg.ShutdownTimeout, "shutdown-timeout", 30*time.Second,
		"how long running jobs may take to finish after Ctrl-C or SIGTERM before they are cancelled")
	cmd.Flags().DurationVar(&c.cfg.RescueAfter, "rescue-after", time.Hour,
		"how long a job may stay running before it counts as abandoned by a dead worker and runs again; longer than the longest job timeout (30m)")
	return cmd
}

// longestJobTimeout is the longest default timeout of a job kind. A job
// running longer than --rescue-after is taken as abandoned, so the rescue
// interval must exceed it.
const longestJobTimeout = 30 * time.Minute

func (c *cli) runWorker(ctx context.Context, uiAddr string) error {
	ctx, cancelTimeout := c.withTimeout(ctx)
	defer cancelTimeout()
	if c.cfg.ShutdownTimeout < 0 {
		return usageErrorf("--shutdown-timeout %s must not be negative", c.cfg.ShutdownTimeout)
	}
	if c.cfg.RescueAfter <= longestJobTimeout {
		return usageErrorf("--rescue-after %s must be longer than %s, the longest job timeout, or a job still running would run twice",
			c.cfg.RescueAfter, longestJobTimeout)
	}

	// The listener is opened first so that a taken address fails before
	// any job starts.
	var listener net.Listener
	if uiAddr != "" {
		l, err := net.Listen("tcp", uiAddr)
		if err != nil {
			return usageErrorf("--ui %s: %v", uiAddr, err)
		}
		listener = l
		defer l.Close()
	}

	app, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer app.Close()

	// The engine runs on a context that the signal does not cancel: on a
	// signal, Stop gives running jobs the shutdown timeout to finish.
	runCtx, cancelRun := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRun()
	if err := app.Engine.Start(runCtx); err != nil {
		return fmt.Errorf("start the job engine: %w", err)
	}
	c.logger.InfoContext(ctx, "worker started", "kinds", app.Engine.Kinds())
	fmt.Fprintf(c.stderr, "Trabajador en marcha con %d tipos de trabajo. Ctrl-C para parar.\n", len(app.Engine.Kinds()))
	for _, line := range unregisteredLines(c.cfg) {
		fmt.Fprintln(c.stderr, line)
	}
	fmt.Fprintln(c.stderr, "Sin registrar provision_purchase: lo ejecuta el motor de la aplicación que aporta el aprovisionador.")

	var srv *http.Server
	if listener != nil {
		if srv, err = c.serveDashboard(runCtx, app, listener); err != nil {
			c.stopEngine(app)
			return err
		}
	}

	select {
	case <-ctx.Done():
	case <-app.Engine.Stopped():
		return errors.New("the job engine stopped unexpectedly; see the log above")
	}
	fmt.Fprintf(c.stderr, "Parando: los trabajos en curso tienen %s para terminar. Un segundo Ctrl-C los cancela ya.\n", c.cfg.ShutdownTimeout)

	// A second signal cancels the running jobs at once; they are retried
	// later.
	again := make(chan os.Signal, 1)
	signal.Notify(again, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(again)
	go func() {
		if _, ok := <-again; ok {
			fmt.Fprintln(c.stderr, "Cancelando los trabajos en curso.")
			cancelRun()
		}
	}()
	if srv != nil {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = srv.Shutdown(shutdownCtx)
		cancel()
	}
	return c.stopEngine(app)
}

// stopEngine stops the engine, giving running jobs the shutdown timeout.
func (c *cli) stopEngine(app *App) error {
	stopCtx, cancel := context.WithTimeout(context.Background(), c.cfg.ShutdownTimeout+30*time.Second)
	defer cancel()
	if err := app.Engine.Stop(stopCtx); err != nil {
		return fmt.Errorf("stop the job engine: %w", err)
	}
	fmt.Fprintln(c.stderr, "Trabajador parado.")
	return nil
}

// unregisteredLines returns Spanish lines naming the jobs that the worker
// leaves out and the setting that would add each.
func unregisteredLines(cfg Config) []string {
	missing := cfg.missingSettings()
	kinds := make([]string, 0, len(missing))
	for kind := range missing {
		kinds = append(kinds, kind)
	}
	sort.Strings(kinds)
	lines := make([]string, 0, len(kinds))
	for _, kind := range kinds {
		flag := missing[kind]
		lines = append(lines, fmt.Sprintf("Sin registrar %s: falta --%s (%s%s); sus trabajos esperan en la cola.", kind, flag, envPrefix, upperSnake(flag)))
	}
	return lines
}

func (c *cli) serveDashboard(ctx context.Context, app *App, l net.Listener) (*http.Server, error) {
	handler, err := app.Engine.Dashboard("")
	if err != nil {
		return nil, err
	}
	if err := handler.Start(ctx); err != nil {
		return nil, fmt.Errorf("start the dashboard: %w", err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			c.logger.Error("dashboard stopped", "error", err)
		}
	}()
	fmt.Fprintf(c.stderr, "Panel de trabajos en http://%s/\n", l.Addr())
	return srv, nil
}

// decodeJSONFile reads a JSON file into v, naming the file in errors.
func decodeJSONFile(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return usageErrorf("--file %s: %v", path, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return usageErrorf("--file %s is not valid JSON: %v", path, err)
	}
	return nil
}

// removeUploads deletes the files that this run copied into the blob store.
func (c *cli) removeUploads(app *App) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, key := range app.uploaded {
		if err := app.Blobs.Delete(ctx, key); err != nil {
			c.logger.Warn("uploaded copy not deleted", "key", key, "error", err)
		}
	}
	app.uploaded = nil
}

// jsonError prints {"error": ...} with --json, for a job command that fails
// before the job runs, so that a script always reads one JSON object. It
// returns err.
func (c *cli) jsonError(err error) error {
	if c.cfg.JSON {
		_ = printJSONResult(c.stdout, nil, err)
	}
	return err
}
