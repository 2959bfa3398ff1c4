package cmd

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
)

// createFlags are the flags create and run share.
type createFlags struct {
	name, workdir, user, entrypoint, hostname, network, ip, domainname string
	env, envFiles, labels, volumes, tmpfs, capAdd, capDrop             []string
	publish, dns, dnsSearch, dnsOptions, addHosts                      []string
	rm, readOnly, privileged, interactive, tty, publishAll             bool
	restart, cidfile, pidfile                                          string
	init, replace, detach                                              bool
	pull                                                               string
	registry                                                           registryFlags
	securityOpt, devices, ulimits                                      []string
	resources                                                          lifecycle.ResourceOptions
}

func (f *createFlags) register(c *cobra.Command) {
	fs := c.Flags()
	fs.SetInterspersed(false) // flags after the image belong to the command
	fs.StringVar(&f.name, "name", "", "assign a name to the container")
	fs.StringArrayVarP(&f.env, "env", "e", nil, "set an environment variable (KEY=VALUE, or KEY to pass yours)")
	fs.StringArrayVar(&f.envFiles, "env-file", nil, "read environment variables from a file")
	fs.StringVarP(&f.workdir, "workdir", "w", "", "working directory inside the container (created if missing)")
	fs.StringVarP(&f.user, "user", "u", "", "user: NAME|UID[:GROUP|GID]")
	fs.StringVar(&f.entrypoint, "entrypoint", "", "override the image's entrypoint (\"\" clears it)")
	fs.StringVarP(&f.hostname, "hostname", "h", "", "container host name")
	fs.StringArrayVarP(&f.labels, "label", "l", nil, "set a label (KEY=VALUE)")
	fs.StringArrayVarP(&f.volumes, "volume", "v", nil, "bind mount HOST-PATH:CONTAINER-PATH[:ro]")
	fs.StringArrayVar(&f.tmpfs, "tmpfs", nil, "mount a tmpfs: PATH[:OPTIONS]")
	fs.BoolVar(&f.rm, "rm", false, "remove the container when it exits")
	fs.BoolVar(&f.readOnly, "read-only", false, "mount the container's root filesystem read-only")
	fs.BoolVar(&f.privileged, "privileged", false, "give the container all capabilities and devices, no seccomp")
	fs.StringArrayVar(&f.capAdd, "cap-add", nil, "add a capability (or ALL)")
	fs.StringArrayVar(&f.capDrop, "cap-drop", nil, "drop a capability (or ALL)")
	fs.StringVar(&f.network, "network", "bridge", "network: bridge (the default network), none, host, container:NAME, or a network's name")
	fs.StringArrayVarP(&f.publish, "publish", "p", nil, "publish a port: [HOST-IP:][HOST-PORT:]CONTAINER-PORT[/tcp|udp]")
	fs.BoolVarP(&f.publishAll, "publish-all", "P", false, "publish the image's exposed ports on free host ports")
	fs.StringVar(&f.ip, "ip", "", "fixed IPv4 address on the container's network")
	fs.StringArrayVar(&f.dns, "dns", nil, "nameserver for the container's resolv.conf")
	fs.StringArrayVar(&f.dnsSearch, "dns-search", nil, "search domain for the container's resolv.conf")
	fs.StringArrayVar(&f.dnsOptions, "dns-option", nil, "option for the container's resolv.conf")
	fs.StringArrayVar(&f.addHosts, "add-host", nil, "add NAME:IP to the container's /etc/hosts")
	fs.StringVar(&f.domainname, "domainname", "", "container NIS domain name")
	fs.StringVar(&f.restart, "restart", "no", "restart policy: no, always, unless-stopped, on-failure[:N] (carried out by the container's monitor; nothing restarts containers after a reboot: use systemd)")
	fs.BoolVar(&f.init, "init", false, "run a small init as PID 1 that forwards signals and reaps zombies")
	fs.StringVar(&f.cidfile, "cidfile", "", "write the container ID to this file (removed with the container)")
	fs.StringVar(&f.pidfile, "pidfile", "", "write the container's PID to this file while it runs")
	fs.BoolVar(&f.replace, "replace", false, "remove (with -f) an existing container of the same --name first")
	fs.BoolVarP(&f.interactive, "interactive", "i", false, "keep stdin open and pass it to the container")
	fs.BoolVarP(&f.tty, "tty", "t", false, "give the container a terminal")
	fs.StringArrayVar(&f.securityOpt, "security-opt", nil, "no-new-privileges, seccomp=unconfined|PROFILE.json, apparmor=PROFILE")
	fs.StringArrayVar(&f.devices, "device", nil, "add a host device: HOST[:CONTAINER[:PERMS]], PERMS from r, w, m")
	fs.StringArrayVar(&f.ulimits, "ulimit", nil, "set a limit: NAME=SOFT[:HARD], e.g. nofile=1024:2048 (not above this host's hard limit)")
	fs.StringVarP(&f.resources.Memory, "memory", "m", "", "memory limit, e.g. 512m or 1g")
	fs.StringVar(&f.resources.MemorySwap, "memory-swap", "", "memory plus swap limit (-1: unlimited swap)")
	fs.StringVar(&f.resources.CPUs, "cpus", "", "CPUs the container may use, e.g. 1.5")
	fs.Int64VarP(&f.resources.CPUShares, "cpu-shares", "c", 0, "CPU weight relative to other containers (1024 is one CPU's)")
	fs.StringVar(&f.resources.CpusetCpus, "cpuset-cpus", "", "CPUs the container may run on, e.g. 0-2,4")
	fs.Int64Var(&f.resources.PidsLimit, "pids-limit", 0, "maximum number of processes (-1: unlimited)")
	fs.StringVar(&f.resources.ShmSize, "shm-size", "", "size of /dev/shm (default 64m)")
	fs.StringVar(&f.pull, "pull", "missing", "pull the image: missing (when not stored), always, or never")
	f.registry.register(c, true)
	// -h is --hostname, as in docker; help stays on --help.
	c.Flags().BoolP("help", "", false, "help for "+c.Name())
}

// options turns the flags and IMAGE [COMMAND...] into CreateOptions.
func (f *createFlags) options(c *cobra.Command, args []string) (lifecycle.CreateOptions, error) {
	env, err := f.environment()
	if err != nil {
		return lifecycle.CreateOptions{}, err
	}
	labels, err := lifecycle.ParseLabels(f.labels)
	if err != nil {
		return lifecycle.CreateOptions{}, err
	}
	attached := c.Name() == "run" && !f.detach // create and run -d attach nothing
	if attached && f.tty && f.interactive && !term.IsTerminal(int(os.Stdin.Fd())) {
		return lifecycle.CreateOptions{}, fmt.Errorf("the input device is not a TTY: drop -t, or run from a terminal")
	}
	if attached && f.tty {
		if err := lifecycle.CheckTerminal(); err != nil {
			return lifecycle.CreateOptions{}, err
		}
	}
	ucfg := lifecycle.UserConfig{
		Cmd: args[1:], Env: env, WorkingDir: f.workdir, User: f.user, Hostname: f.hostname,
		Labels: labels, Tty: f.tty, OpenStdin: f.interactive, Domainname: f.domainname,
	}
	if c.Flags().Changed("entrypoint") {
		ucfg.EntrypointSet = true
		if f.entrypoint != "" {
			ucfg.Entrypoint = []string{f.entrypoint}
		}
	}
	return lifecycle.CreateOptions{
		Name: f.name, Image: args[0], Config: ucfg, Binds: f.volumes, Tmpfs: f.tmpfs,
		ReadOnly: f.readOnly, AutoRemove: f.rm, Privileged: f.privileged,
		CapAdd: f.capAdd, CapDrop: f.capDrop, Network: f.network,
		Publish: f.publish, PublishAll: f.publishAll, IP: f.ip, DNS: f.dns, DNSSearch: f.dnsSearch,
		DNSOptions: f.dnsOptions, ExtraHosts: f.addHosts,
		Restart: f.restart, Init: f.init, CIDFile: f.cidfile, PidFile: f.pidfile,
		SecurityOpt: f.securityOpt, Devices: f.devices, Ulimits: f.ulimits, Resources: f.resources,
	}, nil
}

func (f *createFlags) environment() ([]string, error) {
	var raw []string
	for _, file := range f.envFiles {
		lines, err := lifecycle.ReadEnvFile(file)
		if err != nil {
			return nil, err
		}
		raw = append(raw, lines...)
	}
	return lifecycle.ParseEnv(append(raw, f.env...), os.LookupEnv)
}

// prepare parses the flags and opens the engine: the common start of
// create and run.
func (f *createFlags) prepare(c *cobra.Command, args []string, g *globals) (lifecycle.CreateOptions, *lifecycle.Engine, error) {
	opts, err := f.options(c, args)
	if err != nil {
		return opts, nil, &lifecycle.ExitError{Code: lifecycle.ExitEngine, Err: err}
	}
	if w := lifecycle.AppArmorWarning(opts); w != "" {
		fmt.Fprintln(os.Stderr, "WARNING:", w)
	}
	if lifecycle.PortsDiscarded(opts) {
		fmt.Fprintf(os.Stderr, "WARNING: published ports are discarded when using %s network mode\n", opts.Network)
	}
	policy, err := lifecycle.ParsePullPolicy(f.pull)
	if err != nil {
		return opts, nil, err
	}
	e, err := g.engine()
	if err != nil {
		return opts, nil, err
	}
	if err := f.ensureImage(c, e, opts.Image, policy); err != nil {
		return opts, nil, err
	}
	if f.replace && f.name != "" {
		if rerr := e.Remove(c.Context(), f.name, true); rerr != nil && !errors.Is(rerr, state.ErrNotFound) {
			return opts, nil, rerr
		}
	}
	return opts, e, nil
}

// ensureImage pulls the image as --pull says, reporting on stderr so that
// stdout stays the container's. Registry settings are read only for a pull.
func (f *createFlags) ensureImage(c *cobra.Command, e *lifecycle.Engine, image string, policy lifecycle.PullPolicy) error {
	missing, pull, err := e.NeedsPull(image, policy)
	if err != nil || !pull {
		return err
	}
	ropts, err := f.registry.options(os.Stderr, false)
	if err != nil {
		return err
	}
	if missing {
		fmt.Fprintf(os.Stderr, "Unable to find image '%s' locally\n", rootfs.NormalizeRef(image))
	}
	p, err := e.PullImage(c.Context(), image, ropts)
	if err != nil {
		return err
	}
	printPullStatus(os.Stderr, p)
	return nil
}
