package opts

import (
	"errors"
	"fmt"
	"path"
	"strings"

	units "github.com/docker/go-units"

	"github.com/ctr-lite/ctr-lite/netsetup"
	"github.com/ctr-lite/ctr-lite/state"
)

// minMemory is the least memory limit docker accepts.
const minMemory = 6 << 20

// Validate checks what no single flag can, and the invariants of the
// typed fields whoever filled them (a flag, a stored command line, a
// test): network and restart policy together with --rm and --ip, the
// resources together, and every mount and port. It fills in the defaults
// of unset fields (bridge network, restart "no", cpu-shares at least 2).
func Validate(hc *state.HostConfig) error {
	if hc.NetworkMode == "" {
		hc.NetworkMode = netsetup.ModeBridge
	}
	if err := netsetup.ValidateMode(hc.NetworkMode); err != nil {
		return err
	}
	if hc.IPAddress != "" && !netsetup.IsBridged(hc.NetworkMode) {
		return fmt.Errorf("invalid --ip %q: a fixed address needs a bridge or user-defined network", hc.IPAddress)
	}
	if hc.MacAddress != "" && !netsetup.IsBridged(hc.NetworkMode) {
		return fmt.Errorf("conflicting options: --mac-address and the network mode %q: a MAC needs a bridge or user-defined network", hc.NetworkMode)
	}
	if len(hc.NetworkAliases) > 0 && (!netsetup.IsBridged(hc.NetworkMode) || hc.NetworkMode == netsetup.ModeBridge) {
		// docker's words
		return errors.New("network-scoped aliases are only supported for user-defined networks: drop --network-alias or use --network NAME")
	}
	if hc.RestartPolicy.Name == "" {
		hc.RestartPolicy.Name = "no"
	}
	if err := validateLogConfig(&hc.LogConfig); err != nil {
		return err
	}
	if hc.RestartPolicy.Name != "no" && hc.AutoRemove {
		return errors.New("conflicting options: --restart and --rm: a removed container cannot be restarted")
	}
	if err := validateMounts(hc.MountPoints); err != nil {
		return err
	}
	if err := validatePorts(hc.PortBindings); err != nil {
		return err
	}
	if err := validateNamespaces(hc); err != nil {
		return err
	}
	if err := validateSysctls(hc); err != nil {
		return err
	}
	return validateResources(hc)
}

// ValidateUpdate checks a HostConfig after docker update changed it: the
// restart policy against --rm, and the resources as create checks them.
func ValidateUpdate(hc *state.HostConfig) error {
	if hc.RestartPolicy.Name != "no" && hc.RestartPolicy.Name != "" && hc.AutoRemove {
		return errors.New("Restart policy cannot be updated because AutoRemove is enabled for the container") //nolint:staticcheck // docker's words
	}
	return validateResources(hc)
}

func validateResources(hc *state.HostConfig) error {
	if hc.MemorySwap > 0 && (hc.Memory == 0 || hc.MemorySwap < hc.Memory) {
		return fmt.Errorf("--memory-swap %s must be at least --memory (it is memory plus swap), and needs --memory", units.BytesSize(float64(hc.MemorySwap)))
	}
	if hc.Memory > 0 && hc.Memory < minMemory {
		return fmt.Errorf("--memory %s: the minimum memory limit allowed is 6MB", units.BytesSize(float64(hc.Memory)))
	}
	if hc.CpuShares < 0 {
		return fmt.Errorf("--cpu-shares %d: want a positive number (1024 is one CPU's weight)", hc.CpuShares)
	}
	if hc.CpuShares == 1 { // the kernel's minimum is 2; docker raises it
		hc.CpuShares = 2
	}
	return validateMoreResources(hc)
}

// validateMoreResources checks issue 11's flags with docker's ranges and
// messages.
func validateMoreResources(hc *state.HostConfig) error {
	if hc.NanoCpus > 0 && hc.CPUPeriod != 0 {
		return errors.New("conflicting options: Nano CPUs and CPU Period cannot both be set: use --cpus or --cpu-period/--cpu-quota")
	}
	if hc.NanoCpus > 0 && hc.CPUQuota != 0 {
		return errors.New("conflicting options: Nano CPUs and CPU Quota cannot both be set: use --cpus or --cpu-period/--cpu-quota")
	}
	if hc.CPUPeriod != 0 && (hc.CPUPeriod < 1000 || hc.CPUPeriod > 1000000) {
		return fmt.Errorf("--cpu-period %d: CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)", hc.CPUPeriod)
	}
	if hc.CPUQuota != 0 && hc.CPUQuota != -1 && hc.CPUQuota < 1000 {
		return fmt.Errorf("--cpu-quota %d: CPU cfs quota can not be less than 1ms (i.e. 1000)", hc.CPUQuota)
	}
	if hc.CPURealtimePeriod < 0 || hc.CPURealtimeRuntime < -1 {
		return fmt.Errorf("--cpu-rt-period %d, --cpu-rt-runtime %d: want a positive period and a runtime of at least -1 (unlimited)", hc.CPURealtimePeriod, hc.CPURealtimeRuntime)
	}
	if hc.CPURealtimePeriod != 0 && hc.CPURealtimeRuntime > hc.CPURealtimePeriod { // docker's words
		return errors.New("cpu real-time runtime cannot be higher than cpu real-time period")
	}
	if err := checkCpuset("--cpuset-mems", hc.CpusetMems); err != nil {
		return err
	}
	if hc.MemoryReservation < 0 || (hc.Memory > 0 && hc.MemoryReservation > hc.Memory) {
		return errors.New("--memory-reservation: minimum memory limit can not be less than memory reservation limit, see usage")
	}
	if s := hc.MemorySwappiness; s != nil && (*s < 0 || *s > 100) {
		return fmt.Errorf("--memory-swappiness %d: want 0 to 100", *s)
	}
	if hc.OomScoreAdj < -1000 || hc.OomScoreAdj > 1000 {
		return fmt.Errorf("--oom-score-adj %d: invalid value, valid range is -1000 to 1000", hc.OomScoreAdj)
	}
	if hc.BlkioWeight != 0 && (hc.BlkioWeight < 10 || hc.BlkioWeight > 1000) {
		return fmt.Errorf("--blkio-weight %d: range of blkio weight is from 10 to 1000", hc.BlkioWeight)
	}
	return checkCgroupParent(hc.CgroupParent)
}

// checkCgroupParent refuses parents that could climb out of the cgroup
// tree: relative paths, "..", and anything path.Clean would change.
func checkCgroupParent(p string) error {
	if p == "" {
		return nil
	}
	if !path.IsAbs(p) || path.Clean(p) != p || p == "/" || strings.Contains(p, "..") {
		return fmt.Errorf("invalid --cgroup-parent %q: want a clean absolute cgroup path such as /ctr-lite/batch, without ..", p)
	}
	return nil
}

// validateMounts checks each mount and refuses two on one path, as
// docker's "Duplicate mount point".
func validateMounts(mounts []state.MountPoint) error {
	seen := map[string]bool{}
	for _, m := range mounts {
		if err := validateMount(m); err != nil {
			return err
		}
		if seen[m.Destination] {
			return fmt.Errorf("duplicate mount point %q: mount one volume, bind or tmpfs there", m.Destination)
		}
		seen[m.Destination] = true
	}
	return nil
}

func validateMount(m state.MountPoint) error {
	if !path.IsAbs(m.Destination) || path.Clean(m.Destination) != m.Destination || m.Destination == "/" {
		return fmt.Errorf("invalid mount destination %q: want a clean absolute path other than /", m.Destination)
	}
	switch m.Type {
	case state.MountBind:
		if !path.IsAbs(m.Source) {
			return fmt.Errorf("invalid bind source %q for %q: want an absolute host path", m.Source, m.Destination)
		}
	case state.MountVolume:
		if m.Source != "" && !state.ValidName(m.Source) {
			return fmt.Errorf("invalid volume name %q for %q: use [a-zA-Z0-9][a-zA-Z0-9_.-]*", m.Source, m.Destination)
		}
	case state.MountTmpfs:
		for _, o := range m.Options {
			if err := checkTmpfsOption(o); err != nil {
				return fmt.Errorf("invalid tmpfs %q: %w", m.Destination, err)
			}
		}
	default:
		return fmt.Errorf("invalid mount type %q for %q: want bind, volume or tmpfs", m.Type, m.Destination)
	}
	return nil
}

func validatePorts(ports state.PortMap) error {
	for p := range ports {
		if p.Number == 0 || (p.Proto != "tcp" && p.Proto != "udp" && p.Proto != "sctp") {
			return fmt.Errorf("invalid port %q: want NUMBER/tcp, udp or sctp", p)
		}
	}
	return nil
}

// PortsDiscarded reports whether -p/-P were given for a mode without its
// own address, where docker warns that they are ignored.
func PortsDiscarded(hc *state.HostConfig) bool {
	return (len(hc.PortBindings) > 0 || hc.PublishAllPorts) && hc.NetworkMode != "" && !netsetup.IsBridged(hc.NetworkMode)
}

// validateLogConfig fills docker's default driver, json-file. docker's
// other drivers are known names but not implemented: refused with a line
// saying so; unknown names are refused as docker refuses them.
func validateLogConfig(lc *state.LogConfig) error {
	if lc.Type == "" {
		lc.Type = "json-file"
	}
	if lc.Config == nil {
		lc.Config = map[string]string{}
	}
	switch lc.Type {
	case "json-file":
		for k := range lc.Config {
			switch k {
			case "max-size", "max-file", "compress":
			case "labels", "labels-regex", "env", "env-regex":
				// Refused, not ignored (review 11a, M8).
				return fmt.Errorf("--log-opt %s is not supported yet: json-file entries carry no attributes; drop the option", k)
			default:
				return fmt.Errorf("invalid --log-opt %q: unknown option for log driver json-file", k)
			}
		}
		_, err := state.ParseLogRotation(lc.Config)
		return err
	case "none", "passthrough":
		for k := range lc.Config {
			return fmt.Errorf("invalid --log-opt %q: log driver %s takes no options", k, lc.Type)
		}
		return nil
	case "journald":
		for k := range lc.Config {
			switch k {
			case "tag":
			case "labels", "labels-regex", "env", "env-regex":
				return fmt.Errorf("--log-opt %s is not supported yet for journald: entries carry no attributes; drop the option", k)
			default:
				return fmt.Errorf("invalid --log-opt %q: unknown option for log driver journald", k)
			}
		}
		_, err := state.RenderLogTag(lc.Config["tag"], state.LogTagInfo{})
		return err
	case "local", "syslog", "gelf", "fluentd", "awslogs", "splunk", "etwlogs", "gcplogs":
		return fmt.Errorf("log driver %s is not supported yet: use --log-driver json-file", lc.Type)
	}
	return fmt.Errorf("invalid --log-driver %q: want json-file, journald, none or passthrough", lc.Type)
}
