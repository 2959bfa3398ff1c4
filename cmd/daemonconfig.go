package cmd

import (
	"fmt"
	"os"

	"github.com/ctr-lite/ctr-lite/internal/daemonconfig"
	"github.com/ctr-lite/ctr-lite/opts"
	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
)

// configEnv names the engine-wide defaults file, as --config-file does.
const configEnv = "CTR_LITE_CONFIG"

// daemonConfig reads the defaults file once per process and settles the
// globals it can set: a global flag given on the command line beats its
// CTR_LITE_* variable, which beats the file, which beats the built-in
// default (the flag's default already holds the variable, so the file
// only fills a flag neither set). default-runtime is not the engine's
// --runtime but each new container's (ContainerDefaults), as docker
// records it, so editing the file never moves a container to another
// runtime between its create and rm. Every command that opens the engine
// comes here first, through engine().
func (g *globals) daemonConfig() (*daemonconfig.Config, error) {
	if g.daemon != nil || g.daemonErr != nil {
		return g.daemon, g.daemonErr
	}
	path, named := daemonconfig.DefaultFile, g.configFile != ""
	if named {
		path = g.configFile
	}
	d, err := daemonconfig.Load(path, named)
	if err == nil {
		err = checkValues(d)
	}
	if err != nil {
		g.daemonErr = err
		return nil, err
	}
	subnet, _ := d.DefaultSubnet() // checked by Load
	for _, s := range []struct {
		flag, env string
		p         *string
		v         string
	}{
		{"root", "CTR_LITE_ROOT", &g.root, d.DataRoot},
		{"runroot", "CTR_LITE_RUNROOT", &g.runroot, d.ExecRoot},
		{"storage-driver", "CTR_LITE_STORAGE_DRIVER", &g.driver, d.StorageDriver},
		{"default-subnet", "CTR_LITE_DEFAULT_SUBNET", &g.defaultSubnet, subnet},
		{"default-bridge", "CTR_LITE_DEFAULT_BRIDGE", &g.defaultBridge, d.Bridge},
		{"log-level", "CTR_LITE_LOG_LEVEL", &g.logLevel, d.LogLevel},
	} {
		if s.v != "" && !g.flags.Changed(s.flag) && os.Getenv(s.env) == "" {
			*s.p = s.v
		}
	}
	if g.flags.Changed("runtime") || os.Getenv("CTR_LITE_RUNTIME") != "" {
		// The engine's runtime, given, is every new container's, as
		// without a file; default-runtime is the file's say below it.
		d.DefaultRuntime = ""
	}
	g.daemon = d
	return d, nil
}

// checkValues checks what the packages that own a value check: the
// container defaults as their flags are (log driver and options, cgroup
// parent) and the storage driver's name. It runs when the file is read,
// so a bad value fails every command, as a bad daemon.json stops dockerd,
// not only the containers that would take it.
func checkValues(d *daemonconfig.Config) error {
	var hc state.HostConfig
	d.ContainerDefaults(&hc, false)
	if err := opts.Validate(&hc); err != nil {
		return fmt.Errorf("config file %q: %w", d.Path, err)
	}
	if d.StorageDriver != "" {
		// NewDriver only picks the driver by name; the engine opens it.
		if _, err := rootfs.NewDriver("", d.StorageDriver); err != nil {
			return fmt.Errorf("config file %q: key \"storage-driver\": %w", d.Path, err)
		}
	}
	return nil
}
