package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
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
			e, err := g.engine()
			if err != nil {
				return err
			}
			return eachRef(c.Context(), args, func(ctx context.Context, ref string) error {
				if err := e.Remove(ctx, ref, force, volumes); err != nil {
					return err
				}
				fmt.Fprintln(c.OutOrStdout(), ref)
				return nil
			})
		},
	}
	c.Flags().BoolVarP(&force, "force", "f", false, "kill and remove a running container")
	c.Flags().BoolVarP(&volumes, "volumes", "v", false, "also remove the container's anonymous volumes")
	return c
}
