package cmd

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newSystemCmd(g *globals) *cobra.Command {
	c := &cobra.Command{Use: "system", Short: "Manage ctr-lite itself"}
	var force bool
	reset := &cobra.Command{
		Use:   "reset -f",
		Short: "Remove all containers, networks (bridges and rules) and images under --root",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if _, err := g.daemonConfig(); err != nil { // it may set --root
				return err
			}
			if !force {
				return fmt.Errorf("system reset deletes everything under %s: pass -f to confirm", g.root)
			}
			e, err := g.engine()
			if err != nil {
				return err
			}
			return e.Reset(c.Context())
		},
	}
	reset.Flags().BoolVarP(&force, "force", "f", false, "do not ask")
	c.AddCommand(reset, newInfoCmd(g), newEventsCmd(g), newSystemDfCmd(g), newSystemPruneCmd(g))
	return c
}
