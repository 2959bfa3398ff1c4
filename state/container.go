package state

import "time"

// Container statuses, as docker names them.
const (
	StatusCreated = "created"
	StatusRunning = "running"
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
}

// NetworkSettings is the container's network while it runs, as docker's
// inspect shows it. It is also the record teardown works from.
type NetworkSettings struct {
	IPAddress   string
	IPPrefixLen int
	Gateway     string
	MacAddress  string
	SandboxKey  string
	Ports       map[string][]PortBinding
	Networks    map[string]*EndpointSettings
}

// EndpointSettings is one network's part of NetworkSettings.
type EndpointSettings struct {
	IPAddress   string
	IPPrefixLen int
	Gateway     string
	MacAddress  string
	NetworkID   string
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
	StopSignal   string              `json:",omitempty"`
	ExposedPorts map[string]struct{} `json:",omitempty"`
}

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
}

// HostConfig is the record kept in hostconfig.json.
type HostConfig struct {
	Binds          []string
	NetworkMode    string
	AutoRemove     bool
	Privileged     bool
	ReadonlyRootfs bool
	CapAdd         []string
	CapDrop        []string
	Tmpfs          map[string]string `json:",omitempty"`
	Runtime        string
	// Networking (docker's names). PortBindings keys are "80/tcp".
	PortBindings    map[string][]PortBinding
	PublishAllPorts bool
	DNS             []string `json:"Dns"`
	DNSSearch       []string `json:"DnsSearch"`
	DNSOptions      []string `json:"DnsOptions"`
	ExtraHosts      []string
	IPAddress       string `json:",omitempty"` // --ip
	RestartPolicy   RestartPolicy
	Init            bool   `json:",omitempty"`
	ContainerIDFile string `json:",omitempty"` // --cidfile, removed with the container
	// AnonymousVolumes are the volumes made for "-v /path": removed by
	// rm -v and by --rm, as docker does.
	AnonymousVolumes []string `json:",omitempty"`
	PidFile          string   `json:",omitempty"` // --pidfile, removed when it stops
	// Security and resources (docker's names). SecurityOpt keeps a custom
	// seccomp profile inline ("seccomp=<json>"), as docker does.
	SecurityOpt []string        `json:",omitempty"`
	Devices     []DeviceMapping `json:",omitempty"`
	Ulimits     []Ulimit        `json:",omitempty"`
	Memory      int64
	MemorySwap  int64
	NanoCpus    int64
	CpuShares   int64 //nolint:revive // docker's field name
	CpusetCpus  string
	PidsLimit   int64 `json:",omitempty"`
	ShmSize     int64
}

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
		return "Restarting (" + itoa(s.ExitCode) + ") " + HumanDuration(now.Sub(s.FinishedAt)) + " ago"
	}
	switch s.Status {
	case StatusRunning:
		return "Up " + HumanDuration(now.Sub(s.StartedAt))
	case StatusExited:
		return "Exited (" + itoa(s.ExitCode) + ") " + HumanDuration(now.Sub(s.FinishedAt)) + " ago"
	case StatusCreated:
		return "Created"
	case StatusRemoving:
		return "Removal In Progress"
	case StatusDead:
		return "Dead"
	}
	return s.Status
}
