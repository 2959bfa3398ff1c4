package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/lifecycle/monitor"
)

func newRunCmd(g *globals) *cobra.Command {
	f := &createFlags{}
	c := &cobra.Command{
		Use:   "run [OPTIONS] IMAGE [COMMAND] [ARG...]",
		Short: "Create and start a container, attached; exit with its status",
		Long: `Create and start a container in the foreground. Its stdout and stderr are
yours, stdin too with -i; SIGINT, SIGTERM and SIGHUP are passed on to it
(--sig-proxy); with -t the detach keys (ctrl-p,ctrl-q, or --detach-keys)
leave it running under a monitor, to 'attach' again later. The exit status is the container's (125: ctr-lite failed, 126: the command cannot
be run, 127: the command was not found).`,
		Example: `  ctr-lite run --rm busybox echo hello
  ctr-lite run --rm -it busybox sh
  ctr-lite run -it --name shell --detach-keys ctrl-x,x busybox sh
  ctr-lite run --rm -v /srv/data:/data:ro --read-only busybox ls /data
  ctr-lite run --rm --mount type=tmpfs,dst=/cache,tmpfs-size=64m busybox df /cache
  ctr-lite run -d --name web -p 8080:80 --restart on-failure:3 busybox httpd -f -p 80
  ctr-lite run -d --sdnotify conmon --name web busybox httpd -f   # ExecStart= of a Type=notify unit`,
		Args: minArgs(1, "IMAGE [COMMAND] [ARG...]"),
		RunE: func(c *cobra.Command, args []string) error {
			req, e, err := f.prepare(c, args, g)
			if err != nil {
				return err
			}
			req.CreateCommand, req.CreateEnv = os.Args, settingsEnv()
			if !f.detach {
				stdio := f.stdio(req.Config.OpenStdin)
				if monitor.ThroughMonitor(req.Config.Tty, req.Host.LogConfig.Type) {
					return monitor.Run(c.Context(), e, req, f.attachOptions(stdio), stdio)
				}
				return e.Run(c.Context(), req, stdio)
			}
			if err := lifecycle.CheckDetachable(&req.Host); err != nil {
				return err // before a container is made for nothing
			}
			ctr, err := e.Create(c.Context(), req)
			if err != nil {
				return err
			}
			if err := monitor.Start(c.Context(), e, ctr.ID); err != nil {
				return err
			}
			fmt.Fprintln(c.OutOrStdout(), ctr.ID)
			return nil
		},
	}
	f.register(c)
	c.Flags().BoolVarP(&f.detach, "detach", "d", false, "run in the background under a monitor and print the ID")
	return c
}
