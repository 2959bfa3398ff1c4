package cmd

import (
	"fmt"
	"io"
	"os"
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/internal/daemonconfig"
	"github.com/ctr-lite/ctr-lite/lifecycle"
)

func newInfoCmd(g *globals) *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:   "info [--format TEMPLATE|json]",
		Short: "Show where ctr-lite keeps things and what it runs with",
		Example: `  ctr-lite info
  ctr-lite info --format '{{.Driver}} {{.ContainersRunning}}'
  ctr-lite info --format '{{json .}}'`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			w := c.OutOrStdout()
			if format != "" {
				info, err := gatherInfo(e, g.daemon)
				if err != nil {
					return err
				}
				return writeOne(w, format, info)
			}
			fmt.Fprintf(w, "Root: %s\nRunRoot: %s\nStorage Driver: %s\n", e.Root, e.RunRoot, e.Images.Driver.Name())
			printRuntime(e, w)
			printConfigFile(g.daemon, w)
			fmt.Fprintf(w, "Cgroup Version: %s\n", cgroupVersion())
			return printCounts(e, w)
		},
	}
	c.Flags().StringVarP(&format, "format", "f", "", "json, or a Go template over docker's info fields ({{.Driver}}, {{.Containers}}, ...)")
	return c
}

// systemInfo is what info --format sees: docker's field names (its
// system.Info) for what ctr-lite has, and RunRoot, which docker lacks.
type systemInfo struct {
	Containers, ContainersRunning, ContainersPaused, ContainersStopped, Images int
	Driver, DockerRootDir, RunRoot, CgroupVersion                              string
	ServerVersion, KernelVersion, OSType, Architecture                         string
	NCPU                                                                       int
	DefaultRuntime                                                             string
	Runtimes                                                                   map[string]runtimeInfo
	Labels                                                                     []string
	ConfigFile                                                                 string // the daemon.json read, "" for none (podman's name)
}

type runtimeInfo struct {
	Path    string `json:"path"`
	Version string `json:"version,omitempty"`
}

func gatherInfo(e *lifecycle.Engine, d *daemonconfig.Config) (*systemInfo, error) {
	n, err := counts(e)
	if err != nil {
		return nil, err
	}
	info := &systemInfo{Containers: n.total, ContainersRunning: n.running, ContainersPaused: n.paused,
		ContainersStopped: n.total - n.running - n.paused, Images: n.images,
		Driver: e.Images.Driver.Name(), DockerRootDir: e.Root, RunRoot: e.RunRoot,
		CgroupVersion: cgroupVersion(), ServerVersion: Version, OSType: runtime.GOOS, NCPU: runtime.NumCPU(),
		Labels: d.Labels, ConfigFile: d.Path}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		info.KernelVersion, info.Architecture = unix.ByteSliceToString(u.Release[:]), unix.ByteSliceToString(u.Machine[:])
	}
	if path, err := e.Runtime(); err == nil {
		version, _ := lifecycle.RuntimeVersion(path)
		info.Runtimes = map[string]runtimeInfo{"runc": {Path: path, Version: version}}
	}
	info.DefaultRuntime = defaultRuntime(d)
	for name, r := range d.Runtimes {
		if info.Runtimes == nil {
			info.Runtimes = map[string]runtimeInfo{}
		}
		info.Runtimes[name] = runtimeInfo{Path: r.Path}
	}
	return info, nil
}

// defaultRuntime is the runtime new containers get: the file's
// default-runtime, else runc (the engine's --runtime).
func defaultRuntime(d *daemonconfig.Config) string {
	if d.DefaultRuntime != "" {
		return d.DefaultRuntime
	}
	return "runc"
}

// printConfigFile names the daemon.json in use, the default runtime it
// chose and its labels.
func printConfigFile(d *daemonconfig.Config, w io.Writer) {
	if d.Path == "" {
		fmt.Fprintf(w, "Config File: none (%s is absent)\n", daemonconfig.DefaultFile)
		return
	}
	fmt.Fprintf(w, "Config File: %s\n", d.Path)
	if name := defaultRuntime(d); name != "runc" {
		fmt.Fprintf(w, "Default Runtime: %s (%s)\n", name, d.Runtimes[name].Path)
	}
	if len(d.Labels) > 0 {
		fmt.Fprintf(w, "Labels:\n")
		for _, l := range d.Labels {
			fmt.Fprintf(w, " %s\n", l)
		}
	}
}

func printRuntime(e *lifecycle.Engine, w interface{ Write([]byte) (int, error) }) {
	path, err := e.Runtime()
	if err != nil {
		fmt.Fprintf(w, "Runtime: none (%v)\n", err)
		return
	}
	version, err := lifecycle.RuntimeVersion(path)
	if err != nil {
		fmt.Fprintf(w, "Runtime: %s (version unknown: %v)\n", path, err)
		return
	}
	fmt.Fprintf(w, "Runtime: %s\nRuntime Version: %s\n", path, version)
	if lifecycle.VersionLess(version, lifecycle.MinSafeRuncVersion) {
		fmt.Fprintf(os.Stderr, "WARNING: runc %s is older than %s and lacks container breakout fixes; build the pinned one with 'make' or pass --runtime\n", version, lifecycle.MinSafeRuncVersion)
	}
}

func cgroupVersion() string {
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		return "2"
	}
	return "1"
}

func printCounts(e *lifecycle.Engine, w interface{ Write([]byte) (int, error) }) error {
	n, err := counts(e)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Containers: %d\n Running: %d\n Paused: %d\n Stopped: %d\nImages: %d\n",
		n.total, n.running, n.paused, n.total-n.running-n.paused, n.images)
	return nil
}

type tally struct{ total, running, paused, images int }

// counts counts containers (running ones not paused, paused ones) and images.
func counts(e *lifecycle.Engine) (tally, error) {
	list, err := e.Containers.List()
	if err != nil {
		return tally{}, err
	}
	n := tally{total: len(list)}
	for _, ctr := range list {
		switch st := trueState(ctr); {
		case st.Running && st.Paused:
			n.paused++
		case st.Running:
			n.running++
		}
	}
	imgs, err := e.Images.Images()
	if err != nil {
		return tally{}, err
	}
	n.images = len(imgs)
	return n, nil
}
