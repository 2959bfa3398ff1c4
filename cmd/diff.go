package cmd

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newDiffCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "diff CONTAINER",
		Short: "Inspect changes to files or directories on a container's filesystem",
		Args:  exactArgs(1, "CONTAINER"),
		RunE: func(c *cobra.Command, args []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			changes, err := e.Diff(c.Context(), args[0])
			if err != nil {
				return err
			}
			for _, ch := range changes {
				fmt.Fprintln(c.OutOrStdout(), ch)
			}
			return nil
		},
	}
}
