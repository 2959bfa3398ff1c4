package cmd

import (
	"context"
	"fmt"

	"github.com/ctr-lite/ctr-lite/lifecycle/images"
	"github.com/spf13/cobra"
)

func newRmiCmd(g *globals) *cobra.Command {
	var force bool
	c := &cobra.Command{
		Use:     "rmi [-f] IMAGE [IMAGE...]",
		Short:   "Remove images",
		Example: `  ctr-lite rmi busybox`,
		Args:    minArgs(1, "IMAGE [IMAGE...]"),
		RunE: func(c *cobra.Command, args []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			return eachRef(c.Context(), args, func(ctx context.Context, ref string) error {
				lines, err := images.Of(e).RemoveImage(ctx, ref, force)
				for _, l := range lines {
					fmt.Fprintln(c.OutOrStdout(), l)
				}
				return err
			})
		},
	}
	c.Flags().BoolVarP(&force, "force", "f", false, "untag an image even while containers use it")
	return c
}
