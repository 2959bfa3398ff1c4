package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/systemd"
	"github.com/spf13/cobra"
)

// Generator names: systemd runs every executable of its generator
// directories with OUT EARLY LATE, so ctr-lite linked there under one of
// these names is `generate quadlet` (the -user- one for user managers).
const (
	systemGeneratorName = "ctr-lite-generator"
	userGeneratorName   = "ctr-lite-user-generator"
)

// GeneratorArgs are the arguments that run ctr-lite as a systemd
// generator when argv[0] names one; ok is false otherwise.
func GeneratorArgs(argv []string) (args []string, ok bool) {
	switch filepath.Base(argv[0]) {
	case systemGeneratorName:
		return append([]string{"generate", "quadlet", "--kmsg"}, argv[1:]...), true
	case userGeneratorName:
		return append([]string{"generate", "quadlet", "--kmsg", "--user"}, argv[1:]...), true
	}
	return nil, false
}

func newGenerateQuadletCmd() *cobra.Command {
	var o systemd.GeneratorOptions
	var user, dryRun, kmsg bool
	c := &cobra.Command{
		Use:   "quadlet [--user] [--dir DIR]... (--dryrun | OUTDIR [EARLY-DIR LATE-DIR])",
		Short: "Turn Quadlet .container files into systemd services (a systemd generator)",
		Long: `Turn each NAME.container file (podman's Quadlet form) of
/etc/containers/systemd (--user: ~/.config/containers/systemd; --dir or
CTR_LITE_QUADLET_DIR, a list split by ':', instead) into OUTDIR/NAME.service,
whose ExecStart is 'ctr-lite run --rm --replace --name systemd-NAME ...' in
the foreground, with the .wants/ links [Install] WantedBy= asks for.

Installed as a systemd generator, systemd runs it at boot and at every
daemon-reload:
  ln -s /usr/local/bin/ctr-lite /usr/lib/systemd/system-generators/` + systemGeneratorName + `

[Container] keys: Image, Exec, ContainerName, PublishPort, Volume,
Environment, EnvironmentFile, Network, Label, User, WorkingDir, HealthCmd,
HealthInterval, HealthTimeout, HealthRetries, HealthStartPeriod,
HealthOnFailure, PodmanArgs (ctr-lite run flags). [Unit], [Service] and
[Install] are copied. A file with any other key is named on stderr and
skipped; the others are written, and the exit status is 1.`,
		Example: `  ctr-lite generate quadlet --dryrun                  # what /etc/containers/systemd makes
  ctr-lite generate quadlet --dir ./units /tmp/units  # write the units of ./units
  ln -s /usr/local/bin/ctr-lite /usr/lib/systemd/system-generators/` + systemGeneratorName + `
  systemctl daemon-reload && systemctl start web      # web.container is web.service`,
		Args: func(c *cobra.Command, args []string) error {
			if dryRun && len(args) > 0 || !dryRun && (len(args) == 0 || len(args) > 3) {
				return usageError(c, errors.New("want OUTDIR (systemd also passes EARLY-DIR LATE-DIR), or --dryrun"))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			self, err := os.Executable()
			if err != nil {
				return fmt.Errorf("find the ctr-lite binary for the units: %w", err)
			}
			o.Binary = self
			if len(o.Dirs) == 0 {
				if env := os.Getenv("CTR_LITE_QUADLET_DIR"); env != "" {
					o.Dirs = strings.Split(env, ":")
				} else {
					o.Dirs = systemd.QuadletDirs(user)
				}
			}
			if !dryRun {
				o.Out = args[0] // systemd's normal generator directory; EARLY and LATE stay empty
			}
			o.Print, o.Errors = c.OutOrStdout(), c.ErrOrStderr()
			if kmsg {
				o.Errors = kmsgTee(o.Errors)
			}
			if err := systemd.Generate(o); errors.Is(err, systemd.ErrGenerator) {
				return &lifecycle.ExitError{Code: 1} // each file's error is on stderr already
			} else if err != nil {
				return err
			}
			return nil
		},
	}
	c.Flags().BoolVar(&user, "user", false, "read the user's files (~/.config/containers/systemd), for a user manager")
	c.Flags().StringArrayVar(&o.Dirs, "dir", nil, "read .container files from DIR instead (repeat for more; the first of a name wins)")
	c.Flags().BoolVar(&dryRun, "dryrun", false, "print the units instead of writing them")
	c.Flags().BoolVar(&kmsg, "kmsg", false, "also log errors to /dev/kmsg (set when run as a generator)")
	_ = c.Flags().MarkHidden("kmsg")
	return c
}

// kmsgTee writes the generator's error lines to w and to the kernel log
// as errors: systemd does not keep a generator's stderr, and the kernel
// log reaches the journal once it runs (Quadlet does the same). Without
// /dev/kmsg (a container) the lines go to w only.
func kmsgTee(w io.Writer) io.Writer {
	f, err := os.OpenFile("/dev/kmsg", os.O_WRONLY, 0)
	if err != nil {
		return w
	}
	return &kmsgWriter{w: w, kmsg: f}
}

type kmsgWriter struct {
	w    io.Writer
	kmsg *os.File
}

// Write takes one line: the error writer gets one Fprintf a line.
func (k *kmsgWriter) Write(p []byte) (int, error) {
	_, _ = k.kmsg.Write(append([]byte("<3>"), p...))
	return k.w.Write(p)
}
