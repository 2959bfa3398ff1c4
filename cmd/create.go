package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func newCreateCmd(g *globals) *cobra.Command {
	f := &createFlags{}
	c := &cobra.Command{
		Use:   "create [OPTIONS] IMAGE [COMMAND] [ARG...]",
		Short: "Create a container without starting it",
		Example: `  ctr-lite create --name c1 -e A=1 -w /tmp busybox sh -c 'echo $A'
  ctr-lite start -a c1
  ctr-lite create --name data -v /srv busybox true && ctr-lite run --rm --volumes-from data:ro busybox ls /srv`,
		Args: minArgs(1, "IMAGE [COMMAND] [ARG...]"),
		RunE: func(c *cobra.Command, args []string) error {
			req, e, err := f.prepare(c, args, g)
			if err != nil {
				return err
			}
			req.CreateCommand, req.CreateEnv = os.Args, settingsEnv()
			ctr, err := e.Create(c.Context(), req)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.OutOrStdout(), ctr.ID)
			return nil
		},
	}
	f.register(c)
	return c
}
