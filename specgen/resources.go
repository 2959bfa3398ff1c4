package specgen

import (
	"math"

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
	if hc.Memory > 0 || hc.MemorySwap != 0 {
		out.Memory = &specs.LinuxMemory{}
		if hc.Memory > 0 {
			limit := hc.Memory
			out.Memory.Limit = &limit
		}
		if hc.MemorySwap != 0 {
			swap := hc.MemorySwap
			out.Memory.Swap = &swap
		}
	}
	if hc.NanoCpus > 0 || hc.CpuShares > 0 || hc.CpusetCpus != "" {
		out.CPU = &specs.LinuxCPU{Cpus: hc.CpusetCpus}
		if hc.NanoCpus > 0 {
			quota, period := hc.NanoCpus*cfsPeriod/1e9, uint64(cfsPeriod)
			out.CPU.Quota, out.CPU.Period = &quota, &period
		}
		if hc.CpuShares > 0 {
			shares := uint64(hc.CpuShares)
			out.CPU.Shares = &shares
		}
	}
	if hc.PidsLimit != 0 {
		limit := hc.PidsLimit
		if limit < 0 {
			limit = -1 // docker: 0 and -1 both mean no limit; 0 is unset here
		}
		out.Pids = &specs.LinuxPids{Limit: &limit}
	}
	return out
}

// MaxID is the largest user or group ID ctr-lite passes on: larger ones
// wrap around to negative values in parts of the stack (CVE-2024-40635).
const MaxID = math.MaxInt32
