package cmd

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/lifecycle/monitor"
)

func newStopCmd(g *globals) *cobra.Command {
	var seconds int
	c := &cobra.Command{
		Use:   "stop [-t SECONDS] CONTAINER [CONTAINER...]",
		Short: "Stop containers: the stop signal, then SIGKILL after a grace period",
		Example: `  ctr-lite stop web
  ctr-lite stop -t 2 web db`,
		Args: minArgs(1, "CONTAINER [CONTAINER...]"),
		RunE: func(c *cobra.Command, args []string) error {
			return eachRefPrinting(c, g, args, func(ctx context.Context, e *lifecycle.Engine, ref string) error {
				return e.Stop(ctx, ref, time.Duration(seconds)*time.Second)
			})
		},
	}
	c.Flags().IntVarP(&seconds, "time", "t", 10, "seconds to wait before killing the container")
	return c
}

func newRestartCmd(g *globals) *cobra.Command {
	var seconds int
	c := &cobra.Command{
		Use:     "restart [-t SECONDS] CONTAINER [CONTAINER...]",
		Short:   "Stop and start containers again",
		Example: `  ctr-lite restart web`,
		Args:    minArgs(1, "CONTAINER [CONTAINER...]"),
		RunE: func(c *cobra.Command, args []string) error {
			return eachRefPrinting(c, g, args, func(ctx context.Context, e *lifecycle.Engine, ref string) error {
				if err := e.Stop(ctx, ref, time.Duration(seconds)*time.Second); err != nil {
					return err
				}
				return monitor.Start(ctx, e, ref)
			})
		},
	}
	c.Flags().IntVarP(&seconds, "time", "t", 10, "seconds to wait before killing the container")
	return c
}
