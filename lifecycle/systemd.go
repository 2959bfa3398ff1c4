package lifecycle

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ctr-lite/ctr-lite/state"
)

// UnitOptions is what a systemd unit for a container needs to know.
type UnitOptions struct {
	Binary        string   // absolute path of ctr-lite
	Root, RunRoot string   // --root and --runroot to pass on
	ImageEnv      []string // the image's own Env, left out of -e flags
	StopTimeout   int      // seconds for ctr-lite stop -t
}

// SystemdUnit renders a unit whose ExecStart is a foreground
// `ctr-lite run --rm --replace --init` of the container's configuration:
// systemd then owns restarts (also across reboots), its SIGTERM reaches
// the container, and the unit's exit status is the container's.
func SystemdUnit(c *state.Container, hc *state.HostConfig, o UnitOptions) string {
	args := append([]string{o.Binary, "run", "--rm", "--replace", "--init", "--name", c.Name}, runFlags(c, hc, o.ImageEnv)...)
	args = append(args, "--entrypoint", c.Path, c.ImageName)
	args = append(args, c.Args...)
	var b strings.Builder
	fmt.Fprintf(&b, "# ctr-lite-%s.service, made by: ctr-lite generate systemd %s\n", c.Name, c.Name)
	fmt.Fprintf(&b, "[Unit]\nDescription=ctr-lite container %s\nWants=network-online.target\nAfter=network-online.target\n\n", c.Name)
	fmt.Fprintf(&b, "[Service]\nType=simple\nEnvironment=%s %s\n",
		systemdQuote("CTR_LITE_ROOT="+o.Root), systemdQuote("CTR_LITE_RUNROOT="+o.RunRoot))
	fmt.Fprintf(&b, "ExecStart=%s\n", quoteAll(args))
	fmt.Fprintf(&b, "ExecStop=%s\n", quoteAll([]string{o.Binary, "stop", "-t", fmt.Sprint(o.StopTimeout), c.Name}))
	fmt.Fprintf(&b, "Restart=on-failure\nTimeoutStopSec=%d\nKillMode=mixed\n\n", o.StopTimeout+20)
	b.WriteString("[Install]\nWantedBy=multi-user.target\n")
	return b.String()
}

// runFlags turns the container's configuration back into run flags.
func runFlags(c *state.Container, hc *state.HostConfig, imageEnv []string) []string {
	var f []string
	add := func(flag string, values ...string) {
		for _, v := range values {
			f = append(f, flag, v)
		}
	}
	add("--network", hc.NetworkMode)
	for _, kv := range c.Config.Env {
		if !contains(imageEnv, kv) {
			add("-e", kv)
		}
	}
	add("-v", hc.Binds...)
	var ports []string
	for key, bs := range hc.PortBindings {
		for _, b := range bs {
			ports = append(ports, portFlag(b, key.String()))
		}
	}
	sort.Strings(ports)
	add("-p", ports...)
	for _, opt := range []struct{ flag, value string }{{"-w", c.Config.WorkingDir}, {"-u", c.Config.User}} {
		if opt.value != "" {
			add(opt.flag, opt.value)
		}
	}
	if hc.ReadonlyRootfs {
		f = append(f, "--read-only")
	}
	add("--cap-add", hc.CapAdd...)
	add("--cap-drop", hc.CapDrop...)
	return f
}

func portFlag(b state.PortBinding, key string) string {
	p := b.HostPort + ":" + key
	if b.HostIP != "" {
		p = b.HostIP + ":" + p
	}
	return p
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func quoteAll(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = systemdQuote(a)
	}
	return strings.Join(q, " ")
}

// systemdQuote quotes one word for a unit file: double quotes when it has
// spaces or quotes, and $ and % doubled so systemd does not expand them.
func systemdQuote(s string) string {
	s = strings.ReplaceAll(s, "%", "%%")
	s = strings.ReplaceAll(s, "$", "$$")
	if s != "" && !strings.ContainsAny(s, " \t\"'\\;") {
		return s
	}
	s = strings.ReplaceAll(s, `\`, `\\`)
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}
