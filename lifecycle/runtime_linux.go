package lifecycle

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/ctr-lite/ctr-lite/internal/sdnotify"
	"github.com/ctr-lite/ctr-lite/state"
)

// MinSafeRuncVersion is the runc release ctr-lite pins in go.mod and
// builds: it carries the 2025-2026 breakout fixes (CVE-2025-31133, -52565,
// -52881 and later). `info` warns about anything older.
const MinSafeRuncVersion = "1.5.2"

// Runtime returns the runc to use: --runtime, else the runc beside the
// ctr-lite binary, else runc on PATH. The answer is kept for the process.
func (e *Engine) Runtime() (string, error) {
	if e.runtimePath != "" {
		return e.runtimePath, nil
	}
	p, err := e.findRuntime()
	e.runtimePath = p
	return p, err
}

// RuncFor is a command running c's runtime (its create --runtime, else
// the engine's) with ctr-lite's runc root: every runtime call of a
// container goes through it, so a container never changes runtime
// between create and rm. The caller has checked RuntimeFor already.
//
// A container whose runtime is gone can still be killed and deleted:
// those two go to the engine's runtime (the state under the runc root is
// runc's either way), so rm -f never leaves its processes behind.
func (e *Engine) RuncFor(c *state.Container, args ...string) *exec.Cmd {
	p, err := e.RuntimeFor(c)
	if err != nil && len(args) > 0 && (args[0] == "kill" || args[0] == "delete") {
		p, _ = e.Runtime()
	}
	cmd := exec.Command(p, append([]string{"--root", e.runcRoot()}, args...)...)
	cmd.Env = sdnotify.Without(os.Environ()) // runc's own notify relay would wait for the service: see sdnotify_linux.go
	return cmd
}

// RuntimeFor is the runtime of c: the path create resolved from its
// --runtime, else Runtime().
func (e *Engine) RuntimeFor(c *state.Container) (string, error) {
	if c.RuntimePath == "" {
		return e.Runtime()
	}
	if fi, err := os.Stat(c.RuntimePath); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		return c.RuntimePath, WithCode(ExitEngine, fmt.Errorf("runtime %q of container %s is gone: put it back, or remove the container", c.RuntimePath, c.Name))
	}
	if err := checkRuntimeOwner(c.RuntimePath); err != nil {
		return c.RuntimePath, WithCode(ExitEngine, err)
	}
	return c.RuntimePath, nil
}

// checkRuntimeOwner refuses a runtime that someone other than its owner
// (root, or whoever runs ctr-lite) could replace: every later command of
// the container runs it with this process's privileges. A file writable
// by group or others, or in a directory they may write (but a sticky
// one such as /tmp, for a file of the caller's), is refused.
func checkRuntimeOwner(p string) error {
	me := uint32(os.Geteuid())
	ok := func(uid uint32) bool { return uid == 0 || uid == me }
	fi, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("check runtime %q: %w", p, err)
	}
	st, isStat := fi.Sys().(*syscall.Stat_t)
	if !isStat || !ok(st.Uid) || fi.Mode()&0o022 != 0 {
		return fmt.Errorf("runtime %q may be replaced by another user (its owner or mode): give a runtime only root (or you) can write", p)
	}
	di, err := os.Stat(filepath.Dir(p))
	if err != nil {
		return fmt.Errorf("check runtime %q: %w", p, err)
	}
	dst, isStat := di.Sys().(*syscall.Stat_t)
	if !isStat || !ok(dst.Uid) || (di.Mode()&0o022 != 0 && di.Mode()&os.ModeSticky == 0) {
		return fmt.Errorf("runtime %q is in a directory another user may write: move it where only root (or you) can write", p)
	}
	return nil
}

// DefaultRuntimeName is docker's HostConfig.Runtime of a container made
// without --runtime; as --runtime it means the engine's runtime too.
const DefaultRuntimeName = "runc"

// ResolveRuntime checks create's --runtime (a path, or a name on PATH)
// and returns its absolute path, kept in the record; "" (or "runc") is
// the engine's runtime, which must be found too.
func (e *Engine) ResolveRuntime(given string) (string, error) {
	if given == "" || given == DefaultRuntimeName {
		_, err := e.Runtime()
		return "", err
	}
	p, err := exec.LookPath(given)
	if err != nil {
		return "", WithCode(ExitEngine, fmt.Errorf("find runtime %q: %w: give --runtime the path of a runc, or a name on PATH", given, UnwrapExec(err)))
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", WithCode(ExitEngine, fmt.Errorf("find runtime %q: %w", given, err))
	}
	if err := checkRuntimeOwner(abs); err != nil {
		return "", WithCode(ExitEngine, err)
	}
	return abs, nil
}

func (e *Engine) findRuntime() (string, error) {
	if e.runtime != "" {
		p, err := exec.LookPath(e.runtime)
		if err != nil {
			return "", WithCode(ExitEngine, fmt.Errorf("runtime %q not found: %w; pass --runtime with the path of runc", e.runtime, UnwrapExec(err)))
		}
		return p, nil
	}
	if self, err := os.Executable(); err == nil {
		beside := filepath.Join(filepath.Dir(self), "runc")
		if fi, err := os.Stat(beside); err == nil && fi.Mode()&0o111 != 0 {
			return beside, nil
		}
	}
	p, err := exec.LookPath("runc")
	if err != nil {
		return "", WithCode(ExitEngine, errors.New("runc not found beside ctr-lite or on PATH: run 'make' to build it, or pass --runtime"))
	}
	return p, nil
}

func UnwrapExec(err error) error {
	var ee *exec.Error
	if errors.As(err, &ee) {
		return ee.Err
	}
	return err
}

// RuntimeVersion runs `runc --version` and returns its first line's version.
func RuntimeVersion(path string) (string, error) {
	out, err := exec.Command(path, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("run %q --version: %w", path, err)
	}
	first, _, _ := strings.Cut(string(out), "\n")
	fields := strings.Fields(first)
	if len(fields) < 3 {
		return "", fmt.Errorf("unexpected %q --version output %q", path, first)
	}
	return fields[2], nil
}

// VersionLess compares dotted versions numerically ("1.1.5" < "1.2.8").
func VersionLess(a, b string) bool {
	pa, pb := strings.Split(strings.SplitN(a, "-", 2)[0], "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		var x, y int
		fmt.Sscan(pa[i], &x)
		fmt.Sscan(pb[i], &y)
		if x != y {
			return x < y
		}
	}
	return len(pa) < len(pb)
}

// RuntimeError reads the last error runc logged (runc --log-format json).
func RuntimeError(logPath string) string {
	f, err := os.Open(logPath)
	if err != nil {
		return ""
	}
	defer f.Close()
	var last string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var entry struct{ Level, Msg string }
		if json.Unmarshal(sc.Bytes(), &entry) == nil && entry.Level == "error" {
			last = entry.Msg
		}
	}
	return last
}
