package opts

import (
	"strings"
	"testing"

	"github.com/ctr-lite/ctr-lite/state"
)

func TestMoreResourceValues(t *testing.T) {
	var hc state.HostConfig
	for v, s := range map[Value]string{Swappiness(&hc.MemorySwappiness): "30", BlkioWeight(&hc.BlkioWeight): "300",
		Cpuset(&hc.CpusetMems, "--cpuset-mems"): "0", Bytes(&hc.MemoryReservation, "--memory-reservation"): "32m"} {
		if err := v.Set(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if *hc.MemorySwappiness != 30 || hc.BlkioWeight != 300 || hc.CpusetMems != "0" || hc.MemoryReservation != 32<<20 {
		t.Errorf("record %+v", hc)
	}
	if err := Swappiness(&hc.MemorySwappiness).Set("-1"); err != nil || hc.MemorySwappiness != nil {
		t.Errorf("-1 must unset swappiness: %v %v", err, hc.MemorySwappiness)
	}
	for v, bad := range map[Value]string{Swappiness(&hc.MemorySwappiness): "101", BlkioWeight(&hc.BlkioWeight): "5"} {
		if err := v.Set(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestValidateMoreResources(t *testing.T) {
	big := int64(200)
	for name, hc := range map[string]state.HostConfig{
		"cpus and period":          {NanoCpus: 1e9, CPUPeriod: 50000},
		"cpus and quota":           {NanoCpus: 1e9, CPUQuota: 50000},
		"period too small":         {CPUPeriod: 999},
		"period too large":         {CPUPeriod: 1000001},
		"quota too small":          {CPUQuota: 10},
		"reservation above memory": {Memory: 64 << 20, MemoryReservation: 128 << 20},
		"swappiness above 100":     {MemorySwappiness: &big},
		"oom score below -1000":    {OomScoreAdj: -1001},
		"oom score above 1000":     {OomScoreAdj: 1001},
		"blkio weight 5":           {BlkioWeight: 5},
		"bad cpuset-mems":          {CpusetMems: "1-0"},
		"relative parent":          {CgroupParent: "ctr-lite/x"},
		"parent with ..":           {CgroupParent: "/ctr-lite/../x"},
		"unclean parent":           {CgroupParent: "/ctr-lite//x/"},
		"parent /":                 {CgroupParent: "/"},
		"parent with dots":         {CgroupParent: "/ctr-lite/a..b"},
		"rt runtime above period":  {CPURealtimePeriod: 1000, CPURealtimeRuntime: 2000},
		"negative rt period":       {CPURealtimePeriod: -1},
	} {
		if err := Validate(&hc); err == nil {
			t.Errorf("%s: accepted", name)
		} else if name == "cpus and period" && !strings.Contains(err.Error(), "Nano CPUs and CPU Period cannot both be set") {
			t.Errorf("want docker's message, got %v", err)
		}
	}
	hc := state.HostConfig{CPUPeriod: 50000, CPUQuota: -1, CPURealtimePeriod: 1000000, CPURealtimeRuntime: 95000, OomScoreAdj: -1000, BlkioWeight: 10, CgroupParent: "/ctr-lite/batch", Memory: 64 << 20, MemoryReservation: 32 << 20}
	if err := Validate(&hc); err != nil {
		t.Errorf("valid: %v", err)
	}
}
