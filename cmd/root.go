// Package cmd is ctr-lite's command line: one file per command, each a
// newXCmd factory whose handler fills an options struct and makes one call
// into lifecycle or rootfs. Nothing below this package imports cobra.
package cmd

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ctr-lite/ctr-lite/internal/daemonconfig"
	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/state"
)

// Version is set at build time with -ldflags "-X .../cmd.Version=...".
var Version = "dev"

// globals are the flags every command takes; each has an environment
// variable, so systemd units and test suites can set them once.
type globals struct {
	root, runroot, runtime, driver, logLevel string
	defaultSubnet, defaultBridge             string
	configFile                               string // --config-file: see daemonConfig
	flags                                    *pflag.FlagSet
	daemon                                   *daemonconfig.Config
	daemonErr                                error
}

// settingsEnv is the CTR_LITE_* environment this process reads but the
// state directories, as KEY=VALUE (set and not empty, as envOr takes it):
// create and run keep it with the command line, for a systemd unit to set
// again (a unit sets the state directories from generate's own).
func settingsEnv() []string {
	var env []string
	for _, k := range []string{"CTR_LITE_RUNTIME", "CTR_LITE_STORAGE_DRIVER",
		"CTR_LITE_DEFAULT_SUBNET", "CTR_LITE_DEFAULT_BRIDGE", "CTR_LITE_LOG_LEVEL", registriesConfEnv, configEnv} {
		if v, ok := os.LookupEnv(k); ok && v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

// NewRootCmd builds the ctr-lite command tree.
func NewRootCmd() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "ctr-lite",
		Short: "A daemonless container engine with docker's commands",
		Long: `ctr-lite runs OCI containers with runc, without a daemon: every command
locks the on-disk state, does its step and exits. A detached container gets
a small monitor (ctr-lite itself), the only process ctr-lite leaves running.`,
		Example: `  ctr-lite load -i testdata/busybox.tar
  ctr-lite run --rm busybox echo hello
  ctr-lite create --name c1 -e A=1 busybox sh -c 'echo $A' && ctr-lite start -a c1
  ctr-lite run -d --name web -p 8080:80 busybox httpd -f -p 80 && ctr-lite logs web`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: false},
	}
	pf := root.PersistentFlags()
	g.flags = pf
	pf.StringVar(&g.configFile, "config-file", envOr(configEnv, ""), "engine-wide defaults in docker's daemon.json keys (default "+daemonconfig.DefaultFile+", read when present; env "+configEnv+")")
	pf.StringVar(&g.root, "root", envOr("CTR_LITE_ROOT", "/var/lib/ctr-lite"), "state directory (env CTR_LITE_ROOT)")
	pf.StringVar(&g.runroot, "runroot", envOr("CTR_LITE_RUNROOT", "/run/ctr-lite"), "runtime state directory, cleared at boot (env CTR_LITE_RUNROOT)")
	pf.StringVar(&g.runtime, "runtime", envOr("CTR_LITE_RUNTIME", ""), "path of runc (default: the runc beside ctr-lite, then PATH; env CTR_LITE_RUNTIME)")
	pf.StringVar(&g.driver, "storage-driver", envOr("CTR_LITE_STORAGE_DRIVER", ""), "overlay or vfs (default: overlay when the kernel has it; env CTR_LITE_STORAGE_DRIVER)")
	pf.StringVar(&g.defaultSubnet, "default-subnet", envOr("CTR_LITE_DEFAULT_SUBNET", ""), "subnet of the default bridge network, used when it is first created (default 10.99.0.0/16; env CTR_LITE_DEFAULT_SUBNET)")
	pf.StringVar(&g.defaultBridge, "default-bridge", envOr("CTR_LITE_DEFAULT_BRIDGE", ""), "bridge of the default network, used when it is first created (default ctrlite0; env CTR_LITE_DEFAULT_BRIDGE)")
	pf.StringVar(&g.logLevel, "log-level", envOr("CTR_LITE_LOG_LEVEL", "warn"), "debug, info, warn or error; debug times each step (env CTR_LITE_LOG_LEVEL)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return badFlagValue(withHelpHint(c, err))
	})
	// One command a line, so commands added side by side merge cleanly.
	root.AddCommand(
		newCreateCmd(g),
		newStartCmd(g),
		runLike(newRunCmd(g)),
		newRmCmd(g),
		newPsCmd(g),
		newInspectCmd(g),
		newImagesCmd(g),
		newLoadCmd(g),
		newImportCmd(g),
		newRmiCmd(g),
		newImageCmd(g),
		newVersionCmd(g),
		newInfoCmd(g),
		newSpecCmd(g),
		newNetworkCmd(g),
		newSystemCmd(g),
		newStopCmd(g),
		newRestartCmd(g),
		newKillCmd(g),
		newWaitCmd(g),
		newAttachCmd(g),
		newLogsCmd(g),
		execLike(newExecCmd(g)),
		newGenerateCmd(g),
		newVolumeCmd(g),
		newPullCmd(g),
		newPushCmd(g),
		newTagCmd(g),
		newSaveCmd(g),
		newLoginCmd(g),
		newLogoutCmd(g),
		newPortCmd(g),
		newRenameCmd(g),
		newContainerCmd(g),
		newPauseCmd(g),
		newUnpauseCmd(g),
		newTopCmd(g),
		newCpCmd(g),
		newExportCmd(g),
		newDiffCmd(g),
		newCommitCmd(g),
		newHistoryCmd(g),
		newUpdateCmd(g),
		newStatsCmd(g),
		newEventsCmd(g),
		newHealthcheckCmd(g),
	)
	makeGroups(root)
	addExamples(root)
	return root
}

// usageError is a command used the wrong way; it exits as any other
// failure of its command does (1, or 125 from run), with a hint.
func usageError(c *cobra.Command, err error) error { return withHelpHint(c, err) }

func withHelpHint(c *cobra.Command, err error) error {
	return fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())
}

// exactArgs, minArgs: argument checks that fail with a usage hint.
func minArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < n {
			return argError(c, fmt.Errorf("%q requires at least %d argument(s): %s", c.CommandPath(), n, what))
		}
		return nil
	}
}

func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return argError(c, fmt.Errorf("%q requires exactly %d argument(s): %s", c.CommandPath(), n, what))
		}
		return nil
	}
}

// rangeArgs: between min and max arguments (docker's RequiresRangeArgs).
func rangeArgs(min, max int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < min || len(args) > max {
			return argError(c, fmt.Errorf("%q requires at least %d and at most %d arguments: %s", c.CommandPath(), min, max, what))
		}
		return nil
	}
}

func (g *globals) logger() *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(strings.ToLower(g.logLevel))); err != nil {
		level = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

func (g *globals) engine() (*lifecycle.Engine, error) {
	if _, err := g.daemonConfig(); err != nil {
		return nil, err
	}
	return g.engineAsGiven()
}

// engineAsGiven opens the engine from the global flags (and their
// variables) alone, never the config file: for the processes a monitor
// starts (a scheduled health check), which it passes every setting they
// need as flags, so a config file edited or broken after the start
// changes nothing, and one named by the starting CLI's --config-file is
// not replaced by the default file.
func (g *globals) engineAsGiven() (*lifecycle.Engine, error) {
	return lifecycle.New(lifecycle.Options{
		Root: g.root, RunRoot: g.runroot, Runtime: g.runtime, StorageDriver: g.driver, Log: g.logger(),
		DefaultSubnet: g.defaultSubnet, DefaultBridge: g.defaultBridge,
	})
}

// lookup opens the engine and finds the container ref names.
func (g *globals) lookup(ref string) (*lifecycle.Engine, *state.Container, error) {
	e, err := g.engine()
	if err != nil {
		return nil, nil, err
	}
	c, err := e.Lookup(ref)
	return e, c, err
}

// eachRefPrinting opens the engine and runs fn for every reference,
// printing each one that succeeded, as docker's rm, stop and kill do.
func eachRefPrinting(c *cobra.Command, g *globals, refs []string, fn func(context.Context, *lifecycle.Engine, string) error) error {
	e, err := g.engine()
	if err != nil {
		return err
	}
	return eachRef(c.Context(), refs, func(ctx context.Context, ref string) error {
		if err := fn(ctx, e, ref); err != nil {
			return err
		}
		fmt.Fprintln(c.OutOrStdout(), ref)
		return nil
	})
}

// eachRef runs fn for every reference, printing each one done, as docker
// does for rm and rmi; it fails (after trying all) if any failed.
func eachRef(ctx context.Context, refs []string, fn func(context.Context, string) error) error {
	var failed error
	for _, ref := range refs {
		if err := fn(ctx, ref); err != nil {
			if failed != nil {
				fmt.Fprintln(os.Stderr, "Error:", failed)
			}
			failed = err
			continue
		}
	}
	return failed
}
