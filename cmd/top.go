package cmd

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newTopCmd(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "top CONTAINER [ps OPTIONS]",
		Short: "Show a running container's processes (the host's ps, default -ef)",
		Args:  minArgs(1, "CONTAINER [ps OPTIONS]"),
		RunE: func(c *cobra.Command, args []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			header, rows, err := e.Top(c.Context(), args[0], args[1:])
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(os.Stdout, 20, 1, 3, ' ', 0) // docker top's layout
			fmt.Fprintln(w, strings.Join(header, "\t"))
			for _, r := range rows {
				fmt.Fprintln(w, strings.Join(r, "\t"))
			}
			return w.Flush()
		},
	}
	c.Flags().SetInterspersed(false) // ps's options are ps's
	return c
}
