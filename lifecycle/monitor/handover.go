package monitor

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"golang.org/x/sys/unix"
)

// The monitor's hand-over: what a CLI passes to the monitor it starts, and
// what the monitor passes to the waiter it execs into, is one typed,
// versioned JSON message in the environment variable handoverEnv (unset
// by the receiver at once, so runc and the container never see it). The
// command line says only "--root ROOT ID", for ps.
//
// Descriptors are named in the message, never implied by position:
//   - monitor (started with exec.Cmd): "status" is ExtraFiles[0], fd 3,
//     the pipe on which it reports the first start;
//   - waiter (same PID, execve): "log" (the json log), "stdout" and
//     "stderr" (the read ends of the container's output pipes) and, for
//     -t, "pty" (the terminal's master), and "notify" (the socket a
//     --sdnotify container service sends to), each at the number it had
//     in the monitor; an exec keeps numbers, and moving them to fixed numbers
//     in a running Go process could clobber the runtime's own.
//
// A receiver refuses a message of another version with a clear error, so
// a binary replaced under a running container fails loudly rather than
// misreading its arguments.
const (
	handoverEnv     = "CTR_LITE_MONITOR_HANDOVER"
	handoverVersion = 1
)

// handover is the message.
type handover struct {
	Version  int          `json:"version"`
	Engine   engineConfig `json:"engine"`
	ID       string       `json:"id"`       // the container
	LogLevel string       `json:"logLevel"` // the CLI's --log-level, for monitor.log
	// Pid is the container's init, the waiter's child (waiter only).
	Pid int `json:"pid,omitempty"`
	// Backoff is the delay before the run being waited on (0: none, the
	// first run), from which the next restart delay follows.
	Backoff time.Duration `json:"backoff,omitempty"`
	// SdNotify is the --sdnotify mode of a start under a Type=notify
	// unit (waiter only; "": nothing to tell systemd).
	SdNotify string         `json:"sdnotify,omitempty"`
	Files    []handoverFile `json:"files"`
	// Attached is set for a foreground start (run -t, start -a of a -t
	// container): its CLI attaches once the start is reported. Optional,
	// so the message stays version 1.
	Attached *attachedStart `json:"attached,omitempty"`
	// Exec is an exec monitor's process (exec monitor only).
	Exec *execStart `json:"exec,omitempty"`
}

// attachedStart is what a foreground start asks of the monitor: the
// container's output waits (at most attachWait) for the CLI's client, so
// none of it is lost, and its terminal starts at the CLI's size.
type attachedStart struct {
	Rows uint16 `json:"rows,omitempty"`
	Cols uint16 `json:"cols,omitempty"`
}

// handoverFile names one inherited descriptor.
type handoverFile struct {
	Name string `json:"name"`
	FD   int    `json:"fd"`
}

// engineConfig is the part of Options a monitor needs to open the engine.
type engineConfig struct {
	Root, RunRoot, Runtime, StorageDriver, DefaultSubnet, DefaultBridge string
}

func (e *supervisor) engineConfig() engineConfig {
	return engineConfig{Root: e.Root, RunRoot: e.RunRoot, Runtime: e.Options().Runtime, StorageDriver: e.Images.Driver.Name(),
		DefaultSubnet: e.Options().DefaultSubnet, DefaultBridge: e.Options().DefaultBridge}
}

func (c engineConfig) options() lifecycle.Options {
	return lifecycle.Options{Root: c.Root, RunRoot: c.RunRoot, Runtime: c.Runtime, StorageDriver: c.StorageDriver,
		DefaultSubnet: c.DefaultSubnet, DefaultBridge: c.DefaultBridge}
}

func (h *handover) encode() string {
	h.Version = handoverVersion
	data, _ := json.Marshal(h) // plain fields: cannot fail
	return string(data)
}

// decodeHandover parses and checks a message.
func decodeHandover(s string) (*handover, error) {
	if s == "" {
		return nil, fmt.Errorf("read monitor hand-over: %s is not set: this entry point is started by ctr-lite only", handoverEnv)
	}
	var h handover
	if err := json.Unmarshal([]byte(s), &h); err != nil {
		return nil, fmt.Errorf("read monitor hand-over: %w", err)
	}
	if h.Version != handoverVersion {
		return nil, fmt.Errorf("read monitor hand-over: version %d, this binary speaks version %d: the ctr-lite binary changed under a running container; stop it with the binary that started it", h.Version, handoverVersion)
	}
	if h.ID == "" || h.Engine.Root == "" || h.Engine.RunRoot == "" {
		return nil, fmt.Errorf("read monitor hand-over: no container ID or root in %q", s)
	}
	return &h, nil
}

// receiveHandover reads the message from the environment and unsets it.
func receiveHandover() (*handover, error) {
	s := os.Getenv(handoverEnv)
	os.Unsetenv(handoverEnv)
	return decodeHandover(s)
}

// file opens the descriptor named name (nil if the message names none),
// close-on-exec so that runc, started by a restart, never gets it.
func (h *handover) file(name string) (*os.File, error) {
	for _, f := range h.Files {
		if f.Name != name {
			continue
		}
		if _, err := unix.FcntlInt(uintptr(f.FD), unix.F_GETFD, 0); err != nil {
			return nil, fmt.Errorf("read monitor hand-over: descriptor %q (%d) is not open: %w", name, f.FD, err)
		}
		unix.CloseOnExec(f.FD)
		return os.NewFile(uintptr(f.FD), name), nil
	}
	return nil, nil
}

// files opens the named descriptors; each of required must be there. The
// returned files own their descriptors. On failure it closes those it
// opened: an *os.File left to the garbage collector would close its
// number at some later GC, when it may be another file's.
func (h *handover) files(required []string, optional ...string) (_ map[string]*os.File, retErr error) {
	out := map[string]*os.File{}
	defer func() {
		if retErr != nil {
			for _, f := range out {
				f.Close() // a nil one (optional, absent) is a no-op
			}
		}
	}()
	for i, name := range append(append([]string(nil), required...), optional...) {
		f, err := h.file(name)
		if err != nil {
			return nil, err
		}
		if f == nil && i < len(required) {
			return nil, fmt.Errorf("read monitor hand-over: no descriptor %q", name)
		}
		out[name] = f
	}
	return out, nil
}
