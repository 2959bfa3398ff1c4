package specgen

import (
	"fmt"
	"path"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/ctr-lite/ctr-lite/state"
)

// User is a resolved process identity.
type User struct {
	UID, GID       uint32
	AdditionalGids []uint32
	Home           string
}

// Input is everything Generate needs: the container's host config as its
// flags set it, and what the caller resolved on the host beforehand.
type Input struct {
	ID     string
	Rootfs string
	// Host is the container's hostconfig.json: read-only root, privileged,
	// capabilities, resources, rlimits, security options. Generate reads
	// the flags' values from here, so a new flag's effect is written once.
	Host       *state.HostConfig
	Args       []string
	Env        []string
	Cwd        string
	User       User
	Hostname   string
	Domainname string
	Terminal   bool
	// HostCaps is the host's bounding set; nil means every capability.
	// Privileged and ALL mean "all the host can give".
	HostCaps []string
	// Mounts are Host.MountPoints with each source resolved on the host:
	// binds and volumes at real paths, tmpfs as they are.
	Mounts []state.MountPoint
	// NetworkFiles maps /etc/hostname, /etc/hosts and /etc/resolv.conf to
	// the container's own copies.
	NetworkFiles map[string]string
	// NetNS is "" for a new network namespace, "host" for the host's, or
	// the path of a namespace to join.
	NetNS string
	// NSPaths are the namespaces to join besides the network's (--pid and
	// --ipc container:NAME), by type: /proc/PID/ns paths.
	NSPaths map[specs.LinuxNamespaceType]string
	// ShmPath is the host directory bound as /dev/shm: a shareable
	// container's own tmpfs, or its donor's with --ipc container:NAME
	// ("" for a private tmpfs; --ipc host binds the host's).
	ShmPath     string
	CgroupsPath string
	CgroupV2    bool
	// InitBinary, if set, is bind-mounted read-only at /dev/init and runs
	// the command as PID 1 (--init).
	InitBinary string
	// HostDevices are added with --privileged, as docker does.
	HostDevices []specs.LinuxDevice
	// Devices are Host.Devices resolved on the host, with the cgroup
	// permissions (r, w, m) each was given.
	Devices []Device
	// AppArmor says the host enforces AppArmor, so Host.AppArmorProfile
	// applies.
	AppArmor bool
}

// Device is a host device node to create in the container.
type Device struct {
	specs.LinuxDevice
	Perms string
}

// InitPath is where --init's binary appears in the container.
const InitPath = "/dev/init"

// Generate builds the OCI spec for in.
func Generate(in Input) (*specs.Spec, error) {
	hc := in.Host
	caps, err := Capabilities(hc.Privileged, hc.CapAdd, hc.CapDrop, in.HostCaps)
	if err != nil {
		return nil, err
	}
	s := &specs.Spec{
		Version:  specs.Version,
		Root:     &specs.Root{Path: in.Rootfs, Readonly: hc.ReadonlyRootfs},
		Hostname: hostname(in, in.Hostname), Domainname: hostname(in, in.Domainname),
		Process: &specs.Process{
			Terminal: in.Terminal, Args: processArgs(in), Env: processEnv(in), Cwd: cwd(in.Cwd),
			User:         specs.User{UID: in.User.UID, GID: in.User.GID, AdditionalGids: in.User.AdditionalGids},
			Capabilities: &specs.LinuxCapabilities{Bounding: caps, Effective: caps, Permitted: caps},
			Rlimits:      rlimits(hc.Ulimits), NoNewPrivileges: hc.NoNewPrivileges, ApparmorProfile: appArmorProfile(in),
			OOMScoreAdj: oomScoreAdj(hc.OomScoreAdj),
		},
		Mounts:      mounts(in),
		Linux:       linux(in),
		Annotations: hc.Annotations,
	}
	if err := blockIOLimits(s.Linux.Resources, hc); err != nil {
		return nil, err
	}
	return s, nil
}

// oomScoreAdj is --oom-score-adj; 0 leaves the process's inherited value.
func oomScoreAdj(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

// rlimits turns --ulimit values (checked when parsed) into OCI rlimits;
// -1 becomes RLIM_INFINITY.
func rlimits(us []state.Ulimit) []specs.POSIXRlimit {
	var out []specs.POSIXRlimit
	for _, u := range us {
		out = append(out, specs.POSIXRlimit{Type: "RLIMIT_" + strings.ToUpper(u.Name), Soft: uint64(u.Soft), Hard: uint64(u.Hard)})
	}
	return out
}

func appArmorProfile(in Input) string {
	if !in.AppArmor {
		return ""
	}
	return in.Host.AppArmorProfile
}

func processArgs(in Input) []string {
	if in.InitBinary == "" {
		return in.Args
	}
	return append([]string{InitPath, "--"}, in.Args...)
}

func cwd(dir string) string {
	if dir == "" {
		return "/"
	}
	return path.Clean("/" + dir)
}

// processEnv is the container's env plus what docker adds: PATH when the
// image sets none, HOSTNAME, HOME from the user, and TERM with a terminal.
func processEnv(in Input) []string {
	env := append([]string(nil), in.Env...)
	if !hasEnv(env, "PATH") {
		env = append([]string{DefaultPath}, env...)
	}
	if in.Hostname != "" && !hasEnv(env, "HOSTNAME") {
		env = append(env, "HOSTNAME="+in.Hostname)
	}
	if in.Terminal && !hasEnv(env, "TERM") {
		env = append(env, "TERM=xterm")
	}
	if !hasEnv(env, "HOME") {
		home := in.User.Home
		if home == "" {
			home = "/"
		}
		env = append(env, "HOME="+home)
	}
	return env
}

func hasEnv(env []string, key string) bool {
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			return true
		}
	}
	return false
}

func mounts(in Input) []specs.Mount {
	hc := in.Host
	ms := baseMounts(hc.Privileged)
	if hc.ShmSize > 0 {
		ms = withShmSize(ms, hc.ShmSize)
	}
	shm := in.ShmPath
	if hc.IpcMode == ModeHost { // the host's POSIX shared memory, as docker's
		shm = "/dev/shm"
	}
	if shm != "" || hc.IpcMode == IpcNone {
		ms = withoutDest(ms, "/dev/shm")
	}
	if shm != "" {
		ms = append(ms, specs.Mount{Destination: "/dev/shm", Type: "bind", Source: shm, Options: []string{"rbind", "nosuid", "noexec", "nodev"}})
	}
	if in.NetNS == "host" {
		ms = withoutDest(ms, "/sys") // host netns: sysfs of the host's, bound below
		ms = append(ms, specs.Mount{Destination: "/sys", Type: "bind", Source: "/sys", Options: []string{"rbind", "nosuid", "noexec", "nodev", "ro"}})
	}
	for _, dest := range []string{"/etc/resolv.conf", "/etc/hostname", "/etc/hosts"} {
		if src, ok := in.NetworkFiles[dest]; ok {
			ms = append(ms, bindMount(src, dest, hc.ReadonlyRootfs))
		}
	}
	var user []specs.Mount
	for _, m := range in.Mounts {
		if m.Type == state.MountTmpfs {
			user = append(user, specs.Mount{Destination: m.Destination, Type: "tmpfs", Source: "tmpfs", Options: m.Options})
			continue
		}
		user = append(user, userBind(m))
	}
	// Parents before children, so a bind under a tmpfs is not hidden by it.
	sort.SliceStable(user, func(i, j int) bool { return depth(user[i].Destination) < depth(user[j].Destination) })
	for _, m := range user {
		ms = withoutDest(ms, m.Destination)
	}
	ms = append(ms, user...)
	if in.InitBinary != "" {
		ms = append(ms, specs.Mount{Destination: InitPath, Type: "bind", Source: in.InitBinary, Options: []string{"bind", "ro"}})
	}
	return ms
}

// withShmSize sets /dev/shm's size (--shm-size).
func withShmSize(ms []specs.Mount, size int64) []specs.Mount {
	for i, m := range ms {
		if m.Destination != "/dev/shm" {
			continue
		}
		opts := []string{}
		for _, o := range m.Options {
			if !strings.HasPrefix(o, "size=") {
				opts = append(opts, o)
			}
		}
		ms[i].Options = append(opts, fmt.Sprintf("size=%d", size))
	}
	return ms
}

func bindMount(src, dest string, ro bool) specs.Mount {
	mode := "rw"
	if ro {
		mode = "ro"
	}
	return specs.Mount{Destination: dest, Type: "bind", Source: src, Options: []string{"rbind", "rprivate", mode}}
}

// userBind is a -v or --mount bind or volume, with its propagation
// (docker's default rprivate) and recursion.
func userBind(m state.MountPoint) specs.Mount {
	b := bindMount(m.Source, m.Destination, m.ReadOnly)
	if m.NonRecursive {
		b.Options[0] = "bind"
	}
	if m.Propagation != "" {
		b.Options[1] = m.Propagation
	}
	return b
}

// rootfsPropagation is docker's: the root mount is shared when a mount
// is (so events propagate through it), rslave when one is a slave.
func rootfsPropagation(mounts []state.MountPoint) string {
	p := ""
	for _, m := range mounts {
		switch m.Propagation {
		case "shared", "rshared":
			return "shared"
		case "slave", "rslave":
			p = "rslave"
		}
	}
	return p
}

func withoutDest(ms []specs.Mount, dest string) []specs.Mount {
	out := ms[:0:0]
	for _, m := range ms {
		if path.Clean(m.Destination) != path.Clean(dest) {
			out = append(out, m)
		}
	}
	return out
}

func depth(p string) int { return strings.Count(path.Clean(p), "/") }

func linux(in Input) *specs.Linux {
	res := linuxResources(in.Host)
	res.Devices = defaultDeviceRules()
	l := &specs.Linux{CgroupsPath: in.CgroupsPath, Namespaces: namespaces(in), Resources: &res, Sysctl: in.Host.Sysctls,
		RootfsPropagation: rootfsPropagation(in.Mounts)}
	for _, d := range in.Devices {
		l.Devices = append(l.Devices, d.LinuxDevice)
		major, minor := d.Major, d.Minor
		res.Devices = append(res.Devices, specs.LinuxDeviceCgroup{Allow: true, Type: d.Type, Major: &major, Minor: &minor, Access: d.Perms})
	}
	res.Devices = append(res.Devices, cgroupRules(in.Host.DeviceCgroupRules)...)
	if in.Host.Privileged {
		res.Devices = []specs.LinuxDeviceCgroup{{Allow: true, Access: "rwm"}}
		l.Devices = append(in.HostDevices, l.Devices...)
		return l
	}
	if !in.Host.SystemPathsUnconfined {
		l.MaskedPaths = append([]string(nil), maskedPaths...)
		l.ReadonlyPaths = append([]string(nil), readonlyPaths...)
	}
	return l
}

func namespaces(in Input) []specs.LinuxNamespace {
	hc := in.Host
	var ns []specs.LinuxNamespace
	add := func(t specs.LinuxNamespaceType, host bool) {
		if path := in.NSPaths[t]; path != "" {
			ns = append(ns, specs.LinuxNamespace{Type: t, Path: path})
		} else if !host {
			ns = append(ns, specs.LinuxNamespace{Type: t})
		}
	}
	add(specs.PIDNamespace, hc.PidMode == ModeHost)
	add(specs.IPCNamespace, hc.IpcMode == ModeHost)
	add(specs.UTSNamespace, hc.UTSMode == ModeHost)
	add(specs.MountNamespace, false)
	switch in.NetNS {
	case "host":
	case "":
		ns = append(ns, specs.LinuxNamespace{Type: specs.NetworkNamespace})
	default:
		ns = append(ns, specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: in.NetNS})
	}
	// docker's default: private on v2, host on v1
	add(specs.CgroupNamespace, hc.CgroupnsMode == ModeHost || hc.CgroupnsMode == "" && !in.CgroupV2)
	return ns
}

// IpcNone is --ipc none: a private IPC namespace without /dev/shm.
const IpcNone = "none"

// ModeHost is the namespace mode (--pid, --ipc, --uts, --cgroupns) that
// shares the host's namespace.
const ModeHost = "host"

// hostname is name, or "" with --uts host: the host's name is the
// container's, and runc sets none without a UTS namespace of its own.
func hostname(in Input, name string) string {
	if in.Host.UTSMode == ModeHost {
		return ""
	}
	return name
}

// Capabilities applies --privileged, --cap-add and --cap-drop (names with
// or without CAP_, any case, or ALL) to docker's default set, within the
// host's bounding set (nil: no limit), as docker's TweakCapabilities does:
// ALL in the adds gives every capability but the drops; ALL in the drops
// gives only the adds. Every name is checked, those after ALL too. Asking
// by name for one the host cannot give is an error; ALL and privileged
// take what the host has.
func Capabilities(privileged bool, add, drop, host []string) ([]string, error) {
	if privileged {
		return withinHost(AllCapabilities, host), nil
	}
	adds, addAll, err := normalizeCaps(add)
	if err != nil {
		return nil, err
	}
	drops, dropAll, err := normalizeCaps(drop)
	if err != nil {
		return nil, err
	}
	for _, c := range adds {
		if host != nil && !contains(host, c) {
			return nil, fmt.Errorf("capability %s is not in this host's bounding set, so no container can have it", c)
		}
	}
	set := map[string]bool{}
	switch {
	case addAll:
		for _, c := range AllCapabilities {
			set[c] = !contains(drops, c)
		}
	case dropAll:
		for _, c := range adds {
			set[c] = true
		}
	default:
		for _, c := range DefaultCapabilities {
			set[c] = !contains(drops, c)
		}
		for _, c := range adds {
			set[c] = true
		}
	}
	var out []string
	for _, c := range AllCapabilities { // stable order
		if set[c] {
			out = append(out, c)
		}
	}
	return withinHost(out, host), nil
}

// CapAll is ALL, as NormalizeCapability returns it.
const CapAll = "CAP_ALL"

// NormalizeCapability turns a capability name (with or without CAP_, any
// case, or ALL) into CAP_X (CapAll), checking it is one.
func NormalizeCapability(c string) (string, error) {
	n := "CAP_" + strings.TrimPrefix(strings.ToUpper(c), "CAP_")
	if n != CapAll && !knownCap(n) {
		return "", fmt.Errorf("unknown capability %q: see capabilities(7) for names", c)
	}
	return n, nil
}

// normalizeCaps turns names into CAP_X, checking each one, and says
// whether ALL was among them.
func normalizeCaps(list []string) (caps []string, all bool, err error) {
	for _, c := range list {
		n, err := NormalizeCapability(c)
		switch {
		case err != nil:
			return nil, false, err
		case n == CapAll:
			all = true
		default:
			caps = append(caps, n)
		}
	}
	return caps, all, nil
}

func withinHost(caps, host []string) []string {
	if host == nil {
		return append([]string(nil), caps...)
	}
	var out []string
	for _, c := range caps {
		if contains(host, c) {
			out = append(out, c)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func knownCap(c string) bool { return contains(AllCapabilities, c) }
