// Command telcojobs runs the jobs of the telcojobs library. It migrates the
// database, runs the job engine with its periodic jobs and dashboard, and
// runs or enqueues one job. It also manages the data that operators load
// (channels, codes, templates, schedules) and shows the whole system in a
// demo.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/telcojobs/telcojobs/domain"
)

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cli := newCLI(stdout, stderr)
	root := cli.rootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)

	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "error:", err)
	return exitCode(err)
}

// exitCode maps an error to the documented exit statuses: 2 for bad usage
// or input rejected as a whole, 1 for a job that ran and failed.
func exitCode(err error) int {
	var usage *UsageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &usage), errors.Is(err, domain.ErrInvalid), isCobraUsage(err):
		return exitUsage
	case errors.Is(err, domain.ErrNotFound):
		// An unknown channel, notification, template or schedule named on
		// the command line or in a file.
		return exitUsage
	default:
		return exitFailed
	}
}

// isCobraUsage recognises cobra's own argument and flag errors, which it
// returns as plain errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, prefix := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument",
		"invalid argument", "accepts ", "requires at least", "requires at most", "required flag"} {
		if strings.HasPrefix(msg, prefix) {
			return true
		}
	}
	return false
}

// cli carries the parsed configuration and the output streams.
type cli struct {
	cfg    Config
	stdout io.Writer
	stderr io.Writer
	logger *slog.Logger
}

func newCLI(stdout, stderr io.Writer) *cli {
	return &cli{stdout: stdout, stderr: stderr}
}

func (c *cli) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "telcojobs",
		Short: "Run the background jobs of the shop and back office",
		Long: `telcojobs runs the background jobs of the shop and back office: vendor
catalogue and stock sync, coverage checks, e-mail and SMS notifications,
promotion codes, the eSIM ICC inventory, the scheduler, shop and seller
imports and the daily activation report.

Every flag can also be set with an environment variable: TELCOJOBS_ and the
flag name in upper case with underscores, such as TELCOJOBS_DB for --db.
A flag given on the command line wins over the variable.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := applyEnv(cmd.Flags()); err != nil {
				return err
			}
			logger, err := newLogger(c.stderr, c.cfg.LogLevel)
			if err != nil {
				return err
			}
			c.logger = logger
			return c.cfg.validate()
		},
	}
	bindGlobalFlags(root.PersistentFlags(), &c.cfg)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &UsageError{Msg: err.Error()} })

	for _, group := range []*cobra.Command{c.runCommand(), c.enqueueCommand(), c.channelCommand(), c.codesCommand(),
		c.templateCommand(), c.scheduleCommand(), c.notificationCommand(), c.alarmCommand()} {
		root.AddCommand(requireSubcommand(group))
	}
	root.AddCommand(
		c.migrateCommand(),
		c.workerCommand(),
		c.demoCommand(),
	)
	return root
}

// newLogger builds the text logger on standard error.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, usageErrorf("--log-level %q: expected debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// withTimeout applies --timeout to ctx.
func (c *cli) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.cfg.Timeout > 0 {
		return context.WithTimeout(ctx, c.cfg.Timeout)
	}
	return context.WithCancel(ctx)
}

// requireSubcommand makes a command that only groups others reject an
// unknown subcommand with exit status 2, and print its help when called
// alone.
func requireSubcommand(cmd *cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		var names []string
		for _, sub := range cmd.Commands() {
			if !sub.Hidden && sub.Name() != "help" {
				names = append(names, sub.Name())
			}
		}
		return usageErrorf("unknown %s command %q; expected one of: %s", cmd.Name(), args[0], strings.Join(names, ", "))
	}
	return cmd
}
