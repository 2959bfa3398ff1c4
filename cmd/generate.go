package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ctr-lite/ctr-lite/lifecycle/monitor"
	"github.com/ctr-lite/ctr-lite/state"
	"github.com/ctr-lite/ctr-lite/systemd"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func newGenerateCmd(g *globals) *cobra.Command {
	c := &cobra.Command{Use: "generate", Short: "Generate files for other tools"}
	var stopTimeout int
	var fresh, files, useName bool
	systemd := &cobra.Command{
		Use:   "systemd [-t SECONDS] [--new] [--name] [--files] CONTAINER",
		Short: "Print a systemd unit that starts and stops the container",
		Long: `Print a systemd unit that starts and stops the existing container
('ctr-lite start ID', 'ctr-lite stop -t N ID'; Type=forking, following
the monitor's pid file). With --new the unit creates a new container at
every start, from the command line the container was created with
('ctr-lite run -d --rm --replace --name NAME --sdnotify conmon' and the
flags and arguments you typed; Type=notify, NotifyAccess=all: the
container's monitor tells systemd its PID and that the container runs;
--restart becomes Restart=, else Restart=on-failure; a -e KEY that took
its value from your environment is refused: use --env-file). Both set
the CTR_LITE_* settings the container was created with, and
TimeoutStopSec= 20 s above the stop timeout. --files writes
container-ID.service (container-NAME.service with --name) into the
working directory and prints its path. Without a daemon, nothing
restarts containers after a reboot: a unit is how a container comes back.`,
		Example: `  ctr-lite generate systemd --new --name --files web && mv container-web.service /etc/systemd/system/
  systemctl daemon-reload && systemctl enable --now container-web`,
		Args: exactArgs(1, "CONTAINER"),
		RunE: func(c *cobra.Command, args []string) error {
			e, ctr, err := g.lookup(args[0])
			if err != nil {
				return err
			}
			hc, err := e.Containers.LoadHostConfig(ctr.ID)
			if err != nil {
				return err
			}
			self, err := os.Executable()
			if err != nil {
				return fmt.Errorf("find the ctr-lite binary for the unit: %w", err)
			}
			// The unit runs in /: a relative --root or --runroot must not reach it.
			root, runroot, pidFile := absolute(e.Root), absolute(e.RunRoot), absolute(monitor.PidFile(e, ctr.ID))
			o := systemd.UnitOptions{Binary: self, Root: root, RunRoot: runroot, StopTimeout: stopTimeout, PIDFile: pidFile, UseName: useName}
			if t := ctr.Config.StopTimeout; t != nil && *t >= 0 && !c.Flags().Changed("time") {
				o.StopTimeout = *t // the container's --stop-timeout bounds ExecStop too
			}
			if img, err := e.Images.Lookup(ctr.Image); err == nil {
				o.ImageEnv = img.Config.Config.Env
			}
			if fresh {
				if len(ctr.Config.CreateCommand) == 0 {
					return fmt.Errorf("generate a --new unit for container %q: %w", ctr.Name, systemd.ErrNoCreateCommand)
				}
				if o.Command, err = splitCreateCommand(ctr.Config.CreateCommand); err != nil {
					return fmt.Errorf("read the stored command line of container %q: %w: recreate the container", ctr.Name, err)
				}
			}
			unit, err := systemd.Unit(ctr, hc, o)
			if err != nil {
				return fmt.Errorf("generate a unit for container %q: %w", ctr.Name, err)
			}
			if !files {
				fmt.Fprint(c.OutOrStdout(), unit)
				return nil
			}
			path := absolute(systemd.UnitName(ctr, useName))
			if err := state.WriteFileAtomic(path, []byte(unit), 0o644, false); err != nil {
				return fmt.Errorf("write the unit of container %q: %w", ctr.Name, err)
			}
			fmt.Fprintln(c.OutOrStdout(), path) // podman prints the path
			return nil
		},
	}
	systemd.Flags().IntVarP(&stopTimeout, "time", "t", 10, "seconds ExecStop waits before killing (default: the container's --stop-timeout, else 10)")
	systemd.Flags().BoolVar(&fresh, "new", false, "create a new container from the stored command line at every start (Type=notify)")
	systemd.Flags().BoolVarP(&useName, "name", "n", false, "name the unit and the default unit's commands by the container's name, not its ID")
	systemd.Flags().BoolVarP(&files, "files", "f", false, "write container-ID.service (or -NAME with --name) in the working directory and print its path")
	c.AddCommand(systemd, newGenerateQuadletCmd())
	return c
}

// splitCreateCommand splits a stored `ctr-lite [GLOBALS] create|run
// [FLAGS] IMAGE [ARG...]` with today's flag definitions, so a unit can
// drop and add flags by name and never misreads a flag's value as one.
func splitCreateCommand(argv []string) (*systemd.CommandLine, error) {
	if len(argv) < 2 {
		return nil, fmt.Errorf("%q is too short", argv)
	}
	root := NewRootCmd()
	globalFlags := root.PersistentFlags()
	cl := &systemd.CommandLine{}
	rest, err := splitFlags(argv[1:], globalFlags, nil, &cl.Globals, nil)
	if err != nil {
		return nil, err
	}
	if len(rest) > 1 && rest[0] == "container" { // `container create` is create
		rest = rest[1:]
	}
	if len(rest) == 0 || rest[0] != "create" && rest[0] != "run" {
		return nil, fmt.Errorf("%q is not a create or run", argv)
	}
	cl.Verb = rest[0]
	sub, _, err := root.Find(rest[:1])
	if err != nil {
		return nil, err
	}
	if cl.Operands, err = splitFlags(rest[1:], sub.Flags(), globalFlags, &cl.Flags, &cl.Globals); err != nil {
		return nil, err
	}
	return cl, nil
}

// splitFlags reads flags from words as pflag does without interspersed
// arguments, appending each to flags (or, if it is one of globals, to
// globalOut), and returns the words from the first operand on.
func splitFlags(words []string, fs, globals *pflag.FlagSet, flags, globalOut *[]systemd.Arg) ([]string, error) {
	lookup := func(long, short string) (*pflag.Flag, *[]systemd.Arg) {
		for _, set := range []struct {
			fs  *pflag.FlagSet
			out *[]systemd.Arg
		}{{fs, flags}, {globals, globalOut}} {
			if set.fs == nil {
				continue
			}
			if f := set.fs.Lookup(long); long != "" && f != nil {
				return f, set.out
			}
			if f := set.fs.ShorthandLookup(short); short != "" && f != nil {
				return f, set.out
			}
		}
		return nil, nil
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "--":
			return words[i+1:], nil
		case !strings.HasPrefix(w, "-") || w == "-":
			return words[i:], nil
		case strings.HasPrefix(w, "--"):
			name, value, hasValue := strings.Cut(w[2:], "=")
			f, out := lookup(name, "")
			if f == nil {
				return nil, fmt.Errorf("unknown flag %q", w)
			}
			a := systemd.Arg{Name: f.Name, Value: value, Words: []string{w}}
			if !hasValue && f.NoOptDefVal != "" {
				a.Value = f.NoOptDefVal
			} else if !hasValue {
				if i+1 == len(words) {
					return nil, fmt.Errorf("flag %q has no value", w)
				}
				i++
				a.Value, a.Words = words[i], []string{w, words[i]}
			}
			*out = append(*out, a)
		default:
			n, err := splitShorthands(words[i:], lookup)
			if err != nil {
				return nil, err
			}
			i += n - 1
		}
	}
	return nil, nil
}

// splitShorthands reads one word of shorthand flags ("-it", "-p8080:80",
// "-e" "A=1"), each flag into its own Arg, and returns how many words it
// used (1, or 2 when the last flag's value is the next word).
func splitShorthands(words []string, lookup func(long, short string) (*pflag.Flag, *[]systemd.Arg)) (int, error) {
	s := words[0][1:]
	for s != "" {
		f, out := lookup("", s[:1])
		if f == nil {
			return 0, fmt.Errorf("unknown shorthand flag %q in %q", s[:1], words[0])
		}
		a := systemd.Arg{Name: f.Name, Words: []string{"-" + s[:1]}}
		s = s[1:]
		switch {
		case strings.HasPrefix(s, "="):
			a.Value, a.Words[0], s = s[1:], a.Words[0]+s, ""
		case f.NoOptDefVal != "":
			a.Value = f.NoOptDefVal
		case s != "":
			a.Value, a.Words[0], s = s, a.Words[0]+s, ""
		case len(words) < 2:
			return 0, fmt.Errorf("flag %q has no value", a.Words[0])
		default:
			a.Value = words[1]
			a.Words = append(a.Words, words[1])
			*out = append(*out, a)
			return 2, nil
		}
		*out = append(*out, a)
	}
	return 1, nil
}

// absolute is p made absolute against the working directory (p as it is
// if that fails: the unit's own check then names it).
func absolute(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
