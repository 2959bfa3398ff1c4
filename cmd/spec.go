package cmd

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
)

func newSpecCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "spec CONTAINER",
		Short: "Print the OCI config.json a container runs with",
		Long: `Print the OCI runtime spec (config.json) that start would give runc for
this container: useful to see exactly what a container gets, or to run the
same bundle with runc by hand.`,
		Example: `  ctr-lite create --name c1 busybox true && ctr-lite spec c1 > config.json`,
		Args:    exactArgs(1, "CONTAINER"),
		RunE: func(c *cobra.Command, args []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			spec, err := e.Spec(c.Context(), args[0])
			if err != nil {
				return err
			}
			out, err := json.MarshalIndent(spec, "", "  ")
			if err != nil {
				return err
			}
			fmt.Fprintln(c.OutOrStdout(), string(out))
			return nil
		},
	}
}
