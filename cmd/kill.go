package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/opts"
)

func newKillCmd(g *globals) *cobra.Command {
	var signal string
	c := &cobra.Command{
		Use:   "kill [-s SIGNAL] CONTAINER [CONTAINER...]",
		Short: "Send a signal (default KILL) to running containers",
		Example: `  ctr-lite kill web
  ctr-lite kill -s HUP web`,
		Args: minArgs(1, "CONTAINER [CONTAINER...]"),
		RunE: func(c *cobra.Command, args []string) error {
			sig, err := opts.ParseSignal(signal)
			if err != nil {
				return usageError(c, err)
			}
			return eachRefPrinting(c, g, args, func(ctx context.Context, e *lifecycle.Engine, ref string) error {
				return e.Kill(ctx, ref, sig)
			})
		},
	}
	c.Flags().StringVarP(&signal, "signal", "s", "KILL", "signal to send")
	return c
}

func newWaitCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "wait CONTAINER [CONTAINER...]",
		Short:   "Wait for containers to stop and print their exit codes",
		Example: `  ctr-lite wait web`,
		Args:    minArgs(1, "CONTAINER [CONTAINER...]"),
		RunE: func(c *cobra.Command, args []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			return eachRef(c.Context(), args, func(ctx context.Context, ref string) error {
				code, err := e.Wait(ctx, ref)
				if err != nil {
					return err
				}
				fmt.Fprintln(c.OutOrStdout(), code)
				return nil
			})
		},
	}
}
