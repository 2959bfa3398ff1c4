package state

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"
)

// Container statuses, as docker names them.
const (
	StatusCreated = "created"
	StatusRunning = "running"
	StatusPaused  = "paused" // Running stays true, as docker's
	StatusExited  = "exited"
	// StatusRestarting: exited, and its monitor waits to restart it.
	StatusRestarting = "restarting"
	StatusRemoving   = "removing"
	StatusDead       = "dead"
)

// Container is the record kept in config.v2.json. Field names follow
// docker's so that inspect output and the file read the same.
type Container struct {
	ID              string
	Name            string
	Created         time.Time
	Path            string
	Args            []string
	Config          Config
	State           State
	Image           string // image ID (sha256:...)
	ImageName       string // the reference the user typed, for ps
	Driver          string
	HostnamePath    string
	HostsPath       string
	ResolvConfPath  string
	RestartCount    int
	NetworkSettings NetworkSettings
	// HasBeenManuallyStopped keeps a restart policy from restarting a
	// container that stop or kill ended.
	HasBeenManuallyStopped bool
	// HealthRestart asks the monitor to restart the container once it
	// exits, whatever its restart policy (--health-on-failure restart); set
	// and cleared under the container's lock, where a stop also marks
	// HasBeenManuallyStopped, which wins.
	HealthRestart bool `json:",omitempty"`
	// OtherName is the second name-index entry a rename makes for a
	// while (the new name before the record has it, the old one after):
	// rm drops it too, in case a crash kept the rename from doing so.
	OtherName string `json:",omitempty"`
	// RuntimePath is the runtime create's --runtime named, resolved to
	// an absolute path so every later call finds the same one ("": the
	// engine's). HostConfig.Runtime shows it as given.
	RuntimePath string `json:",omitempty"`
	// Damage is why the record could not be read (Store.Damaged); nil
	// for a record read whole. Never stored.
	Damage error `json:"-"`
}

// NetworkSettings is the container's network while it runs, as docker's
// inspect shows it. It is also the record teardown works from.
type NetworkSettings struct {
	IPAddress   string
	IPPrefixLen int
	Gateway     string
	MacAddress  string
	SandboxKey  string
	Ports       PortMap
	Networks    map[string]*EndpointSettings
}

// EndpointSettings is one network's part of NetworkSettings.
type EndpointSettings struct {
	IPAddress   string
	IPPrefixLen int
	Gateway     string
	MacAddress  string
	NetworkID   string
	// On an --ipv6 network, the IPv6 address, its prefix length and the
	// IPv6 gateway (docker's names; empty elsewhere, as in docker).
	GlobalIPv6Address   string
	GlobalIPv6PrefixLen int
	IPv6Gateway         string
	// Aliases are the names peers resolve the container by on this
	// network: --network-alias on the first, --alias of network connect.
	Aliases []string `json:",omitempty"`
}

// NetworkAttachment is a network a container joins after its first
// (HostConfig.NetworkMode): network connect, or a repeated --network.
// Start applies them in order, as eth1, eth2, ...
type NetworkAttachment struct {
	Name        string
	Aliases     []string `json:",omitempty"` // --alias
	IPAddress   string   `json:",omitempty"` // --ip
	IPv6Address string   `json:",omitempty"` // --ip6
}

// PortBinding is a host address a container port is published on.
type PortBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string
}

// Config is the container's merged configuration (image config + user flags).
type Config struct {
	Hostname     string
	Domainname   string
	User         string
	AttachStdin  bool
	AttachStdout bool
	AttachStderr bool
	Tty          bool
	OpenStdin    bool
	Env          []string
	Cmd          []string
	Image        string
	Volumes      map[string]struct{} `json:",omitempty"`
	WorkingDir   string
	Entrypoint   []string
	Labels       map[string]string
	StopSignal   string `json:",omitempty"`
	// StopTimeout is the seconds stop without -t waits (nil: 10).
	StopTimeout  *int                `json:",omitempty"`
	ExposedPorts map[string]struct{} `json:",omitempty"`
	// CreateCommand is the argv of the `create` or `run` that made the
	// container, as typed (podman's name): `generate systemd --new` runs
	// it again, so a unit cannot drift from the container.
	CreateCommand []string `json:",omitempty"`
	// CreateEnv is the CTR_LITE_* environment (KEY=VALUE) that create or
	// run read besides CreateCommand: a unit sets it again, so the
	// container it starts gets the same runtime, storage driver, network
	// defaults and registries file.
	CreateEnv []string `json:",omitempty"`
	// SdNotify is --sdnotify (podman's): how the process that starts the
	// container uses the NOTIFY_SOCKET systemd gave it. "" is
	// SdNotifyContainer, podman's default.
	SdNotify string `json:",omitempty"`
	// Healthcheck is the merged image HEALTHCHECK and --health-* flags
	// (docker's HealthConfig); nil: none. Test ["NONE"] disables one.
	Healthcheck *HealthConfig `json:",omitempty"`
	// HealthcheckOnFailureAction is --health-on-failure (podman's name):
	// none (""), kill, restart or stop, when the status becomes unhealthy.
	HealthcheckOnFailureAction string `json:",omitempty"`
}

// HealthConfig is docker's Config.Healthcheck, durations in nanoseconds
// (docker's JSON). Zero durations and retries take docker's defaults
// (HealthDefaults).
type HealthConfig struct {
	// Test is ["CMD", ARGS...], ["CMD-SHELL", COMMAND], ["NONE"], or
	// empty (inherit the image's).
	Test          []string      `json:",omitempty"`
	Interval      time.Duration `json:",omitempty"`
	Timeout       time.Duration `json:",omitempty"`
	StartPeriod   time.Duration `json:",omitempty"`
	StartInterval time.Duration `json:",omitempty"`
	Retries       int           `json:",omitempty"`
}

// Docker's health check defaults.
const (
	DefaultHealthInterval      = 30 * time.Second
	DefaultHealthTimeout       = 30 * time.Second
	DefaultHealthStartInterval = 5 * time.Second
	DefaultHealthRetries       = 3
)

// Enabled reports whether h runs a check: a test that is not NONE.
func (h *HealthConfig) Enabled() bool {
	return h != nil && len(h.Test) > 0 && h.Test[0] != "NONE"
}

// WithDefaults is h with docker's defaults for every zero field.
func (h HealthConfig) WithDefaults() HealthConfig {
	or := func(d, def time.Duration) time.Duration {
		if d == 0 {
			return def
		}
		return d
	}
	h.Interval, h.Timeout = or(h.Interval, DefaultHealthInterval), or(h.Timeout, DefaultHealthTimeout)
	h.StartInterval = or(h.StartInterval, DefaultHealthStartInterval)
	if h.Retries == 0 {
		h.Retries = DefaultHealthRetries
	}
	return h
}

// Health statuses, docker's ("none" only in ps filters: no check).
const (
	HealthStarting  = "starting"
	HealthHealthy   = "healthy"
	HealthUnhealthy = "unhealthy"
	HealthNone      = "none"
)

// HealthLogEntries is how many results State.Health.Log keeps (docker's).
const HealthLogEntries = 5

// HealthOutputMax is how much of a check's output a result keeps (docker's).
const HealthOutputMax = 4096

// Health is docker's State.Health.
type Health struct {
	Status        string
	FailingStreak int
	Log           []HealthResult
}

// HealthResult is one check's outcome, docker's HealthcheckResult.
type HealthResult struct {
	Start    time.Time
	End      time.Time
	ExitCode int
	Output   string
}

// The --sdnotify modes. conmon: the monitor sends MAINPID (itself) and
// READY=1 once the container runs; container: the monitor sends MAINPID
// and the service inside sends READY=1 on a socket passed in; healthy:
// MAINPID at start, READY=1 when the health check first passes; ignore:
// nothing is sent and the container never sees the socket.
const (
	SdNotifyContainer = "container"
	SdNotifyConmon    = "conmon"
	SdNotifyHealthy   = "healthy"
	SdNotifyIgnore    = "ignore"
)

// State is the container's run state. MonitorPid is the ctr-lite process
// that waits on the container (the attached CLI, or a monitor); together
// with Pid it lets any command tell a stale "running" record from a live one.
type State struct {
	Status     string
	Running    bool
	Paused     bool
	Restarting bool
	OOMKilled  bool
	Dead       bool
	Pid        int
	MonitorPid int `json:",omitempty"`
	// Start times (clock ticks since boot) of Pid and MonitorPid, so a
	// recycled PID is never taken for the container or its monitor.
	PidStart     uint64 `json:",omitempty"`
	MonitorStart uint64 `json:",omitempty"`
	ExitCode     int
	Error        string
	StartedAt    time.Time
	FinishedAt   time.Time
	// Health is the health check's state (nil: no check), docker's.
	Health *Health `json:",omitempty"`
}

// HostConfig is the record kept in hostconfig.json: every run flag's
// value, typed, exactly as the flags' parsers (package opts) wrote it.
// Start reads these fields and nothing else; no field holds text that is
// parsed again later. Fields shown only as the user gave them (Binds,
// Tmpfs, SecurityOpt) are marked "as given": what start uses is beside
// them, typed.
type HostConfig struct {
	Binds          []string // -v, as given; MountPoints is what is mounted
	NetworkMode    string
	AutoRemove     bool
	Privileged     bool
	ReadonlyRootfs bool
	CapAdd         []string
	CapDrop        []string
	Tmpfs          map[string]string `json:",omitempty"` // --tmpfs, as given
	Mounts         []Mount           `json:",omitempty"` // --mount, as given
	// VolumesFrom are --volumes-from CONTAINER[:ro|:rw], as given; their
	// mounts were copied into MountPoints at create.
	VolumesFrom []string `json:",omitempty"`
	// MountPoints are -v, --tmpfs and the image's VOLUMEs, in order: what
	// start mounts.
	MountPoints []MountPoint `json:",omitempty"`
	// RecordVersion is 1 for records whose typed fields are the truth; 0
	// (absent) marks a record of an older ctr-lite, upgraded when read.
	RecordVersion int `json:",omitempty"`
	Runtime       string
	// Networking (docker's names).
	PortBindings    PortMap
	PublishAllPorts bool
	DNS             []string `json:"Dns"`
	DNSSearch       []string `json:"DnsSearch"`
	DNSOptions      []string `json:"DnsOptions"`
	ExtraHosts      []string
	IPAddress       string `json:",omitempty"` // --ip
	IPv6Address     string `json:",omitempty"` // --ip6
	MacAddress      string `json:",omitempty"` // --mac-address
	// NetworkAliases are more names peers on its user-defined network
	// resolve the container by (--network-alias).
	NetworkAliases []string `json:",omitempty"`
	// Networks are the networks joined after NetworkMode's (eth0).
	Networks []NetworkAttachment `json:",omitempty"`
	// Links are --link NAME[:ALIAS]: hosts entries for running containers.
	Links           []string `json:",omitempty"`
	RestartPolicy   RestartPolicy
	Init            bool   `json:",omitempty"`
	ContainerIDFile string `json:",omitempty"` // --cidfile, removed with the container
	// AnonymousVolumes are the volumes made for "-v /path": removed by
	// rm -v and by --rm, as docker does.
	AnonymousVolumes []string `json:",omitempty"`
	PidFile          string   `json:",omitempty"` // --pidfile, removed when it stops
	// Security (docker's SecurityOpt as given, and what it means).
	SecurityOpt       []string `json:",omitempty"`
	NoNewPrivileges   bool     `json:",omitempty"`
	SeccompUnconfined bool     `json:",omitempty"`
	// SeccompProfile is a --security-opt seccomp=FILE profile, read and
	// checked when the flag was parsed, as docker does, so the file may go
	// later. (SecurityOpt shows it inline too, as docker's does.)
	SeccompProfile  json.RawMessage `json:",omitempty"`
	AppArmorProfile string          `json:",omitempty"`
	// SystemPathsUnconfined is --security-opt systempaths=unconfined: no
	// masked or read-only /proc and /sys paths.
	SystemPathsUnconfined bool `json:",omitempty"`
	// Annotations are --annotation's, passed to the runtime in the spec.
	Annotations map[string]string `json:",omitempty"`
	// LogConfig is --log-driver and --log-opt (docker's names).
	LogConfig LogConfig
	Devices   []DeviceMapping `json:",omitempty"`
	Ulimits   []Ulimit        `json:",omitempty"`
	// Resources (docker's names and units).
	Memory     int64
	MemorySwap int64 // memory plus swap; -1 unlimited
	NanoCpus   int64
	CpuShares  int64 //nolint:revive // docker's field name
	CpusetCpus string
	// PidsLimit is nil (null, as docker's) unless set; -1 unlimited.
	PidsLimit *int64
	ShmSize   int64
	// More resources (issue 11; docker's names and units).
	CPUPeriod int64 `json:"CpuPeriod"` // µs
	CPUQuota  int64 `json:"CpuQuota"`  // µs
	// Real-time scheduler budget (cgroup v1's cpu.rt_*), µs.
	CPURealtimePeriod  int64 `json:"CpuRealtimePeriod"`
	CPURealtimeRuntime int64 `json:"CpuRealtimeRuntime"`
	CpusetMems         string
	MemoryReservation  int64  // bytes, the soft limit
	MemorySwappiness   *int64 // 0-100; nil (flag -1) leaves the kernel's
	OomKillDisable     *bool  // nil (null) unless --oom-kill-disable was given
	OomScoreAdj        int
	BlkioWeight        uint16   // 10-1000; 0 unset
	DeviceCgroupRules  []string `json:",omitempty"` // 'c 1:3 mr'
	// Per-device block I/O limits (docker's names); Path is under /dev.
	BlkioWeightDevice    []WeightDevice   `json:",omitempty"`
	BlkioDeviceReadBps   []ThrottleDevice `json:",omitempty"`
	BlkioDeviceWriteBps  []ThrottleDevice `json:",omitempty"`
	BlkioDeviceReadIOps  []ThrottleDevice `json:",omitempty"`
	BlkioDeviceWriteIOps []ThrottleDevice `json:",omitempty"`
	// CgroupParent is the cgroup the container's goes under
	// (PARENT/ID): absolute, clean, no "..".
	CgroupParent string `json:",omitempty"`
	// Namespaces (docker's names and modes): "" is docker's default.
	PidMode      string `json:",omitempty"` // host, container:NAME
	IpcMode      string `json:",omitempty"` // private, shareable, host, container:NAME
	UTSMode      string `json:",omitempty"` // host
	CgroupnsMode string `json:",omitempty"` // host, private
	// GroupAdd are --group-add's names or GIDs, resolved at start in the
	// image's /etc/group; Sysctls are --sysctl's, namespaced ones only.
	GroupAdd []string          `json:",omitempty"`
	Sysctls  map[string]string `json:",omitempty"`
}

// MountPoint is one filesystem mounted into the container.
type MountPoint struct {
	Type        string // MountBind, MountVolume or MountTmpfs
	Source      string `json:",omitempty"` // host path, or volume name ("" until create names an anonymous one)
	Destination string
	ReadOnly    bool     `json:",omitempty"`
	Options     []string `json:",omitempty"` // tmpfs mount options
	NoCopy      bool     `json:",omitempty"` // a volume not seeded from the image (-v NAME:PATH:nocopy)
	// Propagation is a bind's or volume's mount propagation (docker's
	// names: rprivate, private, rshared, shared, rslave, slave); "" is
	// rprivate.
	Propagation string `json:",omitempty"`
	// NonRecursive binds the source alone, not the mounts under it
	// (--mount bind-recursive=disabled).
	NonRecursive bool `json:",omitempty"`
	// Mode is -v's options as given (docker's inspect Mode); "" for
	// --mount and --tmpfs.
	Mode string `json:",omitempty"`
	// VolumeOptions are --mount volume-opt's: the local driver's options
	// of a volume this mount creates (type, device, o).
	VolumeOptions map[string]string `json:",omitempty"`
	// FromContainer is the container --volumes-from copied this mount
	// from ("" for the container's own).
	FromContainer string `json:",omitempty"`
}

// Mount is one --mount as docker's HostConfig.Mounts shows it (as given);
// MountPoints holds what is mounted.
type Mount struct {
	Type          string
	Source        string `json:",omitempty"`
	Target        string
	ReadOnly      bool                `json:",omitempty"`
	BindOptions   *MountBindOptions   `json:",omitempty"`
	VolumeOptions *MountVolumeOptions `json:",omitempty"`
	TmpfsOptions  *MountTmpfsOptions  `json:",omitempty"`
}

// MountBindOptions are docker's BindOptions.
type MountBindOptions struct {
	Propagation  string `json:",omitempty"`
	NonRecursive bool   `json:",omitempty"`
}

// MountVolumeOptions are docker's VolumeOptions.
type MountVolumeOptions struct {
	NoCopy       bool              `json:",omitempty"`
	Labels       map[string]string `json:",omitempty"`
	DriverConfig *MountDriver      `json:",omitempty"`
}

// MountDriver is docker's VolumeOptions.DriverConfig.
type MountDriver struct {
	Name    string            `json:",omitempty"`
	Options map[string]string `json:",omitempty"`
}

// MountTmpfsOptions are docker's TmpfsOptions.
type MountTmpfsOptions struct {
	SizeBytes int64  `json:",omitempty"`
	Mode      uint32 `json:",omitempty"`
}

// Mount types, as docker names them.
const (
	MountBind   = "bind"
	MountVolume = "volume"
	MountTmpfs  = "tmpfs"
)

// Port is a container port and protocol; in JSON it is docker's "80/tcp".
type Port struct {
	Number uint16
	Proto  string // tcp, udp or sctp
}

func (p Port) String() string { return strconv.Itoa(int(p.Number)) + "/" + p.Proto }

// MarshalText writes docker's "80/tcp".
func (p Port) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads "80/tcp" (or "80", tcp).
func (p *Port) UnmarshalText(b []byte) error {
	num, proto, _ := strings.Cut(string(b), "/")
	n, err := strconv.ParseUint(num, 10, 16)
	if err != nil || n == 0 {
		return fmt.Errorf("invalid port %q: want NUMBER[/PROTOCOL]", b)
	}
	if proto == "" {
		proto = "tcp"
	}
	p.Number, p.Proto = uint16(n), proto
	return nil
}

// PortMap is docker's PortBindings: host addresses by container port.
type PortMap map[Port][]PortBinding

// DeviceMapping is one --device.
type DeviceMapping struct {
	PathOnHost, PathInContainer, CgroupPermissions string
}

// Ulimit is one --ulimit, as docker records it.
type Ulimit struct {
	Name       string
	Soft, Hard int64
}

// RestartPolicy is --restart: Name is no, always, unless-stopped or
// on-failure, with MaximumRetryCount for on-failure:N (0: no limit).
type RestartPolicy struct {
	Name              string
	MaximumRetryCount int
}

// StatusLine is the STATUS column of `ps`, e.g. "Up 3 seconds" or
// "Exited (0) 2 minutes ago".
func (s State) StatusLine(now time.Time) string {
	if s.Restarting { // docker's "Restarting (1) 2 seconds ago"
		return "Restarting (" + strconv.Itoa(s.ExitCode) + ") " + units.HumanDuration(now.Sub(s.FinishedAt)) + " ago"
	}
	switch s.Status {
	case StatusRunning:
		if s.Health != nil { // docker's "Up 3 minutes (healthy)"
			return "Up " + units.HumanDuration(now.Sub(s.StartedAt)) + " (" + s.Health.String() + ")"
		}
		return "Up " + units.HumanDuration(now.Sub(s.StartedAt))
	case StatusPaused:
		return "Up " + units.HumanDuration(now.Sub(s.StartedAt)) + " (Paused)"
	case StatusExited:
		return "Exited (" + strconv.Itoa(s.ExitCode) + ") " + units.HumanDuration(now.Sub(s.FinishedAt)) + " ago"
	case StatusCreated:
		return "Created"
	case StatusRemoving:
		return "Removal In Progress"
	case StatusDead:
		return "Dead"
	}
	return s.Status
}

// String is the status as docker's ps shows it: "health: starting",
// "healthy" or "unhealthy".
func (h *Health) String() string {
	if h.Status == HealthStarting {
		return "health: starting"
	}
	return h.Status
}

// HealthStatus is the status ps -f health= compares: "none" without a check.
func (s State) HealthStatus() string {
	if s.Health == nil {
		return HealthNone
	}
	return s.Health.Status
}

// ThrottleDevice is a per-device block I/O limit (bytes or operations a second).
type ThrottleDevice struct {
	Path string
	Rate uint64
}

// WeightDevice is a per-device block I/O weight.
type WeightDevice struct {
	Path   string
	Weight uint16
}

// LogConfig is docker's HostConfig.LogConfig.
type LogConfig struct {
	Type   string
	Config map[string]string
}
