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
	var conds []string
	c := &cobra.Command{
		Use:   "wait [--condition COND] CONTAINER [CONTAINER...]",
		Short: "Wait for containers to stop (or meet a condition) and print their exit codes",
		Example: `  ctr-lite wait web
  ctr-lite wait --condition healthy web`,
		Args: minArgs(1, "CONTAINER [CONTAINER...]"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := lifecycle.CheckWaitConditions(conds); err != nil {
				return badFlagValue(err)
			}
			e, err := g.engine()
			if err != nil {
				return err
			}
			return eachRef(c.Context(), args, func(ctx context.Context, ref string) error {
				wait := func() (int, error) { return e.Wait(ctx, ref) }
				if len(conds) > 0 {
					wait = func() (int, error) { return e.WaitCondition(ctx, ref, conds) }
				}
				code, err := wait()
				if err != nil {
					return err
				}
				fmt.Fprintln(c.OutOrStdout(), code)
				return nil
			})
		},
	}
	c.Flags().StringArrayVar(&conds, "condition", nil, "wait until the container is running, healthy, unhealthy, stopped or exited (podman's; repeat: any one); prints -1 except for stopped and exited")
	return c
}
