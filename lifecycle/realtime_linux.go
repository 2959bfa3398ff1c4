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
	"time"

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
// plus its siblings', never past the root's. Each container's share is
// recorded under the runroot, under the global lock, before runc makes
// its cgroup: two starts at once count each other (review 11c), and the
// release gives the share back (releaseRealtime).
func (e *Engine) reserveRealtime(id string, hc *state.HostConfig) error {
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
	share := float64(hc.CPURealtimeRuntime) / float64(period)
	return e.withGlobal(func(*state.Global) error {
		need := share + e.reservedShare(parent, id)
		if err := e.raiseChain(parent, need, rootRuntime, rootPeriod, hc.CPURealtimeRuntime); err != nil {
			return err
		}
		return e.recordShare(id, parent, share)
	})
}

// raiseChain raises each ancestor of parent, top down, to need.
func (e *Engine) raiseChain(parent string, need float64, rootRuntime, rootPeriod, asked int64) error {
	if rootRuntime >= 0 && need > float64(rootRuntime)/float64(rootPeriod) {
		return fmt.Errorf("--cpu-rt-runtime %d: the containers of cgroup %s would need %.0fµs per %dµs of real-time budget, more than the root cgroup's cpu.rt_runtime_us (%d): lower it", asked, parent, math.Ceil(need*float64(rootPeriod)), rootPeriod, rootRuntime)
	}
	var chain []string
	for p := parent; p != "/"; p = path.Dir(p) {
		chain = append([]string{p}, chain...)
	}
	for _, p := range chain {
		if err := raiseRealtime(filepath.Join(cpuHierarchy, p), need); err != nil {
			return fmt.Errorf("give cgroup %q the real-time budget --cpu-rt-runtime %d needs: %w (other cgroups may hold the root's)", p, asked, err)
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

// realtimeDir holds one record per container with a real-time budget:
// "PARENT SHARE", the cgroup parent and runtime/period.
func (e *Engine) realtimeDir() string { return filepath.Join(e.RunRoot, "realtime") }

func (e *Engine) recordShare(id, parent string, share float64) error {
	if err := os.MkdirAll(e.realtimeDir(), 0o700); err != nil {
		return err
	}
	line := parent + " " + strconv.FormatFloat(share, 'g', -1, 64)
	return state.WriteFileAtomic(filepath.Join(e.realtimeDir(), id), []byte(line), 0o600, false)
}

// reservedShare sums the shares recorded under parent, but id's.
func (e *Engine) reservedShare(parent, id string) float64 {
	entries, _ := os.ReadDir(e.realtimeDir())
	sum := 0.0
	for _, ent := range entries {
		if ent.Name() == id {
			continue
		}
		data, err := os.ReadFile(filepath.Join(e.realtimeDir(), ent.Name()))
		if err != nil {
			continue
		}
		p, v, ok := strings.Cut(strings.TrimSpace(string(data)), " ")
		if f, err := strconv.ParseFloat(v, 64); ok && err == nil && p == parent {
			sum += f
		}
	}
	return sum
}

// releaseRealtime gives container id's share back: its record goes and
// its parent cgroups are lowered, bottom up, to what the others still
// hold. The kernel refuses a budget below a child's, so a lowering it
// refuses (a child another container still has) is left as it is.
func (e *Engine) releaseRealtime(id string) {
	rec := filepath.Join(e.realtimeDir(), id)
	data, err := os.ReadFile(rec)
	if err != nil {
		return
	}
	parent, _, _ := strings.Cut(strings.TrimSpace(string(data)), " ")
	e.withGlobal(func(*state.Global) error {
		os.Remove(rec)
		// The container's own cgroup may still hold its budget (runc
		// delete does not always run or remove it first); it has no tasks
		// left, so it goes, or the kernel refuses every lowering below.
		os.Remove(filepath.Join(cpuHierarchy, parent, id))
		left := e.reservedShare(parent, id)
		for p := parent; p != "/" && p != "."; p = path.Dir(p) {
			dir := filepath.Join(cpuHierarchy, p)
			if _, period, err := readRealtime(dir); err == nil {
				lowerRealtime(dir, int64(math.Ceil(left*float64(period))))
			}
		}
		return nil
	})
}

// lowerRealtime sets dir's budget to want, retrying for a moment: a
// child cgroup just removed keeps its budget until the kernel frees it
// (after an RCU grace period), and the kernel refuses the lowering until
// then.
func lowerRealtime(dir string, want int64) {
	for range 25 {
		if os.WriteFile(filepath.Join(dir, "cpu.rt_runtime_us"), []byte(strconv.FormatInt(want, 10)), 0o644) == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
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
