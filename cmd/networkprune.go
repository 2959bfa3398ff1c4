package cmd

import (
	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle/networks"
)

func newNetworkPruneCmd(g *globals) *cobra.Command {
	var force bool
	c := &cobra.Command{
		Use:     "prune [-f]",
		Short:   "Remove all user-defined networks no container uses",
		Example: `  ctr-lite network prune -f`,
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if !force && !confirmText("WARNING! This will remove all custom networks not used by at least one container.") {
				return nil
			}
			e, err := g.engine()
			if err != nil {
				return err
			}
			names, err := networks.Of(e).PruneNetworks(c.Context(), nil)
			printDeleted(c.OutOrStdout(), "Networks", names)
			return err
		},
	}
	c.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	return c
}
