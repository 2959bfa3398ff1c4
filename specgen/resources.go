package specgen

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/ctr-lite/ctr-lite/state"
)

// cfsPeriod is docker's CFS period for --cpus.
const cfsPeriod = 100000

// linuxResources is the container's resource flags as OCI cgroup
// settings; runc maps them to cgroup v1 files or v2 files (shares to
// cpu.weight, swap to memory.swap.max).
func linuxResources(hc *state.HostConfig) specs.LinuxResources {
	var out specs.LinuxResources
	if hc.Memory > 0 || hc.MemorySwap != 0 || hc.MemoryReservation > 0 || hc.MemorySwappiness != nil || isTrue(hc.OomKillDisable) {
		out.Memory = moreMemory(hc)
		if hc.Memory > 0 {
			limit := hc.Memory
			out.Memory.Limit = &limit
		}
		if hc.MemorySwap != 0 {
			swap := hc.MemorySwap
			out.Memory.Swap = &swap
		}
	}
	if hc.NanoCpus > 0 || hc.CpuShares > 0 || hc.CpusetCpus != "" || hc.CPUPeriod != 0 || hc.CPUQuota != 0 || hc.CpusetMems != "" ||
		hc.CPURealtimePeriod != 0 || hc.CPURealtimeRuntime != 0 {
		out.CPU = moreCPU(hc)
		if hc.NanoCpus > 0 {
			quota, period := hc.NanoCpus*cfsPeriod/1e9, uint64(cfsPeriod)
			out.CPU.Quota, out.CPU.Period = &quota, &period
		}
		if hc.CpuShares > 0 {
			shares := uint64(hc.CpuShares)
			out.CPU.Shares = &shares
		}
	}
	if hc.PidsLimit != nil {
		limit := *hc.PidsLimit
		if limit < 0 {
			limit = -1 // docker: 0 and -1 both mean no limit; 0 is unset here
		}
		out.Pids = &specs.LinuxPids{Limit: &limit}
	}
	if hc.BlkioWeight > 0 {
		w := hc.BlkioWeight
		out.BlockIO = &specs.LinuxBlockIO{Weight: &w}
	}
	return out
}

func isTrue(b *bool) bool { return b != nil && *b }

// moreMemory is the memory settings of issue 11's flags (reservation,
// swappiness, OOM killer); linuxResources adds the limits.
func moreMemory(hc *state.HostConfig) *specs.LinuxMemory {
	m := &specs.LinuxMemory{}
	if hc.MemoryReservation > 0 {
		r := hc.MemoryReservation
		m.Reservation = &r
	}
	if hc.MemorySwappiness != nil {
		s := uint64(*hc.MemorySwappiness)
		m.Swappiness = &s
	}
	if isTrue(hc.OomKillDisable) {
		t := true
		m.DisableOOMKiller = &t
	}
	return m
}

// moreCPU is the CPU settings of issue 11's flags (--cpu-period,
// --cpu-quota, --cpu-rt-period, --cpu-rt-runtime in µs, --cpuset-mems); Validate keeps them apart from --cpus.
func moreCPU(hc *state.HostConfig) *specs.LinuxCPU {
	return &specs.LinuxCPU{Cpus: hc.CpusetCpus, Mems: hc.CpusetMems,
		Period: setOrNil(uint64(hc.CPUPeriod)), Quota: setOrNil(hc.CPUQuota),
		RealtimePeriod: setOrNil(uint64(hc.CPURealtimePeriod)), RealtimeRuntime: setOrNil(hc.CPURealtimeRuntime)}
}

// setOrNil is &v, or nil for the zero value: the flag was not given.
func setOrNil[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// MaxID is the largest user or group ID ctr-lite passes on: larger ones
// wrap around to negative values in parts of the stack (CVE-2024-40635).
const MaxID = math.MaxInt32

// Resources is hc's cgroup settings as the spec carries them, for runc
// update of a running container (lifecycle's Update).
func Resources(hc *state.HostConfig) specs.LinuxResources { return linuxResources(hc) }

// cgroupRules is --device-cgroup-rule's rules (checked by opts) as the
// device cgroup's allow list entries; "*" is any major or minor.
func cgroupRules(rules []string) []specs.LinuxDeviceCgroup {
	var out []specs.LinuxDeviceCgroup
	for _, r := range rules {
		var typ, mm, access string
		fmt.Sscan(r, &typ, &mm, &access)
		d := specs.LinuxDeviceCgroup{Allow: true, Type: typ, Access: access}
		maj, min, _ := strings.Cut(mm, ":")
		if n, err := strconv.ParseInt(maj, 10, 64); err == nil {
			d.Major = &n
		}
		if n, err := strconv.ParseInt(min, 10, 64); err == nil {
			d.Minor = &n
		}
		out = append(out, d)
	}
	return out
}
