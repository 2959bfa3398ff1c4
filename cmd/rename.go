package cmd

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

func newRenameCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "rename CONTAINER NEW_NAME",
		Short: "Rename a container",
		Long: `Rename a container, running, paused or stopped. On a user-defined network the
other containers' /etc/hosts entries for it follow the new name.`,
		Example: `  ctr-lite rename my_container my_new_container`,
		Args:    exactArgs(2, "CONTAINER NEW_NAME"),
		RunE: func(c *cobra.Command, args []string) error {
			if args[1] == "" {
				return errors.New("new name cannot be blank")
			}
			e, err := g.engine()
			if err != nil {
				return err
			}
			if err := e.Rename(c.Context(), args[0], args[1]); err != nil {
				return fmt.Errorf("failed to rename container: %w", err)
			}
			return nil
		},
	}
}
