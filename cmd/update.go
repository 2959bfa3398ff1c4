package cmd

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/opts"
	"github.com/ctr-lite/ctr-lite/state"
)

func newUpdateCmd(g *globals) *cobra.Command {
	var set state.HostConfig
	c := &cobra.Command{
		Use:   "update [OPTIONS] CONTAINER [CONTAINER...]",
		Short: "Change the resource limits and restart policy of containers",
		Long: `Change the resource limits and restart policy of containers. A running
container's cgroup changes at once; every container keeps the new values
for inspect and its next start.`,
		Args: minArgs(1, "CONTAINER [CONTAINER...]"),
		RunE: func(c *cobra.Command, args []string) error {
			o := lifecycle.UpdateOptions{Apply: updateApply(c.Flags(), &set)}
			return eachRefPrinting(c, g, args, func(ctx context.Context, e *lifecycle.Engine, ref string) error {
				return e.Update(ctx, ref, o)
			})
		},
	}
	fs := c.Flags()
	fs.VarP(opts.Bytes(&set.Memory, "--memory"), "memory", "m", "memory limit, e.g. 512m or 1g")
	fs.Var(opts.SwapBytes(&set.MemorySwap), "memory-swap", "memory plus swap limit (-1: unlimited swap)")
	fs.Var(opts.Bytes(&set.MemoryReservation, "--memory-reservation"), "memory-reservation", "memory soft limit, e.g. 256m")
	fs.Var(opts.CPUs(&set.NanoCpus), "cpus", "CPUs the container may use, e.g. 1.5")
	fs.Int64VarP(&set.CpuShares, "cpu-shares", "c", 0, "CPU weight relative to other containers (1024 is one CPU's)")
	fs.Int64Var(&set.CPUPeriod, "cpu-period", 0, "CFS period in microseconds (1000-1000000)")
	fs.Int64Var(&set.CPUQuota, "cpu-quota", 0, "CFS quota in microseconds per period (-1: none)")
	fs.Int64Var(&set.CPURealtimePeriod, "cpu-rt-period", 0, "real-time scheduler period in microseconds (cgroup v1)")
	fs.Int64Var(&set.CPURealtimeRuntime, "cpu-rt-runtime", 0, "real-time runtime in microseconds per period (cgroup v1; ctr-lite raises its parent cgroup's budget to fit, within the root's cpu.rt_runtime_us)")
	fs.Var(opts.Cpuset(&set.CpusetCpus, "--cpuset-cpus"), "cpuset-cpus", "CPUs the container may run on, e.g. 0-2,4")
	fs.Var(opts.Cpuset(&set.CpusetMems, "--cpuset-mems"), "cpuset-mems", "memory nodes the container may use, e.g. 0-1")
	fs.Var(opts.PidsLimit(&set.PidsLimit), "pids-limit", "maximum number of processes (0 or -1: unlimited)")
	fs.Var(opts.BlkioWeight(&set.BlkioWeight), "blkio-weight", "block IO weight 10-1000 (0: unset)")
	fs.Var(opts.Restart(&set.RestartPolicy), "restart", "restart policy: no, always, unless-stopped, on-failure[:N]")
	return c
}

// updateApply copies the flags given on the command line from set to a
// container's HostConfig, leaving the others as they were.
func updateApply(fs *pflag.FlagSet, set *state.HostConfig) func(*state.HostConfig) {
	return func(hc *state.HostConfig) {
		fs.Visit(func(f *pflag.Flag) {
			switch f.Name {
			case "memory":
				hc.Memory = set.Memory
			case "memory-swap":
				hc.MemorySwap = set.MemorySwap
			case "memory-reservation":
				hc.MemoryReservation = set.MemoryReservation
			case "cpus":
				hc.NanoCpus = set.NanoCpus
			case "cpu-shares":
				hc.CpuShares = set.CpuShares
			case "cpu-period":
				hc.CPUPeriod = set.CPUPeriod
			case "cpu-quota":
				hc.CPUQuota = set.CPUQuota
			case "cpu-rt-period":
				hc.CPURealtimePeriod = set.CPURealtimePeriod
			case "cpu-rt-runtime":
				hc.CPURealtimeRuntime = set.CPURealtimeRuntime
			case "cpuset-cpus":
				hc.CpusetCpus = set.CpusetCpus
			case "cpuset-mems":
				hc.CpusetMems = set.CpusetMems
			case "pids-limit":
				hc.PidsLimit = set.PidsLimit
				if hc.PidsLimit == nil { // docker update: 0 lifts the limit
					unlimited := int64(-1)
					hc.PidsLimit = &unlimited
				}
			case "blkio-weight":
				hc.BlkioWeight = set.BlkioWeight
			case "restart":
				hc.RestartPolicy = set.RestartPolicy
			}
		})
	}
}
