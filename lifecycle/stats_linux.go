package lifecycle

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ctr-lite/ctr-lite/state"
)

// Stats is one container's resource use as docker stats shows it.
type Stats struct {
	ID, Name           string
	CPUPercent         float64
	MemUsage, MemLimit uint64
	NetRx, NetTx       uint64
	BlockRead          uint64
	BlockWrite         uint64
	PIDs               uint64
}

// sample is the cumulative counters of one reading.
type sample struct {
	cpu, system uint64 // ns of the container's CPU time, of the host's
	s           Stats
}

// StatsOnce reads every container of refs (all running ones when refs is
// empty, with all also the stopped ones, shown as zeros) twice, interval
// apart, and computes CPU % from the two readings as docker does:
// container CPU time over host CPU time, times the number of CPUs.
func (e *Engine) StatsOnce(ctx context.Context, refs []string, all bool, interval time.Duration) ([]Stats, error) {
	var list []*state.Container
	if len(refs) == 0 {
		cs, err := e.Containers.List()
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if all || IsRunning(c) {
				list = append(list, c)
			}
		}
	}
	for _, ref := range refs {
		c, err := e.Lookup(ref)
		if err != nil {
			return nil, err
		}
		list = append(list, c)
	}
	first := make([]sample, len(list))
	for i, c := range list {
		first[i] = readSample(c)
	}
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(interval):
	}
	out := make([]Stats, len(list))
	for i, c := range list {
		second := readSample(c)
		s := second.s
		if dsys := second.system - first[i].system; dsys > 0 && second.cpu >= first[i].cpu {
			s.CPUPercent = float64(second.cpu-first[i].cpu) / float64(dsys) * float64(runtime.NumCPU()) * 100
		}
		out[i] = s
	}
	return out, nil
}

func readSample(c *state.Container) sample {
	smp := sample{s: Stats{ID: c.ID, Name: c.Name}}
	if !IsRunning(c) || c.State.Pid <= 0 {
		return smp
	}
	paths := cgroupPaths(c.State.Pid)
	if paths == nil {
		return smp
	}
	smp.system = hostCPUTime()
	total := hostMemory()
	if rel, ok := paths[""]; ok { // cgroup v2
		dir := filepath.Join("/sys/fs/cgroup", rel)
		smp.cpu = statField(filepath.Join(dir, "cpu.stat"), "usage_usec") * 1000
		cur := readUint(filepath.Join(dir, "memory.current"))
		smp.s.MemUsage = minus(cur, statField(filepath.Join(dir, "memory.stat"), "inactive_file"))
		smp.s.MemLimit = readUint(filepath.Join(dir, "memory.max"))
		smp.s.BlockRead, smp.s.BlockWrite = ioStat(filepath.Join(dir, "io.stat"))
		smp.s.PIDs = readUint(filepath.Join(dir, "pids.current"))
	} else {
		smp.cpu = readUint(filepath.Join(v1Dir(paths, "cpuacct"), "cpuacct.usage"))
		mem := v1Dir(paths, "memory")
		smp.s.MemUsage = minus(readUint(filepath.Join(mem, "memory.usage_in_bytes")),
			statField(filepath.Join(mem, "memory.stat"), "total_inactive_file"))
		smp.s.MemLimit = readUint(filepath.Join(mem, "memory.limit_in_bytes"))
		smp.s.BlockRead, smp.s.BlockWrite = blkioBytes(filepath.Join(v1Dir(paths, "blkio"), "blkio.throttle.io_service_bytes"))
		smp.s.PIDs = readUint(filepath.Join(v1Dir(paths, "pids"), "pids.current"))
	}
	if smp.s.MemLimit == 0 || smp.s.MemLimit > total {
		smp.s.MemLimit = total
	}
	smp.s.NetRx, smp.s.NetTx = netDev(c.State.Pid)
	return smp
}

// cgroupPaths maps each v1 controller's mount directory name (as
// "cpu,cpuacct") to pid's cgroup under it; "" is the v2 path.
func cgroupPaths(pid int) map[string]string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return nil
	}
	out := map[string]string{}
	v2 := ""
	hasV1 := false
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			v2 = parts[2]
			continue
		}
		hasV1 = true
		out[strings.TrimPrefix(parts[1], "name=")] = parts[2]
	}
	if !hasV1 {
		return map[string]string{"": v2}
	}
	return out
}

// v1Dir is the directory of controller ctrl's cgroup.
func v1Dir(paths map[string]string, ctrl string) string {
	for k, rel := range paths {
		for _, c := range strings.Split(k, ",") {
			if c == ctrl {
				return filepath.Join("/sys/fs/cgroup", k, rel)
			}
		}
	}
	return "/nonexistent"
}

func readUint(path string) uint64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return n
}

func minus(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}

// statField is KEY's value in a "KEY VALUE" per line file (memory.stat, cpu.stat).
func statField(path, key string) uint64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), " "); ok && k == key {
			n, _ := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

// blkioBytes sums v1's "MAJ:MIN Read|Write N" lines.
func blkioBytes(path string) (read, write uint64) {
	b, _ := os.ReadFile(path)
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		n, _ := strconv.ParseUint(f[2], 10, 64)
		switch f[1] {
		case "Read":
			read += n
		case "Write":
			write += n
		}
	}
	return read, write
}

// ioStat sums v2's rbytes= and wbytes= over devices.
func ioStat(path string) (read, write uint64) {
	b, _ := os.ReadFile(path)
	for _, w := range strings.Fields(string(b)) {
		if v, ok := strings.CutPrefix(w, "rbytes="); ok {
			n, _ := strconv.ParseUint(v, 10, 64)
			read += n
		} else if v, ok := strings.CutPrefix(w, "wbytes="); ok {
			n, _ := strconv.ParseUint(v, 10, 64)
			write += n
		}
	}
	return read, write
}

// netDev sums the received and sent bytes of every interface but lo in
// pid's network namespace.
func netDev(pid int) (rx, tx uint64) {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/net/dev", pid))
	for _, line := range strings.Split(string(b), "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) == "lo" {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 9 {
			continue
		}
		r, _ := strconv.ParseUint(f[0], 10, 64)
		t, _ := strconv.ParseUint(f[8], 10, 64)
		rx, tx = rx+r, tx+t
	}
	return rx, tx
}

// hostCPUTime is the host's CPU time in ns from /proc/stat's cpu line
// (USER_HZ ticks, 100 a second), as docker's getSystemCPUUsage.
func hostCPUTime() uint64 {
	b, _ := os.ReadFile("/proc/stat")
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	var ticks uint64
	for _, v := range f[min(1, len(f)):min(8, len(f))] {
		n, _ := strconv.ParseUint(v, 10, 64)
		ticks += n
	}
	return ticks * (1e9 / 100)
}

// hostMemory is MemTotal in bytes.
func hostMemory() uint64 {
	return statFieldKB("/proc/meminfo", "MemTotal:") * 1024
}

func statFieldKB(path, key string) uint64 {
	b, _ := os.ReadFile(path)
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == key {
			n, _ := strconv.ParseUint(f[1], 10, 64)
			return n
		}
	}
	return 0
}
