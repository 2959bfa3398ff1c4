package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
)

func newStartCmd(g *globals) *cobra.Command {
	var attach, interactive bool
	c := &cobra.Command{
		Use:   "start -a [-i] CONTAINER",
		Short: "Start a created or exited container, attached",
		Long: `Start a container in the foreground and exit with its status. Detached
start (without -a) comes with the container monitor; until then -a is needed.`,
		Example: `  ctr-lite start -a c1`,
		Args:    exactArgs(1, "CONTAINER"),
		RunE: func(c *cobra.Command, args []string) error {
			if !attach {
				return &lifecycle.ExitError{Code: lifecycle.ExitEngine,
					Err: fmt.Errorf("detached start is not supported yet: use start -a")}
			}
			e, err := g.engine()
			if err != nil {
				return err
			}
			stdio := lifecycle.Stdio{Stdout: os.Stdout, Stderr: os.Stderr}
			if interactive {
				stdio.Stdin = os.Stdin
			}
			return e.StartAttached(c.Context(), args[0], stdio)
		},
	}
	c.Flags().BoolVarP(&attach, "attach", "a", false, "attach stdout/stderr and exit with the container's status")
	c.Flags().BoolVarP(&interactive, "interactive", "i", false, "attach stdin")
	return c
}
