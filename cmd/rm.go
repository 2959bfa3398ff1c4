package cmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
)

func newRmCmd(g *globals) *cobra.Command {
	var force, volumes bool
	c := &cobra.Command{
		Use:     "rm [-f] CONTAINER [CONTAINER...]",
		Aliases: []string{"remove"},
		Short:   "Remove containers",
		Example: `  ctr-lite rm c1
  ctr-lite rm -f $(ctr-lite ps -aq)`,
		Args: minArgs(1, "CONTAINER [CONTAINER...]"),
		RunE: func(c *cobra.Command, args []string) error {
			return eachRefPrinting(c, g, args, func(ctx context.Context, e *lifecycle.Engine, ref string) error {
				return e.Remove(ctx, ref, force, volumes)
			})
		},
	}
	c.Flags().BoolVarP(&force, "force", "f", false, "kill and remove a running container")
	c.Flags().BoolVarP(&volumes, "volumes", "v", false, "also remove the container's anonymous volumes")
	return c
}
