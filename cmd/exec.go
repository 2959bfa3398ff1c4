package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/lifecycle/monitor"
	"github.com/ctr-lite/ctr-lite/opts"
)

func newExecCmd(g *globals) *cobra.Command {
	var o lifecycle.ExecOptions
	var env, envFiles []string
	c := &cobra.Command{
		Use:   "exec [OPTIONS] CONTAINER COMMAND [ARG...]",
		Short: "Run a command in a running container; exit with its status",
		Long: `Run a command in a running container and exit with its status. With -t
the command's terminal is held by an exec monitor: the detach keys
(ctrl-p,ctrl-q, or --detach-keys) leave the command running in the background.`,
		Example: `  ctr-lite exec web sh -c 'echo hi'
  ctr-lite exec -it web sh
  ctr-lite exec -e A=1 -u app -w /tmp web env
  ctr-lite exec -d web sh -c 'sleep 60 > /dev/null'
  ctr-lite exec --env-file ./app.env --privileged web ip link
  ctr-lite exec -it --detach-keys ctrl-x,x web top`,
		Args: minArgs(2, "CONTAINER COMMAND [ARG...]"),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if o.Env, err = opts.Environment(envFiles, env, os.LookupEnv); err != nil {
				return usageError(c, err)
			}
			if o.Tty && o.Interactive && !o.Detach && !term.IsTerminal(int(os.Stdin.Fd())) {
				return fmt.Errorf("the input device is not a TTY: drop -t, or run from a terminal")
			}
			e, err := g.engine()
			if err != nil {
				return err
			}
			o.Cmd = args[1:]
			return monitor.Exec(c.Context(), e, args[0], o, lifecycle.Stdio{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
		},
	}
	fs := c.Flags()
	fs.SetInterspersed(false)
	fs.BoolVarP(&o.Interactive, "interactive", "i", false, "pass stdin to the command")
	fs.BoolVarP(&o.Tty, "tty", "t", false, "give the command a terminal")
	fs.StringArrayVarP(&env, "env", "e", nil, "set an environment variable (KEY=VALUE, or KEY to pass yours)")
	fs.StringArrayVar(&envFiles, "env-file", nil, "read environment variables from a file (KEY=VALUE lines)")
	fs.BoolVarP(&o.Detach, "detach", "d", false, "start the command and return; its output is discarded")
	fs.BoolVar(&o.Privileged, "privileged", false, "give the command every capability")
	fs.StringVar(&o.DetachKeys, "detach-keys", "", "keys that detach from a -t command, leaving it running (default ctrl-p,ctrl-q)")
	fs.StringVarP(&o.User, "user", "u", "", "user: NAME|UID[:GROUP|GID]")
	fs.StringVarP(&o.Workdir, "workdir", "w", "", "working directory")
	return c
}
