package cmd

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
)

func newLogsCmd(g *globals) *cobra.Command {
	var o lifecycle.LogsOptions
	var tail, since, until string
	c := &cobra.Command{
		Use:   "logs [-f] [--tail N] [-t] [--since T] [--until T] CONTAINER",
		Short: "Print a container's output (stdout and stderr kept apart)",
		Example: `  ctr-lite logs web
  ctr-lite logs -f --tail 20 -t web
  ctr-lite logs --since 10m web`,
		Args: exactArgs(1, "CONTAINER"),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if o.Filter.Tail, err = parseTail(tail); err == nil {
				if o.Filter.Since, err = parseTime(since); err == nil {
					o.Filter.Until, err = parseTime(until)
				}
			}
			if err != nil {
				return usageError(c, err)
			}
			e, err := g.engine()
			if err != nil {
				return err
			}
			return e.Logs(c.Context(), args[0], o, os.Stdout, os.Stderr)
		},
	}
	c.Flags().BoolVarP(&o.Follow, "follow", "f", false, "keep printing until the container stops")
	c.Flags().BoolVarP(&o.Timestamps, "timestamps", "t", false, "prefix each line with its time")
	c.Flags().StringVarP(&tail, "tail", "n", "all", "number of lines from the end, or all")
	c.Flags().StringVar(&since, "since", "", "only lines after a time (RFC 3339) or a duration ago (10m)")
	c.Flags().StringVar(&until, "until", "", "only lines before a time (RFC 3339) or a duration ago")
	return c
}

func parseTail(s string) (int, error) {
	if s == "all" || s == "" {
		return -1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid --tail %q: a number of lines or all", s)
	}
	return n, nil
}

// parseTime accepts RFC 3339, a Unix timestamp, or a duration before now.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return time.Now().Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	// seconds since 1970, with docker's optional fraction (1700000000.5)
	whole, frac, _ := strings.Cut(s, ".")
	if secs, err := strconv.ParseInt(whole, 10, 64); err == nil {
		if frac == "" {
			return time.Unix(secs, 0), nil
		}
		if len(frac) <= 9 {
			if ns, err := strconv.ParseInt((frac + "000000000")[:9], 10, 64); err == nil {
				return time.Unix(secs, ns), nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("invalid time %q: use RFC 3339 (2026-01-02T15:04:05Z), seconds since 1970, or a duration such as 10m", s)
}
