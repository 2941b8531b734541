package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/usecases"
)

func (c *cli) channelCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "channel", Short: "Create and list sales channels"}

	var name string
	create := &cobra.Command{
		Use:   "create SLUG",
		Short: "Create a sales channel, to which shop and seller files are imported",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ch, err := domain.NewChannel(args[0], name)
			if err != nil {
				return err
			}
			app, err := c.open(cmd.Context())
			if err != nil {
				return err
			}
			defer app.Close()
			ch, err = app.Store.CreateChannel(cmd.Context(), ch)
			if errors.Is(err, domain.ErrConflict) {
				return usageErrorf("channel %q already exists", ch.Slug)
			}
			if err != nil {
				return err
			}
			if c.cfg.JSON {
				return printJSON(c.stdout, map[string]any{"id": ch.ID, "slug": ch.Slug, "name": ch.Name})
			}
			fmt.Fprintf(c.stdout, "Canal %s creado (id %d).\n", ch.Slug, ch.ID)
			return nil
		},
	}
	create.Flags().StringVar(&name, "name", "", "display name; default the slug")

	list := &cobra.Command{
		Use:   "list",
		Short: "List the sales channels",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			app, err := c.open(cmd.Context())
			if err != nil {
				return err
			}
			defer app.Close()
			channels, err := app.Store.ListChannels(cmd.Context())
			if err != nil {
				return err
			}
			if c.cfg.JSON {
				out := make([]map[string]any, 0, len(channels))
				for _, ch := range channels {
					out = append(out, map[string]any{"id": ch.ID, "slug": ch.Slug, "name": ch.Name})
				}
				return printJSON(c.stdout, map[string]any{"channels": out})
			}
			for _, ch := range channels {
				fmt.Fprintf(c.stdout, "%s\t%s\n", ch.Slug, ch.Name)
			}
			return nil
		},
	}
	cmd.AddCommand(create, list)
	return cmd
}

func (c *cli) codesCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "codes", Short: "Manage the pool of promotion codes"}
	var file, kind string
	load := &cobra.Command{
		Use:   "load --file PATH",
		Short: "Load free promotion codes into the pool, one code per line",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			app, err := c.open(ctx)
			if err != nil {
				return err
			}
			defer app.Close()
			key, err := uploadFile(ctx, app, "load_promotion_codes", file)
			defer c.removeUploads(app)
			if err != nil {
				return err
			}
			res, err := app.UseCases.LoadPromotionCodes.Handle(ctx, usecases.LoadPromotionCodesInput{FileKey: key, PromotionKind: kind})
			if c.cfg.JSON {
				if perr := printJSON(c.stdout, res); perr != nil {
					return perr
				}
			} else {
				printSummary(c.stdout, "load_promotion_codes", res, 0, err)
			}
			return err
		},
	}
	load.Flags().StringVar(&file, "file", "", "text file with one code per line (required)")
	load.Flags().StringVar(&kind, "kind", "", "kind of the codes; default TV")
	cmd.AddCommand(load)
	return cmd
}

func (c *cli) templateCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "template", Short: "Create, update and list notification templates"}

	var channel, subject, bodyFile, htmlFile, sender string
	set := &cobra.Command{
		Use:   "set NAME --body-file PATH",
		Short: "Create or replace a notification template (Django template syntax)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ch, err := domain.ParseNotificationChannel(channel)
			if err != nil {
				return usageErrorf("--channel %q: expected email or sms", channel)
			}
			body, err := readTextFile("body-file", bodyFile, true)
			if err != nil {
				return err
			}
			html, err := readTextFile("html-file", htmlFile, false)
			if err != nil {
				return err
			}
			t := domain.NotificationTemplate{Name: strings.TrimSpace(args[0]), Channel: ch, Subject: subject, Body: body, HTMLBody: html, Sender: sender}

			// A template that does not parse would cancel every
			// notification sent with it, so it is rejected here.
			renderer, err := provideRenderer()
			if err != nil {
				return err
			}
			if _, err := renderer.Render(ctx, t, map[string]any{}); err != nil {
				return usageErrorf("template %s does not render: %v", t.Name, err)
			}

			app, err := c.open(ctx)
			if err != nil {
				return err
			}
			defer app.Close()
			created := false
			if old, err := app.Store.Template(ctx, t.Name); err == nil {
				t.ID = old.ID
				t, err = app.Store.UpdateTemplate(ctx, t)
				if err != nil {
					return err
				}
			} else if errors.Is(err, domain.ErrNotFound) {
				if t, err = app.Store.CreateTemplate(ctx, t); err != nil {
					return err
				}
				created = true
			} else {
				return err
			}
			if c.cfg.JSON {
				return printJSON(c.stdout, map[string]any{"id": t.ID, "name": t.Name, "created": created})
			}
			fmt.Fprintf(c.stdout, "Plantilla %s guardada (id %d).\n", t.Name, t.ID)
			return nil
		},
	}
	set.Flags().StringVar(&channel, "channel", "email", "email or sms")
	set.Flags().StringVar(&subject, "subject", "", "subject of e-mails (template syntax allowed)")
	set.Flags().StringVar(&bodyFile, "body-file", "", "file with the text body (required)")
	set.Flags().StringVar(&htmlFile, "html-file", "", "file with the HTML body of e-mails (optional)")
	set.Flags().StringVar(&sender, "sender", "", "From address of e-mails or sender id of SMS; default --smtp-from or --sms-sender")

	list := &cobra.Command{
		Use:   "list",
		Short: "List the notification templates",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			app, err := c.open(cmd.Context())
			if err != nil {
				return err
			}
			defer app.Close()
			templates, err := app.Store.ListTemplates(cmd.Context())
			if err != nil {
				return err
			}
			if c.cfg.JSON {
				out := make([]map[string]any, 0, len(templates))
				for _, t := range templates {
					out = append(out, map[string]any{"id": t.ID, "name": t.Name, "channel": t.Channel, "subject": t.Subject})
				}
				return printJSON(c.stdout, map[string]any{"templates": out})
			}
			for _, t := range templates {
				fmt.Fprintf(c.stdout, "%s\t%s\t%s\n", t.Name, t.Channel, t.Subject)
			}
			return nil
		},
	}
	cmd.AddCommand(set, list)
	return cmd
}

// readTextFile reads a file given by a flag; an empty path is allowed when
// the flag is optional.
func readTextFile(flag, path string, required bool) (string, error) {
	if path == "" {
		if required {
			return "", usageErrorf("--%s is required", flag)
		}
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", usageErrorf("--%s %s: %v", flag, path, err)
	}
	return string(b), nil
}

func (c *cli) scheduleCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "schedule", Short: "Create and update the schedules of the scheduler"}
	var file string
	set := &cobra.Command{
		Use:   "set --file PATH",
		Short: "Create or update schedules from a JSON file",
		Long: `Create or update schedules from a JSON file holding one schedule object, an
array of them, or an object whose "schedules" field is that array, for
example:

  {"name": "reintentos-noche", "enabled": true, "times": ["02:30", "14:00"],
   "time_zone": "Europe/Madrid", "action": "generic",
   "parameters": {"statuses": ["provision_error"], "limit": 500}}

A schedule with the name of an existing one replaces it. The times, the
zone, the action and its parameters are checked before anything is saved.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if file == "" {
				return usageErrorf("--file is required: a JSON file of schedules")
			}
			b, err := os.ReadFile(file)
			if err != nil {
				return usageErrorf("--file %s: %v", file, err)
			}
			inputs, err := parseSchedules(b)
			if err != nil {
				return usageErrorf("--file %s: %v", file, err)
			}
			if len(inputs) == 0 {
				return usageErrorf("--file %s contains no schedule; give at least one", file)
			}
			seen := map[string]int{}
			for i, in := range inputs {
				if first, dup := seen[in.Name]; dup {
					return usageErrorf("--file %s: schedules %d and %d are both named %q; names must be unique", file, first, i+1, in.Name)
				}
				seen[in.Name] = i + 1
			}

			app, err := c.open(ctx)
			if err != nil {
				return err
			}
			defer app.Close()
			// All the schedules of the file are saved in one transaction:
			// one invalid schedule leaves every schedule as it was.
			var results []usecases.SaveScheduleResult
			err = app.Store.InTx(ctx, func(ctx context.Context) error {
				for i, in := range inputs {
					if in.ID == 0 {
						if old, err := app.Store.ScheduleByName(ctx, in.Name); err == nil {
							in.ID = old.ID
						}
					}
					res, err := app.UseCases.SaveSchedule.Handle(ctx, in)
					if err != nil {
						return fmt.Errorf("schedule %d (%q) in %s: %w; nothing was saved", i+1, in.Name, file, err)
					}
					results = append(results, res)
				}
				return nil
			})
			if err != nil {
				return err
			}
			if c.cfg.JSON {
				return printJSON(c.stdout, map[string]any{"schedules": results})
			}
			for _, r := range results {
				verb := "actualizada"
				if r.Created {
					verb = "creada"
				}
				fmt.Fprintf(c.stdout, "Programación %s %s (id %d).\n", r.Name, verb, r.ScheduleID)
			}
			return nil
		},
	}
	set.Flags().StringVar(&file, "file", "", "JSON file of schedules (required)")
	cmd.AddCommand(set)
	return cmd
}

func (c *cli) notificationCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "notification", Short: "Create notifications"}
	var template, to, contextJSON string
	var maxAttempts int
	create := &cobra.Command{
		Use:   "create --template NAME --to RECIPIENT",
		Short: "Create a notification and enqueue its sending, in one transaction",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if template == "" || to == "" {
				return usageErrorf("--template and --to are required")
			}
			vars := map[string]any{}
			if contextJSON != "" {
				if err := json.Unmarshal([]byte(contextJSON), &vars); err != nil {
					return usageErrorf("--context is not a JSON object: %v", err)
				}
			}
			app, err := c.open(ctx)
			if err != nil {
				return err
			}
			defer app.Close()
			res, err := app.UseCases.CreateNotification.Handle(ctx, usecases.CreateNotificationInput{
				TemplateName: template, Recipient: to, Context: vars, MaxAttempts: maxAttempts,
			})
			if err != nil {
				return err
			}
			if c.cfg.JSON {
				return printJSON(c.stdout, res)
			}
			fmt.Fprintf(c.stdout, "Notificación %d creada; envío en la cola (trabajo %d).\n", res.NotificationID, res.JobID)
			return nil
		},
	}
	create.Flags().StringVar(&template, "template", "", "name of the template (required)")
	create.Flags().StringVar(&to, "to", "", "e-mail address or phone number of the recipient (required)")
	create.Flags().StringVar(&contextJSON, "context", "", `template variables as a JSON object, such as {"nombre":"Ana"}`)
	create.Flags().IntVar(&maxAttempts, "max-attempts", 0, "send attempts before the notification is cancelled; default 5")
	cmd.AddCommand(create)
	return cmd
}

// parseSchedules reads one schedule, an array of them, or {"schedules": [...]}.
// A field the schedule does not have, such as a misspelt "timezone", is an
// error rather than being ignored.
func parseSchedules(b []byte) ([]usecases.SaveScheduleInput, error) {
	strict := func(v any) error {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		return dec.Decode(v)
	}

	trimmed := strings.TrimSpace(string(b))
	if strings.HasPrefix(trimmed, "[") {
		var list []usecases.SaveScheduleInput
		if err := strict(&list); err != nil {
			return nil, fmt.Errorf("not a valid JSON array of schedules: %w", err)
		}
		return list, nil
	}

	var probe map[string]json.RawMessage
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if _, ok := probe["schedules"]; ok {
		var wrapper struct {
			Schedules []usecases.SaveScheduleInput `json:"schedules"`
		}
		if err := strict(&wrapper); err != nil {
			return nil, fmt.Errorf("not a valid list of schedules: %w", err)
		}
		return wrapper.Schedules, nil
	}
	var one usecases.SaveScheduleInput
	if err := strict(&one); err != nil {
		return nil, fmt.Errorf("not a valid JSON schedule: %w", err)
	}
	return []usecases.SaveScheduleInput{one}, nil
}
