package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
)

func newGenerateCmd(g *globals) *cobra.Command {
	c := &cobra.Command{Use: "generate", Short: "Generate files for other tools"}
	var stopTimeout int
	systemd := &cobra.Command{
		Use:   "systemd [-t SECONDS] CONTAINER",
		Short: "Print a systemd unit that runs the container in the foreground",
		Long: `Print a systemd unit whose ExecStart is 'ctr-lite run --rm --replace --init'
of the container's configuration. Without a daemon, nothing restarts
containers after a reboot: a unit is how a container comes back.`,
		Example: `  ctr-lite generate systemd web > /etc/systemd/system/ctr-lite-web.service
  systemctl daemon-reload && systemctl enable --now ctr-lite-web`,
		Args: exactArgs(1, "CONTAINER"),
		RunE: func(c *cobra.Command, args []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			ctr, err := e.Lookup(args[0])
			if err != nil {
				return err
			}
			hc, err := e.Containers.LoadHostConfig(ctr.ID)
			if err != nil {
				return err
			}
			self, _ := os.Executable()
			o := lifecycle.UnitOptions{Binary: self, Root: e.Root, RunRoot: e.RunRoot, StopTimeout: stopTimeout}
			if img, err := e.Images.Lookup(ctr.Image); err == nil {
				o.ImageEnv = img.Config.Config.Env
			}
			fmt.Fprint(c.OutOrStdout(), lifecycle.SystemdUnit(ctr, hc, o))
			return nil
		},
	}
	systemd.Flags().IntVarP(&stopTimeout, "time", "t", 10, "seconds ExecStop waits before killing")
	c.AddCommand(systemd)
	return c
}
