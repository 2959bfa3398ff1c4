package lifecycle

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ctr-lite/ctr-lite/state"
)

// cpuHierarchy is cgroup v1's cpu controller, which holds the real-time
// scheduler's budgets (cpu.rt_period_us, cpu.rt_runtime_us).
var cpuHierarchy = "/sys/fs/cgroup/cpu"

// errNoRealtime is docker's words for --cpu-rt-* without those files
// (cgroup v2 has none).
var errNoRealtime = errors.New("Your kernel does not support CPU real-time scheduler") //nolint:staticcheck // docker's words

// reserveRealtime makes room for --cpu-rt-runtime. The kernel refuses a
// cgroup a real-time budget its parent does not hold, and a new cgroup's
// is 0; docker has its daemon's --cpu-rt-runtime give the parent one.
// Daemonless, each ancestor of the container's cgroup (/ctr-lite or
// --cgroup-parent) is raised, top down, to hold this container's share
// plus its siblings', never past the root's. Budgets are only raised:
// a lower one could fail a running sibling.
func reserveRealtime(id string, hc *state.HostConfig) error {
	if hc.CPURealtimePeriod == 0 && hc.CPURealtimeRuntime == 0 {
		return nil
	}
	rootRuntime, rootPeriod, err := readRealtime(cpuHierarchy)
	if cgroupV2() || err != nil {
		return errNoRealtime
	}
	if hc.CPURealtimeRuntime <= 0 {
		return nil // period alone, or -1: no budget to take
	}
	period := hc.CPURealtimePeriod
	if period == 0 {
		period = rootPeriod // what runc's new cgroup starts with
	}
	parent := path.Dir(cgroupsPath(id, hc.CgroupParent))
	need := float64(hc.CPURealtimeRuntime)/float64(period) + siblingsShare(filepath.Join(cpuHierarchy, parent), id)
	if rootRuntime >= 0 && need > float64(rootRuntime)/float64(rootPeriod) {
		return fmt.Errorf("--cpu-rt-runtime %d: the containers of cgroup %s would need %.0fµs per %dµs of real-time budget, more than the root cgroup's cpu.rt_runtime_us (%d): lower it", hc.CPURealtimeRuntime, parent, math.Ceil(need*float64(rootPeriod)), rootPeriod, rootRuntime)
	}
	var chain []string
	for p := parent; p != "/"; p = path.Dir(p) {
		chain = append([]string{p}, chain...)
	}
	for _, p := range chain {
		if err := raiseRealtime(filepath.Join(cpuHierarchy, p), need); err != nil {
			return fmt.Errorf("give cgroup %q the real-time budget --cpu-rt-runtime %d needs: %w (other cgroups may hold the root's)", p, hc.CPURealtimeRuntime, err)
		}
	}
	return nil
}

// raiseRealtime raises dir's budget to at least share of its period.
func raiseRealtime(dir string, share float64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	runtime, period, err := readRealtime(dir)
	if err != nil {
		return err
	}
	want := int64(math.Ceil(share * float64(period)))
	if runtime < 0 || runtime >= want {
		return nil
	}
	return os.WriteFile(filepath.Join(dir, "cpu.rt_runtime_us"), []byte(strconv.FormatInt(want, 10)), 0o644)
}

// siblingsShare is the real-time share (runtime/period) the cgroups in
// dir other than id's hold.
func siblingsShare(dir, id string) float64 {
	entries, _ := os.ReadDir(dir)
	sum := 0.0
	for _, e := range entries {
		if !e.IsDir() || e.Name() == id {
			continue
		}
		if r, p, err := readRealtime(filepath.Join(dir, e.Name())); err == nil && r > 0 && p > 0 {
			sum += float64(r) / float64(p)
		}
	}
	return sum
}

// readRealtime reads dir's cpu.rt_runtime_us (-1: unlimited) and
// cpu.rt_period_us.
func readRealtime(dir string) (runtime, period int64, err error) {
	read := func(f string) int64 {
		data, e := os.ReadFile(filepath.Join(dir, f))
		if e != nil {
			err = e
			return 0
		}
		v, e := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
		if e != nil {
			err = e
		}
		return v
	}
	runtime, period = read("cpu.rt_runtime_us"), read("cpu.rt_period_us")
	if err == nil && period <= 0 {
		err = fmt.Errorf("%s: cpu.rt_period_us %d", dir, period)
	}
	return runtime, period, err
}
