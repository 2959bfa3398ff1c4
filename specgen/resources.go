package specgen

import (
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"

	units "github.com/docker/go-units"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Resources are the cgroup limits of docker's run flags; zero means unset.
type Resources struct {
	Memory     int64  // --memory, bytes
	MemorySwap int64  // --memory-swap, bytes of memory plus swap; -1 unlimited
	NanoCPUs   int64  // --cpus × 1e9
	CPUShares  uint64 // --cpu-shares
	CpusetCpus string // --cpuset-cpus
	PidsLimit  int64  // --pids-limit; -1 unlimited
	ShmSize    int64  // --shm-size, bytes of /dev/shm
}

// cfsPeriod is docker's CFS period for --cpus.
const cfsPeriod = 100000

// ParseResources checks and converts the resource flags as docker does.
func ParseResources(memory, memorySwap, cpus string, shares int64, cpuset string, pids int64, shm string) (Resources, error) {
	var r Resources
	var err error
	if r.Memory, err = ramBytes("--memory", memory); err != nil {
		return r, err
	}
	if memorySwap == "-1" {
		r.MemorySwap = -1
	} else if r.MemorySwap, err = ramBytes("--memory-swap", memorySwap); err != nil {
		return r, err
	}
	if r.MemorySwap > 0 && (r.Memory == 0 || r.MemorySwap < r.Memory) {
		return r, fmt.Errorf("--memory-swap %s must be at least --memory (it is memory plus swap), and needs --memory", memorySwap)
	}
	if r.Memory > 0 && r.Memory < 6<<20 {
		return r, fmt.Errorf("--memory %s is below the 6MB a container needs", memory)
	}
	if r.NanoCPUs, err = nanoCPUs(cpus); err != nil {
		return r, err
	}
	if shares < 0 {
		return r, fmt.Errorf("--cpu-shares %d: want a positive number (1024 is one CPU's weight)", shares)
	}
	r.CPUShares, r.PidsLimit = uint64(shares), pids
	if r.CpusetCpus, err = cpuset, checkCpuset(cpuset); err != nil {
		return r, err
	}
	r.ShmSize, err = ramBytes("--shm-size", shm)
	return r, err
}

func ramBytes(flag, v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := units.RAMInBytes(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("invalid %s %q: want a size like 512m or 1g", flag, v)
	}
	return n, nil
}

func nanoCPUs(v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 || f > 1e6 || math.IsNaN(f) {
		return 0, fmt.Errorf("invalid --cpus %q: want a positive number like 1.5", v)
	}
	return int64(f * 1e9), nil
}

// checkCpuset accepts docker's lists: "0", "0-3", "0,2,4-5".
func checkCpuset(v string) error {
	if v == "" {
		return nil
	}
	for _, part := range strings.Split(v, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.ParseUint(lo, 10, 16)
		b, err2 := a, error(nil)
		if isRange {
			b, err2 = strconv.ParseUint(hi, 10, 16)
		}
		if err1 != nil || err2 != nil || b < a {
			return fmt.Errorf("invalid --cpuset-cpus %q: want CPU numbers and ranges like 0-2,4", v)
		}
	}
	return nil
}

// linuxResources is r as OCI cgroup settings; runc maps them to cgroup
// v1 files or v2 files (shares to cpu.weight, swap to memory.swap.max).
func linuxResources(r Resources) specs.LinuxResources {
	var out specs.LinuxResources
	if r.Memory > 0 || r.MemorySwap != 0 {
		out.Memory = &specs.LinuxMemory{}
		if r.Memory > 0 {
			out.Memory.Limit = &r.Memory
		}
		if r.MemorySwap != 0 {
			out.Memory.Swap = &r.MemorySwap
		}
	}
	if r.NanoCPUs > 0 || r.CPUShares > 0 || r.CpusetCpus != "" {
		out.CPU = &specs.LinuxCPU{Cpus: r.CpusetCpus}
		if r.NanoCPUs > 0 {
			quota, period := r.NanoCPUs*cfsPeriod/1e9, uint64(cfsPeriod)
			out.CPU.Quota, out.CPU.Period = &quota, &period
		}
		if r.CPUShares > 0 {
			out.CPU.Shares = &r.CPUShares
		}
	}
	if r.PidsLimit != 0 {
		limit := r.PidsLimit
		if limit < 0 {
			limit = -1 // docker: 0 and -1 both mean no limit; 0 is unset here
		}
		out.Pids = &specs.LinuxPids{Limit: &limit}
	}
	return out
}

// ParseUlimit parses --ulimit NAME=SOFT[:HARD] into an OCI rlimit; -1 is
// unlimited.
func ParseUlimit(v string) (specs.POSIXRlimit, error) {
	u, err := units.ParseUlimit(v)
	if err != nil {
		return specs.POSIXRlimit{}, fmt.Errorf("invalid --ulimit %q: %w (want NAME=SOFT[:HARD], e.g. nofile=1024:2048)", v, err)
	}
	rl, err := u.GetRlimit()
	if err != nil {
		return specs.POSIXRlimit{}, fmt.Errorf("invalid --ulimit %q: %w", v, err)
	}
	if u.Soft < -1 || u.Hard < -1 {
		return specs.POSIXRlimit{}, fmt.Errorf("invalid --ulimit %q: a limit is a number, or -1 for unlimited", v)
	}
	return specs.POSIXRlimit{Type: "RLIMIT_" + strings.ToUpper(u.Name), Soft: uint64(rl.Soft), Hard: uint64(rl.Hard)}, nil
}

// DeviceMapping is --device HOST[:CONTAINER[:PERMS]].
type DeviceMapping struct {
	Host, Container, Perms string
}

// ParseDevice parses a --device value; PERMS is any of r, w and m.
func ParseDevice(v string) (DeviceMapping, error) {
	parts := strings.Split(v, ":")
	d := DeviceMapping{Host: parts[0], Container: parts[0], Perms: "rwm"}
	switch len(parts) {
	case 3:
		d.Container, d.Perms = parts[1], parts[2]
	case 2:
		if validPerms(parts[1]) {
			d.Perms = parts[1]
		} else {
			d.Container = parts[1]
		}
	case 1:
	default:
		return d, fmt.Errorf("invalid --device %q: want HOST[:CONTAINER[:PERMS]]", v)
	}
	if !path.IsAbs(d.Host) || !path.IsAbs(d.Container) || !validPerms(d.Perms) {
		return d, fmt.Errorf("invalid --device %q: want absolute paths and permissions from r, w, m", v)
	}
	d.Container = path.Clean(d.Container)
	return d, nil
}

func validPerms(p string) bool {
	if p == "" || len(p) > 3 {
		return false
	}
	for _, c := range p {
		if !strings.ContainsRune("rwm", c) {
			return false
		}
	}
	return true
}

// SecurityOpts are the --security-opt values ctr-lite acts on.
type SecurityOpts struct {
	NoNewPrivileges bool
	// Seccomp is "" for docker's default profile, "unconfined", or the
	// path of a profile in docker's JSON format.
	Seccomp string
	// AppArmor is the profile asked for; it is accepted and ignored.
	AppArmor string
}

// ParseSecurityOpts parses docker's --security-opt values.
func ParseSecurityOpts(values []string) (SecurityOpts, error) {
	var o SecurityOpts
	for _, v := range values {
		key, val, hasVal := strings.Cut(v, "=")
		if !hasVal {
			key, val, hasVal = strings.Cut(v, ":") // docker's older form
		}
		switch key {
		case "no-new-privileges":
			b, err := strconv.ParseBool(orTrue(val, hasVal))
			if err != nil {
				return o, fmt.Errorf("invalid --security-opt %q: want no-new-privileges[=true|false]", v)
			}
			o.NoNewPrivileges = b
		case "seccomp":
			if val == "" {
				return o, fmt.Errorf("invalid --security-opt %q: want seccomp=unconfined or seccomp=PROFILE.json", v)
			}
			o.Seccomp = val
		case "apparmor":
			o.AppArmor = val
		default:
			return o, fmt.Errorf("unsupported --security-opt %q: ctr-lite knows no-new-privileges, seccomp= and apparmor=", v)
		}
	}
	return o, nil
}

func orTrue(v string, set bool) string {
	if !set {
		return "true"
	}
	return v
}

// MaxID is the largest user or group ID ctr-lite passes on: larger ones
// wrap around to negative values in parts of the stack (CVE-2024-40635).
const MaxID = math.MaxInt32
