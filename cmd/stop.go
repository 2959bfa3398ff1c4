package cmd

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/lifecycle/monitor"
)

func newStopCmd(g *globals) *cobra.Command {
	var f stopFlags
	c := &cobra.Command{
		Use:   "stop [-t SECONDS] [-s SIGNAL] CONTAINER [CONTAINER...]",
		Short: "Stop containers: the stop signal, then SIGKILL after a grace period",
		Example: `  ctr-lite stop web
  ctr-lite stop -t 2 web db
  ctr-lite stop -s USR1 -t 1 web`,
		Args: minArgs(1, "CONTAINER [CONTAINER...]"),
		RunE: func(c *cobra.Command, args []string) error {
			return eachRefPrinting(c, g, args, func(ctx context.Context, e *lifecycle.Engine, ref string) error {
				return e.Stop(ctx, ref, f.signal, f.timeout(c))
			})
		},
	}
	f.add(c)
	return c
}

func newRestartCmd(g *globals) *cobra.Command {
	var f stopFlags
	c := &cobra.Command{
		Use:     "restart [-t SECONDS] [-s SIGNAL] CONTAINER [CONTAINER...]",
		Short:   "Stop and start containers again",
		Example: `  ctr-lite restart web`,
		Args:    minArgs(1, "CONTAINER [CONTAINER...]"),
		RunE: func(c *cobra.Command, args []string) error {
			return eachRefPrinting(c, g, args, func(ctx context.Context, e *lifecycle.Engine, ref string) error {
				if err := e.Stop(ctx, ref, f.signal, f.timeout(c)); err != nil {
					return err
				}
				return monitor.Start(ctx, e, ref)
			})
		},
	}
	f.add(c)
	return c
}

// stopFlags are docker stop's and restart's: -t/--timeout (with --time,
// docker's deprecated spelling, still read) and -s/--signal.
type stopFlags struct {
	seconds int
	signal  string
}

func (f *stopFlags) add(c *cobra.Command) {
	fs := c.Flags()
	fs.IntVarP(&f.seconds, "timeout", "t", 10, "seconds to wait for the container to stop before killing it (default: the container's --stop-timeout, else 10)")
	fs.IntVar(&f.seconds, "time", 10, "seconds to wait before killing the container (deprecated: use --timeout)")
	_ = fs.MarkHidden("time")
	fs.StringVarP(&f.signal, "signal", "s", "", "signal to send first, as a name (USR1, SIGUSR1) or number (default: the container's stop signal, else TERM)")
}

// timeout is -t, or without it the container's --stop-timeout.
func (f *stopFlags) timeout(c *cobra.Command) time.Duration {
	if !c.Flags().Changed("timeout") && !c.Flags().Changed("time") {
		return lifecycle.ContainerStopTimeout
	}
	if f.seconds < 0 { // docker's -t -1: wait as long as it takes
		return 100 * 365 * 24 * time.Hour
	}
	return time.Duration(f.seconds) * time.Second
}
