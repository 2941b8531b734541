package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/telcojobs/telcojobs/domain"
)

// alarmJSON is an alarm as the alarm commands print it with --json.
type alarmJSON struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	Message     string     `json:"message"`
	Details     string     `json:"details,omitempty"`
	StartedAt   time.Time  `json:"started_at"`
	LastSeenAt  time.Time  `json:"last_seen_at"`
	Occurrences int        `json:"occurrences"`
	ResolvedAt  *time.Time `json:"resolved_at,omitempty"`
}

func toAlarmJSON(a domain.Alarm, details bool) alarmJSON {
	out := alarmJSON{ID: a.ID, Name: a.Name, Message: a.Message, StartedAt: a.StartedAt, LastSeenAt: a.LastSeenAt,
		Occurrences: a.Occurrences, ResolvedAt: a.ResolvedAt}
	if details {
		out.Details = a.Details
	}
	return out
}

func (c *cli) alarmCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "alarm", Short: "List, show and resolve the alarms that jobs raise"}

	var all bool
	var limit int
	list := &cobra.Command{
		Use:   "list",
		Short: "List the open alarms, newest first (--all adds the resolved ones)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 1 {
				return usageErrorf("--limit %d must be at least 1", limit)
			}
			app, err := c.open(cmd.Context())
			if err != nil {
				return err
			}
			defer app.Close()
			alarms, err := app.Store.ListAlarms(cmd.Context(), !all, limit)
			if err != nil {
				return err
			}
			if c.cfg.JSON {
				out := make([]alarmJSON, 0, len(alarms))
				for _, a := range alarms {
					out = append(out, toAlarmJSON(a, false))
				}
				return printJSON(c.stdout, map[string]any{"alarms": out})
			}
			if len(alarms) == 0 {
				fmt.Fprintln(c.stdout, "No hay alarmas abiertas.")
				return nil
			}
			loc := app.zone()
			for _, a := range alarms {
				state := "abierta"
				if a.ResolvedAt != nil {
					state = "resuelta " + a.ResolvedAt.In(loc).Format("02/01/2006 15:04")
				}
				fmt.Fprintf(c.stdout, "%s\t%s\t%s\tdesde %s\t%s\n", a.Name, state, plural(a.Occurrences, "vez", "veces"),
					a.StartedAt.In(loc).Format("02/01/2006 15:04"), a.Message)
			}
			return nil
		},
	}
	list.Flags().BoolVar(&all, "all", false, "include resolved alarms")
	list.Flags().IntVar(&limit, "limit", 100, "show at most this many alarms")

	show := &cobra.Command{
		Use:   "show NAME",
		Short: "Show the alarm of that name with its details: the open one, else the last resolved one",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			app, err := c.open(cmd.Context())
			if err != nil {
				return err
			}
			defer app.Close()
			a, err := app.Store.OpenAlarm(cmd.Context(), args[0])
			if errors.Is(err, domain.ErrNotFound) {
				a, err = lastAlarm(cmd.Context(), app, args[0])
			}
			if err != nil {
				return err
			}
			if c.cfg.JSON {
				return printJSON(c.stdout, toAlarmJSON(a, true))
			}
			loc := app.zone()
			state := "abierta"
			if a.ResolvedAt != nil {
				state = "resuelta el " + a.ResolvedAt.In(loc).Format("02/01/2006 15:04") + ";"
			}
			fmt.Fprintf(c.stdout, "Alarma %s (%s desde %s, %s, la última el %s)\n%s\n\n%s\n", a.Name, state,
				a.StartedAt.In(loc).Format("02/01/2006 15:04"), plural(a.Occurrences, "vez", "veces"),
				a.LastSeenAt.In(loc).Format("02/01/2006 15:04"), a.Message, strings.TrimRight(a.Details, "\n"))
			return nil
		},
	}

	resolve := &cobra.Command{
		Use:   "resolve NAME",
		Short: "Mark the open alarm of that name as resolved",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			app, err := c.open(cmd.Context())
			if err != nil {
				return err
			}
			defer app.Close()
			err = app.Store.ResolveAlarm(cmd.Context(), args[0], app.Clock.Now())
			if errors.Is(err, domain.ErrNotFound) {
				return usageErrorf("no open alarm is named %q; see telcojobs alarm list", args[0])
			}
			if err != nil {
				return err
			}
			if c.cfg.JSON {
				return printJSON(c.stdout, map[string]any{"resolved": args[0]})
			}
			fmt.Fprintf(c.stdout, "Alarma %s resuelta.\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(list, show, resolve)
	return cmd
}

// lastAlarm returns the newest resolved alarm of that name among the
// latest alarms.
func lastAlarm(ctx context.Context, app *App, name string) (domain.Alarm, error) {
	all, err := app.Store.ListAlarms(ctx, false, maxAlarmsSearched)
	if err != nil {
		return domain.Alarm{}, err
	}
	for _, a := range all {
		if a.Name == name {
			return a, nil
		}
	}
	return domain.Alarm{}, usageErrorf("no alarm is named %q among the latest %d; see telcojobs alarm list --all", name, maxAlarmsSearched)
}

// maxAlarmsSearched caps the alarms that alarm show reads to find a
// resolved one.
const maxAlarmsSearched = 1000

// zone returns the business time zone in which the command prints times.
// Config validation has loaded it once already, so UTC is only a fallback.
func (a *App) zone() *time.Location {
	loc, err := domain.LoadZone(a.Config.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}
