package cmd

import (
	"errors"
	"io"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ctr-lite/ctr-lite/state"
)

func newExportCmd(g *globals) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "export [-o FILE] CONTAINER",
		Short: "Write a container's filesystem as a tar archive (without volume contents)",
		Args:  exactArgs(1, "CONTAINER"),
		RunE: func(c *cobra.Command, args []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			if output == "" {
				if term.IsTerminal(int(os.Stdout.Fd())) {
					return errors.New("cowardly refusing to save to a terminal. Use the -o flag or redirect")
				}
				return e.Export(c.Context(), args[0], c.OutOrStdout())
			}
			return state.WriteAtomic(output, 0o644, false, func(w io.Writer) error {
				return e.Export(c.Context(), args[0], w)
			})
		},
	}
	c.Flags().StringVarP(&output, "output", "o", "", "write to FILE instead of stdout")
	return c
}
