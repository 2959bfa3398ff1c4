package specgen

import (
	"testing"

	"github.com/ctr-lite/ctr-lite/state"
)

func TestLinuxResources(t *testing.T) {
	hc := &state.HostConfig{Memory: 64 << 20, MemorySwap: 128 << 20, NanoCpus: 1.5e9, CpuShares: 512, CpusetCpus: "0-1,3", PidsLimit: ptr[int64](50)}
	lr := linuxResources(hc)
	if *lr.Memory.Limit != 64<<20 || *lr.Memory.Swap != 128<<20 {
		t.Errorf("memory %+v", lr.Memory)
	}
	if *lr.CPU.Quota != 150000 || *lr.CPU.Period != 100000 || *lr.CPU.Shares != 512 || lr.CPU.Cpus != "0-1,3" {
		t.Errorf("cpu %+v", lr.CPU)
	}
	if *lr.Pids.Limit != 50 {
		t.Errorf("pids %+v", lr.Pids)
	}
}

// On cgroup v2 runc maps the same OCI values to cpu.max, cpu.weight,
// memory.max and memory.swap.max: the spec is the same, so is this test.
func TestResourcesSameSpecOnCgroupV2(t *testing.T) {
	in := baseInput()
	in.Host = &state.HostConfig{Memory: 64 << 20, MemorySwap: -1, NanoCpus: 5e8, PidsLimit: ptr[int64](-1)}
	in.CgroupV2 = true
	s, err := Generate(in)
	if err != nil {
		t.Fatal(err)
	}
	res := s.Linux.Resources
	if *res.Memory.Limit != 64<<20 || *res.Memory.Swap != -1 || *res.CPU.Quota != 50000 || *res.Pids.Limit != -1 {
		t.Errorf("resources %+v %+v %+v", res.Memory, res.CPU, res.Pids)
	}
}

func TestDevicesAndRlimitsInSpec(t *testing.T) {
	in := baseInput()
	in.Host.Ulimits = []state.Ulimit{{Name: "nofile", Soft: 10, Hard: 20}, {Name: "core", Soft: -1, Hard: -1}}
	in.Host.NoNewPrivileges = true
	dev := Device{Perms: "r"}
	dev.Path, dev.Type, dev.Major, dev.Minor = "/dev/kmsg", "c", 1, 11
	in.Devices = []Device{dev}
	s, _ := Generate(in)
	if !s.Process.NoNewPrivileges || len(s.Process.Rlimits) != 2 || s.Process.Rlimits[0].Type != "RLIMIT_NOFILE" || s.Process.Rlimits[1].Hard != ^uint64(0) {
		t.Errorf("process %+v", s.Process)
	}
	last := s.Linux.Resources.Devices[len(s.Linux.Resources.Devices)-1]
	if len(s.Linux.Devices) != 1 || last.Access != "r" || *last.Major != 1 || *last.Minor != 11 {
		t.Errorf("devices %+v %+v", s.Linux.Devices, last)
	}
}

func TestAppArmorOnlyWhereEnforced(t *testing.T) {
	in := baseInput()
	in.Host.AppArmorProfile = "docker-default"
	if s, _ := Generate(in); s.Process.ApparmorProfile != "" {
		t.Error("a host without AppArmor must get no profile")
	}
	in.AppArmor = true
	if s, _ := Generate(in); s.Process.ApparmorProfile != "docker-default" {
		t.Error("a host with AppArmor must get the profile")
	}
}

func TestMoreResourcesInSpec(t *testing.T) {
	in := baseInput()
	swappiness := int64(0)
	in.Host = &state.HostConfig{CPUPeriod: 50000, CPUQuota: 25000, CpusetMems: "0", MemoryReservation: 32 << 20,
		MemorySwappiness: &swappiness, OomKillDisable: ptr(true), OomScoreAdj: 500, BlkioWeight: 300}
	s, err := Generate(in)
	if err != nil {
		t.Fatal(err)
	}
	res := s.Linux.Resources
	if *res.CPU.Period != 50000 || *res.CPU.Quota != 25000 || res.CPU.Mems != "0" || res.CPU.Shares != nil {
		t.Errorf("cpu %+v", res.CPU)
	}
	if *res.Memory.Reservation != 32<<20 || *res.Memory.Swappiness != 0 || !*res.Memory.DisableOOMKiller || res.Memory.Limit != nil {
		t.Errorf("memory %+v", res.Memory)
	}
	if *res.BlockIO.Weight != 300 || *s.Process.OOMScoreAdj != 500 {
		t.Errorf("blkio %+v oom score %v", res.BlockIO, s.Process.OOMScoreAdj)
	}
	if s, _ := Generate(baseInput()); s.Process.OOMScoreAdj != nil || s.Linux.Resources.BlockIO != nil || s.Linux.Resources.Memory != nil {
		t.Error("unset flags must leave the spec alone")
	}
}

func TestRealtimeResources(t *testing.T) {
	r := Resources(&state.HostConfig{CPURealtimePeriod: 1000000, CPURealtimeRuntime: 95000})
	if r.CPU == nil || r.CPU.RealtimePeriod == nil || *r.CPU.RealtimePeriod != 1000000 || r.CPU.RealtimeRuntime == nil || *r.CPU.RealtimeRuntime != 95000 || r.CPU.Period != nil {
		t.Errorf("--cpu-rt-*: got %+v", r.CPU)
	}
}

func ptr[T any](v T) *T { return &v }
