package cmd

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ctr-lite/ctr-lite/internal/daemonconfig"
	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/lifecycle/images"
	"github.com/ctr-lite/ctr-lite/opts"
	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
)

// createFlags are the flags create and run share. Most write straight
// into the request's typed records as they are parsed (package opts), so
// a new run flag is one line in register plus its effect in specgen.
type createFlags struct {
	req           lifecycle.CreateRequest
	env, envFiles []string // need the caller's environment: see environment
	labelFiles    []string // under -l's labels: see labels
	entrypoint    string   // "" clears it, so Changed matters
	pull          string
	registry      registryFlags
	replace       bool
	detach        bool
	attach        []string // -a: the streams a foreground run connects
	sigProxy      bool     // --sig-proxy (run)
	detachKeys    string   // --detach-keys (run)
	quiet         bool     // -q: no pull output
	noHealthcheck bool     // --no-healthcheck: conflicts with --health-*, see request
}

func (f *createFlags) register(c *cobra.Command) {
	cfg, hc := &f.req.Config, &f.req.Host
	hc.RestartPolicy.Name = "no"
	hc.NetworkMode = "bridge"
	fs := c.Flags()
	fs.SetInterspersed(false) // flags after the image belong to the command
	fs.StringVar(&f.req.Name, "name", "", "assign a name to the container")
	fs.StringArrayVarP(&f.env, "env", "e", nil, "set an environment variable (KEY=VALUE, or KEY to pass yours)")
	fs.StringArrayVar(&f.envFiles, "env-file", nil, "read environment variables from a file")
	fs.StringVarP(&cfg.WorkingDir, "workdir", "w", "", "working directory inside the container (created if missing)")
	fs.StringVarP(&cfg.User, "user", "u", "", "user: NAME|UID[:GROUP|GID]")
	fs.StringVar(&f.entrypoint, "entrypoint", "", "override the image's entrypoint (\"\" clears it)")
	fs.StringVarP(&cfg.Hostname, "hostname", "h", "", "container host name")
	fs.StringVar(&cfg.Domainname, "domainname", "", "container NIS domain name")
	fs.VarP(opts.Labels(&cfg.Labels), "label", "l", "set a label (KEY=VALUE)")
	fs.BoolVarP(&cfg.OpenStdin, "interactive", "i", false, "keep stdin open and pass it to the container")
	fs.BoolVarP(&cfg.Tty, "tty", "t", false, "give the container a terminal")
	fs.Var(opts.Signal(&cfg.StopSignal), "stop-signal", "signal stop sends first (default: the image's, else TERM)")
	fs.Var(opts.OptionalInt(&cfg.StopTimeout, "--stop-timeout"), "stop-timeout", "seconds stop waits before killing the container (default 10; -1: no limit)")
	fs.Var(opts.SdNotify(&cfg.SdNotify), "sdnotify", "with NOTIFY_SOCKET set (a Type=notify unit): container (default: the service inside notifies, on a socket passed in), conmon (READY=1 once the container runs), healthy (once its health check passes), ignore (send nothing, keep the socket out)")
	fs.Var(opts.HealthCmd(&cfg.Healthcheck), "health-cmd", "command to run to check health (run by /bin/sh -c in the container)")
	fs.Var(opts.HealthDuration(&cfg.Healthcheck, "--health-interval", func(h *state.HealthConfig) *time.Duration { return &h.Interval }), "health-interval", "time between running the check (ms|s|m|h) (default 30s)")
	fs.Var(opts.HealthDuration(&cfg.Healthcheck, "--health-timeout", func(h *state.HealthConfig) *time.Duration { return &h.Timeout }), "health-timeout", "maximum time to allow one check to run (ms|s|m|h) (default 30s)")
	fs.Var(opts.HealthDuration(&cfg.Healthcheck, "--health-start-period", func(h *state.HealthConfig) *time.Duration { return &h.StartPeriod }), "health-start-period", "start period for the container to initialize before failures count (ms|s|m|h) (default 0s)")
	fs.Var(opts.HealthDuration(&cfg.Healthcheck, "--health-start-interval", func(h *state.HealthConfig) *time.Duration { return &h.StartInterval }), "health-start-interval", "time between running the check during the start period (ms|s|m|h) (default 5s)")
	fs.Var(opts.HealthRetries(&cfg.Healthcheck), "health-retries", "consecutive failures needed to report unhealthy (default 3)")
	fs.BoolVar(&f.noHealthcheck, "no-healthcheck", false, "disable any container-specified HEALTHCHECK")
	fs.Var(opts.HealthOnFailure(&cfg.HealthOnFailure), "health-on-failure", "action when the container becomes unhealthy: none, kill, restart or stop")

	fs.VarP(opts.Volumes(hc), "volume", "v", "mount a host path or a named volume: HOST-PATH:CONTAINER-PATH[:OPTIONS], NAME:CONTAINER-PATH[:OPTIONS], or CONTAINER-PATH for an anonymous volume; OPTIONS: ro|rw, rprivate|private|rshared|shared|rslave|slave, nocopy (a volume), z|Z (accepted, no effect: SELinux is off here)")
	fs.Var(opts.Mounts(hc), "mount", "mount a filesystem, docker's CSV: type=bind|volume|tmpfs,source=...,target=...[,readonly][,bind-propagation=...][,volume-nocopy][,volume-opt=K=V][,tmpfs-size=64m][,tmpfs-mode=1777]")
	fs.StringArrayVar(&hc.VolumesFrom, "volumes-from", nil, "mount another container's volumes and binds at the same paths: CONTAINER[:ro|:rw]")
	fs.Var(opts.Tmpfs(hc), "tmpfs", "mount a tmpfs: PATH[:OPTIONS], e.g. /run:size=64m,exec")
	fs.BoolVar(&hc.AutoRemove, "rm", false, "remove the container when it exits")
	fs.BoolVar(&hc.ReadonlyRootfs, "read-only", false, "mount the container's root filesystem read-only")
	fs.BoolVar(&hc.Privileged, "privileged", false, "give the container all capabilities and devices, no seccomp")
	fs.Var(opts.Capabilities(&hc.CapAdd), "cap-add", "add a capability (or ALL)")
	fs.Var(opts.Capabilities(&hc.CapDrop), "cap-drop", "drop a capability (or ALL)")

	fs.Var(opts.Networks(hc), "network", "network: bridge (the default network), none, host, container:NAME, or a network's name; repeat for more user-defined networks (eth1, ...)")
	fs.VarP(opts.Ports(&hc.PortBindings), "publish", "p", "publish a port: [HOST-IP:][HOST-PORT:]CONTAINER-PORT[/tcp|udp|sctp]")
	fs.BoolVarP(&hc.PublishAllPorts, "publish-all", "P", false, "publish the image's exposed ports on free host ports")
	fs.Var(opts.IP(&hc.IPAddress, "--ip"), "ip", "fixed IPv4 address on the container's network")
	fs.Var(opts.IP(&hc.IPv6Address, "--ip6"), "ip6", "fixed IPv6 address on the container's network (one made with --ipv6)")
	fs.Var(opts.Words(&hc.NetworkAliases, "--network-alias"), "network-alias", "another name peers on the container's user-defined network resolve it by")
	fs.Var(opts.Words(&hc.Links, "--link"), "link", "add a hosts entry for a running container: NAME[:ALIAS]")
	fs.Var(opts.MAC(&hc.MacAddress), "mac-address", "MAC address of the container's eth0, e.g. 02:42:ac:11:00:09")
	fs.Var(opts.IPs(&hc.DNS, "--dns"), "dns", "nameserver for the container's resolv.conf")
	fs.Var(opts.Words(&hc.DNSSearch, "--dns-search"), "dns-search", "search domain for the container's resolv.conf")
	fs.Var(opts.Words(&hc.DNSOptions, "--dns-option"), "dns-option", "option for the container's resolv.conf, e.g. ndots:2")
	fs.Var(opts.ExtraHosts(&hc.ExtraHosts), "add-host", "add NAME:IP (or NAME=IP, NAME:host-gateway for the network's gateway) to the container's /etc/hosts")
	fs.Var(opts.Expose(&cfg.ExposedPorts), "expose", "expose a port or range: PORT[-END][/tcp|udp|sctp] (published by -P)")

	fs.StringVar(&hc.PidMode, "pid", "", "PID namespace: host, or container:NAME to join a running container's")
	fs.StringVar(&hc.IpcMode, "ipc", "", "IPC namespace: private (the default, not joinable), shareable (its /dev/shm joinable), none (no /dev/shm), host, or container:NAME of a shareable one (its /dev/shm too)")
	fs.StringVar(&hc.UTSMode, "uts", "", "UTS namespace: host (the host's hostname)")
	fs.StringVar(&hc.CgroupnsMode, "cgroupns", "", "cgroup namespace: private (the default on cgroup v2) or host")
	fs.StringArrayVar(&hc.GroupAdd, "group-add", nil, "add a supplementary group: a name in the image's /etc/group, or a GID")
	fs.Var(opts.Sysctls(&hc.Sysctls), "sysctl", "set a namespaced sysctl: KEY=VALUE (kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.*)")
	fs.StringArrayVar(&f.labelFiles, "label-file", nil, "read labels from a file (KEY=VALUE a line; -l wins)")

	fs.Var(opts.Restart(&hc.RestartPolicy), "restart", "restart policy: no, always, unless-stopped, on-failure[:N] (carried out by the container's monitor; nothing restarts containers after a reboot: use systemd)")
	fs.BoolVar(&hc.Init, "init", false, "run a small init as PID 1 that forwards signals and reaps zombies")
	fs.StringVar(&hc.ContainerIDFile, "cidfile", "", "write the container ID to this file (removed with the container)")
	fs.StringVar(&hc.PidFile, "pidfile", "", "write the container's PID to this file while it runs")
	// --runtime here is the container's own (docker's), kept for its
	// life; it hides the global --runtime, which picks the engine's.
	fs.StringVar(&hc.Runtime, "runtime", "", "runtime for this container and every later command on it: a runc's path, or a name on PATH (default: the global --runtime, else the runc beside ctr-lite)")
	fs.BoolVar(&f.replace, "replace", false, "remove (with -f) an existing container of the same --name first")

	fs.StringVar(&hc.LogConfig.Type, "log-driver", "", "logging driver: json-file (default), none, journald, passthrough (foreground only: the caller's own stdout/stderr); local is not supported yet")
	fs.Var(opts.LogOpts(&hc.LogConfig.Config), "log-opt", "log driver option (KEY=VALUE): json-file takes max-size, max-file, compress")
	fs.Var(opts.Annotations(&hc.Annotations), "annotation", "add an OCI annotation to the container (KEY=VALUE), passed to the runtime")
	fs.Var(opts.SecurityOpts(hc), "security-opt", "no-new-privileges, seccomp=unconfined|PROFILE.json, apparmor=PROFILE, systempaths=unconfined, label=...")
	fs.Var(opts.Devices(&hc.Devices), "device", "add a host device: HOST[:CONTAINER[:PERMS]], PERMS from r, w, m")
	fs.Var(opts.Ulimits(&hc.Ulimits), "ulimit", "set a limit: NAME=SOFT[:HARD], e.g. nofile=1024:2048 (not above this host's hard limit)")
	fs.VarP(opts.Bytes(&hc.Memory, "--memory"), "memory", "m", "memory limit, e.g. 512m or 1g")
	fs.Var(opts.SwapBytes(&hc.MemorySwap), "memory-swap", "memory plus swap limit (-1: unlimited swap)")
	fs.Var(opts.CPUs(&hc.NanoCpus), "cpus", "CPUs the container may use, e.g. 1.5")
	fs.Int64VarP(&hc.CpuShares, "cpu-shares", "c", 0, "CPU weight relative to other containers (1024 is one CPU's)")
	fs.Var(opts.Cpuset(&hc.CpusetCpus, "--cpuset-cpus"), "cpuset-cpus", "CPUs the container may run on, e.g. 0-2,4")
	fs.Var(opts.PidsLimit(&hc.PidsLimit), "pids-limit", "maximum number of processes (-1: unlimited)")
	fs.Var(opts.Bytes(&hc.ShmSize, "--shm-size"), "shm-size", "size of /dev/shm (default 64m)")
	fs.Int64Var(&hc.CPUPeriod, "cpu-period", 0, "CFS period in microseconds (1000-1000000)")
	fs.Int64Var(&hc.CPUQuota, "cpu-quota", 0, "CFS quota in microseconds per period (at least 1000; -1: none)")
	fs.Int64Var(&hc.CPURealtimePeriod, "cpu-rt-period", 0, "real-time scheduler period in microseconds (cgroup v1)")
	fs.Int64Var(&hc.CPURealtimeRuntime, "cpu-rt-runtime", 0, "real-time runtime in microseconds per period (cgroup v1; ctr-lite raises its parent cgroup's budget to fit, within the root's cpu.rt_runtime_us)")
	fs.Var(opts.Cpuset(&hc.CpusetMems, "--cpuset-mems"), "cpuset-mems", "memory nodes the container may use, e.g. 0-1")
	fs.Var(opts.Bytes(&hc.MemoryReservation, "--memory-reservation"), "memory-reservation", "memory soft limit, e.g. 256m")
	fs.Var(opts.Swappiness(&hc.MemorySwappiness), "memory-swappiness", "memory swappiness 0-100 (-1: the host's)")
	fs.Var(opts.OptionalBool(&hc.OomKillDisable, "--oom-kill-disable"), "oom-kill-disable", "do not OOM-kill the container's processes (use with --memory)")
	fs.Lookup("oom-kill-disable").NoOptDefVal = "true"
	fs.IntVar(&hc.OomScoreAdj, "oom-score-adj", 0, "the container's OOM score adjustment (-1000 to 1000)")
	fs.Var(opts.DeviceCgroupRules(&hc.DeviceCgroupRules), "device-cgroup-rule", "add a rule to the device cgroup: TYPE MAJOR:MINOR ACCESS, e.g. 'c 1:3 mr'")
	fs.Var(opts.WeightDevices(&hc.BlkioWeightDevice), "blkio-weight-device", "block IO weight of one device: DEVICE:WEIGHT, e.g. /dev/sda:300")
	fs.Var(opts.Throttles(&hc.BlkioDeviceReadBps, "--device-read-bps", false), "device-read-bps", "read rate limit of a device: DEVICE:RATE, e.g. /dev/sda:1mb")
	fs.Var(opts.Throttles(&hc.BlkioDeviceWriteBps, "--device-write-bps", false), "device-write-bps", "write rate limit of a device: DEVICE:RATE, e.g. /dev/sda:1mb")
	fs.Var(opts.Throttles(&hc.BlkioDeviceReadIOps, "--device-read-iops", true), "device-read-iops", "read operations a second of a device: DEVICE:N")
	fs.Var(opts.Throttles(&hc.BlkioDeviceWriteIOps, "--device-write-iops", true), "device-write-iops", "write operations a second of a device: DEVICE:N")
	fs.Var(opts.BlkioWeight(&hc.BlkioWeight), "blkio-weight", "block IO weight 10-1000 (0: unset)")
	fs.StringVar(&hc.CgroupParent, "cgroup-parent", "", "cgroup to put the container's cgroup under, e.g. /ctr-lite/batch")

	fs.StringArrayVarP(&f.attach, "attach", "a", nil, "connect only this stream: stdin, stdout or stderr (repeatable)")
	if c.Name() == "run" {
		fs.BoolVar(&f.sigProxy, "sig-proxy", true, "pass the signals ctr-lite gets on to the container")
		fs.StringVar(&f.detachKeys, "detach-keys", "", "keys that detach from a -t container, leaving it running: ctrl-<a-z@[\\]^_> or a character, comma-separated (default ctrl-p,ctrl-q)")
	}
	fs.StringVar(&f.pull, "pull", "missing", "pull the image: missing (when not stored), always, or never")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "print nothing while pulling the image")
	f.registry.register(c, true)
	// -h is --hostname, as in docker; help stays on --help.
	c.Flags().BoolP("help", "", false, "help for "+c.Name())
}

// request completes the request with what the flags could not set alone:
// IMAGE [COMMAND...], the environment, the entrypoint, and the config
// file's defaults for what the flags left unset.
func (f *createFlags) request(c *cobra.Command, args []string, d *daemonconfig.Config) (lifecycle.CreateRequest, error) {
	r := f.req
	r.Image, r.Config.Cmd = args[0], args[1:]
	env, err := f.environment()
	if err != nil {
		return r, err
	}
	r.Config.Env = env
	if r.Config.Labels, err = f.labels(); err != nil {
		return r, err
	}
	if c.Flags().Changed("entrypoint") {
		r.Config.EntrypointSet = true
		if f.entrypoint != "" {
			r.Config.Entrypoint = []string{f.entrypoint}
		}
	}
	d.ContainerDefaults(&r.Host, c.Flags().Changed("init"))
	if err := opts.Healthcheck(&r.Config.Healthcheck, f.noHealthcheck); err != nil {
		return r, err
	}
	if err := opts.Validate(&r.Host); err != nil { // docker's client refuses these, with 125
		return r, err
	}
	attached := c.Name() == "run" && !f.detach // create and run -d attach nothing
	if _, err := f.attachStreams(r.Config.OpenStdin); err != nil {
		return r, err
	}
	if attached && r.Config.Tty && r.Config.OpenStdin && !term.IsTerminal(int(os.Stdin.Fd())) {
		return r, fmt.Errorf("the input device is not a TTY: drop -t, or run from a terminal")
	}
	// A -t container's terminal is its monitor's; only a passthrough one
	// still gets its pty from runc run, which needs ours.
	if attached && r.Config.Tty && r.Host.LogConfig.Type == "passthrough" {
		if err := lifecycle.CheckTerminal(); err != nil {
			return r, err
		}
	}
	if err := lifecycle.CheckDetachKeys(f.detachKeys); err != nil {
		return r, err
	}
	return r, nil
}

// attachStreams applies -a, as docker: none given is stdout and stderr,
// and stdin with -i; -a with -d conflicts.
func (f *createFlags) attachStreams(openStdin bool) (streams [3]bool, err error) {
	if len(f.attach) == 0 {
		return [3]bool{openStdin, true, true}, nil
	}
	if f.detach {
		return streams, errors.New("Conflicting options: -a and -d")
	}
	for _, s := range f.attach {
		switch strings.ToLower(s) {
		case "stdin":
			streams[0] = true
		case "stdout":
			streams[1] = true
		case "stderr":
			streams[2] = true
		default:
			return streams, fmt.Errorf("invalid argument %q for -a: use stdin, stdout or stderr", s)
		}
	}
	return streams, nil
}

// stdio is what a foreground run connects: the streams -a named.
func (f *createFlags) stdio(openStdin bool) lifecycle.Stdio {
	var s lifecycle.Stdio
	streams, _ := f.attachStreams(openStdin) // checked by request
	if streams[0] {
		s.Stdin = os.Stdin
	}
	if streams[1] {
		s.Stdout = os.Stdout
	}
	if streams[2] {
		s.Stderr = os.Stderr
	}
	s.NoSignalProxy = !f.sigProxy
	return s
}

// attachOptions are a foreground run -t's, through its monitor: docker's
// run passes signals on with a terminal too.
func (f *createFlags) attachOptions(stdio lifecycle.Stdio) lifecycle.AttachOptions {
	return lifecycle.AttachOptions{NoStdin: stdio.Stdin == nil, SigProxy: f.sigProxy, DetachKeys: f.detachKeys, ProxyTerminal: true}
}

// labels are the --label-file labels with -l's over them, as docker's.
func (f *createFlags) labels() (map[string]string, error) {
	if len(f.labelFiles) == 0 {
		return f.req.Config.Labels, nil
	}
	labels := map[string]string{}
	for _, file := range f.labelFiles {
		if err := opts.ReadLabelFile(file, labels); err != nil {
			return nil, err
		}
	}
	for k, v := range f.req.Config.Labels {
		labels[k] = v
	}
	return labels, nil
}

func (f *createFlags) environment() ([]string, error) {
	return opts.Environment(f.envFiles, f.env, os.LookupEnv)
}

// prepare parses the flags and opens the engine: the common start of
// create and run.
func (f *createFlags) prepare(c *cobra.Command, args []string, g *globals) (lifecycle.CreateRequest, *lifecycle.Engine, error) {
	d, err := g.daemonConfig()
	if err != nil {
		return f.req, nil, err
	}
	r, err := f.request(c, args, d)
	if err != nil {
		return r, nil, badFlagValue(err)
	}
	if w := lifecycle.AppArmorWarning(&r.Host); w != "" {
		fmt.Fprintln(os.Stderr, "WARNING:", w)
	}
	if opts.PortsDiscarded(&r.Host) {
		fmt.Fprintf(os.Stderr, "WARNING: published ports are discarded when using %s network mode\n", r.Host.NetworkMode)
	}
	policy, err := images.ParsePullPolicy(f.pull)
	if err != nil {
		return r, nil, badFlagValue(err)
	}
	e, err := g.engine()
	if err != nil {
		return r, nil, err
	}
	// A runtime not found is a bad --runtime: 125 from create too, as
	// docker's, before any pull.
	if _, err := e.ResolveRuntime(r.Host.Runtime); err != nil {
		return r, nil, badFlagValue(err)
	}
	if err := f.ensureImage(c, e, r.Image, policy); err != nil {
		return r, nil, err
	}
	if f.replace && r.Name != "" {
		if rerr := e.Remove(c.Context(), r.Name, true); rerr != nil && !errors.Is(rerr, state.ErrNotFound) {
			return r, nil, rerr
		}
	}
	return r, e, nil
}

// ensureImage pulls the image as --pull says, reporting on stderr so that
// stdout stays the container's. Registry settings are read only for a pull.
func (f *createFlags) ensureImage(c *cobra.Command, e *lifecycle.Engine, image string, policy images.PullPolicy) error {
	missing, pull, err := images.Of(e).NeedsPull(image, policy)
	if err != nil || !pull {
		return err
	}
	ropts, err := f.registry.options(os.Stderr, f.quiet)
	if err != nil {
		return err
	}
	if missing && !f.quiet {
		fmt.Fprintf(os.Stderr, "Unable to find image '%s' locally\n", rootfs.NormalizeRef(image))
	}
	p, err := images.Of(e).PullImage(c.Context(), image, ropts)
	if err != nil {
		return err
	}
	if !f.quiet {
		printPullStatus(os.Stderr, p)
	}
	return nil
}
