package cmd

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
)

func newAttachCmd(g *globals) *cobra.Command {
	var o lifecycle.AttachOptions
	c := &cobra.Command{
		Use:   "attach [OPTIONS] CONTAINER",
		Short: "Attach to a running container's output and stdin; exit with its status",
		Long: `Attach your stdout and stderr to a running container's, and your stdin to
its stdin if it was created with -i. With -t, the detach keys (ctrl-p,ctrl-q)
leave it running; without -t, the signals you get are passed on to it
(--sig-proxy). Exits with the container's status once it exits.`,
		Example: `  ctr-lite attach web
  ctr-lite attach --no-stdin --sig-proxy=false web
  ctr-lite attach --detach-keys ctrl-x,x shell`,
		Args: exactArgs(1, "CONTAINER"),
		RunE: func(c *cobra.Command, args []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			return e.Attach(c.Context(), args[0], o, lifecycle.Stdio{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
		},
	}
	fs := c.Flags()
	fs.BoolVar(&o.NoStdin, "no-stdin", false, "do not attach stdin")
	fs.BoolVar(&o.SigProxy, "sig-proxy", true, "pass the signals you get on to the container (not with -t)")
	fs.StringVar(&o.DetachKeys, "detach-keys", "", "keys that detach, leaving the container running (default ctrl-p,ctrl-q)")
	return c
}
