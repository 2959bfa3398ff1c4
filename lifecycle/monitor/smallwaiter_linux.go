package monitor

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/lifecycle/monitor/waiterbin"
	"github.com/ctr-lite/ctr-lite/lifecycle/monitor/waitproto"
	"github.com/ctr-lite/ctr-lite/reexec"
	"github.com/ctr-lite/ctr-lite/state"
)

// The small waiter (lifecycle/monitor/smallwaiter) is what the monitor
// execs into once a detached container runs, in place of re-executing
// ctr-lite as the big waiter (waiter_linux.go): a program of its own,
// embedded in ctr-lite (package waiterbin), that keeps the container's
// wait at conmon's memory. ctr-lite installs it under the root dir at
// first use (not the runroot: /run is often mounted noexec, as Debian's
// initramfs mounts it), verifies its sha256 before each exec, and execs it through
// the verified descriptor, so a file swapped meanwhile is never run. The
// small waiter runs ctr-lite's finish entry and execs its restart entry
// (below) once the container exited. Whatever it does not do, or when it
// cannot be installed, the big waiter does.

// bigWaiterEnv set to 1 makes every monitor use the big waiter.
const bigWaiterEnv = "CTR_LITE_BIG_WAITER"

// bigWaiterReason is why container c's wait needs the big waiter ("": the
// small one will do): the small one has no terminal (-t: resizes and the
// pty's output), no foreground start (the CLI's attach handshake), and
// only the json-file, journald and none drivers. The one place this is
// decided; hasWaiter is whether this ctr-lite embeds a small waiter.
func bigWaiterReason(c *state.Container, driver string, attached, hasWaiter bool, getenv func(string) string) string {
	switch {
	case getenv(bigWaiterEnv) == "1":
		return bigWaiterEnv + "=1"
	case !hasWaiter:
		return "this ctr-lite was built without the small waiter (make build embeds it)"
	case c.Config.Tty:
		return "a -t container"
	case attached:
		return "a foreground start"
	case driver != "json-file" && driver != "journald" && driver != "none":
		return "log driver " + driver
	}
	return ""
}

// smallWaiterName is the installed file's name, by content.
func smallWaiterName(bin []byte) (string, [32]byte) {
	sum := sha256.Sum256(bin)
	return "ctr-lite-waiter-" + hex.EncodeToString(sum[:]), sum
}

// openSmallWaiter returns a read-only descriptor of the installed small
// waiter, its content verified; it installs the file first if it is
// missing or not what this ctr-lite embeds (tampered, half-written).
func openSmallWaiter(root string, bin []byte) (*os.File, error) {
	name, sum := smallWaiterName(bin)
	dir := filepath.Join(root, "waiter")
	path := filepath.Join(dir, name)
	f, err := openVerified(path, sum)
	if err == nil {
		return f, nil
	}
	if err := installFile(dir, path, bin); err != nil {
		return nil, err
	}
	f, err = openVerified(path, sum)
	if err == nil {
		removeOtherWaiters(dir, name, time.Now().Add(-staleWaiterAge))
	}
	return f, err
}

// staleWaiterAge is how old another build's waiter must be before an
// install removes it: during an upgrade two builds' monitors install at
// once, and neither may remove the other's between its install and open.
const staleWaiterAge = time.Hour

// removeOtherWaiters removes the waiters other ctr-lite builds installed
// in dir before before: a waiter still running from one keeps its file
// open, and its finish runs ctr-lite, not the file.
func removeOtherWaiters(dir, keep string, before time.Time) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		n := e.Name()
		if n == keep || !strings.HasPrefix(n, "ctr-lite-waiter-") || !e.Type().IsRegular() {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.ModTime().Before(before) {
			os.Remove(filepath.Join(dir, n))
		}
	}
}

// openVerified opens path and checks it is a regular file, root's (or
// this user's), writable by no one else, with content sum.
func openVerified(path string, sum [32]byte) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		f.Close()
		return nil, fmt.Errorf("check the small waiter %q: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || int(st.Uid) != os.Geteuid() || st.Mode&0o022 != 0 {
		f.Close()
		return nil, fmt.Errorf("check the small waiter %q: not a regular file owned by uid %d and writable by it only", path, os.Geteuid())
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		f.Close()
		return nil, fmt.Errorf("check the small waiter %q: %w", path, err)
	}
	if got := h.Sum(nil); string(got) != string(sum[:]) {
		f.Close()
		return nil, fmt.Errorf("check the small waiter %q: its sha256 is %x, not what this ctr-lite embeds", path, got)
	}
	return f, nil
}

// installFile writes bin at path atomically: a temporary file in dir,
// synced, then renamed over path (a tampered file is replaced, never
// edited in place).
func installFile(dir, path string, bin []byte) error {
	if err := os.MkdirAll(dir, 0o711); err != nil {
		return fmt.Errorf("install the small waiter in %q: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".install-*")
	if err != nil {
		return fmt.Errorf("install the small waiter in %q: %w", dir, err)
	}
	// Page by page: a page cache of small folios lets the waiter's
	// MADV_PAGEOUT give back single pages (one write would cache the
	// file in large folios, which fault-around maps whole).
	for off := 0; off < len(bin) && err == nil; off += 4096 {
		_, err = tmp.Write(bin[off:min(off+4096, len(bin))])
	}
	if err == nil {
		err = tmp.Chmod(0o755)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("install the small waiter %q: %w", path, err)
	}
	return nil
}

// execSmallWaiter replaces the monitor with the small waiter for
// container id (pid); it returns only if that failed, with every
// descriptor as it was, and then the big waiter waits.
func (e *supervisor) execSmallWaiter(id string, pid int, backoff time.Duration, out *lifecycle.Output, notify *lifecycle.Notifier) error {
	bin, err := openSmallWaiter(e.Root, waiterbin.Binary())
	if err != nil {
		return err
	}
	defer bin.Close()
	self, err := os.Open("/proc/self/exe") // the finish and restart entries run this very binary
	if err != nil {
		return fmt.Errorf("open the ctr-lite binary: %w", err)
	}
	defer self.Close()
	m, err := e.waiterMessage(id, pid, backoff, notify)
	if err != nil {
		return err
	}
	open := []struct {
		name string
		f    *os.File
	}{{"ctr-lite", self}, {"log", out.Log.File()}, {"stdout", out.StdoutR}, {"stderr", out.StderrR},
		{"stdin", out.StdinW}, {"attach", out.Attach}, {"notify", notify.Relay()}}
	for _, o := range open {
		if o.f != nil {
			fd := int(o.f.Fd())
			unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0) // kept across exec
			m.Files = append(m.Files, waitproto.File{Name: o.name, FD: fd})
		}
	}
	env := append(withoutEnv(reexec.PlainEnv(), handoverEnv, "GOMAXPROCS", "GOGC"),
		waitproto.Env+"="+m.Encode(), "GOMAXPROCS=1", "GOGC=20")
	err = unix.Exec("/proc/self/fd/"+strconv.Itoa(int(bin.Fd())), append([]string{waiterbin.Name}, psArgs(e, id)...), env)
	for _, f := range m.Files {
		unix.CloseOnExec(f.FD)
	}
	return fmt.Errorf("exec the small waiter: %w", err)
}

// waiterMessage is the small waiter's hand-over for container id.
func (e *supervisor) waiterMessage(id string, pid int, backoff time.Duration, notify *lifecycle.Notifier) (*waitproto.Message, error) {
	c, err := e.Containers.Load(id)
	if err != nil {
		return nil, err
	}
	cfg := e.engineConfig()
	m := &waitproto.Message{ID: id, Root: cfg.Root, RunRoot: cfg.RunRoot, Runtime: cfg.Runtime, StorageDriver: cfg.StorageDriver,
		DefaultSubnet: cfg.DefaultSubnet, DefaultBridge: cfg.DefaultBridge, LogLevel: levelOf(e.Log).String(),
		Pid: pid, Backoff: backoff, SdNotify: notify.Mode(), Driver: e.LogDriver(id), Code: -1, Exit: -1}
	switch m.Driver {
	case "json-file":
		rot := e.LogRotation(id)
		m.LogPath, m.MaxSize, m.MaxFiles, m.Compress = e.LogPath(id), rot.MaxSize, rot.MaxFiles, rot.Compress
	case "journald":
		fields, err := e.JournalFields(id)
		if err != nil {
			return nil, err
		}
		for _, f := range fields {
			m.Journal = append(m.Journal, f[0]+"="+f[1])
		}
	}
	if h, ok := e.HealthSchedule(c, "", "--log-level", levelOf(e.Log).String()); ok {
		m.Health = &waitproto.Health{Args: h.Args, Interval: h.Timing.Interval, Timeout: h.Timing.Timeout,
			StartPeriod: h.Timing.StartPeriod, StartInterval: h.Timing.StartInterval, Started: h.Started}
	}
	return m, nil
}

func withoutEnv(env []string, names ...string) []string {
	out := env[:0:0]
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			drop = drop || k == n
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}

// The ctr-lite entries the small waiter runs.
const (
	finishEntry   = "ctr-lite-monitor-finish"
	restartEntry  = "ctr-lite-monitor-restart"
	compressEntry = "ctr-lite-log-compress"
)

func init() {
	reexec.Register(finishEntry, finishMain)
	reexec.Register(restartEntry, restartMain)
	reexec.Register(compressEntry, compressMain)
}

// receiveWaiterMessage reads the small waiter's message and opens the
// engine it names; it exits (2, 1) if it cannot.
func receiveWaiterMessage() (*waitproto.Message, *supervisor) {
	m, err := waitproto.Parse(os.Getenv(waitproto.Env))
	os.Unsetenv(waitproto.Env)
	if err == nil && m.Code < 0 {
		err = errors.New("read waiter hand-over: no exit status")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ctr-lite monitor:", err)
		os.Exit(2)
	}
	h := &handover{ID: m.ID, LogLevel: m.LogLevel, Engine: engineConfig{Root: m.Root, RunRoot: m.RunRoot, Runtime: m.Runtime,
		StorageDriver: m.StorageDriver, DefaultSubnet: m.DefaultSubnet, DefaultBridge: m.DefaultBridge}}
	e, err := h.openEngine()
	if err != nil {
		os.Exit(1)
	}
	return m, e
}

// finishMain is what the big waiter does once the container exited, up
// to the restart policy: record the exit, tear down, --rm. It prints the
// status the monitor exits with: the container's, or 0 after a user's
// stop (see waitContainer).
func finishMain() {
	m, e := receiveWaiterMessage()
	e.Log.Info("container exited", "container", m.ID, "code", m.Code)
	exit := m.Code
	if c, err := e.Containers.Load(m.ID); err == nil && c.HasBeenManuallyStopped {
		exit = 0
	}
	if err := e.Finish(m.ID, m.Code, nil); !isPlainExit(err) {
		e.Log.Warn("teardown after the exit failed; rm -f cleans up", "container", m.ID, "error", err)
	}
	fmt.Println(exit)
	os.Exit(0)
}

// restartMain applies the restart policy in the small waiter's PID: a
// restart runs the monitor's start (and then a small waiter again),
// else it exits with the monitor's status.
func restartMain() {
	m, e := receiveWaiterMessage()
	unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) // still the container's, as the waiter was
	e.exit = max(m.Exit, 0)
	if backoff, again := e.restartAfter(m.ID, m.Code, m.Backoff); again {
		os.Exit(e.supervise(m.ID, nil, backoff))
	}
	os.Exit(e.exit)
}

// compressMain gzips a rotated log for the small waiter, which links no
// compress/gzip: ctr-lite-log-compress SRC DST.
func compressMain() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: ctr-lite-log-compress SRC DST")
		os.Exit(2)
	}
	if err := state.CompressFile(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "ctr-lite-log-compress:", err)
		os.Exit(1)
	}
	os.Exit(0)
}
