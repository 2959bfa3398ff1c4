package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/events"
)

func newEventsCmd(g *globals) *cobra.Command {
	var since, until, format string
	var filters []string
	c := &cobra.Command{
		Use:   "events [--since T] [--until T] [--filter K=V]... [--format F]",
		Short: "Show the events of containers, images, networks and volumes, then follow new ones",
		Long: `Show events from the events log under --root (every command and monitor
appends to it). With --since, past events from then on are shown first;
without --until new events follow until interrupted.`,
		Example: `  ctr-lite events --since 10m --until "$(date +%s)"
  ctr-lite events --filter event=start --filter container=web
  ctr-lite events --format '{{json .}}'`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			var q events.Query
			var err error
			if q.Since, err = parseTime(since); err != nil {
				return usageError(c, err)
			}
			if q.Until, err = parseTime(until); err != nil {
				return usageError(c, err)
			}
			if q.Filter, err = events.ParseFilter(filters); err != nil {
				return usageError(c, err)
			}
			print, err := eventPrinter(c, format)
			if err != nil {
				return err
			}
			stop := make(chan struct{})
			sigs := make(chan os.Signal, 1)
			signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
			defer signal.Stop(sigs)
			go func() { <-sigs; close(stop) }()
			if _, err := g.daemonConfig(); err != nil { // it may set --root
				return err
			}
			return events.Watch(g.root, q, stop, print)
		},
	}
	c.Flags().StringVar(&since, "since", "", "show events since a time (RFC 3339, seconds since 1970, or a duration ago such as 10m)")
	c.Flags().StringVar(&until, "until", "", "stop at a time (as --since)")
	c.Flags().StringArrayVarP(&filters, "filter", "f", nil, "KEY=VALUE: container, image, event, type, label, network or volume")
	c.Flags().StringVar(&format, "format", "", "a Go template for each event, or json")
	return c
}

// eventPrinter prints an event in docker's line format or by --format.
func eventPrinter(c *cobra.Command, format string) (func(events.Message) error, error) {
	w := c.OutOrStdout()
	if format == "" {
		return func(m events.Message) error { _, err := fmt.Fprintln(w, m.Line()); return err }, nil
	}
	if format == "json" {
		return func(m events.Message) error { return json.NewEncoder(w).Encode(m) }, nil
	}
	t, err := parseTemplate(unescapeTabs(format))
	if err != nil {
		return nil, usageError(c, err)
	}
	return func(m events.Message) error {
		if err := t.Execute(w, m); err != nil {
			return fmt.Errorf("format: %w", err)
		}
		_, err := fmt.Fprintln(w)
		return err
	}, nil
}
