package cmd

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/lifecycle/monitor"
)

func newStartCmd(g *globals) *cobra.Command {
	var attach, interactive, all bool
	var o lifecycle.AttachOptions
	c := &cobra.Command{
		Use:   "start [-a [-i]] CONTAINER [CONTAINER...]",
		Short: "Start created or exited containers",
		Long: `Start containers in the background under a monitor, or with -a in the
foreground, exiting with the container's status. With -a the signals you get
are passed on to a container without -t (--sig-proxy), as docker's; with -t a
SIGINT or SIGTERM sent to the CLI ends the attach (128+N) and the container
runs on; a -t one's detach keys
(ctrl-p,ctrl-q, or --detach-keys) leave it running, to 'attach' again later.`,
		Example: `  ctr-lite start web
  ctr-lite start -a c1
  ctr-lite start -ai --detach-keys ctrl-x,x shell`,
		Args: func(c *cobra.Command, args []string) error {
			if all {
				return nil
			}
			return minArgs(1, "CONTAINER [CONTAINER...]")(c, args)
		},
		RunE: func(c *cobra.Command, args []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			if all {
				if args, err = stoppedContainers(e); err != nil {
					return err
				}
			}
			if attach {
				if len(args) != 1 {
					return usageError(c, fmt.Errorf("start -a takes one container"))
				}
				stdio := lifecycle.Stdio{Stdout: os.Stdout, Stderr: os.Stderr}
				if interactive {
					stdio.Stdin = os.Stdin
				}
				return monitor.StartForeground(c.Context(), e, args[0], o, stdio)
			}
			return eachRef(c.Context(), args, func(ctx context.Context, ref string) error {
				if err := monitor.Start(ctx, e, ref); err != nil {
					return err
				}
				fmt.Fprintln(c.OutOrStdout(), ref)
				return nil
			})
		},
	}
	c.Flags().BoolVarP(&attach, "attach", "a", false, "attach stdout/stderr and exit with the container's status")
	c.Flags().BoolVarP(&interactive, "interactive", "i", false, "attach stdin")
	c.Flags().BoolVar(&all, "all", false, "start every container that is not running")
	c.Flags().StringVar(&o.DetachKeys, "detach-keys", "", "keys that detach from a -t container, leaving it running (default ctrl-p,ctrl-q)")
	c.Flags().BoolVar(&o.SigProxy, "sig-proxy", true, "with -a, pass the signals you get on to a container without -t")
	return c
}

func stoppedContainers(e *lifecycle.Engine) ([]string, error) {
	list, err := e.Containers.List()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, ctr := range list {
		if !lifecycle.IsRunning(ctr) {
			names = append(names, ctr.Name)
		}
	}
	return names, nil
}
