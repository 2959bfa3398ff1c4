package lifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// Top lists a running container's processes as the host's ps(1) shows
// them with psArgs (default -ef), as docker's top does: ps runs on the
// host and only the rows of the container's PIDs (runc ps: the
// container's cgroup) are kept. It returns the header and the rows.
func (e *Engine) Top(ctx context.Context, ref string, psArgs []string) ([]string, [][]string, error) {
	c, err := e.Lookup(ref)
	if err != nil {
		return nil, nil, err
	}
	if !IsRunning(c) {
		return nil, nil, fmt.Errorf("container %s is not running", c.Name)
	}
	out, err := e.RuncFor(c, "ps", "--format", "json", c.ID).Output()
	if err != nil {
		return nil, nil, fmt.Errorf("list the processes of %q: %w", c.Name, UnwrapExec(err))
	}
	var pids []int
	if err := json.Unmarshal(out, &pids); err != nil {
		return nil, nil, fmt.Errorf("read runc ps of %q: %w", c.Name, err)
	}
	if len(psArgs) == 0 {
		psArgs = []string{"-ef"}
	}
	table, err := exec.CommandContext(ctx, "ps", psArgs...).Output()
	if err != nil {
		return nil, nil, fmt.Errorf("run ps %s: %w", strings.Join(psArgs, " "), UnwrapExec(err))
	}
	return FilterPs(string(table), pids)
}

// FilterPs keeps the rows of ps output whose PID column holds one of
// pids. The last column (the command) may contain spaces: each row is
// cut into as many fields as the header has, the rest kept whole.
func FilterPs(table string, pids []int) ([]string, [][]string, error) {
	lines := strings.Split(strings.TrimRight(table, "\n"), "\n")
	header := strings.Fields(lines[0])
	col := -1
	for i, h := range header {
		if h == "PID" {
			col = i
		}
	}
	if col < 0 {
		return nil, nil, fmt.Errorf("ps output has no PID column: add pid to its -o list")
	}
	want := map[int]bool{}
	for _, p := range pids {
		want[p] = true
	}
	var rows [][]string
	for _, line := range lines[1:] {
		fields := splitN(line, len(header))
		if len(fields) <= col {
			continue
		}
		if pid, err := strconv.Atoi(fields[col]); err == nil && want[pid] {
			rows = append(rows, fields)
		}
	}
	return header, rows, nil
}

// splitN cuts s into at most n space-separated fields, the last one
// holding the rest of the line as it is.
func splitN(s string, n int) []string {
	var out []string
	for len(out) < n-1 {
		s = strings.TrimLeft(s, " \t")
		i := strings.IndexAny(s, " \t")
		if i < 0 {
			break
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	if s = strings.TrimLeft(s, " \t"); s != "" {
		out = append(out, s)
	}
	return out
}
